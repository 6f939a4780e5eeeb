"""Every EXAMPLES entry of ack_fixed_pod_ip, as written (only the account's vSwitch ids substituted), run on the
seeded estate: the first three in order as one play (they build on each other), the alternative conversion on
a fresh seed, and the rollback after the first. Each must succeed and do what its name says."""

from __future__ import annotations

import ipaddress

import module_steps
from ack_support import CONTEXT, DEPLOY, VSWITCHES, in_vswitches
from ack_support import ack, cluster, reseeded  # noqa: F401 - fixtures

MODULE = "ack_fixed_pod_ip"
FQCN = f"kubeguard.netsec.{MODULE}"
# the vSwitch ids the examples use, by zone, and the sandbox's
EXAMPLE_VSWITCHES = {"cn-hangzhou-h": "vsw-bp1uat0pod0h000000a", "cn-hangzhou-i": "vsw-bp1uat0pod0i000000b"}
SUBSTITUTIONS = {EXAMPLE_VSWITCHES[v["zone"]]: vsw for vsw, v in VSWITCHES.items()}


def examples() -> list[dict]:
    return module_steps.module_examples(MODULE, SUBSTITUTIONS)


def named(tasks: list[dict], words: str) -> dict:
    return next(task for task in tasks if words in task["name"])


def play(ack, tasks: list[dict], results: str) -> dict:
    """Run the tasks as written in one play (failures kept going, so each one's result is seen)."""
    return ack.run_tasks([dict(task, ignore_errors=True) for task in tasks], results)


def test_every_example_names_its_context_and_every_id_is_substituted():
    tasks = [task for task in examples() if FQCN in task]
    assert len(tasks) == 4
    assert all(task[FQCN].get("context") == CONTEXT for task in tasks), tasks
    text = repr(examples())
    assert not any(vsw in text for vsw in EXAMPLE_VSWITCHES.values())
    assert len(SUBSTITUTIONS) == 2


def test_the_seed_004_examples_run_in_order_then_roll_back(reseeded, ack):
    cluster = reseeded
    tasks = examples()
    sequence = [named(tasks, "Fixed IPs for the UAT application"), named(tasks, "/32 entries"),
                named(tasks, "Preflight only")]
    out = play(ack, sequence, "{'ips': app_ips, 'sources': uat_app_sources, 'preflight': preflight}")
    assert not out["ips"].get("failed"), out["ips"].get("msg")
    assert not out["preflight"].get("failed"), out["preflight"]
    assert out["preflight"]["preflight"]["passed"] is True
    fixed = {entry["pod"]: entry["ip"] for entry in out["ips"]["fixed_ips"]}
    assert sorted(fixed) == [f"{DEPLOY}-0", f"{DEPLOY}-1"] and all(in_vswitches(ip) for ip in fixed.values())
    assert sorted(out["sources"]) == sorted(f"{ip}/32" for ip in fixed.values())
    assert cluster.running_ips() == fixed
    pn = cluster.pod_networking()
    assert pn["spec"]["allocationType"] == {"type": "Fixed", "releaseStrategy": "Never"}, pn["spec"]

    rollback = play(ack, [dict(named(tasks, "Roll the conversion back"), register="rollback")], "{'r': rollback}")
    assert not rollback["r"].get("failed") and rollback["r"]["changed"], rollback["r"].get("msg")
    assert cluster.deployment_ready(2) and cluster.statefulset() is None and cluster.pod_networking() is None


def test_preflight_only_fails_the_task_when_a_check_fails(reseeded, ack):
    cluster = reseeded
    cluster.kubectl("delete", "secret", "addon.network.token", "-n", "kube-system")
    out = play(ack, [named(examples(), "Preflight only")], "{'preflight': preflight}")["preflight"]
    assert out.get("failed") is True, out  # by its failed_when: the module itself reports, it does not fail
    assert out["preflight"]["passed"] is False and out["preflight"]["token_secret"]["ok"] is False, out
    assert out["changed"] is False


def test_the_ttl_example_with_its_own_vswitches(reseeded, ack):
    cluster = reseeded
    task = dict(named(examples(), "TTL release"), register="ttl")
    out = play(ack, [task], "{'r': ttl}")["r"]
    assert not out.get("failed"), out.get("msg")
    pn = cluster.pod_networking("uat-app-fixed")
    assert pn["spec"]["allocationType"] == {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"}
    assert sorted(pn["spec"]["vSwitchOptions"]) == sorted(VSWITCHES)
    fixed = {entry["pod"]: entry for entry in out["fixed_ips"]}
    assert sorted(fixed) == [f"{DEPLOY}-0", f"{DEPLOY}-1"]
    for entry in fixed.values():  # each pod's IP comes from the vSwitch of its zone
        vswitch = next(v for v in VSWITCHES.values() if v["zone"] == entry["zone"])
        assert ipaddress.ip_address(entry["ip"]) in ipaddress.ip_network(vswitch["cidr"]), entry
    assert cluster.service("abc-ba7b5-headless")["spec"]["clusterIP"] == "None"
    assert cluster.running_ips() == {pod: entry["ip"] for pod, entry in fixed.items()}
