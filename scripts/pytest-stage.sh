#!/usr/bin/env bash
# `make unit` / `make integration`: run pytest on one test directory.
# Usage: scripts/pytest-stage.sh <stage name> <test directory> [extra pytest args]
# A stage that collects no test fails: pytest's exit code 5 is turned into 1.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_venv
cd "${repo_root}"

stage="$1"
tests="$2"
shift 2

if [[ ! -d "${tests}" ]]; then
    echo "${stage}: ${tests}/ does not exist, so no test ran; failing the stage" >&2
    exit 1
fi

# The checkout is importable both as `sandbox` (repo root on sys.path) and as
# ansible_collections.kubeguard.netsec (build/collections); ansible-playbook started by
# the tests finds ansible.cfg and the venv whatever their working directory.
export PYTHONPATH="${repo_root}:${repo_root}/build/collections${PYTHONPATH:+:${PYTHONPATH}}"
export ANSIBLE_CONFIG="${repo_root}/ansible.cfg"
export PATH="${venv_bin}:${PATH}"

set +e
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words on purpose
"${venv_bin}/python" -m pytest "${tests}" ${PYTEST_ARGS:-} "$@"
status=$?
set -e

if [[ ${status} -eq 5 ]]; then
    echo "${stage}: pytest collected no tests in ${tests}/ (exit code 5); failing the stage" >&2
    exit 1
fi
exit "${status}"
