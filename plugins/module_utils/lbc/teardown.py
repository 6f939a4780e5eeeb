# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``state: deleted`` with nothing listed: everything this collection owns for the cluster goes.

Every rule carrying the marker goes from the node groups, the controller's backend group and the
frontend groups this collection created; then each group it created (tags ``kubeguard.netsec/managed-by``
and ``kubeguard.netsec/cluster``) is deleted, unless something still uses it: a network interface (a
load balancer, a node), or a rule of another group that the run does not revoke.
"""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import CLUSTER_TAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import MANAGED_BY_TAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import current_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict


def created_groups(spec: Spec, found: Topology) -> List[str]:
    """The groups this collection created for the cluster (it never deletes another one)."""
    return sorted(
        group_id
        for group_id, group in found.groups.items()
        if tag_dict(group.get("Tags")).get(MANAGED_BY_TAG) == "kubeguard.netsec"
        and tag_dict(group.get("Tags")).get(CLUSTER_TAG) == spec.cluster
    )


def teardown_desired(spec: Spec, found: Topology) -> Dict[str, List[DescribedRule]]:
    """Every group that may hold our rules, with nothing desired: ``deleted`` then revokes every owned rule."""
    groups = set(found.node_group_ids) | set(created_groups(spec, found))
    if found.backend_id:
        groups.add(found.backend_id)
    return {group_id: [] for group_id in sorted(groups)}


def _users(ec2: Ec2, group_id: str, plans: Dict[str, Plan], account_id: Optional[str]) -> List[str]:
    """What still uses the group once the plans are applied: network interfaces, and groups whose rules
    from it are not all being revoked."""
    users = [eni["NetworkInterfaceId"] for eni in ec2.describe_network_interfaces({"group-id": [group_id]})]
    for other in ec2.describe_security_groups({"ip-permission.group-id": [group_id]}):
        if other["GroupId"] == group_id:
            continue
        revoked = {entry.rule for entry in plans[other["GroupId"]].revoke} if other["GroupId"] in plans else set()
        referencing = [
            entry
            for entry in current_rules(other, account_id)
            if entry.rule.source.value == group_id and entry.rule not in revoked
        ]
        if referencing:
            users.append(f"rules of {other['GroupId']}")
    return users


def delete_unused(
    ec2: Ec2, spec: Spec, found: Topology, plans: Dict[str, Plan], check_mode: bool, actions: List[dict]
) -> Tuple[List[str], Dict[str, List[str]]]:
    """(groups deleted, or that would be in check mode; {group kept: what uses it})."""
    deleted, kept = [], {}
    for group_id in created_groups(spec, found):
        users = _users(ec2, group_id, plans, found.account_id)
        if users:
            kept[group_id] = users
            continue
        if not check_mode:
            ec2.delete_security_group(group_id)
            actions.append({"action": "DeleteSecurityGroup", "params": {"GroupId": group_id}})
        deleted.append(group_id)
    return deleted, kept
