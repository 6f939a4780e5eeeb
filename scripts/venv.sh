#!/usr/bin/env bash
# `make venv`: (re)create .venv from the pinned lock.
#   requirements-dev.txt  top-level dev/test tools, exact pins (includes requirements.txt)
#   constraints.txt       every transitive package pinned (and pip itself)
# The Makefile calls this when .venv is missing or a requirements file is newer than
# the stamp file; the venv is then rebuilt from scratch so it matches the lock exactly.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${repo_root}"

stamp="${venv_dir}/.kubeguard-stamp"

# The Makefile puts .venv/bin first on PATH: the interpreter that (re)builds .venv must not be the
# one inside it, which is deleted below.
PATH="$(printf '%s' "${PATH}" | tr ':' '\n' | grep -vxF "${venv_bin}" | paste -sd: -)"
if ! python="$(command -v "${PYTHON:-python3.11}")"; then
    echo "venv: ${PYTHON:-python3.11} not found (this project needs Python 3.11)" >&2
    exit 1
fi
"${python}" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "venv: Python 3.11 is required, got %s" % sys.version.split()[0])'

rm -rf "${venv_dir}"
echo "venv: creating ${venv_dir#"${repo_root}/"} with $("${python}" --version)"
"${python}" -m venv "${venv_dir}"

export PIP_DISABLE_PIP_VERSION_CHECK=1
set -o pipefail
"${venv_bin}/python" -m pip install --quiet --upgrade pip -c constraints.txt 2>&1 | pip_filter
echo "venv: installing requirements-dev.txt with constraints.txt"
"${venv_bin}/python" -m pip install --quiet -r requirements-dev.txt -c constraints.txt 2>&1 | pip_filter
"${venv_bin}/python" -m pip check

touch "${stamp}"
# The whole output is read before its first line is printed: `ansible --version | head` would break the
# pipe under ansible and print a traceback.
ansible_version="$("${venv_bin}/ansible" --version)"
echo "venv: ready (${ansible_version%%$'\n'*}, $("${venv_bin}/python" --version))"
