"""The module wires the per-ENI limit: rules of every group on a node ENI count together."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.apply import apply
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NodePorts
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec

PORTS = NodePorts(tuple(str(31000 + i) for i in range(10)))
NODE, OTHER, BACKEND = "sg-0123456789abcdef0", "sg-0fedcba9876543210", "sg-00000000000000001"


def params(**extra):
    base = {
        "cluster_name": "demo-eks",
        "mode": "auto",
        "state": "merged",
        "purpose": "lbc",
        "protect": None,
        "quota": None,
        "frontend_security_groups": None,
        "node_security_group": None,
        "backend_security_group": None,
        "node_rules": {
            "ports_from": "ports",
            "ports": [str(31000 + i) for i in range(10)],
            "port_compression": "exact",
        },
        "node_security_group_rules": None,
        "allow_public_node_ports": False,
        "vpc_id": None,
    }
    base.update(extra)
    return base


def topology(other_rules):
    found = Topology(node_group_ids=[NODE], eni_groups={"eni-1": [NODE, OTHER]})
    found.groups = {
        NODE: {"GroupId": NODE, "IpPermissions": []},
        OTHER: {
            "GroupId": OTHER,
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 1000 + i, "ToPort": 1000 + i, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
                for i in range(other_rules)
            ],
        },
    }
    return found


def test_rules_on_the_other_groups_of_the_eni_count_against_1000():
    spec = Spec.from_params(params())
    found = topology(995)
    ids = {"backend": BACKEND}
    desired = desired_rules(spec, found, ids, PORTS)
    with pytest.raises(InputError) as caught:
        plan_groups(spec, found, ids, desired)
    message = str(caught.value)
    assert message.startswith("node_rules: ") and "eni-1" in message and "1000" in message


def test_the_same_plan_fits_when_the_eni_has_room():
    spec = Spec.from_params(params())
    found = topology(50)
    ids = {"backend": BACKEND}
    plans = plan_groups(spec, found, ids, desired_rules(spec, found, ids, PORTS))
    assert len(plans[NODE].authorize) == 10


class RacingEc2:
    """A fake EC2 whose first authorize hits InvalidPermission.Duplicate (another writer got there first)."""

    def __init__(self, found, races=1):
        self.found, self.races, self.calls = found, races, []

    def authorize(self, group_id, direction, permissions):
        self.calls.append(("authorize", group_id))
        if self.races:
            self.races -= 1
            # the other writer added the same rules: the group now holds them
            self.found.groups[group_id]["IpPermissions"] = permissions
            raise ApiError("authorize_security_group_ingress", "already exists", code="InvalidPermission.Duplicate")
        self.found.groups[group_id]["IpPermissions"] = self.found.groups[group_id]["IpPermissions"] + permissions

    def describe_security_groups(self, filters=None, group_ids=None):
        self.calls.append(("describe", tuple(group_ids or ())))
        return [self.found.groups[g] for g in group_ids or []]


def test_a_duplicate_race_is_read_again_and_converges():

    spec = Spec.from_params(params())
    found = topology(0)
    ec2 = RacingEc2(found)
    actions = []
    ids = {"backend": BACKEND}
    plans, after, replanned = apply(ec2, spec, found, ids, [], lambda: desired_rules(spec, found, ids, PORTS), actions)
    assert ec2.calls[0] == ("authorize", NODE) and ("describe", (NODE,)) in ec2.calls
    assert not replanned[NODE].authorize  # after reading again, nothing is left to add
    assert len(after[NODE]) == 1 and len(after[NODE][0]["ports"]) == 10
    assert actions == []  # the only authorize raced: nothing was written by this run


def test_a_second_race_fails_instead_of_claiming_success():
    spec = Spec.from_params(params())
    found = topology(0)

    class AlwaysRacing(RacingEc2):
        def authorize(self, group_id, direction, permissions):
            self.calls.append(("authorize", group_id))
            raise ApiError("authorize_security_group_ingress", "gone", code="InvalidPermission.NotFound")

    with pytest.raises(PlanError, match="changed again"):
        ids = {"backend": BACKEND}
        apply(AlwaysRacing(found), spec, found, ids, [], lambda: desired_rules(spec, found, ids, PORTS), [])
