#!/usr/bin/env bash
# `make molecule`: `molecule test` for every scenario under extensions/molecule/
# (any depth: extensions/molecule/<scenario>/molecule.yml or <group>/<scenario>/...).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_venv
cd "${repo_root}"

export PATH="${venv_bin}:${PATH}"
drop_shadowing_collection_copy
root="extensions/molecule"

mapfile -t scenarios < <(find "${root}" -mindepth 2 -name molecule.yml -not -path '*/.*' 2>/dev/null \
    | sed -e "s#^${root}/##" -e 's#/molecule.yml$##' | LC_ALL=C sort)

if [[ ${#scenarios[@]} -eq 0 ]]; then
    echo "molecule: no scenarios under ${root}/ (no */molecule.yml); nothing to run"
    exit 0
fi

failed=()
for scenario in "${scenarios[@]}"; do
    echo "molecule: scenario ${scenario}"
    # Start from a clean ephemeral state: with the unmanaged driver there is no destroy
    # step to reset it, and a stale `prepared: true` would skip prepare.yml.
    molecule reset -s "${scenario}" </dev/null >/dev/null 2>&1 || true
    if ! molecule test -s "${scenario}" </dev/null; then
        failed+=("${scenario}")
    fi
    # A scenario that failed before its cleanup step may have left its sandbox running.
    state_dir="build/molecule/${scenario}/sandbox-state"
    if [[ -f "${state_dir}/sandbox.pid" ]]; then
        KUBEGUARD_SANDBOX_STATE_DIR="${repo_root}/${state_dir}" "${venv_bin}/python" -m sandbox down || true
    fi
done

echo "molecule: $(( ${#scenarios[@]} - ${#failed[@]} )) of ${#scenarios[@]} scenarios passed"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "molecule: FAILED scenarios: ${failed[*]}" >&2
    exit 1
fi
