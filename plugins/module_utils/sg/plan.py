# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ownership, protection and the per-group plan for the state contract.

Owned: a rule whose description carries the marker ``kubeguard:<purpose>`` for the
plan's purpose (several purposes can share a group without touching each other's rules).

Protected (never revoked, never re-described, whatever the state):

* rules whose description mentions ``elbv2.k8s.aws/targetGroupBinding=shared``, the AWS
  Load Balancer Controller's label (any case; the controller's own parsing is available as
  ``is_controller_owned``);
* every rule of a controller-managed frontend group (tag ``ingress.k8s.aws/resource`` or
  ``service.k8s.aws/resource`` = ``ManagedLBSecurityGroup``); the controller revokes
  anything added there, so a plan that would add to such a group is a PlanError;
* what the ``protect`` option lists (the ``unprotect`` argument of ``plan`` lifts every protection from the
  rules its patterns match, for the caller that lets a user release a rule by listing it): a security group
  id (``sg-...`` or ``<account>/sg-...``) protects every rule whose source is that group; a dict in the
  module input format is a pattern in which every key given must match and a missing key
  matches anything (``ports`` match a rule whose range lies inside one of them, ``icmp_type``
  /``icmp_code`` of -1 match any, and an extra ``direction`` key is allowed).

``plan(current, desired, state, purpose, ...)`` for one group, over the directions it
manages (rules of other directions are ignored):

``merged``      authorize what is missing; never revoke.
``replaced``    also revoke current rules that are owned and not desired.
``overridden``  also revoke every current rule not desired, unless protected; a rule written by this
                collection for another purpose (``kubeguard:<other>``) is that purpose's to remove, and is
                kept (two modules composed on one group, each ``overridden``, would otherwise revoke each
                other's rules on every run).
``deleted``     revoke the desired (listed) rules that exist, unless protected; with an
                empty list, every owned rule.

Rules written get the marker appended to their description. A rule that exists without the
marker is never taken over: it satisfies the desired rule as it is (``unowned_satisfying``), keeps
its description, and so stays out of reach of ``replaced`` and ``deleted``. A description of our
own is updated only when the desired rule has one and the current one differs (never to clear it,
never on a protected rule). ``Plan`` partitions the current rules into ``unchanged``, ``revoke``,
``protected_kept`` and the old side of ``update_descriptions``; the order is authorize
before revoke (make-before-break) unless the quota check makes it revoke first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import FrozenSet
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple
from typing import Union

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import RULE_OPTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import parse_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import parse_sources
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ICMP_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import PORT_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import build_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_purpose
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import has_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import marker_purposes
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import mentions_controller_label
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_protocol
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import unique_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import with_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import check_quota

STATES = ("merged", "replaced", "overridden", "deleted")
MANAGED_GROUP_TAG_KEYS = ("ingress.k8s.aws/resource", "service.k8s.aws/resource")
MANAGED_GROUP_TAG_VALUE = "ManagedLBSecurityGroup"
PROTECT_OPTIONS = tuple(option for option in RULE_OPTIONS if option != "description") + ("direction",)
_MAX_LISTED = 5


@dataclass(frozen=True)
class ProtectPattern:
    """One ``protect`` entry; None fields match anything."""

    origin: str
    direction: Optional[str] = None
    protocol: Optional[str] = None
    ranges: Optional[Tuple[Tuple[int, int], ...]] = None
    sources: Optional[FrozenSet[Source]] = None

    def matches(self, rule: Rule) -> bool:
        if self.direction is not None and rule.direction != self.direction:
            return False
        if self.protocol is not None and rule.protocol != self.protocol:
            return False
        if self.sources is not None and rule.source not in self.sources:
            return False
        if self.ranges is None:
            return True
        if rule.protocol in ICMP_PROTOCOLS:
            return any(low in (-1, rule.from_port) and high in (-1, rule.to_port) for low, high in self.ranges)
        if rule.protocol in PORT_PROTOCOLS:
            return any(low <= rule.from_port and rule.to_port <= high for low, high in self.ranges)
        return False


def parse_protect(protect: Any, path: str = "protect") -> Tuple[ProtectPattern, ...]:
    """The ``protect`` option: security group ids and module-format rule patterns."""
    if protect is None:
        return ()
    if isinstance(protect, (str, dict, ProtectPattern)) or not isinstance(protect, (list, tuple)):
        raise InputError(path, "must be a list of security group ids and rule patterns")
    patterns = []
    for index, item in enumerate(protect):
        item_path = f"{path}[{index}]"
        if isinstance(item, ProtectPattern):
            patterns.append(item)
        elif isinstance(item, str):
            patterns.append(ProtectPattern(item_path, sources=frozenset([parse_group_id(item, item_path)])))
        elif isinstance(item, dict):
            patterns.append(_parse_pattern(item, item_path))
        else:
            raise InputError(
                item_path, f"must be a security group id or a rule pattern (dict), got {type(item).__name__}"
            )
    return tuple(patterns)


def _parse_pattern(spec: dict, path: str) -> ProtectPattern:
    spec = {key: value for key, value in spec.items() if value is not None}
    unknown = sorted(key for key in spec if key not in PROTECT_OPTIONS)
    if unknown:
        raise InputError(f"{path}.{unknown[0]}", f"unknown option; known options are {', '.join(PROTECT_OPTIONS)}")
    if not spec:
        raise InputError(path, "is empty, which would protect every rule; name a proto, ports or a source")
    direction = spec.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        raise InputError(f"{path}.direction", f"{direction!r} is not one of {', '.join(DIRECTIONS)}")
    protocol = normalise_protocol(spec["proto"], f"{path}.proto") if "proto" in spec else None
    ranges = None
    if any(option in spec for option in ("ports", "from_port", "to_port", "icmp_type", "icmp_code")):
        if protocol is None and ("icmp_type" in spec or "icmp_code" in spec):
            raise InputError(f"{path}.proto", "is needed with icmp_type/icmp_code (icmp or icmpv6)")
        ranges = tuple(parse_ports(spec, protocol or "tcp", path))
        if protocol is not None and protocol not in PORT_PROTOCOLS + ICMP_PROTOCOLS:
            ranges = None
    sources = parse_sources(spec, path, required=False)
    return ProtectPattern(path, direction, protocol, ranges, frozenset(sources) if sources else None)


def tag_dict(tags: Any) -> dict:
    """Tags as a dict, from a dict or from EC2's [{"Key": ..., "Value": ...}] list."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return dict(tags)
    return {tag.get("Key"): tag.get("Value") for tag in tags}


def is_controller_managed_group(tags: Any) -> bool:
    """True for a frontend group the controller created and reconciles (dict or EC2 tag list)."""
    tags = tag_dict(tags)
    return any(tags.get(key) == MANAGED_GROUP_TAG_VALUE for key in MANAGED_GROUP_TAG_KEYS)


def protection_reason(
    entry: Union[Rule, DescribedRule], patterns: Iterable[ProtectPattern] = (), managed_group: bool = False
) -> Optional[str]:
    """Why a current rule is protected, or None."""
    if not isinstance(entry, DescribedRule):
        entry = DescribedRule(entry)
    if mentions_controller_label(entry.description):
        return f"carries the controller label {CONTROLLER_LABEL}"
    if managed_group:
        return "is on a controller-managed frontend group"
    for pattern in patterns:
        if pattern.matches(entry.rule):
            return f"matches {pattern.origin}"
    return None


def is_owned(entry: DescribedRule, purpose: str) -> bool:
    """Owned by this purpose: the description carries ``kubeguard:<purpose>``."""
    return has_marker(entry.description, purpose)


def _sorted(entries: Iterable[DescribedRule]) -> Tuple[DescribedRule, ...]:
    return tuple(sorted(entries, key=lambda entry: entry.sort_key()))


@dataclass(frozen=True)
class Plan:
    """What to do on one group; every list holds DescribedRules, sorted."""

    group_id: Optional[str]
    state: str
    purpose: str
    authorize: Tuple[DescribedRule, ...] = ()
    revoke: Tuple[DescribedRule, ...] = ()
    update_descriptions: Tuple[DescribedRule, ...] = ()
    replaced_descriptions: Tuple[DescribedRule, ...] = ()
    unchanged: Tuple[DescribedRule, ...] = ()
    protected_kept: Tuple[DescribedRule, ...] = ()
    warnings: Tuple[str, ...] = ()
    revoke_first: bool = False
    directions: Tuple[str, ...] = field(default=DIRECTIONS)
    unowned_satisfying: Tuple[DescribedRule, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.authorize or self.revoke or self.update_descriptions)

    @property
    def order(self) -> Tuple[str, ...]:
        if self.revoke_first:
            return ("revoke", "authorize", "update_descriptions")
        return ("authorize", "update_descriptions", "revoke")

    def before(self) -> List[DescribedRule]:
        """The current rules of the managed directions, as read."""
        return list(_sorted(self.unchanged + self.protected_kept + self.revoke + self.replaced_descriptions))

    def after(self) -> List[DescribedRule]:
        """The rules of the managed directions once the plan is applied."""
        return list(_sorted(self.unchanged + self.protected_kept + self.update_descriptions + self.authorize))

    def to_dict(self) -> dict:
        """The plan in the module input format, per direction, for the module's return value."""

        def per_direction(entries: Iterable[DescribedRule]) -> Dict[str, List[dict]]:
            return {direction: to_module_format(entries, direction) for direction in self.directions}

        return {
            "group_id": self.group_id,
            "state": self.state,
            "changed": self.changed,
            "order": list(self.order),
            "authorize": per_direction(self.authorize),
            "revoke": per_direction(self.revoke),
            "update_descriptions": per_direction(self.update_descriptions),
            "protected_kept": per_direction(self.protected_kept),
            "unowned_satisfying": per_direction(self.unowned_satisfying),
            "warnings": list(self.warnings),
        }


def _listing(entries: List[Tuple[DescribedRule, str]]) -> str:
    shown = "; ".join(f"{entry.rule} ({reason})" for entry, reason in entries[:_MAX_LISTED])
    if len(entries) > _MAX_LISTED:
        shown += f"; and {len(entries) - _MAX_LISTED} more"
    return shown


@dataclass
class _Work:
    """The working state of one ``plan()``: what was read, and the lists being filled."""

    state: str
    purpose: str
    label: str
    patterns: Tuple[ProtectPattern, ...]
    managed_group: bool
    present: dict
    authorize: List[DescribedRule] = field(default_factory=list)
    revoke: List[DescribedRule] = field(default_factory=list)
    updates: List[DescribedRule] = field(default_factory=list)
    replaced: List[DescribedRule] = field(default_factory=list)
    unchanged: List[DescribedRule] = field(default_factory=list)
    kept: List[DescribedRule] = field(default_factory=list)
    blocked: List[Tuple[DescribedRule, str]] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    handled: set = field(default_factory=set)
    unowned: List[DescribedRule] = field(default_factory=list)
    adopt: FrozenSet[Any] = frozenset()
    unprotect: Tuple[ProtectPattern, ...] = ()

    def protection(self, entry: DescribedRule) -> Optional[str]:
        if any(pattern.matches(entry.rule) for pattern in self.unprotect):
            return None
        reason = protection_reason(entry, self.patterns, self.managed_group)
        others = [purpose for purpose in marker_purposes(entry.description) if purpose != self.purpose]
        if reason is None and self.state == "overridden" and others and not is_owned(entry, self.purpose):
            reason = f"was written by this collection for kubeguard:{others[0]} (that purpose removes it)"
        return reason

    def remove(self, entry: DescribedRule) -> None:
        """Revoke ``entry``, unless it is protected: then keep it and say why."""
        self.handled.add(entry.rule)
        reason = self.protection(entry)
        if reason:
            self.kept.append(entry)
            self.blocked.append((entry, reason))
        else:
            self.revoke.append(entry)


def _check_arguments(state: str, purpose: str, directions: Iterable[str]) -> Tuple[str, ...]:
    if state not in STATES:
        raise PlanError(
            f"state {state!r} has no plan; planned states are {', '.join(STATES)} (gathered and rendered do not write)"
        )
    check_purpose(purpose)
    directions = tuple(directions)
    if not directions or any(direction not in DIRECTIONS for direction in directions):
        raise PlanError(f"directions must be a non-empty subset of {', '.join(DIRECTIONS)}, got {directions!r}")
    return directions


def _wanted(
    desired: Iterable[Union[Rule, DescribedRule]], state: str, directions: Tuple[str, ...]
) -> List[DescribedRule]:
    """The desired rules, sorted; each in a managed direction, with a description we may write."""
    wanted = sorted(unique_rules(desired), key=lambda entry: entry.sort_key())
    for entry in wanted:
        if entry.rule.direction not in directions:
            raise PlanError(
                f"{entry.origin or 'desired'}: {entry.rule} is outside the managed directions ({', '.join(directions)})"
            )
        if state != "deleted":
            check_description(entry.description, f"{entry.origin or 'desired'}.description")
    return wanted


def _plan_deleted(work: _Work, wanted: List[DescribedRule]) -> None:
    """Never destroy what this collection did not create: only rules carrying our marker go."""
    present = work.present
    listed = [present[entry.rule] for entry in wanted if entry.rule in present] if wanted else list(present.values())
    mine_or_protected = [entry for entry in listed if is_owned(entry, work.purpose) or work.protection(entry)]
    targets = mine_or_protected if wanted else [entry for entry in listed if is_owned(entry, work.purpose)]
    foreign = [entry for entry in listed if entry not in mine_or_protected] if wanted else []
    if foreign:
        work.warnings.append(
            f"{work.label}: state deleted kept {len(foreign)} listed rule(s) without the "
            f"{build_marker(work.purpose)} marker (not created by this collection; state overridden "
            f"removes them): {_listing([(entry, 'not ours') for entry in foreign])}"
        )
    for entry in targets:
        work.remove(entry)


def _plan_wanted(work: _Work, want: DescribedRule) -> None:
    """One desired rule: authorize it, or keep the existing one (re-described if its description differs)."""
    have = work.present.get(want.rule)
    path = f"{want.origin or 'desired'}.description"
    if have is None:
        work.authorize.append(want.with_description(with_marker(want.description, work.purpose, path)))
        return
    work.handled.add(have.rule)
    if is_controller_owned(have.description) and have.rule in work.adopt:
        _adopt(work, want, have, path)
        return
    if is_controller_owned(have.description):
        work.warnings.append(
            f"{work.label}: {want.rule} exists only as the AWS Load Balancer Controller's rule "
            f"({CONTROLLER_LABEL}); the controller revokes it when it no longer needs it, and EC2 "
            "holds one copy of a rule, so it cannot also be kept under this collection's marker"
        )
    if not is_owned(have, work.purpose):  # never take over: it satisfies the desired rule as it is
        work.unchanged.append(have)
        work.unowned.append(have)
        return
    new = with_marker(want.description, work.purpose, path) if want.description is not None else None
    if new is None or new == have.description:
        work.unchanged.append(have)
        return
    reason = work.protection(have)
    if reason:
        work.kept.append(have)
        work.warnings.append(
            f"{work.label}: {have.rule} is protected ({reason}); its description stays "
            f"{have.description!r} instead of {new!r}"
        )
    else:
        work.updates.append(have.with_description(new))
        work.replaced.append(have)


def _adopt(work: _Work, want: DescribedRule, have: DescribedRule, path: str) -> None:
    """A rule carrying the controller's label that the caller knows the controller disowns (it revokes it on its
    next reconcile) and that equals a desired rule: re-described with this collection's marker, in place (EC2
    keeps one copy of a rule, so there is no window), instead of vanishing with the controller's next sync."""
    new = with_marker(want.description, work.purpose, path)
    work.updates.append(have.with_description(new))
    work.replaced.append(have)
    work.warnings.append(
        f"{work.label}: {have.rule} carried the controller label {CONTROLLER_LABEL} although the controller does "
        f"not write it (it would revoke it); adopted as this collection's rule ({new!r}) because it is desired"
    )


def _plan_extras(work: _Work) -> None:
    """Current rules nobody asked for: removed by overridden, and by replaced when they are ours."""
    for entry in work.present.values():
        if entry.rule in work.handled:
            continue
        if work.state == "overridden" or (work.state == "replaced" and is_owned(entry, work.purpose)):
            work.remove(entry)
        else:
            work.handled.add(entry.rule)
            work.unchanged.append(entry)


def plan(
    current: Iterable[Union[Rule, DescribedRule]],
    desired: Iterable[Union[Rule, DescribedRule]],
    state: str,
    purpose: str,
    protect: Any = (),
    group_id: Optional[str] = None,
    group_tags: Any = None,
    directions: Iterable[str] = DIRECTIONS,
    limits: Optional[Union[QuotaLimits, Mapping[str, Any]]] = None,
    adopt: FrozenSet[Any] = frozenset(),
    unprotect: Tuple[ProtectPattern, ...] = (),
) -> Plan:
    """Plan one group: see the module docstring. ``limits`` (QuotaLimits or mapping) also runs check_quota;
    ``adopt`` holds rules carrying the controller label that the controller disowns, to adopt when desired;
    ``unprotect`` patterns release the rules they match from every protection."""
    directions = _check_arguments(state, purpose, directions)
    patterns = parse_protect(protect) if not isinstance(protect, ProtectPattern) else (protect,)
    every_current = unique_rules(current)
    present = {entry.rule: entry for entry in every_current if entry.rule.direction in directions}
    wanted = _wanted(desired, state, directions)
    work = _Work(
        state,
        purpose,
        group_id or "security group",
        patterns,
        is_controller_managed_group(group_tags),
        present,
        adopt=frozenset(adopt),
        unprotect=tuple(unprotect),
    )
    if state == "deleted":
        _plan_deleted(work, wanted)
    else:
        for want in wanted:
            _plan_wanted(work, want)
        _plan_extras(work)
    work.unchanged.extend(entry for rule, entry in present.items() if rule not in work.handled)
    if work.blocked:
        work.warnings.append(
            f"{work.label}: kept {len(work.blocked)} protected rule(s) that state {state} would "
            f"remove: {_listing(work.blocked)}"
        )
    if work.managed_group and (work.authorize or work.updates):
        raise PlanError(
            f"{work.label} is a frontend security group managed by the AWS Load Balancer Controller "
            f"(tag {MANAGED_GROUP_TAG_VALUE}); it revokes rules added to it. Use the inbound-cidrs or "
            "load-balancer-source-ranges annotations, or a custom frontend group"
        )
    result = Plan(
        group_id,
        state,
        purpose,
        _sorted(work.authorize),
        _sorted(work.revoke),
        _sorted(work.updates),
        _sorted(work.replaced),
        _sorted(work.unchanged),
        _sorted(work.kept),
        tuple(work.warnings),
        False,
        directions,
        _sorted(work.unowned),
    )
    return check_quota(every_current, result, limits) if limits is not None else result


def render_calls(group_plan: Plan, group_id: Optional[str] = None) -> List[dict]:
    """The EC2 calls that apply the plan, in order: ``[{"action": ..., "params": {...}}]``.

    One batched call per action and direction. Revoke payloads leave descriptions out
    (EC2 matches rules on identity). ``group_id`` overrides the plan's (for a group not yet
    created, pass a placeholder).
    """
    target = group_id or group_plan.group_id
    if not target:
        raise PlanError("render_calls needs a group id")
    steps = {
        "authorize": ("AuthorizeSecurityGroup", group_plan.authorize, True),
        "update_descriptions": ("UpdateSecurityGroupRuleDescriptions", group_plan.update_descriptions, True),
        "revoke": ("RevokeSecurityGroup", group_plan.revoke, False),
    }
    calls = []
    for step in group_plan.order:
        action, entries, descriptions = steps[step]
        for direction in DIRECTIONS:
            subset = [entry for entry in entries if entry.rule.direction == direction]
            if subset:
                calls.append(
                    {
                        "action": action + direction.capitalize(),
                        "params": {"GroupId": target, "IpPermissions": to_ip_permissions(subset, descriptions)},
                    }
                )
    return calls
