"""eks_cluster_security_groups without AWS: the profiles, the options, the desired rules and the plans."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import Estate
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.plan import covers
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import MINIMUM
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import RECOMMENDED
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.run import rendered
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source

CLUSTER, NODE, OTHER_NODE = "sg-0000000000000c111", "sg-0000000000000a111", "sg-0000000000000a222"
MARKER = "kubeguard:eks-cluster-baseline"


def params(**extra):
    base = {
        "cluster_name": "demo-eks",
        "state": "merged",
        "purpose": "eks-cluster-baseline",
        "baseline": "minimum",
        "egress": "all",
        "nodeport_sources": [],
        "ssh": [],
    }
    base.update(extra)
    return base


def estate(nodes=(NODE,), groups=None, ip_family="ipv4"):
    found = Estate("vpc-1", CLUSTER, (), ip_family, tuple(nodes))
    for group_id in (CLUSTER,) + tuple(nodes):
        found.groups[group_id] = {"GroupId": group_id, "IpPermissions": [], "IpPermissionsEgress": []}
    found.groups.update(groups or {})
    return found


def group_pair(protocol, low, high, source, description=None):
    pair = {"GroupId": source}
    if description:
        pair["Description"] = description
    perm = {"IpProtocol": protocol, "UserIdGroupPairs": [pair]}
    if low is not None:
        perm.update(FromPort=low, ToPort=high)
    return perm


def test_the_tables_name_their_sources_and_recommended_holds_minimum():
    assert {rule.key for rule in MINIMUM} <= {rule.key for rule in RECOMMENDED}
    assert all("EKS user guide" in rule.source for rule in MINIMUM)
    assert all("terraform-aws-eks" in rule.source for rule in RECOMMENDED)
    webhooks = sorted(rule.ports[0] for rule in RECOMMENDED if rule.key.endswith("_webhook"))
    assert webhooks == [4443, 6443, 8443, 9443, 10251]


@pytest.mark.parametrize(
    "spelling", ["0.0.0.0/0", " 0.0.0.0/0", "::/0", "0::/0", "0:0:0:0:0:0:0:0/0", ["0.0.0.0/1", "128.0.0.0/1"]]
)
def test_the_world_is_refused_on_node_ports_in_every_spelling(spelling):
    sources = spelling if isinstance(spelling, list) else [spelling]
    with pytest.raises(InputError, match="NodePort range .* to the whole internet"):
        Spec.from_params(params(nodeport_sources=sources))
    Spec.from_params(params(nodeport_sources=sources, allow_public_node_ports=True))


@pytest.mark.parametrize("port, what", [("22", "SSH"), ("3389", "RDP"), ("10250", "kubelet")])
def test_the_world_is_refused_on_admin_ports_even_with_public_node_ports(port, what):
    rule = {"ports": [port], "cidr_ip": ["0.0.0.0/0"]}
    with pytest.raises(InputError, match=what):
        Spec.from_params(params(extra_rules=[rule], allow_public_node_ports=True))


def test_half_the_world_is_not_the_world():
    Spec.from_params(params(ssh=["0.0.0.0/1"]))
    Spec.from_params(params(extra_rules=[{"ports": ["22"], "cidr_ip": ["0.0.0.0/0"], "direction": "egress"}]))


def test_restricted_egress_mirrors_every_rule_between_the_groups():
    spec = Spec.from_params(params(egress="restricted"))
    desired = desired_rules(spec, estate())
    node_egress = {rule for rule in desired.rules[NODE] if rule.direction == "egress"}
    assert Rule("egress", "tcp", 443, 443, Source("group", CLUSTER)) in node_egress
    assert Rule("egress", "udp", 53, 53, Source("group", NODE)) in node_egress
    cluster_egress = {rule for rule in desired.rules[CLUSTER] if rule.direction == "egress"}
    assert cluster_egress == {Rule("egress", "tcp", 10250, 10250, Source("group", NODE))}
    assert not any(rule.source.kind == "ipv4" for rules in desired.rules.values() for rule in rules)


def test_all_egress_on_ipv6_clusters_covers_both_families():
    desired = desired_rules(Spec.from_params(params()), estate(ip_family="ipv6"))
    world = {rule.source.value for rule in desired.rules[NODE] if rule.direction == "egress"}
    assert world == {"0.0.0.0/0", "::/0"}


def test_two_node_groups_reach_each_other_and_symbols_resolve():
    spec = Spec.from_params(params(extra_rules=[{"ports": ["15017"], "group_id": ["cluster"], "group": "nodes"}]))
    desired = desired_rules(spec, estate(nodes=(NODE, OTHER_NODE)))
    for group in (NODE, OTHER_NODE):
        sources = {rule.source.value for rule in desired.rules[group] if rule.protocol == "udp"}
        assert sources == {NODE, OTHER_NODE}
        assert Rule("ingress", "tcp", 15017, 15017, Source("group", CLUSTER)) in desired.rules[group]


def test_the_eks_self_rule_is_protected_and_covers_rules_between_the_cluster_group_and_itself():
    """Managed node groups: the nodes carry the cluster group, so the profile's rules are all self rules."""
    found = estate(nodes=(CLUSTER,))
    found.groups[CLUSTER]["IpPermissions"] = [group_pair("-1", None, None, CLUSTER)]
    found.groups[CLUSTER]["IpPermissionsEgress"] = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    spec = Spec.from_params(params(state="overridden"))
    plans = plan_groups(spec, found, desired_rules(spec, found))
    plan = plans.by_group[CLUSTER]
    assert not plan.authorize and not plan.revoke
    assert len(plans.covered) == 4 and plans.covered[0]["covered_by"] == f"ingress all from {CLUSTER}"


def test_overridden_revokes_the_rest_but_not_the_controller_rule():
    found = estate()
    found.groups[NODE]["IpPermissions"] = [
        group_pair("tcp", 30000, 32767, "sg-0000000000000b111", "elbv2.k8s.aws/targetGroupBinding=shared"),
        group_pair("tcp", 1025, 65535, NODE, "hand-made"),
    ]
    spec = Spec.from_params(params(state="overridden"))
    plan = plan_groups(spec, found, desired_rules(spec, found)).by_group[NODE]
    assert [str(entry.rule) for entry in plan.revoke] == [f"ingress tcp 1025-65535 from {NODE}"]
    assert [entry.rule.from_port for entry in plan.protected_kept] == [30000]
    assert all(MARKER in entry.description for entry in plan.authorize)


def test_deleted_keeps_the_required_rules_and_never_deletes_everything_owned():
    found = estate()
    found.groups[NODE]["IpPermissions"] = [group_pair("tcp", 10250, 10250, CLUSTER, f"kubelet {MARKER}")]
    spec = Spec.from_params(params(state="deleted"))
    plans = plan_groups(spec, found, desired_rules(spec, found))
    assert not plans.by_group[NODE].revoke and "keep_required_rules: false" in plans.warnings[0]
    spec = Spec.from_params(params(state="deleted", keep_required_rules=False))
    assert [e.rule.from_port for e in plan_groups(spec, found, desired_rules(spec, found)).by_group[NODE].revoke] == [
        10250
    ]


def test_covers():
    tcp = Rule("ingress", "tcp", 1025, 65535, Source("group", NODE))
    assert covers(tcp, Rule("ingress", "tcp", 8080, 8080, Source("group", NODE)))
    assert not covers(tcp, Rule("ingress", "udp", 8080, 8080, Source("group", NODE)))
    assert not covers(tcp, Rule("ingress", "tcp", 53, 53, Source("group", NODE)))
    assert not covers(tcp, Rule("egress", "tcp", 8080, 8080, Source("group", NODE)))


def test_rendered_uses_symbols_and_needs_no_estate():
    result = rendered(Spec.from_params(params(baseline="recommended", egress="restricted", state="rendered")))
    groups = {item["group"] for item in result["rules"]}
    assert groups == {"<cluster security group>", "<node security group>"}
    assert any(item["why"][0].startswith("node_ingress_cluster_9443_webhook.egress") for item in result["rules"])


def test_unprotect_must_name_a_rule():
    with pytest.raises(InputError, match="unprotect\\[0\\]: name the rule to release"):
        Spec.from_params(params(unprotect=[{"group": "nodes", "direction": "ingress"}]))
    Spec.from_params(params(unprotect=[{"group": "cluster", "proto": "all", "group_id": ["cluster"]}]))


class _Groups:
    """An Ec2 stand-in for the cluster-group lookup by tag."""

    def __init__(self, groups):
        self.groups, self.filters = groups, []

    def describe_security_groups(self, filters=None, group_ids=None):
        self.filters.append(filters)
        return self.groups


def test_the_cluster_group_falls_back_to_the_tags_eks_sets_and_a_given_one_must_be_the_clusters():
    from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import _cluster_group

    spec = Spec.from_params(params())
    ec2 = _Groups(
        [
            {
                "GroupId": CLUSTER,
                "Tags": [
                    {"Key": "aws:eks:cluster-name", "Value": "demo-eks"},
                    {"Key": "kubernetes.io/cluster/demo-eks", "Value": "owned"},
                ],
            }
        ]
    )
    assert _cluster_group(ec2, spec, {}, "vpc-1") == CLUSTER
    assert ec2.filters == [{"vpc-id": ["vpc-1"], "tag:aws:eks:cluster-name": ["demo-eks"]}]
    assert _cluster_group(_Groups([]), spec, {"clusterSecurityGroupId": CLUSTER}, "vpc-1") == CLUSTER
    with pytest.raises(InputError, match="cluster_security_group: EKS names no cluster security group"):
        _cluster_group(_Groups([]), spec, {}, "vpc-1")
    given = Spec.from_params(params(cluster_security_group=NODE))
    with pytest.raises(InputError, match=f"{NODE} is not a control-plane group of demo-eks"):
        _cluster_group(_Groups([]), given, {"clusterSecurityGroupId": CLUSTER}, "vpc-1")
    assert (
        _cluster_group(_Groups([]), given, {"clusterSecurityGroupId": CLUSTER, "securityGroupIds": [NODE]}, "vpc-1")
        == NODE
    )
