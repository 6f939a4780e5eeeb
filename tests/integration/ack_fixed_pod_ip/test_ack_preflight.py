"""Preflight failures: each broken prerequisite stops the run before any write, naming the check and saying
what to do. One seeded estate; each case breaks one thing and puts it back by hand (the run's preflight must
show exactly that one check failed, which also proves the previous case was put back)."""

from __future__ import annotations

import pytest

from ack_support import K8S, SYSTEM_NS, base_params
from module_steps import wait_for
from ack_support import ack, cluster  # noqa: F401 - fixtures

CRD = "podnetworkings.network.alibabacloud.com"


def _break_token(cluster):
    secret = cluster.sanitize(cluster.core.read_namespaced_secret("addon.network.token", SYSTEM_NS))
    cluster.core.delete_namespaced_secret("addon.network.token", SYSTEM_NS)
    body = {"apiVersion": "v1", "kind": "Secret", "type": secret.get("type"), "data": secret["data"],
            "metadata": {"name": "addon.network.token", "namespace": SYSTEM_NS}}
    return lambda: cluster.core.create_namespaced_secret(SYSTEM_NS, body)


def _break_crd(cluster):
    crd = cluster.sanitize(cluster.ext.read_custom_resource_definition(CRD))
    cluster.ext.delete_custom_resource_definition(CRD)
    wait_for(lambda: CRD not in [c.metadata.name for c in cluster.ext.list_custom_resource_definition().items],
             message="CRD gone")
    body = {"apiVersion": crd["apiVersion"], "kind": crd["kind"], "spec": crd["spec"],
            "metadata": {"name": CRD, "labels": crd["metadata"].get("labels") or {},
                         "annotations": crd["metadata"].get("annotations") or {}}}
    return lambda: cluster.ext.create_custom_resource_definition(body)


def _break_eni_conf(cluster):
    text = cluster.eni_conf_text()
    broken = text.replace('"ipv4",', '"ipv4"', 1)  # a missing comma: no longer JSON
    assert broken != text
    cluster.core.patch_namespaced_config_map("eni-config", SYSTEM_NS, {"data": {"eni_conf": broken}})
    return lambda: cluster.core.patch_namespaced_config_map("eni-config", SYSTEM_NS, {"data": {"eni_conf": text}})


def _break_controlplane(cluster):
    replicas = cluster.apps.read_namespaced_deployment("terway-controlplane", SYSTEM_NS).spec.replicas
    cluster.apps.patch_namespaced_deployment_scale("terway-controlplane", SYSTEM_NS, {"spec": {"replicas": 0}})
    wait_for(lambda: not (cluster.apps.read_namespaced_deployment("terway-controlplane", SYSTEM_NS).status
                          .ready_replicas or 0), message="controlplane down")

    def restore():
        cluster.apps.patch_namespaced_deployment_scale("terway-controlplane", SYSTEM_NS,
                                                       {"spec": {"replicas": replicas}})
        wait_for(lambda: cluster.apps.read_namespaced_deployment("terway-controlplane", SYSTEM_NS).status
                 .ready_replicas == replicas, message="controlplane ready")
    return restore


# id -> (break, failed check, words of the message)
CASES = {
    "token-secret-deleted": (_break_token, "token_secret", ["addon.network.token", "missing", "Trunk ENI"]),
    "podnetworking-crd-deleted": (_break_crd, "podnetworking_crd", ["PodNetworking", "does not serve",
                                                                    "terway-controlplane"]),
    "eni-conf-invalid-json": (_break_eni_conf, "eni_config", ["eni-config", "not valid JSON", "by hand"]),
    "controlplane-scaled-to-zero": (_break_controlplane, "terway_controlplane", ["terway-controlplane",
                                                                                "no ready replica"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_preflight_failure_stops_before_writes(case, cluster, ack):
    cluster.fresh = False
    breaker, check, words = CASES[case]
    restore = breaker(cluster)
    try:
        step = ack.run(base_params())
    finally:
        restore()
    assert step.failed, step
    assert step.msg.startswith("preflight failed, nothing was changed: %s: " % check), step
    for word in words:
        assert word in step.msg, (word, step)
    # the operator is told which cluster the advice is about
    assert step.msg.endswith(")") and "context ack-app of kubeconfig 'kubeconfig' in" in step.msg, step
    preflight = step.result["preflight"]
    assert preflight["passed"] is False, step
    assert [name for name, c in preflight.items() if name != "passed" and not c["ok"]] == [check], step
    assert step.writes == 0 and step.calls(K8S, "write") == {}, step
    assert step.changed is False and not step.result.get("actions"), step


def test_preflight_passes_again_after_the_repairs(cluster, ack):
    """The repairs above are synchronous; this run proves them."""
    step = ack.run(base_params(state="gathered"))
    assert not step.failed, step
    assert step.result["preflight"]["passed"] is True, step
    assert step.writes == 0, step
