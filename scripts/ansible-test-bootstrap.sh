#!/usr/bin/env bash
# Make ansible-test work without ci-files.testing.ansible.com.
#
# ansible-test bootstraps pip into every virtual environment it creates by running
# ~/.ansible/test/cache/get_pip_<version>.py, and downloads that file when it is not
# cached. We put our own offline equivalent (scripts/ansible_test_get_pip.py) at that
# path, for the pip version that the installed ansible-test asks for.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${VENV_PYTHON:-${repo_root}/.venv/bin/python}"
source_script="${repo_root}/scripts/ansible_test_get_pip.py"

if [[ ! -x "${python}" ]]; then
    echo "ansible-test-bootstrap: ${python} not found; run 'make venv' first" >&2
    exit 1
fi

# The pip version ansible-test bootstraps comes from its own data
# (ansible_test._internal.python_requirements.get_venv_packages); ask it for every
# Python version it supports, so the cache covers whichever interpreter is used.
mapfile -t pip_versions < <("${python}" - <<'PY'
import types

from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
from ansible_test._internal.python_requirements import get_venv_packages

versions = set()
for python_version in SUPPORTED_PYTHON_VERSIONS:
    versions.add(get_venv_packages(types.SimpleNamespace(version=python_version))["pip"])
print("\n".join(sorted(versions)))
PY
)

if [[ ${#pip_versions[@]} -eq 0 ]]; then
    echo "ansible-test-bootstrap: could not read the pip version from ansible-test" >&2
    exit 1
fi

cache_dir="${HOME}/.ansible/test/cache"
mkdir -p "${cache_dir}"
for version in "${pip_versions[@]}"; do
    target="${cache_dir}/get_pip_${version//./_}.py"
    install -m 0644 "${source_script}" "${target}"
    echo "ansible-test-bootstrap: pip ${version} bootstrap -> ${target}"
done
