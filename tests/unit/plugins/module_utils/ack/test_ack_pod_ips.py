"""Fixed-IP verification: a pod counts only with the webhook's annotations and a matching Fixed PodENI."""

import pytest
from ack_fakes import FakeKube

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import check_pod
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import pending_reason
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import verify

NS = "abc-185-7db8e"
FIXED = {"k8s.aliyun.com/pod-networking": "pn-185", "k8s.aliyun.com/pod-eni": "true"}


def pod(name="app-0", ip="10.20.32.4", annotations=None, phase="Running"):
    annotations = FIXED if annotations is None else annotations
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "annotations": dict(annotations)},
        "status": {"phase": phase, "podIP": ip},
    }


def podeni(name="app-0", ip="10.20.32.4", kind="Fixed"):
    return {
        "kind": "PodENI",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "zone": "cn-hangzhou-h",
            "allocations": [{"allocationType": {"type": kind}, "ipv4": ip, "eni": {"zone": "cn-hangzhou-h"}}],
        },
    }


def test_a_fixed_pod_is_reported_ready_for_the_acl():
    entry, error = check_pod(pod(), podeni(), "pn-185")
    assert error is None
    assert entry == {
        "pod": "app-0",
        "namespace": NS,
        "ip": "10.20.32.4",
        "zone": "cn-hangzhou-h",
        "pod_networking": "pn-185",
    }


@pytest.mark.parametrize(
    "the_pod, the_eni, words",
    [
        (pod(annotations={}), None, "got the shared-pool IP 10.20.32.4"),
        (pod(annotations={"k8s.aliyun.com/pod-networking": "pn-185"}), podeni(), "shared-pool"),
        (
            pod(annotations={"k8s.aliyun.com/pod-networking": "other", "k8s.aliyun.com/pod-eni": "true"}),
            podeni(),
            "was given PodNetworking other, not pn-185",
        ),
        (pod(), podeni(kind="Elastic"), "no Fixed allocation"),
        (pod(), None, "no Fixed allocation"),
        (pod(), podeni(ip="10.20.32.9"), "its PodENI reserves 10.20.32.9"),
    ],
)
def test_pods_without_a_real_fixed_ip_are_errors(the_pod, the_eni, words):
    entry, error = check_pod(the_pod, the_eni, "pn-185")
    assert entry is None and words in error


def test_verify_lists_podenis_once_and_skips_pods_not_running():
    kube = FakeKube([podeni("app-0"), podeni("app-1", "10.20.32.5")])
    pods = [pod("app-1", "10.20.32.5"), pod("app-0"), pod("app-2", None, phase="Pending")]
    fixed, errors = verify(kube, NS, pods, "pn-185")
    assert [f["pod"] for f in fixed] == ["app-0", "app-1"] and errors == []


def test_pending_reason_comes_from_the_conditions():
    waiting = pod(phase="Pending")
    waiting["status"]["conditions"] = [
        {"type": "PodScheduled", "status": "True"},
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "trunk eni id not found"},
    ]
    assert pending_reason(waiting) == "ContainersNotReady: trunk eni id not found"
