#!/usr/bin/env bash
# make demo: the product's main job on the sandbox, end to end.
#   1. start a private sandbox and seed the insecure "before" estates (EKS demo-eks; ACK ack-app and ack-db)
#   2. the before: the audit's verdict per cluster, and the reachability oracle's answers
#   3. seed 003's incident: a hand-made rule with the controller's label, revoked by its next reconcile
#   4. playbooks/harden.yml on inventories/sandbox (prod: demo-eks, ack-app; uat: the database cluster ack-db)
#   5. the same playbook again: changed=0 and no write call
#   6. the after: the audit, the oracle, the API calls per service, the HTML reports; then stop the sandbox
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
python=".venv/bin/python"
export PATH="$root/.venv/bin:$PATH"
# The demo runs its own sandbox so it never disturbs one a developer has running.
demo_dir="${KUBEGUARD_DEMO_DIR:-$root/build/demo}"
export KUBEGUARD_SANDBOX_STATE_DIR="$demo_dir/sandbox-state"
export KUBEGUARD_SANDBOX_BASE_PORT="${KUBEGUARD_DEMO_BASE_PORT:-18750}"
export ANSIBLE_CONFIG="$root/ansible.cfg"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"
reports="$demo_dir/reports"
logs="$demo_dir/logs"
rm -rf "$reports" "$logs"
mkdir -p "$reports/before" "$reports/after" "$logs"

stop_sandbox() { "$python" -m sandbox down >/dev/null 2>&1 || true; }
trap stop_sandbox EXIT
section() { printf '\n=== %s ===\n' "$1"; }
show() { "$python" demo/show.py "$@"; }
# one playbook run, its full output in a log file, its recap on the screen
play() {
    local name="$1"
    shift
    local log="$logs/$name.log"
    if ! ansible-playbook -i inventories/sandbox "$@" >"$log" 2>&1; then
        tail -40 "$log"
        echo "demo: ansible-playbook failed; the whole output is in ${log#"$root/"}" >&2
        return 1
    fi
    sed -n '/^PLAY RECAP/,$p' "$log" | sed -e '/^$/d' -e 's/^/  /'
}
started=$SECONDS

section "1. Starting the sandbox (AWS by moto, Kubernetes, CLB on 127.0.0.1:$KUBEGUARD_SANDBOX_BASE_PORT+) and seeding the insecure estates"
"$python" -m sandbox up >/dev/null
"$python" -m sandbox seed >/dev/null
# shellcheck disable=SC1091
source "$KUBEGUARD_SANDBOX_STATE_DIR/env"
echo "  EKS demo-eks (seeds 000-003), ACK ack-app and ack-db (seed 004); ids in ${KUBEGUARD_SANDBOX_STATE_DIR#"$root/"}/seed.json"

section "2. Before: the audit (kubeguard.netsec.netsec_audit, read only) and the reachability oracle"
KUBEGUARD_REPORT_DIR="$reports/before" play audit-before playbooks/audit.yml -e netsec_audit_fail_on=never \
    -e netsec_audit_print=false >/dev/null
show audit "$reports/before"
echo
show oracle

section "3. Seed 003's incident: a hand-made rule carrying the load balancer controller's label"
show incident

section "4. Hardening: playbooks/harden.yml (every role, then the audit with each environment's gate)"
show reset-calls
KUBEGUARD_REPORT_DIR="$reports/after" play harden-1 playbooks/harden.yml -f 5
show calls --writes-only

section "5. The same playbook again: nothing left to do"
show reset-calls
KUBEGUARD_REPORT_DIR="$reports/after" play harden-2 playbooks/harden.yml -f 5
show calls --writes-only
echo "  API calls of this run, per service:"
show calls

section "6. After: the audit and the oracle"
show audit "$reports/after"
echo
show oracle
echo
echo "  HTML reports (open in a browser): ${reports#"$root/"}/after/*.html"
ls "$reports/after"/*.html | sed "s#^$root/#    #"
echo "  full playbook output: ${logs#"$root/"}/"
echo
echo "demo: done in $((SECONDS - started)) s"
