#!/usr/bin/env bash
# make demo: start a private sandbox, seed it, run the demo playbook, show the API calls, stop the sandbox.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python=".venv/bin/python"
export PATH="$root/.venv/bin:$PATH"
# The demo runs its own sandbox so it never disturbs one a developer has running.
export KUBEGUARD_SANDBOX_STATE_DIR="$root/build/demo/sandbox-state"
export KUBEGUARD_SANDBOX_BASE_PORT="${KUBEGUARD_DEMO_BASE_PORT:-18750}"
export ANSIBLE_CONFIG="$root/ansible.cfg"

stop_sandbox() { "$python" -m sandbox down; }
trap stop_sandbox EXIT

section() { printf '\n=== %s ===\n' "$1"; }

section "Starting the sandbox (AWS emulated by moto on 127.0.0.1:$((KUBEGUARD_SANDBOX_BASE_PORT + 1)))"
"$python" -m sandbox up
section "Seeding the insecure 'before' estates: EKS cluster demo-eks, ACK clusters ack-app and ack-db"
"$python" -m sandbox seed >/dev/null
echo "seeded; ids in $KUBEGUARD_SANDBOX_STATE_DIR/seed.json"
# shellcheck disable=SC1091
source "$KUBEGUARD_SANDBOX_STATE_DIR/env"

section "Running demo/demo.yml"
ansible-playbook -i "$KUBEGUARD_SANDBOX_STATE_DIR/inventory.yml" demo/demo.yml

section "API calls the playbook made, per service and action (read / write)"
"$python" -m sandbox calls --format table
