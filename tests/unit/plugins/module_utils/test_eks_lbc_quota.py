"""The module wires the per-ENI limit: rules of every group on a node ENI count together."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils import eks_lbc as lbc
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import RuleInputError

NODE, OTHER, BACKEND = "sg-0123456789abcdef0", "sg-0fedcba9876543210", "sg-00000000000000001"


def params(**extra):
    base = dict(cluster_name="demo-eks", mode="auto", state="merged", purpose="lbc", protect=None, quota=None,
                frontend_security_groups=None, node_security_group=None, backend_security_group=None,
                node_rules={"ports_from": "ports", "ports": [str(31000 + i) for i in range(10)],
                            "port_compression": "exact"},
                node_security_group_rules=None, allow_public_node_ports=False, vpc_id=None)
    base.update(extra)
    return base


def topology(other_rules):
    found = lbc.Topology()
    found.node_group_ids = [NODE]
    found.eni_groups = {"eni-1": [NODE, OTHER]}
    found.groups = {NODE: {"GroupId": NODE, "IpPermissions": []},
                    OTHER: {"GroupId": OTHER, "IpPermissions": [
                        {"IpProtocol": "tcp", "FromPort": 1000 + i, "ToPort": 1000 + i,
                         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]} for i in range(other_rules)]}}
    return found


def test_rules_on_the_other_groups_of_the_eni_count_against_1000():
    spec = lbc.Spec(params())
    found = topology(995)
    ids = {"backend": BACKEND}
    desired = lbc.desired_rules(spec, found, ids, [str(31000 + i) for i in range(10)])
    with pytest.raises(RuleInputError) as caught:
        lbc.plan_groups(spec, found, ids, desired)
    message = str(caught.value)
    assert message.startswith("node_rules: ") and "eni-1" in message and "1000" in message


def test_the_same_plan_fits_when_the_eni_has_room():
    spec = lbc.Spec(params())
    found = topology(50)
    ids = {"backend": BACKEND}
    plans = lbc.plan_groups(spec, found, ids, lbc.desired_rules(spec, found, ids, [str(31000 + i) for i in range(10)]))
    assert len(plans[NODE].authorize) == 10
