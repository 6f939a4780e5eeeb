# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Per-group plans with the rule engine, over both directions.

On top of the engine's protection (the controller's labelled rules, ``protect``):

- EKS' own rules on the cluster group (all traffic from itself; the all-traffic egress to itself that newer
  clusters carry) are protected: EKS puts them back on every cluster update;
- ``unprotect`` patterns lift any protection from the rules they match, on the groups they name;
- a desired rule already covered by a protected rule that stays (EKS' self rule covers every rule between
  the cluster group and itself, as on managed node groups where the nodes carry the cluster group) is not
  written: it is reported as covered;
- the rules the cluster needs (``profiles.REQUIRED`` and their egress mirrors) are desired, so ``overridden``
  never revokes them, and ``deleted`` keeps them unless ``keep_required_rules`` is false.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.desired import Desired
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import Estate
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import protection_reason
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules

EKS_RULE = "EKS' own rule on the cluster security group (EKS restores it on cluster updates)"


@dataclass
class Plans:
    """The plans per group, the desired rules left out as covered, and the warnings of planning."""

    by_group: Dict[str, Plan] = field(default_factory=dict)
    covered: List[dict] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(group_plan.changed for group_plan in self.by_group.values())


def current_rules(group: Optional[dict], account_id: Optional[str]) -> List[DescribedRule]:
    if not group:
        return []
    return from_ip_permissions(group.get("IpPermissions", []), "ingress", account_id) + from_ip_permissions(
        group.get("IpPermissionsEgress", []), "egress", account_id
    )


def eks_patterns(estate: Estate, group_id: str) -> Tuple[ProtectPattern, ...]:
    if group_id != estate.cluster_group_id:
        return ()
    itself = frozenset([Source("group", group_id)])
    return tuple(ProtectPattern(EKS_RULE, direction, ALL_PROTOCOLS, None, itself) for direction in DIRECTIONS)


def covers(outer: Rule, inner: Rule) -> bool:
    """Whether ``outer`` admits everything ``inner`` does (same direction and source)."""
    if outer.direction != inner.direction or outer.source != inner.source:
        return False
    if outer.protocol == ALL_PROTOCOLS:
        return True
    if outer.protocol != inner.protocol or not outer.has_port_range:
        return outer == inner
    return outer.from_port <= inner.from_port and inner.to_port <= outer.to_port


def plan_groups(spec: Spec, estate: Estate, desired: Desired) -> Plans:
    plans = Plans()
    ids = estate.ids()
    protect = spec.protect_patterns(ids)
    unprotect = spec.unprotect_patterns(ids)
    managed = sorted(set(ids["cluster"]) | set(ids["nodes"]) | set(desired.rules))
    for group_id in managed:
        group = estate.groups.get(group_id) or {}
        current = current_rules(group, estate.account_id)
        patterns = protect + eks_patterns(estate, group_id)
        released = tuple(pattern for target, pattern in unprotect if target == group_id)
        kept = [
            entry
            for entry in current
            if not any(p.matches(entry.rule) for p in released) and protection_reason(entry, patterns)
        ]
        wanted = _not_covered(plans, group_id, desired.of(group_id), kept)
        state = spec.state
        if state == "deleted":
            wanted = _keep_required(plans, spec, group_id, wanted, desired)
            state = state if wanted else "merged"  # deleted with nothing listed would remove every owned rule
        try:
            plans.by_group[group_id] = plan(
                current,
                wanted,
                state,
                spec.purpose,
                patterns,
                group_id=group_id,
                group_tags=group.get("Tags"),
                directions=DIRECTIONS,
                limits=_limits(spec, estate, group_id),
                unprotect=released,
            )
        except QuotaError as exc:
            raise InputError(
                "quota", f"{exc} (quota.rules_per_group and quota.rules_per_eni raise the limits)"
            ) from exc
    return plans


def _not_covered(
    plans: Plans, group_id: str, wanted: List[DescribedRule], kept: List[DescribedRule]
) -> List[DescribedRule]:
    left = []
    for entry in wanted:
        cover = next((have for have in kept if have.rule != entry.rule and covers(have.rule, entry.rule)), None)
        if cover is None:
            left.append(entry)
        else:
            plans.covered.append({"group_id": group_id, "rule": str(entry.rule), "covered_by": str(cover)})
    return left


def _keep_required(
    plans: Plans, spec: Spec, group_id: str, wanted: List[DescribedRule], desired: Desired
) -> List[DescribedRule]:
    required = desired.required.get(group_id, set())
    kept = [entry for entry in wanted if entry.rule in required]
    if kept:
        plans.warnings.append(
            f"{group_id}: state deleted keeps {len(kept)} rule(s) the cluster needs "
            f"({'; '.join(str(entry.rule) for entry in kept)}); keep_required_rules: false removes them"
        )
    return [entry for entry in wanted if entry.rule not in required]


def _limits(spec: Spec, estate: Estate, group_id: str) -> QuotaLimits:
    """The quota limits, with the other groups of every node ENI that carries this group."""
    eni_groups = {}
    for eni in estate.enis:
        if group_id in eni["groups"]:
            eni_groups[eni["eni_id"]] = {
                other: count_rules(current_rules(estate.groups.get(other), estate.account_id))
                for other in eni["groups"]
                if other != group_id
            }
    return QuotaLimits(
        rules_per_group=spec.limits.rules_per_group, rules_per_eni=spec.limits.rules_per_eni, eni_groups=eni_groups
    )
