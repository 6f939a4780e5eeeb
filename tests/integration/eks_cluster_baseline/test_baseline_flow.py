"""eks_cluster_security_groups on the seeded demo-eks estate: both profiles, restricted egress, idempotence,
protection, and the oracle's verdict on what the cluster still reaches and what the world no longer does."""

from __future__ import annotations

import pytest

from baseline_support import (CLUSTER, CONTROLLER_LABEL, IN_VPC_STRANGER, MARKER, control_plane_address,  # noqa: F401
                              baseline, estate, reach, rules_of, world_ssh)
from conftest import run_cli

MINIMUM = {"cluster_name": CLUSTER, "baseline": "minimum"}
WEBHOOKS = (443, 4443, 6443, 8443, 9443, 10251)


@pytest.fixture(autouse=True)
def as_seeded(estate):
    estate.restore()
    yield
    estate.restore()


def ours(rules: set) -> set:
    """(proto, from, to, source) of the rules carrying this collection's marker."""
    return {rule[:4] for rule in rules if rule[4] and MARKER in rule[4]}


def lose_kubelet_and_api_rules(estate) -> None:
    """Someone "cleaned up": the node group lost the kubelet rule, the cluster group the nodes' API rule."""
    sg = estate.sg
    for group, wanted in ((sg["node"], ("tcp", 10250, 10250, sg["cluster"])),
                          (sg["cluster"], ("tcp", 443, 443, sg["node"]))):
        estate.revoke(group, *[rule for rule in rules_of(estate, group)["ingress"] if rule[:4] == wanted])


def test_minimum_merged_adds_the_missing_rules_check_mode_first_then_nothing_the_second_time(estate, baseline):
    sg = estate.sg
    lose_kubelet_and_api_rules(estate)
    assert not reach(estate, sg["cluster"], estate.seed["instances"][0], 10250)
    check, real, again = baseline.play([{"params": MINIMUM, "check": True, "diff": True},
                                        {"params": MINIMUM, "diff": True}, {"params": MINIMUM}])
    assert not check.failed and check.changed and check.writes == 0, check
    assert check.result["plan"] == real.result["plan"]
    # only what is missing is written, one call per group; the hand-made DNS rules satisfy the profile as they are
    assert real.changed and real.calls("ec2", "write") == {"AuthorizeSecurityGroupIngress": 2}, real
    node, cluster = rules_of(estate, sg["node"]), rules_of(estate, sg["cluster"])
    assert ours(node["ingress"]) == {("tcp", 10250, 10250, sg["cluster"])}
    assert ours(cluster["ingress"]) == {("tcp", 443, 443, sg["node"])}
    assert ("udp", 53, 53, sg["node"]) in {r[:4] for r in node["ingress"]}
    assert reach(estate, sg["cluster"], estate.seed["instances"][0], 10250)
    assert again.writes == 0 and not again.changed, again
    assert again.result["api_calls"]["writes"] == 0 and again.result["api_calls"]["reads"] <= 4
    why = {tuple(item.get("ports") or []): item["why"][0] for item in again.result["rules"][sg["node"]]["ingress"]
           if item.get("group_id") == [sg["cluster"]]}
    assert why[("10250",)].startswith("node_ingress_cluster_kubelet:") and "EKS user guide" in why[("10250",)]
    assert "terraform-aws-eks" in why[("10250",)]


def test_recommended_adds_the_webhook_and_ephemeral_rules_with_their_sources(estate, baseline):
    sg = estate.sg
    params = dict(MINIMUM, baseline="recommended")
    first, second = baseline.play([{"params": params}, {"params": params}])
    assert not first.failed and first.changed, first
    node = {rule[:4] for rule in rules_of(estate, sg["node"])["ingress"]}
    for port in WEBHOOKS:
        assert ("tcp", port, port, sg["cluster"]) in node, port
    assert ("tcp", 1025, 65535, sg["node"]) in node
    assert second.writes == 0 and not second.changed, second
    webhook = next(item for item in second.result["rules"][sg["node"]]["ingress"] if item.get("ports") == ["8443"])
    assert webhook["why"][0].startswith("node_ingress_cluster_8443_webhook:") and "Karpenter" in webhook["why"][0]
    assert "terraform-aws-eks v21" in webhook["why"][0]
    egress = second.result["rules"][sg["node"]]["egress"]
    assert any("node_egress_all" in item["why"][0] for item in egress), egress


def test_minimum_restricted_overridden_keeps_the_cluster_working_and_shuts_the_world_out(estate, baseline):
    sg, worker, other = estate.sg, estate.seed["instances"][0], estate.seed["instances"][1]
    api = control_plane_address(estate)
    world_ssh(estate)
    # before: the world (any host, here one in the VPC outside the cluster's groups) reaches NodePorts and SSH
    assert reach(estate, IN_VPC_STRANGER, worker, 30080) and reach(estate, IN_VPC_STRANGER, worker, 22)
    params = dict(MINIMUM, egress="restricted", state="overridden",
                  egress_extra=[{"ports": ["443"], "cidr_ip": ["10.0.0.0/16"], "description": "VPC endpoints"}])
    check, run, again = baseline.play([{"params": params, "check": True}, {"params": params, "diff": True},
                                       {"params": params}])
    assert check.changed and check.writes == 0, check
    assert not run.failed and run.changed, run
    assert again.writes == 0 and not again.changed, again
    # the oracle: the control plane still reaches the kubelet, the nodes the API and each other's DNS
    assert reach(estate, sg["cluster"], worker, 10250)
    assert reach(estate, worker, api, 443)
    assert reach(estate, worker, other, 53, "tcp") and reach(estate, worker, other, 53, "udp")
    # ... and nothing else: the world reaches no NodePort and no SSH, RDP or kubelet; the nodes no other port
    for port in (30000, 30080, 31443, 32767, 22, 3389, 10250):
        assert not reach(estate, IN_VPC_STRANGER, worker, port), port
    assert not reach(estate, worker, other, 8080) and not reach(estate, worker, api, 10250)
    node, cluster = rules_of(estate, sg["node"]), rules_of(estate, sg["cluster"])
    assert not any(rule[3] == "0.0.0.0/0" for rule in node["egress"] | cluster["egress"] if rule[0] == "-1")
    assert ("tcp", 443, 443, "10.0.0.0/16") in ours(node["egress"])
    assert ("tcp", 10250, 10250, sg["node"]) in ours(cluster["egress"])
    # protected: the controller's labelled rule and EKS' own self rule stay, and the run says so
    assert ("tcp", 30080, 32050, sg["backend"], CONTROLLER_LABEL) in node["ingress"]
    assert ("-1", None, None, sg["cluster"]) in {rule[:4] for rule in cluster["ingress"]}
    kept = run.result["plan"][sg["cluster"]]["protected_kept"]["ingress"]
    assert kept and kept[0]["proto"] == "all" and kept[0]["group_id"] == [sg["cluster"]]
    assert set(run.result["diff"]["before"]) == {sg["cluster"], sg["node"]}


def test_the_controller_and_the_baseline_coexist_after_a_sync(estate, baseline, sandbox_env):
    sg = estate.sg
    params = dict(MINIMUM, egress="restricted", state="overridden")
    assert baseline.run(params).changed
    after_run = rules_of(estate, sg["node"])
    run_cli("lbc", "sync", env=sandbox_env)
    assert rules_of(estate, sg["node"]) == after_run  # the controller revoked nothing of ours, we nothing of its
    assert baseline.run(params).writes == 0


def test_unprotect_releases_an_eks_rule_and_replaced_takes_back_our_extra_rules(estate, baseline):
    sg = estate.sg
    extra = dict(MINIMUM, extra_rules=[{"group": "nodes", "ports": ["15017"], "group_id": ["cluster"],
                                        "description": "Istio sidecar injector webhook"}])
    added = baseline.run(extra)
    assert ("tcp", 15017, 15017, sg["cluster"]) in ours(rules_of(estate, sg["node"])["ingress"]), added
    replaced = baseline.run(dict(MINIMUM, state="replaced"))
    assert replaced.calls("ec2", "write") == {"RevokeSecurityGroupIngress": 1}, replaced
    assert ("tcp", 15017, 15017, sg["cluster"]) not in {r[:4] for r in rules_of(estate, sg["node"])["ingress"]}
    released = baseline.run(dict(MINIMUM, state="overridden", unprotect=[
        {"group": "cluster", "proto": "all", "group_id": ["cluster"]}]))
    assert ("-1", None, None, sg["cluster"]) not in {r[:4] for r in rules_of(estate, sg["cluster"])["ingress"]}, \
        released


def test_deleted_takes_back_our_rules_but_keeps_those_the_cluster_needs(estate, baseline):
    sg = estate.sg
    for rule in [r for r in rules_of(estate, sg["node"])["ingress"] if r[:4] == ("tcp", 10250, 10250, sg["cluster"])]:
        estate.revoke(sg["node"], rule)  # the kubelet rule is ours from now on
    params = dict(MINIMUM, baseline="recommended")
    assert baseline.run(params).changed
    deleted = baseline.run(dict(params, state="deleted"))
    node = ours(rules_of(estate, sg["node"])["ingress"])
    assert ("tcp", 10250, 10250, sg["cluster"]) in node, deleted
    assert ("tcp", 8443, 8443, sg["cluster"]) not in node
    assert any("keeps" in w and "keep_required_rules: false" in w for w in deleted.result["warnings_found"])
    gone = baseline.run(dict(params, state="deleted", keep_required_rules=False))
    assert ("tcp", 10250, 10250, sg["cluster"]) not in ours(rules_of(estate, sg["node"])["ingress"]), gone


def test_gathered_and_rendered_write_nothing(estate, baseline):
    sg = estate.sg
    gathered, rendered = baseline.play([{"params": dict(MINIMUM, state="gathered")},
                                        {"params": dict(MINIMUM, baseline="recommended", egress="restricted",
                                                        state="rendered")}])
    assert gathered.writes == 0 and rendered.writes == 0 and rendered.reads == 0
    assert gathered.result["cluster"]["cluster_security_group"] == sg["cluster"]
    assert gathered.result["cluster"]["node_security_groups"] == [sg["node"]]
    assert any("NodePort range to the world" in w for w in gathered.result["warnings_found"])
    keys = {item["why"][0].split(":")[0] for item in rendered.result["rendered"]["rules"]}
    assert "node_ingress_cluster_9443_webhook" in keys and "node_ingress_cluster_9443_webhook.egress" in keys
    assert all(item["group"].startswith("<") for item in rendered.result["rendered"]["rules"])
