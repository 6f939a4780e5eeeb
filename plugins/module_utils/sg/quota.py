# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Quota checks made before any write, and the make-before-break order they allow.

How rules are counted (VPC quotas, amazon-vpc-user-guide ``amazon-vpc-limits.md``; see
docs reference aws-lbc-eks.md C.5):

* Per security group, per direction, per address family: 60 rules by default
  (``QuotaLimits.rules_per_group``; the quota L-0EA8095F can be raised, and one value
  applies to inbound and outbound). IPv4 and IPv6 rules are counted separately.
* A CIDR rule counts 1 in its family.
* A rule referencing a security group counts 1 in IPv4 **and** 1 in IPv6: the VPC guide
  has counted a group reference as "one IPv4 rule and one IPv6 rule", which is the
  conservative reading (C.5); a plan that passes here cannot fail on either family.
* A prefix-list rule counts the list's *max entries* (not its current entries). The caller
  supplies ``prefix_list_sizes``: ``{pl-id: max_entries}`` (counted in both families, as
  the family is unknown) or ``{pl-id: (max_entries, "ipv4"|"ipv6")}`` / ``{pl-id:
  {"max_entries": n, "family": "IPv4"}}`` (the DescribeManagedPrefixLists fields). A
  referenced list missing from the mapping is a PlanError: it cannot be counted.
* Per network interface: the rules of all its security groups, per direction and family,
  at most ``rules_per_eni`` (1000). The caller lists the ENIs the plan's group is attached
  to in ``eni_groups: {eni-id: {other-sg-id: counts}}`` where counts is what
  ``count_rules`` returns for that group, or one int applied to every direction/family.

A plan fails (QuotaError, nothing written) when, after it, a direction/family it adds rules
to is over a limit; a bucket the plan does not add to is never blamed, so a no-op run on a
group over a lowered limit still passes. When authorizing first would cross a limit on the
way but the end state fits, the plan is reordered to revoke first, with a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple
from typing import Union

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import FAMILIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaOverage
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import as_int
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import unique_rules

DEFAULT_RULES_PER_GROUP = 60
DEFAULT_RULES_PER_ENI = 1000
BUCKETS = tuple((direction, family) for direction in DIRECTIONS for family in FAMILIES)

Counts = Dict[Tuple[str, str], int]


@dataclass(frozen=True)
class QuotaLimits:
    """The limits, and what the caller knows about prefix lists and the groups' ENIs."""

    rules_per_group: int = DEFAULT_RULES_PER_GROUP
    rules_per_eni: int = DEFAULT_RULES_PER_ENI
    prefix_list_sizes: Mapping = field(default_factory=dict)
    eni_groups: Mapping = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("rules_per_group", "rules_per_eni"):
            value = as_int(getattr(self, name), f"quota.{name}")
            if value < 1:
                raise InputError(f"quota.{name}", f"{value} must be at least 1")
            object.__setattr__(self, name, value)
        if self.rules_per_group > self.rules_per_eni:
            raise InputError(
                "quota.rules_per_group", f"{self.rules_per_group} is more than rules_per_eni ({self.rules_per_eni})"
            )
        for name in ("prefix_list_sizes", "eni_groups"):
            if not isinstance(getattr(self, name) or {}, Mapping):
                raise InputError(f"quota.{name}", "must be a mapping")


def as_limits(limits: Optional[Union[QuotaLimits, Mapping[str, Any]]]) -> QuotaLimits:
    """None -> defaults; a mapping -> QuotaLimits(**mapping); a QuotaLimits as is."""
    if limits is None:
        return QuotaLimits()
    if isinstance(limits, QuotaLimits):
        return limits
    if isinstance(limits, Mapping):
        unknown = sorted(set(limits) - {f.name for f in dataclasses.fields(QuotaLimits)})
        if unknown:
            raise InputError(f"quota.{unknown[0]}", "unknown option")
        return QuotaLimits(**{key: value for key, value in limits.items() if value is not None})
    raise PlanError(f"quota limits must be a QuotaLimits or a mapping, got {type(limits).__name__}")


def _zero() -> Counts:
    return dict.fromkeys(BUCKETS, 0)


def prefix_list_weight(prefix_list_id: str, sizes: Mapping) -> Tuple[int, Tuple[str, ...]]:
    """(max entries, families it counts in) of a referenced prefix list."""
    if prefix_list_id not in (sizes or {}):
        raise PlanError(
            f"the maximum number of entries of prefix list {prefix_list_id} is not known, so the "
            "rules cannot be counted against the quota (DescribeManagedPrefixLists MaxEntries)"
        )
    value = sizes[prefix_list_id]
    path = f"quota.prefix_list_sizes.{prefix_list_id}"
    family = None
    if isinstance(value, Mapping):
        size, family = (
            value.get("max_entries", value.get("MaxEntries")),
            value.get("family", value.get("AddressFamily")),
        )
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        size, family = value
    else:
        size = value
    size = as_int(size, path)
    if size < 1:
        raise InputError(path, f"{size} max entries must be at least 1")
    if family is None:
        return size, FAMILIES
    family = str(family).lower()
    if family not in FAMILIES:
        raise InputError(path, f"family {family!r} is not ipv4 or ipv6")
    return size, (family,)


def count_rules(
    rules: Iterable[Union[Rule, DescribedRule]], prefix_list_sizes: Optional[Mapping[str, Any]] = None
) -> Counts:
    """Quota units per (direction, family) for the rules of one group (see the module docstring)."""
    counts = _zero()
    families: Tuple[str, ...]
    for entry in unique_rules(rules):
        rule = entry.rule
        kind = rule.source.kind
        if kind in FAMILIES:
            weight, families = 1, (kind,)
        elif kind == "group":
            weight, families = 1, FAMILIES
        else:
            weight, families = prefix_list_weight(rule.source.value, prefix_list_sizes or {})
        for family in families:
            counts[(rule.direction, family)] += weight
    return counts


def _other_counts(value: Any, path: str) -> Counts:
    if isinstance(value, Mapping):
        counts = _zero()
        for key, number in value.items():
            bucket = tuple(key.split("/", 1)) if isinstance(key, str) else tuple(key)
            if bucket not in counts:
                raise InputError(path, f"{key!r} is not a direction/family such as 'ingress/ipv4'")
            counts[bucket] = as_int(number, path)
        return counts
    number = as_int(value, path)
    return dict.fromkeys(BUCKETS, number)


def _family_text(family: str) -> str:
    return "IPv4" if family == "ipv4" else "IPv6"


def _eni_others(limits: QuotaLimits, eni_id: str, group_id: Optional[str]) -> Counts:
    """The rules of the other groups on one ENI, per (direction, family)."""
    others = _zero()
    for other, value in (limits.eni_groups[eni_id] or {}).items():
        if other == group_id:
            continue
        for bucket, number in _other_counts(value, f"quota.eni_groups.{eni_id}.{other}").items():
            others[bucket] += number
    return others


def check_quota(
    current: Iterable[Union[Rule, DescribedRule]],
    plan: Any,
    limits: Optional[Union[QuotaLimits, Mapping[str, Any]]] = None,
) -> Any:
    """Check ``plan`` (a Plan for the group whose rules are ``current``) against the limits.

    Returns the plan, reordered to revoke first (with a warning) when authorizing first
    would cross a limit on the way; raises QuotaError naming the group or ENI, direction,
    family and the excess when the end state is over a limit the plan adds rules to.
    """
    limits = as_limits(limits)
    current = unique_rules(current)
    present = {entry.rule for entry in current}
    revoked = {entry.rule for entry in plan.revoke}
    added_rules = [entry for entry in unique_rules(plan.authorize) if entry.rule not in present]
    sizes = limits.prefix_list_sizes
    added = count_rules(added_rules, sizes)
    final = count_rules([entry for entry in current if entry.rule not in revoked] + added_rules, sizes)
    peak = count_rules(current + added_rules, sizes)
    group = plan.group_id or "security group"

    overages: List[QuotaOverage] = []
    crossings: List[Tuple[str, str, int, int, str]] = []
    for bucket in BUCKETS:
        if added[bucket] and final[bucket] > limits.rules_per_group:
            overages.append(QuotaOverage("group", group, bucket[0], bucket[1], final[bucket], limits.rules_per_group))
        elif added[bucket] and peak[bucket] > limits.rules_per_group:
            crossings.append((bucket[0], bucket[1], peak[bucket], limits.rules_per_group, "the per-group quota"))
    for eni_id in sorted(limits.eni_groups or {}):
        others = _eni_others(limits, eni_id, plan.group_id)
        for bucket in BUCKETS:
            if added[bucket] and others[bucket] + final[bucket] > limits.rules_per_eni:
                total = others[bucket] + final[bucket]
                overages.append(QuotaOverage("eni", eni_id, bucket[0], bucket[1], total, limits.rules_per_eni))
            elif added[bucket] and others[bucket] + peak[bucket] > limits.rules_per_eni:
                total, what = others[bucket] + peak[bucket], f"the per-interface limit on {eni_id}"
                crossings.append((bucket[0], bucket[1], total, limits.rules_per_eni, what))
    if overages:
        raise QuotaError(overages)
    if not crossings or plan.revoke_first:
        return plan
    direction, family, count, limit, what = crossings[0]
    warning = (
        f"{group}: revoking {len(plan.revoke)} rule(s) before authorizing {len(plan.authorize)}, because "
        f"authorizing first would take {direction} {_family_text(family)} rules to {count}, over {what} "
        f"({limit}); until the new rules are in place, traffic only the revoked rules allowed is refused"
    )
    return dataclasses.replace(plan, revoke_first=True, warnings=tuple(plan.warnings) + (warning,))
