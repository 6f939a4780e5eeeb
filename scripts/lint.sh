#!/usr/bin/env bash
# `make lint`: the code style of the collection's Python (ruff.toml: the formatter, import order,
# f-strings; functions of at most ~50 lines), the changelog fragments, and ansible-lint
# (profile and exclusions in .ansible-lint; offline). Every check runs; the stage fails if any did.
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

failed=()
check() {
    local name="$1"
    shift
    echo "lint: ${name}"
    if ! "$@"; then
        failed+=("${name}")
    fi
}

check "ruff format (plugins, their unit tests)" ruff format --check --diff
check "ruff check" ruff check
check "function length" python scripts/check_function_length.py --max 50 plugins
check "changelog fragments" antsibull-changelog lint
check "ansible-lint" ansible-lint --offline "$@"
# every playbook against both inventories (the sandbox's and the example fleet)
for inventory in inventories/sandbox inventories/example; do
    check "syntax-check playbooks/*.yml with ${inventory}" env ANSIBLE_CONFIG="${repo_root}/ansible.cfg" \
        ansible-playbook --syntax-check -i "${inventory}" playbooks/*.yml
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "lint: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "lint: all checks passed"
