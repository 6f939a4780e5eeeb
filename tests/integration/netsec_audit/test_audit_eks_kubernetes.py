"""netsec_audit's NetworkPolicy findings on demo-eks: found on the seed (no policy at all, no known engine), the
allow-all constructs a hurried fix adds, none once k8s_network_policies and the VPC CNI's policy agent are in
place; another cluster's context is refused."""

from __future__ import annotations

import pytest

import module_steps
from audit_support import audit, by_kind, estate  # noqa: F401
from sandbox.k8s_client import KubeClient

CLUSTER = "demo-eks"
AUDIT = {"cluster_name": CLUSTER, "environment": "prod", "skip": ["KG-SG-004", "KG-SG-006", "KG-SG-007"],
         "kubernetes": {"context": CLUSTER}}
VPC_CNI = "api/v1/namespaces/kube-system/configmaps/amazon-vpc-cni"
K8S = [f"KG-K8S-00{n}" for n in range(1, 6)]
CONTROLLER_SIDE = ["KG-LBC-002", "KG-LBC-003", "KG-LBC-004"]  # the controller findings that read Kubernetes


def policy(name: str, spec: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": "shop"}, "spec": spec}


class Netpol(module_steps.Player):
    MODULE = "kubeguard.netsec.k8s_network_policies"


class Made:
    """Objects created by hand in demo-eks, deleted on request and at the end."""

    def __init__(self, client: KubeClient) -> None:
        self.client, self.made = client, []

    def __call__(self, obj: dict) -> None:
        self.client.create(obj)
        self.made.append(obj)

    def remove_all(self) -> None:
        while self.made:
            obj = self.made.pop()
            self.client.request("DELETE", self.client.path_of(obj, obj["metadata"]["name"]))


@pytest.fixture
def kube(estate):
    made = Made(KubeClient(estate.admin.health()["endpoints"][f"k8s:{CLUSTER}"]))
    yield made
    made.remove_all()
    client = made.client
    for name in ("kubeguard-default-deny", "kubeguard-allow-dns"):
        try:
            client.request("DELETE", f"apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/{name}")
        except RuntimeError:
            pass


def test_policy_findings_on_the_seed_then_none_after_the_fix(estate, audit, kube, sandbox_env, tmp_path):
    estate.restore()
    seed = by_kind(audit.run(AUDIT).result)
    assert sorted((f["resource"], f["details"]["direction"]) for f in seed["KG-K8S-001"]) == [
        ("demo-eks/shop", "Egress"), ("demo-eks/shop", "Ingress")]
    assert "no policy selects every pod" in seed["KG-K8S-001"][0]["evidence"]
    (loose,) = seed["KG-K8S-003"]
    assert loose["resource"] == "demo-eks/shop" and any(p.startswith("storefront-") for p in loose["details"]["pods"])
    (engine,) = seed["KG-K8S-004"]  # the seed's VPC CNI runs without its network policy agent
    assert engine["severity"] == "high" and "Amazon VPC CNI without enable-network-policy-controller" in engine[
        "evidence"]
    assert "KG-K8S-002" not in seed and "KG-K8S-005" not in seed

    kube(policy("deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}))
    kube(policy("let-everyone-in", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}))
    kube(policy("partners", {"podSelector": {"matchLabels": {"app": "partner-api"}}, "policyTypes": ["Ingress"],
                             "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}))
    hurried = by_kind(audit.run(AUDIT).result)
    (undone,) = hurried["KG-K8S-001"]
    assert undone["evidence"] == "deny-all denies Ingress but let-everyone-in allows every peer on every port"
    assert sorted(f["resource"] for f in hurried["KG-K8S-002"]) == ["demo-eks/shop/let-everyone-in",
                                                                     "demo-eks/shop/partners"]
    assert [f["resource"] for f in hurried["KG-K8S-005"]] == ["demo-eks/shop"]  # egress denied, no DNS
    assert "KG-K8S-003" not in hurried  # deny-all selects every pod

    kube.remove_all()  # hand-made policies are never touched by the module: their owner takes them back
    netpol = Netpol(module_steps.make_env(sandbox_env), estate.admin, tmp_path)
    fixed = netpol.run({"context": CLUSTER, "namespaces": ["shop"], "default_deny": "both", "allow_dns": True})
    assert not fixed.failed, fixed
    kube.client.request("PATCH", VPC_CNI, {"data": {"enable-network-policy-controller": "true"}},
                        content_type="application/merge-patch+json")
    try:
        after = audit.run(dict(AUDIT, fail_on="low", skip=AUDIT["skip"] + CONTROLLER_SIDE))
    finally:
        kube.client.request("PATCH", VPC_CNI, {"data": {"enable-network-policy-controller": None}},
                            content_type="application/merge-patch+json")
    assert not after.failed and not [f for f in after.result["findings"] if f["id"].startswith("KG-K8S-")], after
    assert after.result["policy_engine"]["enforced"] is True


def test_another_clusters_context_is_refused_and_skipping_kubernetes_reads_none(estate, audit):
    wrong, skipped = audit.play([
        {"params": dict(AUDIT, kubernetes={"context": "ack-app"})},
        {"params": dict(AUDIT, kubernetes={"context": "ack-app"}, skip=K8S + CONTROLLER_SIDE)},
    ])
    assert wrong.failed and "is not EKS cluster demo-eks" in wrong.msg and wrong.writes == 0, wrong
    assert not skipped.failed and "policy_engine" not in skipped.result, skipped
    assert not any(service.startswith("k8s:") for service in skipped.all_calls()), skipped


def ingress(name: str, annotations: dict) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": "shop", "annotations": annotations},
            "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "storefront", "port": {"number": 80}}}}]}}]}}


def test_controller_findings_broad_node_rules_ignored_annotations_and_a_split_ingress_group(estate, audit, kube):
    estate.restore()
    alb = "alb.ingress.kubernetes.io/"
    kube(ingress("promo-a", {alb + "group.name": "promo", alb + "scheme": "internet-facing"}))
    kube(ingress("promo-b", {alb + "group.name": "promo", alb + "scheme": "internal"}))
    kube(ingress("reports", {alb + "security-groups": "shop-alb-office", alb + "inbound-cidrs": "198.51.100.0/24"}))
    found = by_kind(audit.run(dict(AUDIT, skip=K8S)).result)
    (broad,) = found["KG-LBC-002"]  # the seed's controller rule: 30080-32050 for the backend-served NodePorts
    assert broad["evidence"].endswith("1971 ports open, 4 used (30080, 30180, 30443, 32050)"), broad
    assert sorted(f["resource"] for f in found["KG-LBC-004"]) == ["demo-eks/shop/promo-a (Ingress)",
                                                                   "demo-eks/shop/promo-b (Ingress)"]
    assert "IngressGroup 'promo'" in found["KG-LBC-004"][0]["evidence"]
    ignored = [f for f in found["KG-LBC-003"] if f["resource"] == "demo-eks/shop/reports (Ingress)"]
    assert ignored and "[ignored-with-custom-groups]" in ignored[0]["evidence"], found.get("KG-LBC-003")
