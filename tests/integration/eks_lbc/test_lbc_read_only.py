"""Check mode, --diff, gathered, rendered and the seed 003 warning of eks_lbc_security_groups."""

from __future__ import annotations

import json

import pytest

from lbc_support import CONTROLLER_LABEL, EC2, K8S, MARKER
from lbc_support import plan_lists
from lbc_support import estate, lbc  # noqa: F401 - fixtures

OFFICE = "203.0.113.0/24"
FRONTEND = [{"name": "kubeguard-office", "listen_ports": ["443"], "inbound_cidrs": [OFFICE]}]


@pytest.fixture(autouse=True)
def seeded_groups(estate):
    estate.restore()
    return estate


def custom_overridden(estate) -> dict:
    return dict(cluster_name="demo-eks", mode="custom", state="overridden", frontend_security_groups=FRONTEND,
                node_rules={"ports_from": "ports", "ports": ["30080", "32050"]},
                protect=[estate.sg["cluster"], estate.sg["node"]])


def with_ids(value, mapping: dict):
    """``value`` with the placeholder ids of groups check mode would create replaced by the real ids."""
    text = json.dumps(value, sort_keys=True)
    for placeholder, real in mapping.items():
        text = text.replace(placeholder, real)
    return json.loads(text)


def test_check_mode_writes_nothing_and_predicts_the_plan_of_the_real_run(estate, lbc):
    node = estate.sg["node"]
    params = custom_overridden(estate)
    before_rules = estate.rules(node)

    check = lbc.run(params, flags=("--check", "--diff"))
    assert not check.failed, check
    assert check.changed is True
    assert check.writes == 0, check  # not one write call reached the sandbox
    assert check.all_calls() == {EC2: {"DescribeInstances": 1, "DescribeSecurityGroups": 2}}, check
    assert estate.group_by_name("kubeguard-office") is None
    assert estate.rules(node) == before_rules

    real = lbc.run(params, flags=("--diff",))
    assert not real.failed, real
    assert real.changed is True
    created = estate.group_by_name("kubeguard-office")["GroupId"]
    placeholder = check.result["created"]["kubeguard-office"]["group_id"]
    assert placeholder != created
    assert real.result["created"]["kubeguard-office"]["group_id"] == created

    # same authorize / revoke / update / protected lists, group for group (placeholder id -> created id)
    assert with_ids(plan_lists(check.result), {placeholder: created}) == plan_lists(real.result)
    plan = plan_lists(real.result)
    assert plan[node]["authorize"]["ingress"] == [
        {"proto": "tcp", "ports": ["30080", "32050"], "group_id": [created], "description": MARKER}]
    assert plan[node]["revoke"]["ingress"] == [
        {"proto": "tcp", "ports": ["30000-32767"], "cidr_ip": ["0.0.0.0/0"],
         "description": "temp: open nodeports for ALB debugging (ops ticket 4411)"}]
    assert plan[created]["authorize"]["ingress"] == [
        {"proto": "tcp", "ports": ["443"], "cidr_ip": [OFFICE], "description": MARKER}]
    assert real.calls(EC2, "write") == {"CreateSecurityGroup": 1, "AuthorizeSecurityGroupIngress": 2,
                                        "RevokeSecurityGroupIngress": 1}

    # --diff: before is what was read, after is what the real run left (read back) or check mode predicts
    for step in (check, real):
        diff = step.result["diff"]
        before, after = diff["before"][node], diff["after"][node]
        assert {"proto": "tcp", "ports": ["30000-32767"], "cidr_ip": ["0.0.0.0/0"],
                "description": "temp: open nodeports for ALB debugging (ops ticket 4411)"} in before
        assert not any("0.0.0.0/0" in (r.get("cidr_ip") or []) for r in after)
        assert {"proto": "tcp", "ports": ["30080-32050"], "group_id": [estate.sg["backend"]],
                "description": CONTROLLER_LABEL} in after
    # the created group is keyed by its real id on both sides of the real run's diff (empty before)
    assert set(real.result["diff"]["before"]) == {node, created}, sorted(real.result["diff"]["before"])
    assert set(real.result["diff"]["after"]) == {node, created}, sorted(real.result["diff"]["after"])
    assert real.result["diff"]["before"][created] == []
    assert with_ids(check.result["diff"], {placeholder: created}) == real.result["diff"]

    # and check mode now predicts nothing
    again = lbc.run(params, flags=("--check", "--diff"))
    assert again.changed is False, again
    assert again.writes == 0
    assert again.result["diff"]["before"] == again.result["diff"]["after"]


def test_gathered_returns_groups_with_roles_and_rules_and_writes_nothing(estate, lbc):
    sg = estate.sg
    auto, hybrid = lbc.play([
        {"params": dict(cluster_name="demo-eks", mode="auto", state="gathered")},
        {"params": dict(cluster_name="demo-eks", mode="hybrid", state="gathered", frontend_security_groups=[
            {"name": "shop-alb-office", "listen_ports": ["443"], "inbound_cidrs": [OFFICE]}])},
    ])
    for step in (auto, hybrid):
        assert not step.failed, step
        assert step.changed is False
        assert step.writes == 0, step
        assert "plan" not in step.result
    assert auto.all_calls() == {EC2: {"DescribeInstances": 1, "DescribeSecurityGroups": 1}}, auto
    # hybrid: the hand-made group carries none of the tags the one filtered read uses, so one lookup by name
    assert hybrid.all_calls() == {EC2: {"DescribeInstances": 1, "DescribeSecurityGroups": 2}}, hybrid

    roles = dict((g["group_id"], g["role"]) for g in auto.result["security_groups"])
    assert roles == {sg["node"]: "node", sg["backend"]: "backend", sg["cluster"]: "eks-cluster",
                     sg["frontend_storefront"]: "controller-frontend", sg["frontend_catalog"]: "controller-frontend"}
    groups = dict((g["group_id"], g) for g in auto.result["security_groups"])
    assert groups[sg["backend"]]["name"].startswith("k8s-traffic-demoeks-")
    assert groups[sg["backend"]]["tags"] == {"elbv2.k8s.aws/cluster": "demo-eks",
                                             "elbv2.k8s.aws/resource": "backend-sg"}
    node_rules = groups[sg["node"]]["rules"]
    assert len(node_rules) == 8
    assert {"proto": "tcp", "ports": ["30080-32050"], "group_id": [sg["backend"]],
            "description": CONTROLLER_LABEL} in node_rules
    assert {"proto": "udp", "ports": ["53"], "group_id": [sg["node"]],
            "description": "Node to node CoreDNS UDP"} in node_rules
    assert groups[sg["frontend_storefront"]]["rules"] == [
        {"proto": "tcp", "ports": ["80", "443"], "cidr_ip": ["0.0.0.0/0"]}]
    assert groups[sg["cluster"]]["rules"] == [
        {"proto": "tcp", "ports": ["443"], "group_id": [sg["node"]],
         "description": "Allow nodes to communicate with the cluster API Server"},
        {"proto": "all", "group_id": [sg["cluster"]]}]

    office = dict((g["group_id"], g) for g in hybrid.result["security_groups"])[sg["custom_office"]]
    assert office["role"] == "frontend"
    assert office["rules"] == [{"proto": "tcp", "ports": ["443"], "cidr_ip": [OFFICE],
                                "description": "HTTPS from the office"}]
    for group in estate.groups():
        assert estate.rules(group["GroupId"]) == estate.snapshot[group["GroupId"]]


def test_rendered_makes_no_api_call_at_all(estate, lbc):
    custom, auto = lbc.play([
        {"params": dict(cluster_name="demo-eks", mode="custom", state="rendered", frontend_security_groups=FRONTEND,
                        node_rules={"ports_from": "ports", "ports": ["30080", "32050"]})},
        {"params": dict(cluster_name="demo-eks", mode="auto", state="rendered",
                        node_rules={"ports_from": "from_services"})},
    ])
    for step in (custom, auto):
        assert step.changed is False
        assert step.counts["totals"] == {"reads": 0, "writes": 0, "faults": 0}, step
        assert step.all_calls() == {}, step
        assert step.result["api_calls"] in ({}, {"reads": 0, "writes": 0, "by_operation": {}})
    assert not custom.failed, custom
    calls = custom.result["rendered"]
    actions = [c["action"] for c in calls]
    # the frontend group does not exist: the payloads that create it come before the rules that use it
    assert "CreateSecurityGroup" in actions, actions
    assert actions.index("CreateSecurityGroup") < actions.index("AuthorizeSecurityGroupIngress")
    node_call = [c for c in calls if c["params"].get("GroupId") == "<node-security-group>"]
    assert len(node_call) == 1
    assert [(p["FromPort"], p["ToPort"]) for p in node_call[0]["params"]["IpPermissions"]] == [
        (30080, 30080), (32050, 32050)]
    for perm in node_call[0]["params"]["IpPermissions"]:
        assert [pair["Description"] for pair in perm["UserIdGroupPairs"]] == [MARKER]
    # from_services offline: the Services cannot be read, so the module must not pretend. Either it says so,
    # naming the option, or it renders no rule wider than what the Services need (never the whole range)
    assert K8S not in auto.counts.get("services", {})
    if auto.failed:
        assert auto.msg.startswith("node_rules.ports_from"), auto.msg
    else:
        perms = [p for c in auto.result["rendered"] for p in c["params"]["IpPermissions"]]
        assert (30000, 32767) not in [(p.get("FromPort"), p.get("ToPort")) for p in perms], perms


def test_seed_003_hand_made_rule_with_the_controller_label_is_reported(estate, lbc):
    node, backend = estate.sg["node"], estate.sg["backend"]
    hand_made = ("tcp", 8443, 8443, "10.0.0.0/16", CONTROLLER_LABEL)
    estate.authorize(node, hand_made)
    auto, custom = lbc.play([
        {"params": dict(cluster_name="demo-eks", mode="auto", state="gathered")},
        {"params": dict(cluster_name="demo-eks", mode="custom", state="gathered")},
    ])
    for step in (auto, custom):
        assert not step.failed, step
        assert step.writes == 0
        label_warnings = [w for w in step.result["warnings_found"] if "controller will revoke" in w]
        # exactly the hand-made rule (CIDR source); the controller's own rule from the backend group is not one
        assert len(label_warnings) == 1, step.result["warnings_found"]
        assert "10.0.0.0/16" in label_warnings[0] and "8443" in label_warnings[0]
        assert node in label_warnings[0]
        assert not any(backend in w and "controller will revoke" in w for w in step.result["warnings_found"])
    assert hand_made in estate.rules(node)  # reported, not touched


def test_kubernetes_connection_options_do_not_mask_returned_values(estate, lbc):
    """``kubernetes: {context: demo-eks}`` is a connection option, not a secret: the returned group names
    and tags that contain the cluster name must come back as they are."""
    step = lbc.run(dict(cluster_name="demo-eks", mode="auto", state="gathered", kubernetes={"context": "demo-eks"}))
    assert not step.failed, step
    groups = dict((g["group_id"], g) for g in step.result["security_groups"])
    assert groups[estate.sg["backend"]]["tags"]["elbv2.k8s.aws/cluster"] == "demo-eks"
    assert groups[estate.sg["cluster"]]["name"].startswith("eks-cluster-sg-demo-eks-")


def test_vpc_comes_from_describe_cluster_when_no_node_is_running(estate, lbc):
    """A cluster whose nodes are all stopped: the VPC comes from EKS DescribeCluster (its vpcId); nodes and
    their group cannot be discovered, so node_security_group is given."""
    instances = estate.seed["instances"]
    estate.ec2.stop_instances(InstanceIds=instances)
    try:
        (step,) = lbc.play([{"params": dict(cluster_name="demo-eks", mode="auto", state="gathered",
                                            node_security_group=estate.sg["node"])}])
    finally:
        estate.ec2.start_instances(InstanceIds=instances)
    assert not step.failed, step
    assert step.all_calls() == {EC2: {"DescribeInstances": 1, "DescribeSecurityGroups": 1},
                                "eks": {"DescribeCluster": 1}}, step
    roles = dict((g["group_id"], g["role"]) for g in step.result["security_groups"])
    assert roles[estate.sg["node"]] == "node" and roles[estate.sg["backend"]] == "backend"


def test_throttling_is_ridden_out_by_amazon_aws_retries(estate, lbc):
    """30 % of EC2 calls answered RequestLimitExceeded (fixed seed): the run still converges."""
    estate.admin.set_faults([{"service": "ec2", "throttle": 0.3}], seed=4242)
    try:
        first, again = lbc.play([
            {"params": dict(cluster_name="demo-eks", mode="auto", node_rules={"ports_from": "ports",
                                                                              "ports": ["30080", "32050"]})},
            {"params": dict(cluster_name="demo-eks", mode="auto", node_rules={"ports_from": "ports",
                                                                              "ports": ["30080", "32050"]})},
        ])
    finally:
        estate.admin.clear_faults()
        estate.restore()
    assert not first.failed and first.changed, first
    assert not again.failed and again.changed is False, again
    throttled = sum(step.counts["services"]["ec2"]["faults"].get("RequestLimitExceeded", 0) for step in (first, again))
    assert throttled > 0  # the faults really happened, and were retried
