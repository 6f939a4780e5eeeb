"""ack_fixed_pod_ip on the seeded ack-app estate (seed 004 automated): check mode, the conversion, the no-op
re-run, a pod recreated with its fixed IP, and the rollback; every write measured with the sandbox counter.

The tests share one seeded estate and run in file order: the module fixture ``converted`` runs one play of
three steps (check mode with diff, the real run, the same run again) on the freshly seeded estate; later
tests change the estate (a pod deleted, the rollback).
"""

from __future__ import annotations

import json

import pytest

from ack_support import ANN_ORIGINAL, ANN_PN, ANN_TRUNK, DEPLOY, HEADLESS, K8S, MANAGED_BY, NS, PN, SYSTEM_NS
from ack_support import base_params, in_vswitches, rollback_params
from module_steps import wait_for
from ack_support import ack, cluster  # noqa: F401 - fixtures

FIRST_RUN_WRITES = {
    "create podnetworkings": 1,
    "patch configmaps": 1,  # eni-config: enable_eni_trunking, credential_path
    "delete pods": 2,  # the two terway-eniip pods, recreated by their DaemonSet with trunk ENIs
    "patch namespaces": 1,  # appname=185
    "create services": 1,  # abc-ba7b5-headless
    "create statefulsets": 1,
    "patch deployments": 1,  # scaled to 0, replicas recorded
}
EXPECTED_PLAN = [  # what the cluster validates (the PodNetworking, Ready) before the disruptive writes
    ("create", "PodNetworking", PN),
    ("patch", "ConfigMap", "eni-config"),
    ("restart", "Pod", "app=terway-eniip"),
    ("patch", "Namespace", NS),
    ("create", "Service", HEADLESS),
    ("create", "StatefulSet", DEPLOY),
    ("patch", "Deployment", DEPLOY),
]
ROLLBACK_WRITES = {"patch deployments": 1, "delete statefulsets": 1, "delete services": 1, "patch namespaces": 1,
                   "delete podnetworkings": 1}


@pytest.fixture(scope="module")
def converted(cluster, ack):
    """Check mode (with diff), the real run and a second run, on the seeded estate."""
    assert cluster.fresh
    cluster.fresh = False
    check, first, second = ack.play([{"params": base_params(), "check": True, "diff": True},
                                     {"params": base_params()},
                                     {"params": base_params()}])
    return {"check": check, "first": first, "second": second}


def sts_pods(cluster) -> list[dict]:
    return [p for p in cluster.pods() if any(r["kind"] == "StatefulSet" and r["name"] == DEPLOY
                                             for r in p["metadata"].get("ownerReferences") or [])]


def test_check_mode_plans_the_first_run(converted):
    check, first = converted["check"], converted["first"]
    assert not check.failed, check
    assert check.changed is True, check
    assert check.writes == 0, check  # all services, dryRun writes included
    assert check.calls(K8S, "write") == {}, check
    assert "actions" not in check.result, check
    assert check.plan_keys == EXPECTED_PLAN, check
    # the plan is what the real run then does, step for step
    assert check.plan_keys == first.action_keys, (check, first)
    diff = check.result["diff"]
    assert diff["before"] and diff["after"], check
    deployment = f"Deployment {NS}/{DEPLOY}"
    assert diff["before"][deployment]["replicas"] == 2, diff
    assert diff["after"][deployment]["replicas"] == 0, diff
    assert diff["after"][deployment]["annotations"][ANN_ORIGINAL] == "2", diff
    eni = f"ConfigMap {SYSTEM_NS}/eni-config"
    assert "enable_eni_trunking" not in diff["before"][eni]["eni_conf"], diff
    assert diff["after"][eni]["eni_conf"]["enable_eni_trunking"] is True, diff
    assert diff["before"][f"StatefulSet {NS}/{DEPLOY}"] is None, diff
    assert diff["after"][f"StatefulSet {NS}/{DEPLOY}"]["spec"]["serviceName"] == HEADLESS, diff


def test_first_run_gives_the_pods_fixed_ips(converted, cluster):
    first = converted["first"]
    assert not first.failed, first
    assert first.changed is True, first
    # exact writes by operation, from the sandbox's counter; nothing written anywhere else
    assert first.calls(K8S, "write") == FIRST_RUN_WRITES, first
    assert first.writes == sum(FIRST_RUN_WRITES.values()) == 8, first
    assert first.result["api_calls"]["writes"] == 8, first  # the module's own count agrees

    # fixed_ips: the StatefulSet's two pods, IPs from the vSwitches, as the PodENIs and the pods have them
    fixed = first.result["fixed_ips"]
    assert [e["pod"] for e in fixed] == [f"{DEPLOY}-0", f"{DEPLOY}-1"], first
    for entry in fixed:
        assert entry["namespace"] == NS and entry["pod_networking"] == PN, entry
        assert in_vswitches(entry["ip"]), entry
        podeni = cluster.podeni(entry["pod"])
        assert podeni["spec"]["allocations"][0]["ipv4"] == entry["ip"], podeni
        pod = cluster.pod(entry["pod"])
        assert pod["status"]["podIP"] == entry["ip"], pod["status"]
        assert pod["metadata"]["annotations"][ANN_PN] == PN, pod["metadata"]
    assert len(set(first.ips.values())) == 2
    assert cluster.running_ips() == first.ips

    # the Deployment is kept, at 0 replicas, with its count recorded
    deployment = cluster.deployment()
    assert deployment["spec"]["replicas"] == 0
    assert deployment["metadata"]["annotations"][ANN_ORIGINAL] == "2"
    # the objects the module created carry its label
    label, value = MANAGED_BY
    assert cluster.statefulset()["metadata"]["labels"][label] == value
    service = cluster.service()
    assert service["metadata"]["labels"][label] == value
    assert service["spec"]["clusterIP"] == "None"
    assert cluster.pod_networking()["metadata"]["labels"][label] == value
    assert cluster.pod_networking()["status"]["status"] == "Ready"
    assert cluster.namespace()["metadata"]["labels"]["appname"] == "185"
    # trunk ENIs on every node (Terway restarted after eni-config changed)
    nodes = cluster.nodes()
    assert nodes and all((n["metadata"].get("annotations") or {}).get(ANN_TRUNK) for n in nodes), nodes


def test_first_run_edits_eni_conf_minimally(converted, cluster):
    seeded, now = cluster.seeded_eni_conf, cluster.eni_conf_text()
    conf = json.loads(now)
    assert conf["enable_eni_trunking"] is True
    assert conf["credential_path"] == "/var/addon/token-config"
    assert dict((k, v) for k, v in conf.items() if k not in ("enable_eni_trunking", "credential_path")) == \
        json.loads(seeded)
    # text level: two lines added, only the old last member gains its comma, every other line as it was
    new_lines, old_lines = now.splitlines(), seeded.splitlines()
    added = [line for line in new_lines if line.strip().rstrip(",") in (
        '"enable_eni_trunking": true', '"credential_path": "/var/addon/token-config"')]
    assert len(added) == 2, now
    assert all(line.startswith('  "') for line in added), added  # the document's own indentation
    kept = [line for line in new_lines if line not in added]
    assert len(kept) == len(old_lines), (seeded, now)
    last_member = len(old_lines) - 2  # the line before the closing brace
    for index, (old, new) in enumerate(zip(old_lines, kept)):
        assert new == (old + "," if index == last_member else old), (index, old, new)
    assert now.endswith("}\n") and seeded.endswith("}\n")


def test_second_run_is_a_noop(converted):
    first, second = converted["first"], converted["second"]
    assert not second.failed, second
    assert second.changed is False, second
    assert second.calls(K8S, "write") == {}, second
    assert second.writes == 0, second
    assert second.result["plan"] == [] and second.result["actions"] == [], second
    assert second.result["fixed_ips"] == first.result["fixed_ips"], (first, second)


def test_fixed_ip_survives_pod_recreation(converted, cluster, ack):
    before = converted["first"].ips
    old = cluster.pod(f"{DEPLOY}-0")
    cluster.kubectl("delete", "pod", f"{DEPLOY}-0", "-n", NS)

    def recreated():
        pod = cluster.pod(f"{DEPLOY}-0")
        return pod and pod["metadata"]["uid"] != old["metadata"]["uid"] and \
            pod["status"].get("phase") == "Running" and pod["status"].get("podIP")

    wait_for(recreated, message=f"{DEPLOY}-0 recreated and Running")
    assert cluster.running_ips() == before

    gathered, merged = ack.play([{"params": base_params(state="gathered")}, {"params": base_params()}])
    assert not gathered.failed, gathered
    assert gathered.changed is False and gathered.writes == 0, gathered
    assert gathered.result["preflight"]["passed"] is True, gathered
    assert gathered.ips == before, gathered
    assert gathered.result["gathered"]["deployment"] == {"replicas": 0, "original_replicas": 2}, gathered
    assert not merged.failed, merged
    assert merged.changed is False and merged.writes == 0, merged
    assert merged.ips == before, merged


def test_rollback_restores_the_deployment(converted, cluster, ack):
    first, second = ack.play([{"params": rollback_params()}, {"params": rollback_params()}])
    assert not first.failed, first
    assert first.changed is True, first
    assert first.calls(K8S, "write") == ROLLBACK_WRITES, first
    assert first.writes == 5, first
    # make-before-break: the Deployment is back (and was waited for) before the StatefulSet went
    assert [a[:2] for a in first.action_keys] == [("patch", "Deployment"), ("delete", "StatefulSet"),
                                                   ("delete", "Service"), ("patch", "Namespace"),
                                                   ("delete", "PodNetworking")], first
    assert cluster.deployment_ready(2), cluster.deployment()["status"]
    annotations = cluster.deployment()["metadata"].get("annotations") or {}
    assert ANN_ORIGINAL not in annotations and "netsec.kubeguard.io/managed-annotations" not in annotations
    assert cluster.statefulset() is None
    assert cluster.service() is None
    assert cluster.pod_networking() is None
    namespace = cluster.namespace()["metadata"]
    assert "appname" not in namespace["labels"], namespace
    assert namespace["labels"]["env"] == "uat", namespace  # the seed's own label stays
    assert "netsec.kubeguard.io/managed-labels" not in (namespace.get("annotations") or {}), namespace
    assert sts_pods(cluster) == []
    # eni-config is left as it is (Trunk ENI is one-way)
    assert json.loads(cluster.eni_conf_text())["enable_eni_trunking"] is True

    assert not second.failed, second
    assert second.changed is False, second
    assert second.calls(K8S, "write") == {} and second.writes == 0, second
