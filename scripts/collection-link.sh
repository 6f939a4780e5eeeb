#!/usr/bin/env bash
# `make collection-link`: make this checkout importable as kubeguard.netsec.
# ansible.cfg points collections_path at build/collections; this creates
#   build/collections/ansible_collections/<namespace>/<name> -> ../../../.. (the repo root)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "${repo_root}"

namespace="$(sed -n 's/^namespace:[[:space:]]*//p' galaxy.yml | tr -d '"'"'"' ')"
name="$(sed -n 's/^name:[[:space:]]*//p' galaxy.yml | tr -d '"'"'"' ')"
link="build/collections/ansible_collections/${namespace}/${name}"

mkdir -p "$(dirname "${link}")"
if [[ -L "${link}" && "$(readlink "${link}")" == "../../../.." ]]; then
    exit 0
fi
rm -rf "${link}"
ln -s ../../../.. "${link}"
echo "collection-link: ${link} -> repository root"
