# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Applying the plans: create missing groups, then per group one batched call per action and direction,
authorize before revoke (make-before-break) unless a quota forces otherwise.

An ``InvalidPermission.Duplicate`` or ``.NotFound`` means another writer changed the group under the
run: it is read again and planned again, once. Every write that went through is appended to
``actions``, so a failure part-way reports exactly what was done.
"""

from __future__ import annotations

from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import tag_list
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.rule_writes import apply_with_replan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NewGroup
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import current_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan

Ids = Dict[str, Optional[str]]
Desire = Callable[[], Dict[str, List[DescribedRule]]]  # the desired rules per group, from what was read


def create_groups(ec2: Ec2, found: Topology, ids: Ids, create: List[NewGroup], actions: List[dict]) -> None:
    for group in create:
        ids[group.key] = ec2.create_security_group(group.name, group.description, found.vpc_id, group.tags)
        actions.append(
            {"action": "CreateSecurityGroup", "params": {"GroupName": group.name, "GroupId": ids[group.key]}}
        )
        found.groups[ids[group.key]] = {
            "GroupId": ids[group.key],
            "GroupName": group.name,
            "IpPermissions": [],
            "Tags": tag_list(group.tags),
        }
        if group.key == "backend":
            found.backend_id = ids[group.key]
        else:
            found.frontend_ids[group.key] = ids[group.key]


def apply(
    ec2: Ec2, spec: Spec, found: Topology, ids: Ids, create: List[NewGroup], desire: Desire, actions: List[dict]
) -> Tuple[Dict[str, Plan], Dict[str, list], Dict[str, Plan]]:
    """Create groups, apply the plans of ``desire()`` (one re-read and re-plan after a race), read the groups back.

    Returns (the plans applied, the rules after per group as read back, the second plans of raced groups).
    """
    create_groups(ec2, found, ids, create, actions)
    plans = plan_groups(spec, found, ids, desire())

    def replan(raced: List[str]) -> Dict[str, Plan]:
        for group in ec2.describe_security_groups(group_ids=raced):
            found.groups[group["GroupId"]] = group
        replans = plan_groups(spec, found, ids, desire())
        return {group_id: group_plan for group_id, group_plan in replans.items() if group_id in raced}

    again = apply_with_replan(ec2, plans, replan, actions)
    managed = sorted(plans)
    for group in ec2.describe_security_groups(group_ids=managed) if managed else []:
        found.groups[group["GroupId"]] = group
    after = {
        group_id: to_module_format(current_rules(found.groups.get(group_id), found.account_id), "ingress")
        for group_id in managed
    }
    return plans, after, again
