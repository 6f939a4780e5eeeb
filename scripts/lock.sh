#!/usr/bin/env bash
# `make lock`: re-resolve requirements-dev.txt in a scratch venv and rewrite
# constraints.txt from its `pip freeze`. Review the diff before committing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${repo_root}"

python="${PYTHON:-python3.11}"
scratch="$(mktemp -d)"
trap 'rm -rf "${scratch}"' EXIT

"${python}" -m venv "${scratch}/venv"
"${scratch}/venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | pip_filter
"${scratch}/venv/bin/python" -m pip install --quiet -r requirements-dev.txt 2>&1 | pip_filter
{
    echo "# Full pinned lock of the development environment: \`pip freeze\` of a venv built"
    echo "# from requirements-dev.txt on Python 3.11, plus the pip version used to install it."
    echo "# Used as: pip install -r requirements-dev.txt -c constraints.txt   (make venv)"
    echo "# Regenerate after changing requirements*.txt with: make lock"
    {
        "${scratch}/venv/bin/python" -m pip freeze --exclude-editable
        echo "pip==$("${scratch}/venv/bin/python" -c 'import pip; print(pip.__version__)')"
    } | LC_ALL=C sort -f
} > constraints.txt
echo "lock: constraints.txt rewritten ($(grep -vc '^#' constraints.txt) pins)"
