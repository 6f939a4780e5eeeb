"""Environments kept apart (seed 002), judged by the reachability oracle, on ACK (Terway enforces) and on EKS
(the VPC CNI stores policies and enforces them only when its network policy controller is on)."""

from __future__ import annotations

import module_steps
from netpol_support import PROD, UAT, Estate, NetpolPlayer, estate, player  # noqa: F401

ENVIRONMENTS = {"match_expressions": [{"key": "env", "operator": "In", "values": ["uat", "prod"]}]}


def _one(estate: Estate, cluster: str, namespace: str) -> str:
    return f"{cluster}/{namespace}/{sorted(estate.pods(cluster, namespace))[0]}"


def test_uat_and_prod_cannot_reach_each_other_and_each_still_reaches_itself(player: NetpolPlayer, estate: Estate):
    uat, prod = _one(estate, "ack-app", UAT), _one(estate, "ack-app", PROD)
    assert estate.reach_pod(uat, prod, 8080).reachable and estate.reach_pod(prod, uat, 8080).reachable  # before
    check, run, again = player.play([
        {"params": {"context": "ack-app", "namespace_selector": ENVIRONMENTS, "isolate_environments": True},
         "check": True},
        {"params": {"context": "ack-app", "namespace_selector": ENVIRONMENTS, "isolate_environments": True}},
        {"params": {"context": "ack-app", "namespace_selector": ENVIRONMENTS, "isolate_environments": True}},
    ])
    assert check.changed and check.writes == 0, check
    assert [r["namespace"] for r in run.result["namespaces"]] == [UAT, PROD]
    assert run.k8s_writes("ack-app") == {"create networkpolicies": 2}, run
    assert not again.changed and again.writes == 0
    for src, dst in ((uat, prod), (prod, uat)):
        verdict = estate.reach_pod(src, dst, 8080)
        assert not verdict.reachable, verdict.trace()
        assert "kubeguard-same-environment" in verdict.decided_by
    others = sorted(estate.pods("ack-app", UAT))
    peer = f"ack-app/{UAT}/{others[1]}"
    assert estate.reach_pod(uat, peer, 8080).reachable  # same environment
    policy = estate.policies("ack-app", PROD)["kubeguard-same-environment"]
    assert policy["spec"]["ingress"] == [{"from": [{"namespaceSelector": {"matchLabels": {"env": "prod"}}}]}]


def test_a_namespace_without_the_environment_label_stops_the_run_before_any_write(player: NetpolPlayer,
                                                                                  estate: Estate):
    step = player.run({"context": "ack-app", "namespaces": [UAT, "default"], "isolate_environments": True})
    assert step.failed and step.writes == 0
    assert "namespace default has no 'env' label" in step.msg
    assert estate.policies("ack-app", UAT) == {}


def test_on_eks_policies_are_stored_and_reported_as_not_enforced_until_the_vpc_cni_enforces_them(
        player: NetpolPlayer, estate: Estate):
    kube = estate.kube("demo-eks")
    for name in ("uat-shop", "prod-shop"):
        kube.request("POST", "api/v1/namespaces", {"metadata": {"name": name, "labels": {"env": name[:-5]}}})
    deployment = {"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8080}]}]}}}}
    for name in ("uat-shop", "prod-shop"):
        kube.request("POST", f"apis/apps/v1/namespaces/{name}/deployments", deployment)
    module_steps.wait_for(lambda: estate.pods("demo-eks", "uat-shop") and estate.pods("demo-eks", "prod-shop"),
                          message="the web pods run")
    step = player.run({"context": "demo-eks", "namespaces": ["uat-shop", "prod-shop"], "isolate_environments": True,
                       "default_deny": "ingress"})
    assert step.changed and step.result["enforcement"]["enforced"] is False, step
    assert any("may not be enforced" in w and "enable-network-policy-controller" in w
               for w in step.result["warnings_found"])
    uat, prod = _one(estate, "demo-eks", "uat-shop"), _one(estate, "demo-eks", "prod-shop")
    ignored = estate.reach_pod(uat, prod, 8080)
    assert ignored.reachable and "policies ignored" in ignored.trace()
    kube.request("PATCH", "api/v1/namespaces/kube-system/configmaps/amazon-vpc-cni",
                 {"data": {"enable-network-policy-controller": "true"}}, content_type="application/merge-patch+json")
    enforced = estate.reach_pod(uat, prod, 8080)
    assert not enforced.reachable and "kubeguard-same-environment" in enforced.decided_by, enforced.trace()
    rerun = player.run({"context": "demo-eks", "namespaces": ["uat-shop", "prod-shop"], "isolate_environments": True,
                        "default_deny": "ingress"})
    assert not rerun.changed and rerun.result["enforcement"]["enforced"] is True and not rerun.result["warnings_found"]
