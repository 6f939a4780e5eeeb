# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Per-group plans with the rule engine: the state contract, ownership, protection and quotas."""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules


def current_rules(group: Optional[dict], account_id: Optional[str]) -> List[DescribedRule]:
    return from_ip_permissions(group.get("IpPermissions", []), "ingress", account_id) if group else []


def option_of(spec: Spec, found: Topology, ids: Dict[str, Optional[str]], group_id: str) -> str:
    """The option whose rules land on ``group_id``, for error messages."""
    for frontend in spec.frontends:
        if ids.get(frontend.key) == group_id:
            return frontend.path
    if group_id in found.node_group_ids:
        return "node_rules" if spec.node_rules else "node_security_group_rules"
    return "backend_security_group"


def eni_rule_counts(found: Topology, group_id: str) -> Dict[str, dict]:
    """{eni: {other group on it: its rule counts}} for the node ENIs that carry ``group_id``."""
    counts = {}
    for eni_id, groups in found.eni_groups.items():
        if group_id in groups:
            counts[eni_id] = {
                other: count_rules(current_rules(found.groups.get(other), found.account_id))
                for other in groups
                if other != group_id
            }
    return counts


def plan_groups(
    spec: Spec, found: Topology, ids: Dict[str, Optional[str]], desired: Dict[str, List[DescribedRule]]
) -> Dict[str, Plan]:
    plans = {}
    for group_id, rules in sorted(desired.items()):
        group = found.groups.get(group_id)
        limits = QuotaLimits(
            rules_per_group=spec.limits.rules_per_group,
            rules_per_eni=spec.limits.rules_per_eni,
            eni_groups=eni_rule_counts(found, group_id),
        )
        try:
            plans[group_id] = plan(
                current_rules(group, found.account_id),
                rules,
                spec.state,
                spec.purpose,
                spec.protect,
                group_id=group_id,
                group_tags=(group or {}).get("Tags"),
                directions=("ingress",),
                limits=limits,
            )
        except QuotaError as exc:
            raise InputError(
                option_of(spec, found, ids, group_id),
                f"{exc} (quota.rules_per_group and "
                "quota.rules_per_eni raise the limits for "
                "accounts with higher quotas)",
            ) from exc
    return plans
