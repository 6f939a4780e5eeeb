"""Bad options: each run fails with a message that starts with the option's path, and writes nothing.

The cases run as one play on one seeded estate (module fixture ``bad_runs``); each parametrized test
asserts on its own step and on the sandbox's counts for exactly that step. Most are refused before the
first API call; the last ones need reads (a missing Deployment, a Service that is not headless, a pod
selector that does not select the template, a host-network Deployment) and are refused before the first
write. The host-network case runs last, after the seeded Deployment was patched.
"""

from __future__ import annotations

import pytest

from ack_support import DEPLOY, K8S, NS, PN, base_params
from ack_support import ack, cluster  # noqa: F401 - fixtures


def _pn(**extra) -> dict:
    option = {"name": PN, "namespace_selector": {"match_labels": {"appname": "185"}}}
    option.update(extra)
    return option


def _without(key: str) -> dict:
    return dict((k, v) for k, v in base_params().items() if k != key)


# id -> (params, path the message starts with, words it must contain)
CASES = {
    "never-with-release-after": (base_params(pod_networking=_pn(release_strategy="Never", release_after="1h")),
                                 "pod_networking.release_after:", ["Never"]),
    "ttl-without-release-after": (base_params(pod_networking=_pn(release_strategy="TTL")),
                                  "pod_networking.release_after:", ["required", "TTL"]),
    "ttl-not-a-go-duration": (base_params(pod_networking=_pn(release_strategy="TTL", release_after="5 minutes")),
                              "pod_networking.release_after:", ["'5 minutes'", "Go duration"]),
    "eleven-security-groups": (base_params(pod_networking=_pn(
        security_group_ids=["sg-bp1uat0pods%08d" % i for i in range(11)])),
        "pod_networking.security_group_ids:", ["11", "10"]),
    "bad-security-group-id": (base_params(pod_networking=_pn(security_group_ids=["sg_bad"])),
                              "pod_networking.security_group_ids[0]:", ["'sg_bad'"]),
    "bad-vswitch-id": (base_params(pod_networking=_pn(vswitch_ids=["vsw-bp1app0pod0h0000000a", "vsw-"])),
                       "pod_networking.vswitch_ids[1]:", ["'vsw-'"]),
    "no-selectors": (base_params(pod_networking={"name": PN}),
                     "pod_networking:", ["namespace_selector", "pod_selector"]),
    "bad-operator": (base_params(pod_networking=_pn(pod_selector={"match_expressions": [
        {"key": "projectkey", "operator": "Equals", "values": [DEPLOY]}]})),
        "pod_networking.pod_selector.match_expressions[0].operator:", ["'Equals'", "In"]),
    "label-value-with-space": (base_params(pod_networking=_pn(namespace_selector={"match_labels": {
        "appname": "one eight five"}})), "pod_networking.namespace_selector.match_labels.appname:",
        ["'one eight five'"]),
    "bad-namespace": (base_params(namespace="Bad_NS"), "namespace:", ["'Bad_NS'"]),
    "statefulset-name-too-long": (base_params(statefulset_name="a" * 53), "statefulset_name:", ["52"]),
    "zero-replicas": (base_params(replicas=0), "replicas:", ["0"]),
    "relative-credential-path": (base_params(eni_config={"credential_path": "var/addon/token-config"}),
                                 "eni_config.credential_path:", ["absolute"]),
    "pod-networking-missing": (_without("pod_networking"), "pod_networking:", ["required", "merged"]),
    # after reads, before writes
    "deployment-missing": (base_params(convert_deployment="abc-missing"), "convert_deployment:",
                           [f"{NS}/abc-missing", "does not exist"]),
    "service-not-headless": (base_params(service_name=DEPLOY), "service_name:",
                             [f"{NS}/{DEPLOY}", "not headless"]),
    "pod-selector-misses-template": (base_params(pod_networking=_pn(pod_selector={"match_labels": {
        "app": "other"}})), "pod_networking.pod_selector:", [PN, DEPLOY, "would not select"]),
}
HOST_NETWORK = "host-network-deployment"
ALL = list(CASES) + [HOST_NETWORK]


@pytest.fixture(scope="module")
def bad_runs(cluster, ack) -> dict:
    assert cluster.fresh
    cluster.fresh = False
    steps = ack.play([{"params": params} for params, _, _ in CASES.values()])
    runs = dict(zip(CASES, steps))
    # the same conversion of a Deployment whose pods use the host's network
    cluster.apps.patch_namespaced_deployment(DEPLOY, NS, {"spec": {"template": {"spec": {"hostNetwork": True}}}})
    runs[HOST_NETWORK] = ack.run(base_params())
    return runs


@pytest.mark.parametrize("case", ALL)
def test_bad_input_is_refused_without_writes(case, bad_runs, cluster):
    step = bad_runs[case]
    if case == HOST_NETWORK:
        path, words = "convert_deployment:", ["spec.template.spec.hostNetwork", f"{NS}/{DEPLOY}"]
    else:
        _, path, words = CASES[case]
    assert step.failed, step
    assert step.msg.startswith(path), step
    for word in words:
        assert word in step.msg, (word, step)
    assert step.writes == 0, step  # every service of the sandbox
    assert step.calls(K8S, "write") == {}, step
    assert not step.result.get("actions"), step
    assert step.changed is False, step


def test_nothing_was_converted(bad_runs, cluster):
    assert cluster.statefulset() is None
    assert cluster.pod_networking() is None
    assert cluster.deployment()["spec"]["replicas"] == 2
    assert "enable_eni_trunking" not in cluster.eni_conf_text()
