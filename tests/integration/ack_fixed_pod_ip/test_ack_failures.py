"""What goes wrong on the cluster is surfaced, never reported as fixed IPs: a PodNetworking in Fail, pods that
silently got shared-pool IPs, and a competing PodNetworking that wins. Each test gets a fresh seed."""

from __future__ import annotations

from ack_support import ANN_TRUNK, DEPLOY, GROUP, K8S, NS, PN, VERSION, base_params, in_vswitches
from module_steps import wait_for
from ack_support import ack, cluster, reseeded  # noqa: F401 - fixtures

BAD_VSWITCH = "vsw-doesnotexist0000"
COMPETITOR = "aaa-competitor"  # sorts before podnetworking-185: listed first, so Terway's webhook takes it


def test_podnetworking_fail_is_surfaced(reseeded, ack):
    cluster = reseeded
    step = ack.run(base_params(pod_networking={"name": PN, "namespace_selector": {"match_labels": {"appname": "185"}},
                                               "vswitch_ids": [BAD_VSWITCH]}))
    assert step.failed, step
    assert f"PodNetworking {PN} failed" in step.msg, step
    assert f"vSwitch {BAD_VSWITCH} not found" in step.msg, step
    # the PodNetworking is the first write and the cluster's verdict on it comes before anything disruptive:
    # eni-config not edited, Terway not restarted (issue 10 item 5)
    assert step.calls(K8S, "write") == {"create podnetworkings": 1}, step
    assert step.action_keys == [("create", "PodNetworking", PN)], step
    assert step.changed is True, step
    assert cluster.pod_networking()["status"]["status"] == "Fail"
    assert cluster.eni_conf_text() == cluster.seeded_eni_conf
    assert not any(node["metadata"].get("annotations", {}).get(ANN_TRUNK) for node in cluster.nodes())
    assert cluster.statefulset() is None
    assert cluster.service() is None
    assert cluster.deployment()["spec"]["replicas"] == 2
    assert cluster.deployment_ready(2)


def _legacy_statefulset(cluster) -> dict:
    """The Deployment's pod template under other labels, as a StatefulSet made by hand before any PodNetworking."""
    template = cluster.deployment()["spec"]["template"]
    template["metadata"]["labels"] = {"app": "legacy"}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "legacy-sts", "namespace": NS},
            "spec": {"serviceName": "legacy-sts", "replicas": 2, "selector": {"matchLabels": {"app": "legacy"}},
                     "template": template}}


def test_pods_on_shared_pool_ips_are_errors(reseeded, ack):
    cluster = reseeded
    assert cluster.pod_networking() is None and "appname" not in cluster.namespace()["metadata"]["labels"]
    cluster.apps.create_namespaced_stateful_set(NS, _legacy_statefulset(cluster))
    pool_ips = wait_for(lambda: (lambda ips: len(ips) == 2 and all(ips.values()) and ips)(
        cluster.running_ips("legacy-sts")), message="legacy-sts pods running")
    assert not any(in_vswitches(ip) for ip in pool_ips.values()), pool_ips  # shared pool, not a vSwitch

    step = ack.run({"context": "ack-app", "namespace": NS, "statefulset_name": "legacy-sts", "wait_sleep": 1,
                    "wait_timeout": 60, "pod_networking": {"name": "pn-legacy",
                                                           "pod_selector": {"match_labels": {"app": "legacy"}}}})
    assert step.failed, step
    for pod, ip in pool_ips.items():
        assert f"pod {NS}/{pod} got the shared-pool IP {ip}, not a fixed IP" in step.msg, step
    assert "fixed_ips" not in step.result or step.result["fixed_ips"] == [], step
    # the pods were not touched; only Terway's set-up and the PodNetworking were written
    assert step.calls(K8S, "write") == {"patch configmaps": 1, "delete pods": 2, "create podnetworkings": 1}, step
    assert cluster.running_ips("legacy-sts") == pool_ips


def test_a_competing_podnetworking_that_wins_stops_the_run_before_any_write(reseeded, ack):
    cluster = reseeded
    cluster.custom.create_cluster_custom_object(GROUP, VERSION, "podnetworkings", {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "PodNetworking", "metadata": {"name": COMPETITOR},
        "spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"},
                 "selector": {"podSelector": {"matchLabels": {"projectkey": DEPLOY}}}}})
    wait_for(lambda: (cluster.pod_networking(COMPETITOR).get("status") or {}).get("status") == "Ready",
             message="competitor Ready")

    check, step = ack.play([{"params": base_params(), "check": True}, {"params": base_params()}])
    # found by the plan: check mode and the real run both refuse, naming both, with zero writes
    for run in (check, step):
        assert run.failed and run.writes == 0, run
        assert run.msg.startswith("pod_networking: PodNetworking %s (Ready, listed before %s)" % (COMPETITOR, PN)), run
        assert "Make the selectors disjoint" in run.msg, run
    assert cluster.deployment()["spec"]["replicas"] == 2 and cluster.deployment_ready(2)
    assert not cluster.running_ips(), "no StatefulSet pod was created"
