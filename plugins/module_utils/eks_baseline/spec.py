# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eks_cluster_security_groups' options, validated before any API call.

Rules in options may name the cluster's groups before they are known: ``cluster`` and ``nodes`` in a
``group_id`` list (and as the ``group`` a rule goes on). ``rules_for`` expands a rule option with the ids
discovery found (``nodes`` is every node group); ``Spec.from_params`` runs it once with placeholder ids so that
every option is checked before the first call. The world (every spelling of 0.0.0.0/0 and ::/0, and CIDRs
that together cover it) is refused on SSH, RDP and the kubelet, and on the NodePort range unless
``allow_public_node_ports``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import check_items
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import CLUSTER
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import NODES
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import ROLES
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import _cluster_name
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import _limits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits

NODEPORT_RANGE = "30000-32767"
# Ports the world may never reach, whatever the options say.
ADMIN_PORTS = ((22, 22, "SSH"), (3389, 3389, "RDP"), (10250, 10250, "the kubelet API"))
PLACEHOLDERS = {CLUSTER: ("sg-0000000000000c000",), NODES: ("sg-0000000000000a000",)}
Ids = Dict[str, Tuple[str, ...]]  # role -> group ids


@dataclass(frozen=True)
class RuleOption:
    """One rule option item: the group it goes on (a role or an id), its direction and the raw rule."""

    path: str
    group: str
    direction: str
    rule: Dict[str, Any]


@dataclass(frozen=True)
class Spec:
    """The validated options of one run."""

    cluster: str
    state: str
    purpose: str
    profile: str
    egress: str
    cluster_group_id: Optional[str]
    node_group_ids: Tuple[str, ...]
    rule_options: Tuple[RuleOption, ...]
    node_port_range: Tuple[int, int]
    allow_public_node_ports: bool
    keep_required: bool
    protect: Tuple[dict, ...]
    unprotect: Tuple[RuleOption, ...]
    tag_check: str
    limits: QuotaLimits

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "Spec":
        node_port_range = parse_port_range(params.get("node_port_range") or NODEPORT_RANGE, "node_port_range")
        spec = cls(
            cluster=_cluster_name(params.get("cluster_name")),
            state=params["state"],
            purpose=params["purpose"],
            profile=params["baseline"],
            egress=params["egress"],
            cluster_group_id=_group_id(params.get("cluster_security_group"), "cluster_security_group"),
            node_group_ids=tuple(
                check_items(params.get("node_security_groups") or [], "node_security_groups", _plain_group_id)
            ),
            rule_options=_rule_options(params),
            node_port_range=node_port_range,
            allow_public_node_ports=bool(params.get("allow_public_node_ports")),
            keep_required=params.get("keep_required_rules") is not False,
            protect=tuple(params.get("protect") or ()),
            unprotect=tuple(_unprotect(params.get("unprotect") or [])),
            tag_check=params.get("cluster_tag_check") or "fail",
            limits=_limits(params.get("quota") or {}),
        )
        spec.check(PLACEHOLDERS)
        return spec

    def check(self, ids: Ids) -> None:
        """Expand every rule option and pattern with ``ids`` (the placeholders, before any call) and refuse the
        world where it may not go."""
        rules = [entry for option in self.rule_options for _group, entry in rules_for(option, ids)]
        check_world(rules, self.node_port_range, self.allow_public_node_ports)
        self.protect_patterns(ids)
        self.unprotect_patterns(ids)
        if self.profile == "custom" and not self.rule_options and not self.keep_required and _writes(self.state):
            raise InputError(
                "baseline",
                "custom with keep_required_rules: false and no rule option desires nothing; an empty desired set "
                "is what a wrong variable file gives, so nothing is done",
            )

    def protect_patterns(self, ids: Ids) -> Tuple[ProtectPattern, ...]:
        """``protect`` with the roles resolved: a role given alone stands for its groups as sources."""
        items = []
        for item in self.protect:
            items += list(ids[item]) if isinstance(item, str) and item in ids else [_substitute(item, ids)]
        return parse_protect(items, "protect")

    def unprotect_patterns(self, ids: Ids) -> List[Tuple[str, ProtectPattern]]:
        """(group id, pattern) for every group an ``unprotect`` item names."""
        found = []
        for option in self.unprotect:
            pattern = dict(_substitute(option.rule, ids), direction=option.direction)
            parsed = parse_protect([pattern], option.path)[0]
            found += [(group_id, parsed) for group_id in _groups(option.group, ids, option.path)]
        return found


def _writes(state: str) -> bool:
    return state in ("merged", "replaced", "overridden")


def _group_id(value: Optional[str], path: str) -> Optional[str]:
    return _plain_group_id(value, path) if value else None


def _plain_group_id(value: Any, path: str) -> str:
    source = parse_group_id(value, path)
    if source.owner:
        raise InputError(path, f"{value} names another account's group; give the group id alone")
    return source.value


def _rule_options(params: Dict[str, Any]) -> Tuple[RuleOption, ...]:
    """extra_rules, egress_extra, nodeport_sources and ssh as RuleOptions, in that order."""
    options = []
    for index, item in enumerate(params.get("extra_rules") or []):
        path = f"extra_rules[{index}]"
        group, direction, rule = _split(item, path, NODES)
        options.append(RuleOption(path, group, direction, rule))
    for index, item in enumerate(params.get("egress_extra") or []):
        path = f"egress_extra[{index}]"
        group, direction, rule = _split(item, path, NODES, direction="egress")
        if params.get("egress") != "restricted":
            raise InputError(path, "egress_extra is for egress: restricted (egress: all already allows it)")
        options.append(RuleOption(path, group, direction, rule))
    low, high = parse_port_range(params.get("node_port_range") or NODEPORT_RANGE, "node_port_range")
    for option, ports, description in (
        ("nodeport_sources", f"{low}-{high}", "NodePorts"),
        ("ssh", "22", "SSH to the nodes"),
    ):
        for index, value in enumerate(params.get(option) or []):
            path = f"{option}[{index}]"
            rule = dict(_source(value, path), proto="tcp", ports=[ports], description=description)
            options.append(RuleOption(path, NODES, "ingress", rule))
    return tuple(options)


def _split(item: Any, path: str, default_group: str, direction: Optional[str] = None) -> Tuple[str, str, dict]:
    if not isinstance(item, dict):
        raise InputError(path, f"must be a dict, got {type(item).__name__}")
    rule = {key: value for key, value in item.items() if key not in ("group", "direction")}
    group = item.get("group") or default_group
    if group not in ROLES:
        group = _plain_group_id(group, f"{path}.group")
    given = item.get("direction")
    if direction and given not in (None, direction):
        raise InputError(f"{path}.direction", f"is always {direction} here")
    direction = direction or given or "ingress"
    if direction not in DIRECTIONS:
        raise InputError(f"{path}.direction", f"{direction!r} is not one of {', '.join(DIRECTIONS)}")
    return group, direction, rule


def _source(value: Any, path: str) -> dict:
    """A source given as a string: a group id, a role, a prefix list id or a CIDR."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{value!r} is not a security group id, prefix list id or CIDR")
    text = value.strip()
    if text in ROLES:
        return {"group_id": [text]}
    if text.startswith("sg-"):
        return {"group_id": [_plain_group_id(text, path)]}
    if text.startswith("pl-"):
        return {"prefix_list_id": [parse_prefix_list_id(text, path).value]}
    family = "ipv6" if ":" in text else "ipv4"
    return {"cidr_ipv6" if family == "ipv6" else "cidr_ip": [normalise_cidr(text, family, path)]}


def _unprotect(items: List[Any]) -> List[RuleOption]:
    options = []
    for index, item in enumerate(items):
        path = f"unprotect[{index}]"
        if not isinstance(item, dict) or not item.get("group"):
            raise InputError(path, "must be a dict naming the group (cluster, nodes or sg-...) and the rule")
        group, direction, rule = _split(item, path, NODES)
        if not {key for key, value in rule.items() if value is not None}:
            raise InputError(path, "name the rule to release (proto, ports, a source): not every rule of a group")
        options.append(RuleOption(path, group, direction, rule))
    return options


def _groups(group: str, ids: Ids, path: str) -> Tuple[str, ...]:
    found = ids.get(group, (group,))
    if not found:
        raise InputError(f"{path}.group", f"the cluster has no {group} group")
    return found


def _substitute(item: Any, ids: Ids) -> Any:
    """The item with ``cluster``/``nodes`` in its ``group_id`` list replaced by the group ids."""
    if not isinstance(item, dict) or item.get("group_id") is None:
        return item
    refs = item["group_id"] if isinstance(item["group_id"], list) else [item["group_id"]]
    resolved = [group_id for ref in refs for group_id in (ids.get(ref, (ref,)) if isinstance(ref, str) else (ref,))]
    return dict(item, group_id=resolved)


def rules_for(option: RuleOption, ids: Ids) -> List[Tuple[str, DescribedRule]]:
    """(group id, rule) for every group and source of one rule option, with ``ids`` substituted."""
    try:
        rules = expand([_substitute(option.rule, ids)], option.direction, path=option.path)
    except InputError as exc:  # expand numbers the rules of a list: this one is the option item itself
        raise InputError(option.path + exc.path[len(option.path) + 3 :], exc.message) from None
    rules = [DescribedRule(entry.rule, entry.description, option.path) for entry in rules]
    return [(group_id, entry) for group_id in _groups(option.group, ids, option.path) for entry in rules]


def _overlaps(entry: DescribedRule, low: int, high: int) -> bool:
    rule = entry.rule
    if rule.protocol == ALL_PROTOCOLS:
        return True
    return rule.protocol in ("tcp", "udp") and rule.from_port <= high and low <= rule.to_port


def _covers_world(entries: Sequence[DescribedRule]) -> bool:
    """Whether the CIDR sources, together, hold every address of a family (0.0.0.0/1 + 128.0.0.0/1 included)."""
    for family in ("ipv4", "ipv6"):
        networks = [ipaddress.ip_network(e.rule.source.value) for e in entries if e.rule.source.kind == family]
        if any(network.prefixlen == 0 for network in ipaddress.collapse_addresses(networks)):
            return True
    return False


def check_world(entries: Sequence[DescribedRule], node_ports: Tuple[int, int], allow_public: bool) -> None:
    """Refuse ingress rules that open SSH, RDP or the kubelet (always) or the NodePorts (unless allowed) to the
    world, however the world is spelt."""
    ingress = [entry for entry in entries if entry.rule.direction == "ingress"]
    classes = [(low, high, what, True) for low, high, what in ADMIN_PORTS]
    classes.append((node_ports[0], node_ports[1], "the NodePort range", not allow_public))
    for low, high, what, refused in classes:
        touching = [entry for entry in ingress if _overlaps(entry, low, high)]
        if refused and _covers_world(touching):
            cidrs = ", ".join(sorted({e.rule.source.value for e in touching if e.rule.source.kind != "group"}))
            paths = list(dict.fromkeys(e.origin for e in touching if e.rule.source.kind in ("ipv4", "ipv6")))
            hint = "; set allow_public_node_ports: true if you really mean it" if "NodePort" in what else ""
            raise InputError(
                paths[0], f"opens {what} ({low}-{high}) to the whole internet ({cidrs}, from {', '.join(paths)}){hint}"
            )
