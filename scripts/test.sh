#!/usr/bin/env bash
# `make test`: every stage in order, all of them run even after a failure, then a
# summary that names each failed stage. Exits non-zero if any stage failed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${repo_root}"

make_cmd=("${MAKE:-make}" --no-print-directory)
read -r -a stages <<< "${TEST_STAGES:-unit sanity lint integration molecule}"

echo "=== stage setup (venv, collection link, ansible-test bootstrap)"
if ! "${make_cmd[@]}" venv collection-link ansible-test-bootstrap; then
    echo "stage setup: FAILED (no other stage can run)"
    echo "stages: 0 passed, 1 failed"
    exit 1
fi

declare -A result
declare -A seconds
failed=0
for stage in "${stages[@]}"; do
    echo
    echo "=== stage ${stage}"
    start=${SECONDS}
    if "${make_cmd[@]}" "${stage}"; then
        result[${stage}]=passed
    else
        result[${stage}]=FAILED
        failed=$((failed + 1))
    fi
    seconds[${stage}]=$((SECONDS - start))
    echo "=== stage ${stage}: ${result[${stage}]} (${seconds[${stage}]}s)"
done

echo
echo "=== summary"
for stage in "${stages[@]}"; do
    printf 'stage %s: %s (%ss)\n' "${stage}" "${result[${stage}]}" "${seconds[${stage}]}"
done
echo "stages: $(( ${#stages[@]} - failed )) passed, ${failed} failed"
[[ ${failed} -eq 0 ]]
