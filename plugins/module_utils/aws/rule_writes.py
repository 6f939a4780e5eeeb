# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Writing the rule engine's plans to EC2: one batched call per action and direction, in the plan's order.

An ``InvalidPermission.Duplicate`` or ``.NotFound`` means another writer changed the group under the run;
``apply_plans`` stops that group's calls and returns it, for the caller to read it again and plan again.
Every write that went through is appended to ``actions``, so a failure part-way reports exactly what was done.
"""

from __future__ import annotations

from typing import Callable
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import render_calls

CONFLICT_CODES = ("InvalidPermission.Duplicate", "InvalidPermission.NotFound")


def execute(ec2: Ec2, call: dict) -> None:
    """One rendered call (Authorize/Revoke/UpdateSecurityGroupRuleDescriptions, Ingress or Egress)."""
    action, params = call["action"], call["params"]
    direction = "ingress" if action.endswith("Ingress") else "egress"
    if action.startswith("Authorize"):
        ec2.authorize(params["GroupId"], direction, params["IpPermissions"])
    elif action.startswith("Revoke"):
        ec2.revoke(params["GroupId"], direction, params["IpPermissions"])
    else:
        ec2.update_descriptions(params["GroupId"], direction, params["IpPermissions"])


def apply_plans(ec2: Ec2, plans: Dict[str, Plan], actions: List[dict]) -> List[str]:
    """Run every plan's calls; returns the group ids whose calls hit a Duplicate/NotFound race."""
    raced = []
    for group_id, group_plan in plans.items():
        for call in render_calls(group_plan):
            try:
                execute(ec2, call)
            except ApiError as exc:
                if exc.code not in CONFLICT_CODES:
                    raise
                raced.append(group_id)
                break
            actions.append(call)
    return raced


def apply_with_replan(
    ec2: Ec2, plans: Dict[str, Plan], replan: Callable[[List[str]], Dict[str, Plan]], actions: List[dict]
) -> Dict[str, Plan]:
    """Apply ``plans``; the groups someone changed under the run are handed to ``replan`` (which reads them again
    and returns their new plans) and applied once more. Returns those second plans; a second race is a PlanError
    that names the groups, with nothing more done to them."""
    raced = apply_plans(ec2, plans, actions)
    if not raced:
        return {}
    again = replan(raced)
    still = apply_plans(ec2, again, actions)
    if still:
        raise PlanError(
            f"{', '.join(still)} changed again while being updated; nothing more was done to them, run again"
        )
    return again
