"""eks_lbc_security_groups run unattended, as a platform team runs it from AWX on real clusters (issue 10):
hand-made rules, wrong contexts, empty lists, rollbacks with nothing listed, overridden next to the EKS
baseline, failed writes. Every check reads the emulated EC2 and the sandbox's call counter."""

from __future__ import annotations

import pytest

from lbc_support import CONTROLLER_LABEL, EC2, MARKER, atomic
from lbc_support import estate, lbc  # noqa: F401 - fixtures

AUTO = dict(cluster_name="demo-eks", mode="auto")
CUSTOM = dict(cluster_name="demo-eks", mode="custom")
OFFICE = [{"name": "kubeguard-office", "listen_ports": ["443"], "inbound_cidrs": ["203.0.113.0/24"]}]
PARTNER = [{"name": "kubeguard-partner", "listen_ports": ["443"], "inbound_cidrs": ["198.51.100.0/24"]}]


@pytest.fixture(autouse=True)
def seeded_groups(estate):
    """Every test starts, and leaves the estate, as seeded (no fault either)."""
    estate.restore()
    yield estate
    estate.admin.clear_faults()
    for eni in estate.ec2.describe_network_interfaces(
            Filters=[{"Name": "tag:test", "Values": ["kubeguard"]}])["NetworkInterfaces"]:
        estate.ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    estate.restore()


def ours(estate) -> set[tuple]:
    """Every rule in the VPC carrying this collection's marker, as (group id, rule)."""
    return {(group["GroupId"], rule) for group in estate.groups() for rule in atomic(group["IpPermissions"])
            if MARKER in (rule[4] or "")}


def plan_of(step, group_id: str, what: str) -> list[dict]:
    return ((step.result.get("plan") or {}).get(group_id) or {}).get(what, {}).get("ingress", [])


def test_world_open_node_rules_are_written_normalised_when_allowed(estate, lbc):
    node = estate.sg["node"]
    step = lbc.run(dict(AUTO, allow_public_node_ports=True,
                        node_rules={"ports_from": "ports", "ports": ["30080"], "cidrs": ["0.0.0.0/0.0.0.0"]}))
    assert not step.failed and step.changed, step
    assert ("tcp", 30080, 30080, "0.0.0.0/0", MARKER) in estate.rules(node)


def test_a_hand_made_rule_equal_to_a_desired_one_is_never_taken_over(estate, lbc):
    """Seed 003's "method 1": the NodePort range from the load balancer group, described by the operator."""
    node, backend = estate.sg["node"], estate.sg["backend"]
    hand_made = ("tcp", 30000, 32767, backend, "method 1 - LB to NodePorts (ops)")
    estate.authorize(node, hand_made)
    merged, replaced, deleted = lbc.play([
        {"params": dict(AUTO, node_rules={"ports_from": "nodeport_range", "description": "node ports"})},
        {"params": dict(AUTO, state="replaced", node_rules={"ports_from": "ports", "ports": ["30080"]})},
        {"params": dict(AUTO, state="deleted", node_rules={"ports_from": "nodeport_range"})},
    ])
    assert not merged.failed and merged.changed is False and merged.writes == 0, merged
    assert plan_of(merged, node, "unowned_satisfying") == [
        {"proto": "tcp", "ports": ["30000-32767"], "group_id": [backend], "description": hand_made[4]}]
    assert plan_of(merged, node, "update_descriptions") == []
    assert not replaced.failed and replaced.calls(EC2, "write") == {"AuthorizeSecurityGroupIngress": 1}, replaced
    assert plan_of(replaced, node, "revoke") == []
    assert not deleted.failed and deleted.writes == 0, deleted  # the listed range exists only as the hand-made rule
    assert hand_made in estate.rules(node)  # untouched by merged, replaced and deleted: description and all
    assert any("without the kubeguard:lbc marker" in warning for warning in deleted.result["warnings_found"])


def test_deleted_with_nothing_listed_removes_everything_ours_and_the_groups_nobody_uses(estate, lbc):
    node = estate.sg["node"]
    baseline = [{"proto": "tcp", "ports": ["9100"], "group_id": [node], "description": "node exporter"}]
    setup = lbc.play([{"params": dict(CUSTOM, frontend_security_groups=OFFICE + PARTNER,
                                      node_rules={"ports_from": "ports", "ports": ["30080"]},
                                      node_security_group_rules=baseline)}])[0]
    assert not setup.failed, setup
    office, partner = estate.group_by_name("kubeguard-office")["GroupId"], estate.group_by_name("kubeguard-partner")[
        "GroupId"]
    subnet = estate.seed["subnets"]["private-a"]
    eni = estate.ec2.create_network_interface(SubnetId=subnet, Groups=[partner], TagSpecifications=[
        {"ResourceType": "network-interface", "Tags": [{"Key": "test", "Value": "kubeguard"}]}])["NetworkInterface"]
    assert len(ours(estate)) >= 5
    check, real, again = lbc.play([{"params": dict(CUSTOM, state="deleted"), "check": True},
                                   {"params": dict(CUSTOM, state="deleted")},
                                   {"params": dict(CUSTOM, state="deleted")}])
    assert not check.failed and check.changed and check.writes == 0, check
    assert check.result["deleted_groups"] == [office]
    assert not real.failed and real.changed, real
    assert real.result["deleted_groups"] == [office]
    assert real.calls(EC2, "write").get("DeleteSecurityGroup") == 1
    assert ours(estate) == set()  # every rule we wrote, on every group, is gone
    assert estate.group_by_name("kubeguard-office") is None
    assert estate.group_by_name("kubeguard-partner") is not None  # a network interface still uses it
    assert any(partner in w and eni["NetworkInterfaceId"] in w for w in real.result["warnings_found"]), real
    assert estate.controller_rule() in estate.rules(node)  # the controller's rule is not ours
    assert not again.failed and again.changed is False and again.writes == 0, again


def test_an_empty_desired_set_under_replaced_is_refused_unless_meant(estate, lbc):
    node, backend = estate.sg["node"], estate.sg["backend"]
    empty = {"ports_from": "from_services", "namespaces": ["kube-public"]}  # no Service there
    setup, refused, meant = lbc.play([
        {"params": dict(AUTO, node_rules={"ports_from": "ports", "ports": ["30080", "32050"]})},
        {"params": dict(AUTO, state="replaced", node_rules=empty)},
        {"params": dict(AUTO, state="replaced", node_rules=empty, allow_empty=True)},
    ])
    assert not setup.failed and setup.writes == 1, setup
    assert refused.failed and refused.writes == 0, refused
    assert refused.msg.startswith("node_rules: resolved to no port (from_services found no port"), refused.msg
    assert "would revoke 2 node rule(s)" in refused.msg and "allow_empty: true" in refused.msg
    assert not meant.failed and meant.calls(EC2, "write") == {"RevokeSecurityGroupIngress": 1}, meant
    assert not {rule for rule in estate.rules(node) if rule[3] == backend and MARKER in (rule[4] or "")}


def test_a_kubernetes_context_that_is_not_the_named_cluster_is_refused(estate, lbc):
    step = lbc.run(dict(AUTO, state="replaced", node_rules={"ports_from": "from_services"},
                        kubernetes={"context": "ack-app"}))
    assert step.failed and step.writes == 0, step
    assert step.msg.startswith("kubernetes: the Kubernetes cluster read (Kubernetes API http://127.0.0.1:"), step.msg
    assert "context ack-app" in step.msg and "is not EKS cluster demo-eks" in step.msg
    assert "cn-hangzhou" in step.msg or "no EC2 node" in step.msg
    lists = {action: n for action, n in step.calls("k8s:ack-app").items() if action.startswith("list")}
    assert lists == {"list nodes": 1}, step  # its Services were never trusted, nor even read


def test_overridden_keeps_what_eks_needs_between_control_plane_and_nodes(estate, lbc):
    """EXAMPLES' custom-mode task lists 2 of the node group's baseline rules; the others stay."""
    node, cluster = estate.sg["node"], estate.sg["cluster"]
    params = dict(CUSTOM, state="overridden", frontend_security_groups=OFFICE,
                  node_rules={"ports_from": "ports", "ports": ["30080", "32050"]},
                  node_security_group_rules=[{"proto": "tcp", "ports": ["443", "10250"], "group_id": [cluster]}])
    opt_out, kept = lbc.play([{"params": dict(params, keep_eks_baseline=False), "check": True}, {"params": params}])
    assert not kept.failed, kept
    rules = {(r[0], r[1], r[2], r[3]) for r in estate.rules(node)}
    for needed in (("tcp", 53, 53, node), ("udp", 53, 53, node), ("tcp", 1025, 65535, node),
                   ("tcp", 9443, 9443, cluster)):
        assert needed in rules, needed
    assert ("tcp", 30000, 32767, "0.0.0.0/0") not in rules  # the hand-opened world rule is not EKS's: it went
    assert ("tcp", 30080, 32050, estate.sg["backend"]) in rules  # the controller's rule is protected anyway
    revoked_when_opted_out = plan_of(opt_out, node, "revoke")
    assert {"proto": "udp", "ports": ["53"], "group_id": [node], "description": "Node to node CoreDNS UDP"} in \
        revoked_when_opted_out, opt_out


def test_a_failed_write_reports_changed_only_for_what_was_applied(estate, lbc):
    node = estate.sg["node"]
    bounded = {"retries": {"total_max_attempts": 1}}
    lbc.run(dict(AUTO, node_rules={"ports_from": "ports", "ports": ["30080"]}))
    estate.admin.set_faults([{"service": "ec2", "action": "RevokeSecurityGroupIngress", "throttle": 1.0}])
    step = lbc.run(dict(AUTO, state="replaced", aws_config=bounded, node_rules={"ports_from": "ports",
                                                                                "ports": ["32050"]}))
    assert step.failed and step.changed is True, step  # the new rule went in, the old one could not go
    assert step.msg.startswith("revoke_security_group_ingress failed: RequestLimitExceeded"), step.msg
    assert [action["action"] for action in step.result["actions"]] == ["AuthorizeSecurityGroupIngress"]
    assert ("tcp", 32050, 32050, estate.sg["backend"], MARKER) in estate.rules(node)
    estate.admin.set_faults([{"service": "ec2", "action": "AuthorizeSecurityGroupIngress", "throttle": 1.0}])
    first = lbc.run(dict(AUTO, aws_config=bounded, node_rules={"ports_from": "ports", "ports": ["31000"]}))
    assert first.failed and first.changed is False and not first.result.get("actions"), first


def test_the_node_rule_description_covers_cidr_sourced_rules(estate, lbc):
    node = estate.sg["node"]
    step = lbc.run(dict(AUTO, node_rules={"ports_from": "ports", "ports": ["30080"], "cidrs": ["10.1.0.0/16"],
                                          "description": "NLB clients"}), check=True)
    assert not step.failed and step.writes == 0, step
    (rule,) = [rule for rule in plan_of(step, node, "authorize") if rule.get("cidr_ip") == ["10.1.0.0/16"]]
    assert rule["description"] == f"NLB clients {MARKER}", step


def test_a_desired_rule_that_is_the_controller_s_own_is_explained(estate, lbc):
    node, backend = estate.sg["node"], estate.sg["backend"]
    step = lbc.run(dict(AUTO, node_rules={"ports_from": "ports", "ports": ["30080-32050"]}))
    assert not step.failed and step.changed is False and step.writes == 0, step
    (shared,) = step.result["shared_with_controller"]
    assert shared["group_id"] == node and shared["rule"]["group_id"] == [backend]
    assert shared["rule"]["description"] == CONTROLLER_LABEL
    assert "revokes it" in shared["meaning"] and "port_compression" in shared["to_keep_one_of_your_own"]
