"""The oracle's NetworkPolicy semantics against the cases of the networking.k8s.io/v1 reference and the
upstream network-policy conformance suite (each case: policies, a connection, the expected answer)."""

from __future__ import annotations

import pytest

from sandbox.oracle.netpol import Endpoint, decide, enforced, policy_types

NAMESPACES = {"db": {"env": "uat", "kubernetes.io/metadata.name": "db"},
              "app": {"env": "uat", "kubernetes.io/metadata.name": "app"},
              "prod": {"env": "prod", "kubernetes.io/metadata.name": "prod"},
              "kube-system": {"kubernetes.io/metadata.name": "kube-system"}}
DB = Endpoint("10.10.64.11", "db", "mysql-0", (("app", "mysql"),), (("mysql", 3306, "TCP"),))
DB_TOOL = Endpoint("10.10.64.20", "db", "tool", (("app", "tool"),))
APP = Endpoint("10.10.64.12", "app", "web", (("app", "web"),))
PROD = Endpoint("10.10.64.13", "prod", "web", (("app", "web"),))
DNS = Endpoint("10.10.64.2", "kube-system", "coredns", (("k8s-app", "kube-dns"),), (("dns", 53, "UDP"),))
EXTERNAL_UAT = Endpoint("192.168.32.11")
EXTERNAL_PROD = Endpoint("192.168.64.13")


def policy(name: str, namespace: str = "db", **spec) -> dict:
    spec.setdefault("podSelector", {})
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


DENY_ALL = policy("deny", ingress=[], policyTypes=["Ingress"])
ALLOW_UAT_IPS = policy("uat-ips", podSelector={"matchLabels": {"app": "mysql"}}, ingress=[{
    "from": [{"ipBlock": {"cidr": "192.168.32.0/20", "except": ["192.168.32.99/32"]}}],
    "ports": [{"port": "mysql"}]}])
SAME_PEER = policy("and", ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"env": "uat"}},
                                                "podSelector": {"matchLabels": {"app": "web"}}}]}])
TWO_PEERS = policy("or", ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"env": "uat"}}},
                                             {"podSelector": {"matchLabels": {"app": "web"}}}]}])

CASES = [
    # (id, policies, direction, pod, other, port, protocol, allowed, words in the rule)
    ("no policy: not isolated", [], "Ingress", DB, PROD, 3306, "TCP", True, "no NetworkPolicy isolates"),
    ("default deny ingress", [DENY_ALL], "Ingress", DB, APP, 3306, "TCP", False, "isolated for ingress by db/deny"),
    ("default deny does not isolate egress", [DENY_ALL], "Egress", DB, APP, 3306, "TCP", True, "no NetworkPolicy"),
    ("policy in another namespace does not select", [policy("deny", "app", ingress=[])], "Ingress", DB, APP, 3306,
     "TCP", True, "no NetworkPolicy"),
    ("ingress [{}] allows all", [policy("all", ingress=[{}])], "Ingress", DB, PROD, 1, "UDP", True, "db/all ingress[0]"),
    ("empty from list allows every peer on the port", [policy("port", ingress=[{"from": [], "ports": [{"port": 3306}]}])],
     "Ingress", DB, PROD, 3306, "TCP", True, "db/port"),
    ("... but only that port", [policy("port", ingress=[{"ports": [{"port": 3306}]}])], "Ingress", DB, PROD, 3307,
     "TCP", False, "isolated"),
    ("protocol defaults to TCP", [policy("port", ingress=[{"ports": [{"port": 3306}]}])], "Ingress", DB, PROD, 3306,
     "UDP", False, "isolated"),
    ("endPort range", [policy("range", ingress=[{"ports": [{"port": 3300, "endPort": 3310}]}])], "Ingress", DB, PROD,
     3306, "TCP", True, "db/range"),
    ("named port of the protected pod", [ALLOW_UAT_IPS], "Ingress", DB, EXTERNAL_UAT, 3306, "TCP", True, "db/uat-ips"),
    ("named port that the pod does not declare", [ALLOW_UAT_IPS], "Ingress", DB_TOOL, EXTERNAL_UAT, 3306, "TCP", True,
     "no NetworkPolicy"),  # the policy does not select the tool pod at all
    ("ipBlock: outside the cidr", [ALLOW_UAT_IPS], "Ingress", DB, EXTERNAL_PROD, 3306, "TCP", False, "isolated"),
    ("ipBlock except", [ALLOW_UAT_IPS], "Ingress", DB, Endpoint("192.168.32.99"), 3306, "TCP", False, "isolated"),
    ("ipBlock never matches a pod of the cluster", [policy("ip", ingress=[{"from": [{"ipBlock": {
        "cidr": "10.10.0.0/16"}}]}])], "Ingress", DB, APP, 3306, "TCP", False, "isolated"),
    ("podSelector alone: the policy's namespace only", [policy("pods", ingress=[{"from": [{"podSelector": {
        "matchLabels": {"app": "web"}}}]}])], "Ingress", DB, APP, 3306, "TCP", False, "isolated"),
    ("podSelector alone: same namespace", [policy("pods", ingress=[{"from": [{"podSelector": {
        "matchLabels": {"app": "tool"}}}]}])], "Ingress", DB, DB_TOOL, 3306, "TCP", True, "db/pods"),
    ("namespaceSelector {} is every namespace", [policy("anyns", ingress=[{"from": [{"namespaceSelector": {}}]}])],
     "Ingress", DB, PROD, 3306, "TCP", True, "db/anyns"),
    ("namespaceSelector does not match addresses", [policy("anyns", ingress=[{"from": [{"namespaceSelector": {}}]}])],
     "Ingress", DB, EXTERNAL_UAT, 3306, "TCP", False, "isolated"),
    ("one peer with both selectors: AND (uat web)", [SAME_PEER], "Ingress", DB, APP, 3306, "TCP", True, "db/and"),
    ("one peer with both selectors: AND (prod web refused)", [SAME_PEER], "Ingress", DB, PROD, 3306, "TCP", False,
     "isolated"),
    ("two peers: OR (prod web allowed? no: other namespace)", [TWO_PEERS], "Ingress", DB, PROD, 3306, "TCP", False,
     "isolated"),
    ("two peers: OR (uat tool by namespace)", [TWO_PEERS], "Ingress", DB, DB_TOOL, 3306, "TCP", True, "db/or"),
    ("union of policies", [DENY_ALL, ALLOW_UAT_IPS], "Ingress", DB, EXTERNAL_UAT, 3306, "TCP", True, "db/uat-ips"),
    ("egress deny blocks DNS", [policy("deny-egress", "app", egress=[])], "Egress", APP, DNS, 53, "UDP", False,
     "isolated for egress"),
    ("egress DNS exception", [policy("deny-egress", "app", egress=[{"to": [{
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}], "ports": [
        {"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}])], "Egress", APP, DNS, 53, "UDP", True,
     "app/deny-egress egress[0]"),
    ("egress named port is the destination's", [policy("named", "app", egress=[{"ports": [{"port": "dns",
                                                                                          "protocol": "UDP"}]}])],
     "Egress", APP, DNS, 53, "UDP", True, "app/named"),
    ("egress to an address by ipBlock", [policy("out", "app", egress=[{"to": [{"ipBlock": {
        "cidr": "10.10.0.200/32"}}]}])], "Egress", APP, Endpoint("10.10.0.200"), 3306, "TCP", True, "app/out"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_networkpolicy_semantics(case):
    _, policies, direction, pod, other, port, protocol, allowed, words = case
    destination = other if direction == "Egress" else None
    decision = decide(direction, policies, pod, other, port, protocol, NAMESPACES, destination)
    assert decision.allowed is allowed, decision.rule
    assert words in decision.rule


def test_policy_types_default():
    assert policy_types(policy("a", ingress=[])) == ("Ingress",)
    assert policy_types(policy("a", egress=[])) == ("Ingress", "Egress")
    assert policy_types(policy("a", policyTypes=["Egress"])) == ("Egress",)


@pytest.mark.parametrize("value, on", [(None, True), ("", True), ("false", True), ("0", True), ("true", False),
                                       ("yes", False)])
def test_terway_enforcement_switch(value, on):
    data = {} if value is None else {"disable_network_policy": value}
    assert enforced("ack", {"eni-config": data})[0] is on


def test_eks_enforces_only_with_the_vpc_cni_controller():
    assert not enforced("eks", {})[0]
    assert enforced("eks", {"amazon-vpc-cni": {"enable-network-policy-controller": "true"}})[0]
