"""The inventories as Ansible reads them (ansible-inventory): every host is one cluster in one kind group and one
environment group, and the environments differ as docs/awx.md and the issue promise - prod custom, exact node
ports, minimum rules with restricted egress, default-deny both ways, the audit failing on high; dev auto mode,
the recommended rules, reporting only. The sandbox inventory applies the same group_vars (a link)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[3]
INVENTORY = pathlib.Path(sys.executable).parent / "ansible-inventory"
EXPECTED = {
    "prod": ("custom", "minimum", "restricted", "both", "high", "exact"),
    "stage": ("custom", "minimum", "restricted", "both", "high", "exact"),
    "uat": ("hybrid", "recommended", "all", "ingress", "critical", "exact"),
    "dev": ("auto", "recommended", "all", "ingress", "never", "adjacent"),
}


def _hostvars(inventory: str) -> tuple[dict, dict]:
    done = subprocess.run([str(INVENTORY), "-i", str(REPO / "inventories" / inventory), "--list"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=True)
    listed = json.loads(done.stdout)
    return listed, listed["_meta"]["hostvars"]


def _groups(listed: dict, name: str) -> set:
    return set((listed.get(name) or {}).get("hosts") or [])


def test_each_environment_of_the_example_fleet_gets_its_own_posture():
    listed, hostvars = _hostvars("example")
    kinds = {kind: _groups(listed, kind) for kind in ("eks", "ack")}
    environments = {env: _groups(listed, env) for env in EXPECTED}
    for host, values in hostvars.items():
        assert sum(host in members for members in kinds.values()) == 1, host
        (env,) = [env for env, members in environments.items() if host in members]
        assert values["kubeguard_environment"] == env
        posture = (values["eks_lbc_security_mode"], values["eks_cluster_baseline_baseline"],
                   values["eks_cluster_baseline_egress"], values["k8s_network_isolation_default_deny"],
                   values["netsec_audit_fail_on"], values["kubeguard_node_rules"]["port_compression"])
        assert posture == EXPECTED[env], (host, posture)
    assert all(environments.values()) and all(kinds.values())


def test_the_sandbox_estate_uses_the_same_policy():
    listed, hostvars = _hostvars("sandbox")
    assert _groups(listed, "prod") == {"demo-eks", "ack-app"} and _groups(listed, "uat") == {"ack-db"}
    inventories = REPO / "inventories"
    assert (inventories / "sandbox" / "group_vars").resolve() == inventories / "example" / "group_vars"
    assert hostvars["demo-eks"]["eks_lbc_security_mode"] == "custom"
    assert hostvars["ack-db"]["netsec_audit_client_clusters"][0]["name"] == "ack-app"
