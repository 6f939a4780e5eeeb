from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import detect
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import terway_enforces


class FakeKube:
    def __init__(self, configmaps: dict, daemonsets: tuple = ()) -> None:
        self.configmaps = configmaps
        self.daemonsets = daemonsets

    def get(self, kind, api_version, name, namespace=None):
        assert (kind, namespace) == ("ConfigMap", "kube-system")
        return {"data": self.configmaps[name]} if name in self.configmaps else None

    def list(self, kind, api_version, namespace=None):
        assert (kind, namespace) == ("DaemonSet", "kube-system")
        return [{"metadata": {"name": name}} for name in self.daemonsets]


@pytest.mark.parametrize(
    "data, on",
    [
        ({}, True),
        ({"disable_network_policy": ""}, True),
        ({"disable_network_policy": "false"}, True),
        ({"disable_network_policy": "0"}, True),
        ({"disable_network_policy": "true"}, False),
        ({"disable_network_policy": "True"}, False),
        ({"disable_network_policy": "yes"}, False),
    ],
)
def test_terway_reads_the_switch_as_terway_cli_does(data, on):
    assert terway_enforces(data) is on
    assert detect(FakeKube({"eni-config": data})).enforced is on


def test_eks_needs_the_vpc_cni_switch_or_another_engine():
    assert detect(FakeKube({"amazon-vpc-cni": {"enable-network-policy-controller": "true"}})).enforced is True
    off = detect(FakeKube({"amazon-vpc-cni": {}}))
    assert off.enforced is False and "without enable-network-policy-controller" in off.engine
    assert detect(FakeKube({"amazon-vpc-cni": {}}, ("aws-node", "calico-node"))).enforced is True
    unknown = detect(FakeKube({}, ("kube-proxy",)))
    assert unknown.enforced is None and "no known NetworkPolicy engine" in unknown.engine
