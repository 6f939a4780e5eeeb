#!/usr/bin/env bash
# `make lint`: ansible-lint (profile and exclusions in .ansible-lint; offline).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_venv
cd "${repo_root}"

export PATH="${venv_bin}:${PATH}"
drop_shadowing_collection_copy
# No colour codes in CI logs.
if [[ -n "${CI:-}" || ! -t 1 ]]; then
    export NO_COLOR=1
fi
ansible-lint --offline "$@"
