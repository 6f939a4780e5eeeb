# Shared helpers for scripts/*.sh (sourced, not executed).
# shellcheck shell=bash

# Absolute path of the repository root.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="${repo_root}/.venv"
venv_bin="${venv_dir}/bin"

# pip is configured machine-wide with extra local indexes; on machines where those
# directories are absent pip prints one warning per package. Hide only that line.
pip_filter() {
    grep -v "is ignored: it is neither a file nor a directory" || true
}

require_venv() {
    if [[ ! -x "${venv_bin}/python" ]]; then
        echo "$(basename "$0"): ${venv_bin}/python not found; run 'make venv' first" >&2
        exit 1
    fi
}

# molecule's prerun (ansible-compat) installs a *copy* of the collection into
# ~/.ansible/collections, and ansible-lint puts that directory first on the collections
# path, so a stale copy would shadow this checkout. extensions/molecule/config.yml turns
# the prerun off; this removes a copy an earlier run may have left (never a symlink).
drop_shadowing_collection_copy() {
    local copy="${HOME}/.ansible/collections/ansible_collections/kubeguard/netsec"
    if [[ -d "${copy}" && ! -L "${copy}" && -f "${copy}/MANIFEST.json" ]]; then
        echo "$(basename "$0"): removing ${copy} (an installed copy that would shadow this checkout)"
        rm -rf "${copy}"
    fi
}
