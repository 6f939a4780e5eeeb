"""Bad input to eks_lbc_security_groups: every case fails with a message that starts with the option path
the user wrote, and makes zero write calls (checked per case with the sandbox call counter).

All cases run in one play (one module run each, ``ignore_errors``); the play resets the sandbox counter
after each run, so every case has its own counts. Options that can be checked without the cloud are
checked before any call at all; the quota needs the current rules, so those cases read (one
DescribeInstances, one DescribeSecurityGroups) and still write nothing (the node_rules.description check
currently happens after those two reads too; allowed, since the contract is zero writes).
"""

from __future__ import annotations

import re

import pytest

from lbc_support import EC2
from lbc_support import estate, lbc_module  # noqa: F401 - fixtures

AUTO = dict(cluster_name="demo-eks", mode="auto")
HYBRID = dict(cluster_name="demo-eks", mode="hybrid")
CUSTOM = dict(cluster_name="demo-eks", mode="custom")
PORTS = {"ports_from": "ports", "ports": ["30080"]}
QUOTA_READS = {"DescribeInstances": 1, "DescribeSecurityGroups": 1}  # the current rules, to count them
LOOKUP_READS = {"DescribeInstances": 1, "DescribeSecurityGroups": 2}  # the cluster's groups, then the named ones


def office(**changes) -> list[dict]:
    return [dict({"name": "kubeguard-office", "listen_ports": ["443"], "inbound_cidrs": ["203.0.113.0/24"]},
                 **changes)]


# (case id, params, the option path the message must start with, other text it must contain, API calls allowed)
CASES = [
    ("cidr-slash-33", dict(HYBRID, frontend_security_groups=office(inbound_cidrs=["10.0.0.0/33"])),
     "frontend_security_groups[0].inbound_cidrs[0]", "10.0.0.0/33", False),
    ("host-bits", dict(AUTO, node_rules={"cidrs": ["10.0.0.1/24"]}),
     "node_rules.cidrs[0]", "did you mean 10.0.0.0/24", False),
    ("port-out-of-range", dict(AUTO, node_rules={"ports_from": "ports", "ports": ["0-70000"]}),
     "node_rules.ports[0]", "70000", False),
    ("from-greater-than-to", dict(AUTO, node_rules={"ports_from": "ports", "ports": ["32000-31000"]}),
     "node_rules.ports[0]", "32000", False),
    ("listen-port-out-of-range", dict(HYBRID, frontend_security_groups=office(listen_ports=["70000"])),
     "frontend_security_groups[0].listen_ports[0]", "70000", False),
    ("unknown-protocol", dict(AUTO, node_security_group_rules=[
        {"proto": "tcpp", "ports": ["443"], "cidr_ip": ["10.0.0.0/16"]}]),
     "node_security_group_rules[0].proto", "tcpp", False),
    ("backend-sg-typo", dict(AUTO, backend_security_group="sg-12"), "backend_security_group", "sg-12", False),
    ("node-sg-typo", dict(AUTO, node_security_group="sg-XYZ"), "node_security_group", "sg-XYZ", False),
    ("frontend-id-typo", dict(HYBRID, frontend_security_groups=[
        {"id": "sg-GHIJ", "listen_ports": ["443"], "inbound_cidrs": ["203.0.113.0/24"]}]),
     "frontend_security_groups[0].id", "sg-GHIJ", False),
    ("prefix-list-typo", dict(HYBRID, frontend_security_groups=office(prefix_lists=["pl-12"])),
     "frontend_security_groups[0].prefix_lists[0]", "pl-12", False),
    ("auto-with-frontends", dict(AUTO, frontend_security_groups=office()),
     "frontend_security_groups", "mode auto", False),
    ("hybrid-with-node-rules", dict(HYBRID, frontend_security_groups=office(), node_rules=PORTS),
     "node_rules", "hybrid", False),
    ("custom-with-backend", dict(CUSTOM, frontend_security_groups=office(), node_rules=PORTS,
                                 backend_security_group="sg-0123456789abcdef0"),
     "backend_security_group", "custom", False),
    ("custom-without-node-rules", dict(CUSTOM, frontend_security_groups=office()), "node_rules", "custom", False),
    ("public-node-cidr", dict(AUTO, node_rules={"cidrs": ["0.0.0.0/0"]}),
     "node_rules.cidrs[0]", "allow_public_node_ports", False),
    ("ipv6-without-dualstack", dict(HYBRID, frontend_security_groups=office(inbound_ipv6_cidrs=["2001:db8::/32"])),
     "frontend_security_groups[0].inbound_ipv6_cidrs", "dualstack", False),
    ("frontend-without-sources", dict(HYBRID, frontend_security_groups=[
        {"name": "kubeguard-office", "listen_ports": ["443"]}]),
     "frontend_security_groups[0]", "inbound_cidrs", False),
    ("controller-label-in-baseline", dict(AUTO, node_security_group_rules=[
        {"proto": "tcp", "ports": ["8443"], "cidr_ip": ["10.0.0.0/16"],
         "description": "debug elbv2.k8s.aws/targetGroupBinding=shared"}]),
     "node_security_group_rules[0].description", "elbv2.k8s.aws/targetGroupBinding=shared", False),
    ("controller-label-in-node-rules", dict(AUTO, node_rules={"description": "elbv2.k8s.aws/targetGroupBinding=shared"}),
     "node_rules.description", "elbv2.k8s.aws/targetGroupBinding=shared", False),
    # 61 separate ports, one rule each (exact), plus the node group's 8 rules: over 60 by 9 or more
    ("over-quota-exact-ports", dict(AUTO, node_rules={"ports_from": "ports", "port_compression": "exact",
                                                     "ports": [str(31000 + 2 * i) for i in range(61)]}),
     "node_rules", "over the quota of 60", QUOTA_READS),
    ("over-quota-small-limit", dict(AUTO, node_rules={"ports_from": "nodeport_range"}, quota={"rules_per_group": 5}),
     "node_rules", "over the quota of 5", QUOTA_READS),
    # issue 10, item 1: the whole IPv4 or IPv6 space in every spelling, in every option that makes node rules
    ("world-netmask", dict(AUTO, node_rules={"cidrs": ["0.0.0.0/0.0.0.0"]}), "node_rules.cidrs[0]",
     "'0.0.0.0/0.0.0.0' is 0.0.0.0/0, which opens the nodes to the internet", False),
    ("world-padded-prefix", dict(AUTO, node_rules={"cidrs": ["0.0.0.0/00"]}), "node_rules.cidrs[0]",
     "allow_public_node_ports", False),
    ("world-leading-space", dict(AUTO, node_rules={"cidrs": [" 0.0.0.0/0"]}), "node_rules.cidrs[0]",
     "allow_public_node_ports", False),
    ("world-ipv6-long-form", dict(AUTO, node_rules={"cidrs": ["0:0:0:0:0:0:0:0/0"]}), "node_rules.cidrs[0]",
     "is ::/0", False),
    ("world-ipv6-zero", dict(AUTO, node_rules={"cidrs": ["::0/0"]}), "node_rules.cidrs[0]", "is ::/0", False),
    ("world-in-baseline", dict(AUTO, node_security_group_rules=[{"proto": "tcp", "ports": ["22"],
                                                                 "cidr_ip": ["10.0.0.0/8", "0.0.0.0/0"]}]),
     "node_security_group_rules[0].cidr_ip", "allow_public_node_ports", False),
    ("world-ipv6-in-baseline", dict(AUTO, node_security_group_rules=[{"proto": "tcp", "ports": ["22"],
                                                                      "cidr_ipv6": ["0::/0"]}]),
     "node_security_group_rules[0].cidr_ipv6", "allow_public_node_ports", False),
    # issue 10, item 9: names, quotas and ports as EKS and the API would refuse them, before any call
    ("cluster-name-empty", dict(AUTO, cluster_name=""), "cluster_name", "not an EKS cluster name", False),
    ("cluster-name-space", dict(AUTO, cluster_name="demo eks"), "cluster_name", "not an EKS cluster name", False),
    ("cluster-name-too-long", dict(AUTO, cluster_name="a" * 101), "cluster_name", "1-100", False),
    ("quota-zero", dict(AUTO, quota={"rules_per_group": 0}), "quota.rules_per_group", "at least 1", False),
    ("quota-negative", dict(AUTO, quota={"rules_per_eni": -5}), "quota.rules_per_eni", "at least 1", False),
    ("node-port-zero", dict(AUTO, node_rules={"ports_from": "ports", "ports": ["0"]}), "node_rules.ports[0]",
     "port 0", False),
    ("node-port-range-from-zero", dict(AUTO, node_rules={"ports_from": "ports", "ports": ["0-1024"]}),
     "node_rules.ports[0]", "port 0", False),
    # issue 10, item 7: every group the options name exists, or nothing is written (two reads find it out)
    ("unknown-source-group", dict(AUTO, node_security_group_rules=[{"proto": "tcp", "ports": ["443"],
                                                                    "group_id": ["sg-0123456789abcdef0"]}]),
     "node_security_group_rules[0].group_id", "sg-0123456789abcdef0 does not exist", LOOKUP_READS),
    ("unknown-protect-group", dict(AUTO, node_rules=PORTS, protect=["sg-0fedcba9876543210"]),
     "protect[0]", "does not exist", LOOKUP_READS),
    ("unknown-backend-group", dict(AUTO, backend_security_group="sg-0aaaaaaaaaaaaaaaa"),
     "backend_security_group", "sg-0aaaaaaaaaaaaaaaa does not exist", LOOKUP_READS),
    ("unknown-frontend-id", dict(HYBRID, frontend_security_groups=[
        {"id": "sg-0cccccccccccccccc", "listen_ports": ["443"], "inbound_cidrs": ["203.0.113.0/24"]}]),
     "frontend_security_groups[0].id", "does not exist", LOOKUP_READS),
]


@pytest.fixture(scope="module")
def outcomes(estate, lbc_module):
    steps = lbc_module.play([{"params": params} for _id, params, *_rest in CASES])
    return dict((case[0], step) for case, step in zip(CASES, steps))


def test_there_are_at_least_35_cases():
    assert len(CASES) >= 35


@pytest.mark.parametrize("case_id, params, path, text, reads", CASES, ids=[c[0] for c in CASES])
def test_bad_input_fails_naming_the_option_path_with_zero_writes(outcomes, estate, case_id, params, path, text,
                                                                  reads):
    step = outcomes[case_id]
    assert step.failed, step
    assert step.writes == 0, step  # the sandbox counted no write call during this run
    assert step.result.get("api_calls", {}).get("writes", 0) == 0, step
    if not reads:
        assert step.all_calls() == {}, step  # validated before any API call
    else:
        assert step.all_calls() == {EC2: reads}, step
    leading = re.match(r"^([A-Za-z_][\w.\[\]]*)", step.msg)
    named = leading.group(1) if leading else ""
    assert named == path, f"message names {named!r}, expected the option path {path!r}: {step.msg}"
    assert text in step.msg, step.msg


def test_bad_input_left_every_group_as_seeded(outcomes, estate):
    for group in estate.groups():
        assert estate.rules(group["GroupId"]) == estate.snapshot.get(group["GroupId"]), group["GroupName"]
