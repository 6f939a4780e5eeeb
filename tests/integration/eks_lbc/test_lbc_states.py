"""eks_lbc_security_groups on the seeded demo-eks estate: every mode x every writing state, idempotency
measured with the sandbox call counter, and the ownership rules (controller label, hand-made rules, marker).

Each mode test runs one play of eight module runs: merged, replaced, overridden and deleted, each twice.
The first run of a pair changes something; the second must report ``changed=false`` with zero write
calls and exactly the reads a no-op needs:

- ``DescribeInstances`` x1: the cluster's running instances (node ENIs -> node group, and the VPC);
- ``DescribeSecurityGroups`` x1: one filtered read of every group tagged for the cluster, the controller
  or this collection (a group the module created carries the ``kubeguard.netsec/cluster`` tag, so it
  needs no lookup by name any more);
- with ``node_rules.ports_from: from_services``: ``list nodes`` x1 (the cluster is the named EKS
  cluster: its nodes are the instances just read), ``list services`` x1 and ``list ingresses`` x1 on
  k8s:demo-eks (kubernetes.core's discovery documents are cached in the run's TMPDIR by the first
  from_services run of the test, so the no-op run makes no discovery request).

A first run reads one ``DescribeSecurityGroups`` more (the managed groups read back after writing) and one
more again when it must look an unknown frontend group up by name before creating it.
"""

from __future__ import annotations

import pytest

from lbc_support import CONTROLLER_LABEL, EC2, K8S, MARKER, OWN_FRONTEND_PORTS, PUBLIC_NODEPORT_DESCRIPTION
from lbc_support import SERVICE_NODE_PORTS
from lbc_support import baseline_rules
from lbc_support import estate, lbc  # noqa: F401 - fixtures

OFFICE = "203.0.113.0/24"
OFFICE_2 = "198.51.100.0/24"
NOOP_READS = {"DescribeInstances": 1, "DescribeSecurityGroups": 1}
# from_services also looks up, by their Name tags, the frontend groups two seeded Ingresses name
NOOP_READS_FROM_SERVICES = {"DescribeInstances": 1, "DescribeSecurityGroups": 2}
FIRST_READS_FROM_SERVICES = {"DescribeInstances": 1, "DescribeSecurityGroups": 3}
K8S_LISTS = {"list ingresses": 1, "list nodes": 1, "list services": 1}


@pytest.fixture(autouse=True)
def seeded_groups(estate):
    """Every test starts from the groups as seeded."""
    estate.restore()
    return estate


def office(cidr: str = OFFICE) -> list[dict]:
    return [{"name": "kubeguard-office", "listen_ports": ["443"], "inbound_cidrs": [cidr]}]


def unmarked_baseline(estate) -> list[dict]:
    """The node baseline without descriptions: listed so that overridden keeps it, and not re-described."""
    return [dict((k, v) for k, v in rule.items() if k != "description") for rule in baseline_rules(estate.sg)]


def lists(step, group_id: str, what: str) -> list[dict]:
    return ((step.result.get("plan") or {}).get(group_id) or {}).get(what, {}).get("ingress", [])


def identities(rules: list[dict]) -> set[tuple]:
    """Module-format rules -> {(proto, port item, source)}."""
    out = set()
    for rule in rules:
        for port in rule.get("ports") or [None]:
            for key in ("cidr_ip", "cidr_ipv6", "prefix_list_id", "group_id"):
                for source in rule.get(key) or []:
                    out.add((rule.get("proto"), port, source))
    return out


def assert_ok(step):
    assert not step.failed, step
    # the module's own api_calls agree with what the sandbox counted: EC2 calls by name, Kubernetes lists
    # ("list Service" there, "list services" here) by count
    counted = step.result["api_calls"]["by_operation"]
    assert {op: n for op, n in counted.items() if not op.startswith("list ")} == step.calls(EC2), step
    k8s_lists = {op: n for op, n in step.calls(K8S).items() if op.startswith("list ")}
    assert sum(n for op, n in counted.items() if op.startswith("list ")) == sum(k8s_lists.values()), step
    assert step.result["api_calls"]["writes"] == sum(step.calls(EC2, "write").values()), step


def assert_first(step, writes: dict, ec2_reads: dict, k8s: bool = False):
    assert_ok(step)
    assert step.changed is True, step
    assert step.calls(EC2, "write") == writes, step
    assert step.calls(EC2, "read") == ec2_reads, step
    if k8s:
        assert step.calls(K8S, "write") == {}, step
        assert {k: v for k, v in step.calls(K8S).items() if k.startswith("list")} == K8S_LISTS, step
    else:
        assert step.calls(K8S) == {}, step


def assert_noop(step, k8s: bool = False):
    assert_ok(step)
    assert step.changed is False, step
    assert step.writes == 0, step
    expected = {EC2: NOOP_READS_FROM_SERVICES if k8s else NOOP_READS}
    if k8s:
        expected[K8S] = K8S_LISTS
    assert step.all_calls() == expected, step
    for group_plan in step.result["plan"].values():
        for what in ("authorize", "revoke", "update_descriptions"):
            assert group_plan[what]["ingress"] == [], step


def assert_controller_rule_never_revoked(estate, steps):
    backend = estate.sg["backend"]
    for step in steps:
        for group_plan in (step.result.get("plan") or {}).values():
            assert ("tcp", "30080-32050", backend) not in identities(group_plan["revoke"]["ingress"]), step
    assert estate.controller_rule() in estate.rules(estate.sg["node"])


def pairs(lbc, runs: list[dict]):
    steps = lbc.play([{"params": params} for params in runs for _ in (0, 1)])
    return steps, [(steps[i], steps[i + 1]) for i in range(0, len(steps), 2)]


# ---------------------------------------------------------------------------------------------- auto


def test_auto_mode_every_state_then_no_op(estate, lbc):
    sg = estate.sg
    node, backend = sg["node"], sg["backend"]
    base = dict(cluster_name="demo-eks", mode="auto")
    services = {"ports_from": "from_services"}
    steps, (merged, replaced, overridden, deleted) = pairs(lbc, [
        dict(base, state="merged", node_rules={"ports_from": "nodeport_range"}),
        dict(base, state="replaced", node_rules=services),
        dict(base, state="overridden", node_rules=services, node_security_group_rules=unmarked_baseline(estate)),
        dict(base, state="deleted", node_rules=services),
    ])
    node_range = ("tcp", "30000-32767", backend)
    own_groups = (sg["custom_public"], sg["custom_office"])
    service_ports = {("tcp", str(port), backend) for port in SERVICE_NODE_PORTS} | {
        ("tcp", str(port), group) for port in OWN_FRONTEND_PORTS for group in own_groups}
    public = ("tcp", "30000-32767", "0.0.0.0/0")

    # merged: the NodePort range from the backend group, with our marker; nothing revoked
    first, second = merged
    assert_first(first, {"AuthorizeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert lists(first, node, "authorize") == [
        {"proto": "tcp", "ports": ["30000-32767"], "group_id": [backend], "description": MARKER}]
    assert lists(first, node, "revoke") == []
    assert first.result["controller"]["controller_flags"] == ["--enable-backend-security-group=true"]
    assert_noop(second)

    # replaced: only the Services' NodePorts; our range rule goes, the unmarked 0.0.0.0/0 rule stays
    first, second = replaced
    assert_first(first, {"AuthorizeSecurityGroupIngress": 1, "RevokeSecurityGroupIngress": 1},
                 FIRST_READS_FROM_SERVICES, k8s=True)
    assert identities(lists(first, node, "authorize")) == service_ports
    assert {(entry["object"].split(" ->")[0], entry["port"]) for entry in first.result["served_by_own_frontends"]} == {
        ("Ingress shop/admin", 31080), ("Ingress shop/partner-api", 31443)}
    assert identities(lists(first, node, "revoke")) == {node_range}
    assert_noop(second, k8s=True)

    # overridden, baseline listed: the hand-added 0.0.0.0/0 rule goes, the controller's rule is kept
    first, second = overridden
    assert_first(first, {"RevokeSecurityGroupIngress": 1}, FIRST_READS_FROM_SERVICES, k8s=True)
    assert identities(lists(first, node, "revoke")) == {public}
    assert ("tcp", "30080-32050", backend) in identities(lists(first, node, "protected_kept"))
    assert_noop(second, k8s=True)

    # deleted: the listed rules (the Services' NodePorts) go
    first, second = deleted
    assert_first(first, {"RevokeSecurityGroupIngress": 1}, FIRST_READS_FROM_SERVICES, k8s=True)
    assert identities(lists(first, node, "revoke")) == service_ports
    assert_noop(second, k8s=True)

    assert_controller_rule_never_revoked(estate, steps)
    seeded = estate.snapshot[node]
    assert estate.rules(node) == seeded - {estate.public_nodeport_rule()}
    assert estate.rules(backend) == set()


# ---------------------------------------------------------------------------------------------- hybrid


def test_hybrid_mode_every_state_then_no_op(estate, lbc):
    sg = estate.sg
    node = sg["node"]
    base = dict(cluster_name="demo-eks", mode="hybrid")
    steps, (merged, replaced, overridden, deleted) = pairs(lbc, [
        dict(base, state="merged", frontend_security_groups=office()),
        dict(base, state="replaced", frontend_security_groups=office(OFFICE_2)),
        dict(base, state="overridden", frontend_security_groups=office(OFFICE_2),
             node_security_group_rules=unmarked_baseline(estate)),
        dict(base, state="deleted", frontend_security_groups=office(OFFICE_2)),
    ])
    group = estate.group_by_name("kubeguard-office")
    assert group is not None
    office_id = group["GroupId"]
    assert {t["Key"]: t["Value"] for t in group["Tags"]} == {
        "Name": "kubeguard-office", "kubeguard.netsec/managed-by": "kubeguard.netsec",
        "kubeguard.netsec/cluster": "demo-eks"}

    # merged: the group is created (looked up by name first) and opened to the office on 443
    first, second = merged
    assert_first(first, {"CreateSecurityGroup": 1, "AuthorizeSecurityGroupIngress": 1},
                 {"DescribeInstances": 1, "DescribeSecurityGroups": 3})
    created = first.result["created"]
    assert list(created) == ["kubeguard-office"]
    assert (created["kubeguard-office"]["name"], created["kubeguard-office"]["group_id"]) == ("kubeguard-office",
                                                                                            office_id)
    assert lists(first, office_id, "authorize") == [
        {"proto": "tcp", "ports": ["443"], "cidr_ip": [OFFICE], "description": MARKER}]
    assert first.result["controller"]["ingress_annotations"] == {
        "alb.ingress.kubernetes.io/security-groups": office_id,
        "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true"}
    assert node not in first.result["plan"]  # hybrid: the controller writes the node rules
    assert_noop(second)

    # replaced: make-before-break CIDR swap on our group
    first, second = replaced
    assert_first(first, {"AuthorizeSecurityGroupIngress": 1, "RevokeSecurityGroupIngress": 1},
                 {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, office_id, "authorize")) == {("tcp", "443", OFFICE_2)}
    assert identities(lists(first, office_id, "revoke")) == {("tcp", "443", OFFICE)}
    assert first.result["plan"][office_id]["order"][0] == "authorize"
    assert_noop(second)

    # overridden with the node baseline: the node group's 0.0.0.0/0 rule goes, the controller rule stays
    first, second = overridden
    assert_first(first, {"RevokeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, node, "revoke")) == {("tcp", "30000-32767", "0.0.0.0/0")}
    assert lists(first, office_id, "revoke") == []
    assert_noop(second)

    # deleted: the listed frontend rule goes
    first, second = deleted
    assert_first(first, {"RevokeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, office_id, "revoke")) == {("tcp", "443", OFFICE_2)}
    assert_noop(second)

    assert_controller_rule_never_revoked(estate, steps)
    assert estate.rules(office_id) == set()
    assert estate.rules(node) == estate.snapshot[node] - {estate.public_nodeport_rule()}
    for name in ("custom_public", "custom_office", "frontend_storefront", "frontend_catalog", "backend"):
        assert estate.rules(sg[name]) == estate.snapshot[sg[name]], name  # groups not listed: untouched


# ---------------------------------------------------------------------------------------------- custom


def test_custom_mode_every_state_then_no_op(estate, lbc):
    sg = estate.sg
    node, backend = sg["node"], sg["backend"]
    base = dict(cluster_name="demo-eks", mode="custom", frontend_security_groups=office())
    ports = lambda *p: {"ports_from": "ports", "ports": list(p)}  # noqa: E731
    steps, (merged, replaced, overridden, deleted) = pairs(lbc, [
        dict(base, state="merged", node_rules=ports("30080", "32050")),
        dict(base, state="replaced", node_rules=ports("30080", "31443")),
        dict(base, state="overridden", node_rules=ports("30080", "31443"), protect=[sg["cluster"], node]),
        dict(base, state="deleted", node_rules=ports("30080", "31443")),
    ])
    office_id = estate.group_by_name("kubeguard-office")["GroupId"]

    # merged: frontend group created and opened; node ports opened from it (not from the backend group)
    first, second = merged
    assert_first(first, {"CreateSecurityGroup": 1, "AuthorizeSecurityGroupIngress": 2},
                 {"DescribeInstances": 1, "DescribeSecurityGroups": 3})
    assert lists(first, node, "authorize") == [
        {"proto": "tcp", "ports": ["30080", "32050"], "group_id": [office_id], "description": MARKER}]
    assert lists(first, node, "revoke") == []
    assert first.result["controller"] == {
        "controller_flags": ["--enable-backend-security-group=false"],
        "ingress_annotations": {"alb.ingress.kubernetes.io/security-groups": office_id,
                                "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "false"}}
    assert_noop(second)

    # replaced: 31443 in, 32050 (ours) out; the unmarked 0.0.0.0/0 rule stays
    first, second = replaced
    assert_first(first, {"AuthorizeSecurityGroupIngress": 1, "RevokeSecurityGroupIngress": 1},
                 {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, node, "authorize")) == {("tcp", "31443", office_id)}
    assert identities(lists(first, node, "revoke")) == {("tcp", "32050", office_id)}
    assert_noop(second)

    # overridden with the baseline's sources protected: only the 0.0.0.0/0 rule goes
    first, second = overridden
    assert_first(first, {"RevokeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, node, "revoke")) == {("tcp", "30000-32767", "0.0.0.0/0")}
    kept = identities(lists(first, node, "protected_kept"))
    assert ("tcp", "30080-32050", backend) in kept and ("tcp", "10250", sg["cluster"]) in kept
    assert_noop(second)

    # deleted: the listed frontend rule and node rules go (one batched revoke per group)
    first, second = deleted
    assert_first(first, {"RevokeSecurityGroupIngress": 2}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(first, node, "revoke")) == {("tcp", "30080", office_id), ("tcp", "31443", office_id)}
    assert identities(lists(first, office_id, "revoke")) == {("tcp", "443", OFFICE)}
    assert_noop(second)

    assert_controller_rule_never_revoked(estate, steps)
    assert estate.rules(office_id) == set()
    assert estate.rules(node) == estate.snapshot[node] - {estate.public_nodeport_rule()}


# ---------------------------------------------------------------------------------------------- ownership


def test_public_nodeport_rule_is_revoked_under_replaced_only_when_it_carries_our_marker(estate, lbc):
    node, backend = estate.sg["node"], estate.sg["backend"]
    params = dict(cluster_name="demo-eks", mode="auto", state="replaced", node_rules={"ports_from": "nodeport_range"})
    public = ("tcp", "30000-32767", "0.0.0.0/0")

    unmarked = lbc.run(params)
    assert_first(unmarked, {"AuthorizeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert public not in identities(lists(unmarked, node, "revoke"))
    assert estate.public_nodeport_rule() in estate.rules(node)

    # the same rule, re-created by hand with our marker: now it is ours, and replaced removes it
    estate.revoke(node, estate.public_nodeport_rule())
    estate.authorize(node, estate.public_nodeport_rule(description=MARKER))
    marked, again = lbc.play([{"params": params}, {"params": params}])
    assert_first(marked, {"RevokeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(marked, node, "revoke")) == {public}
    assert_noop(again)
    rules = estate.rules(node)
    assert not any(r[3] == "0.0.0.0/0" for r in rules)
    assert ("tcp", 30000, 32767, backend, MARKER) in rules
    assert_controller_rule_never_revoked(estate, [unmarked, marked, again])


def test_merged_never_revokes_and_overridden_keeps_the_controller_rule_with_nothing_listed(estate, lbc):
    """merged keeps the unmarked 0.0.0.0/0 rule; overridden with an empty node list keeps only what is
    protected: the controller-labelled rule survives even when nothing else on the group does."""
    node, backend = estate.sg["node"], estate.sg["backend"]
    merged, overridden = lbc.play([
        {"params": dict(cluster_name="demo-eks", mode="auto", state="merged",
                        node_rules={"ports_from": "ports", "ports": ["30080"]})},
        {"params": dict(cluster_name="demo-eks", mode="auto", state="overridden",
                        node_rules={"ports_from": "ports", "ports": ["30080"]},
                        protect=[estate.sg["cluster"], node])},
    ])
    assert_first(merged, {"AuthorizeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert lists(merged, node, "revoke") == []
    assert_first(overridden, {"RevokeSecurityGroupIngress": 1}, {"DescribeInstances": 1, "DescribeSecurityGroups": 2})
    assert identities(lists(overridden, node, "revoke")) == {("tcp", "30000-32767", "0.0.0.0/0")}
    assert {"proto": "tcp", "ports": ["30080-32050"], "group_id": [backend],
            "description": CONTROLLER_LABEL} in lists(overridden, node, "protected_kept")
    assert any("kept" in w and "protected" in w for w in overridden.result["plan"][node]["warnings"])
    assert_controller_rule_never_revoked(estate, [merged, overridden])
    assert estate.public_nodeport_rule(PUBLIC_NODEPORT_DESCRIPTION) not in estate.rules(node)
    assert ("tcp", 30080, 30080, backend, MARKER) in estate.rules(node)
