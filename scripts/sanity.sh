#!/usr/bin/env bash
# `make sanity`: ansible-test sanity (every test, no ignore entries) on the built and
# installed collection.
#
# ansible-test insists on running from .../ansible_collections/<namespace>/<name>, and
# resolves symlinks, so the checkout itself (or the build/collections link) cannot be
# used. Instead: build the tarball, install it into a work tree (which also proves that
# the artifact installs), place amazon.aws and kubernetes.core from the venv next to
# it, and run ansible-test there.
#
# The work tree must be outside this git checkout: ansible-test walks up to the nearest
# .git and then only sees files git does not ignore, and build/ is ignored, so a tree
# under build/ would have no test targets at all.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_venv
cd "${repo_root}"

python_version="${SANITY_PYTHON:-3.11}"
repo_id="$(printf '%s' "${repo_root}" | md5sum | cut -c1-8)"
work="${SANITY_WORKDIR:-${TMPDIR:-/tmp}/kubeguard-netsec-sanity-${repo_id}}"
dist="${repo_root}/build/sanity-dist"
log="${repo_root}/build/ansible-test-sanity.log"

namespace="$("${venv_bin}/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["namespace"])')"
name="$("${venv_bin}/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["name"])')"
version="$("${venv_bin}/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"

# No ignore entries, ever: fail early if someone adds one.
shopt -s nullglob
for ignore in tests/sanity/ignore-*.txt; do
    if grep -Eqv '^[[:space:]]*(#.*)?$' "${ignore}"; then
        echo "sanity: ${ignore} has entries; fix the code instead of ignoring the test" >&2
        exit 1
    fi
done
shopt -u nullglob

# Doc fragments are only validated by ansible-test through modules that use them.
"${venv_bin}/python" scripts/check_doc_fragments.py

rm -rf "${work}" "${dist}"
mkdir -p "${work}" "${dist}"

"${venv_bin}/ansible-galaxy" collection build --force --output-path "${dist}" "${repo_root}"
tarball="${dist}/${namespace}-${name}-${version}.tar.gz"
"${venv_bin}/ansible-galaxy" collection install --offline --no-deps --force \
    --collections-path "${work}" "${tarball}" 2>&1 | grep -v 'is not part of the configured Ansible collections paths' || true
collection_dir="${work}/ansible_collections/${namespace}/${name}"
if [[ ! -f "${collection_dir}/MANIFEST.json" ]]; then
    echo "sanity: ${tarball} did not install into ${collection_dir}" >&2
    exit 1
fi

# Dependency collections (galaxy.yml dependencies) from the `ansible` package in the venv.
for dependency in amazon.aws kubernetes.core; do
    source_dir="$("${venv_bin}/python" -c 'import importlib.util, sys; print(importlib.util.find_spec("ansible_collections." + sys.argv[1]).submodule_search_locations[0])' "${dependency}")"
    mkdir -p "${work}/ansible_collections/${dependency%%.*}"
    ln -sfn "${source_dir}" "${work}/ansible_collections/${dependency%%.*}/${dependency##*.}"
done

"${repo_root}/scripts/ansible-test-bootstrap.sh"

cd "${collection_dir}"
echo "sanity: running ansible-test in ${collection_dir}"
set +e
"${venv_bin}/ansible-test" sanity --python "${python_version}" --color no "$@" 2>&1 | tee "${log}"
status=${PIPESTATUS[0]}
set -e

# A run that exited 0 but ran nothing is not a pass.
ran="$(grep -c '^Running sanity test' "${log}" || true)"
echo "sanity: ${ran} sanity tests ran (log: ${log#"${repo_root}/"})"
grep -E '^WARNING: (Skipping|All targets skipped)' "${log}" || true
if [[ ${status} -eq 0 && ${ran} -eq 0 ]]; then
    echo "sanity: ansible-test ran no test" >&2
    exit 1
fi
exit "${status}"
