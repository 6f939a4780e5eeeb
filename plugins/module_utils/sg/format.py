# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Conversions between the rule model and the two outside formats.

The module input format (what users write under ``rules:``/``rules_egress:``, and what
``gathered`` returns) is a list of dicts, one direction per list::

    - proto: tcp                  # tcp (default), udp, icmp, icmpv6, all, -1 or 0-255
      ports: ["80", "8000-8100"]  # tcp/udp: ports and ranges; or from_port + to_port
      cidr_ip: [10.0.0.0/16]      # IPv4 CIDRs (no host bits)
      cidr_ipv6: ["2001:db8::/32"]
      prefix_list_id: [pl-0123456789abcdef0]
      group_id: [sg-0123456789abcdef0, 123456789012/sg-0123456789abcdef0]
      description: web from the office
    - proto: icmp
      icmp_type: 3                # -1 (default) = any; icmp_code needs icmp_type
      icmp_code: 4                # -1 (default) = any code
      cidr_ip: [10.0.0.0/8]

Keys with the value None are ignored (Ansible fills unset sub-options with None); a single
string is accepted where a list is expected; unknown keys are refused. ``from_port`` and
``to_port`` are EC2's fields: ports for tcp/udp, ICMP type and code for icmp/icmpv6.
Protocol ``all`` and protocols other than tcp/udp/icmp/icmpv6 take no ports at all, since
EC2 would ignore them and open every port.

``expand`` turns that format into atomic ``DescribedRule`` (ports x sources, de-duplicated);
``to_module_format`` is its inverse. ``from_ip_permissions`` reads EC2's ``IpPermissions``
(DescribeSecurityGroups) and ``to_ip_permissions`` builds the batched payload for
Authorize/Revoke/UpdateSecurityGroupRuleDescriptions (one permission per protocol and port
range, every source with its own description).
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple
from typing import Union

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ICMP_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import PORT_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import SOURCE_KINDS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import as_int
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_protocol
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import single_direction
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import unique_rules

SOURCE_OPTIONS = (
    ("cidr_ip", "ipv4"),
    ("cidr_ipv6", "ipv6"),
    ("prefix_list_id", "prefix_list"),
    ("group_id", "group"),
)
PORT_OPTIONS = ("ports", "from_port", "to_port", "icmp_type", "icmp_code")
RULE_OPTIONS = ("proto",) + PORT_OPTIONS + tuple(option for option, _kind in SOURCE_OPTIONS) + ("description",)
DEFAULT_PROTOCOL = "tcp"

# EC2 IpPermissions: list key, value key, source kind.
_EC2_SOURCES = (
    ("IpRanges", "CidrIp", "ipv4"),
    ("Ipv6Ranges", "CidrIpv6", "ipv6"),
    ("PrefixListIds", "PrefixListId", "prefix_list"),
    ("UserIdGroupPairs", "GroupId", "group"),
)

PortRange = Tuple[Optional[int], Optional[int]]


def _given(spec: dict, key: str) -> bool:
    return spec.get(key) is not None


def _as_list(value: Any, path: str) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise InputError(path, f"must be a list, got {type(value).__name__}")
    return list(value)


def parse_sources(spec: dict, path: str, required: bool = True) -> List[Source]:
    """The sources of one module-format rule (``cidr_ip``, ``cidr_ipv6``, ``prefix_list_id``, ``group_id``)."""
    sources: List[Source] = []
    empty: List[str] = []
    for option, kind in SOURCE_OPTIONS:
        if not _given(spec, option):
            continue
        items = _as_list(spec[option], f"{path}.{option}")
        if not items:
            empty.append(option)
        for index, item in enumerate(items):
            item_path = f"{path}.{option}[{index}]"
            if kind == "ipv4":
                sources.append(Source("ipv4", normalise_cidr(item, "ipv4", item_path, other_option="cidr_ipv6")))
            elif kind == "ipv6":
                sources.append(Source("ipv6", normalise_cidr(item, "ipv6", item_path, other_option="cidr_ip")))
            elif kind == "prefix_list":
                sources.append(parse_prefix_list_id(item, item_path))
            else:
                sources.append(parse_group_id(item, item_path))
    if required and not sources:
        needed = "give at least one of cidr_ip, cidr_ipv6, prefix_list_id or group_id"
        if empty:
            raise InputError(f"{path}.{empty[0]}", f"is empty; {needed}")
        raise InputError(path, f"has no source; {needed}")
    return sources


def parse_port_items(value: Any, path: str) -> List[Tuple[int, int]]:
    """The ``ports`` list of one rule."""
    items = _as_list(value, path) if not isinstance(value, int) else [value]
    if not items:
        raise InputError(path, 'is empty; list at least one port or range ("0-65535" for every port)')
    return [parse_port_range(item, f"{path}[{index}]") for index, item in enumerate(items)]


def _refuse(spec: dict, path: str, options: Iterable[str], reason: str) -> None:
    for option in options:
        if _given(spec, option):
            raise InputError(f"{path}.{option}", reason)


def parse_ports(spec: dict, protocol: str, path: str) -> List[PortRange]:
    """The port ranges (or ICMP type/code) of one module-format rule, for ``protocol``."""
    has_ports = _given(spec, "ports")
    has_range = _given(spec, "from_port") or _given(spec, "to_port")
    if protocol in PORT_PROTOCOLS:
        _refuse(
            spec, path, ("icmp_type", "icmp_code"), f"is only valid with proto icmp or icmpv6 (proto is {protocol})"
        )
        if has_ports and has_range:
            raise InputError(f"{path}.ports", "give either ports or from_port/to_port, not both")
        if has_ports:
            return list(parse_port_items(spec["ports"], f"{path}.ports"))
        if has_range:
            if not _given(spec, "from_port"):
                raise InputError(f"{path}.to_port", "needs from_port")
            low = as_int(spec["from_port"], f"{path}.from_port")
            high = as_int(spec["to_port"], f"{path}.to_port") if _given(spec, "to_port") else low
            for option, port in (("from_port", low), ("to_port", high)):
                if not 0 <= port <= 65535:
                    hint = '; use ports: ["0-65535"] for every port' if port == -1 else ""
                    raise InputError(f"{path}.{option}", f"port {port} is out of range 0-65535{hint}")
            if low > high:
                raise InputError(f"{path}.to_port", f"{high} is lower than from_port {low}")
            return [(low, high)]
        raise InputError(
            f"{path}.ports", f'proto {protocol} needs ports (ports, or from_port/to_port; "0-65535" for every port)'
        )
    if protocol in ICMP_PROTOCOLS:
        _refuse(spec, path, ("ports",), f"is not valid with proto {protocol}; use icmp_type and icmp_code")
        has_icmp = _given(spec, "icmp_type") or _given(spec, "icmp_code")
        if has_icmp and has_range:
            raise InputError(f"{path}.icmp_type", "give either icmp_type/icmp_code or from_port/to_port, not both")
        type_option, code_option = ("icmp_type", "icmp_code") if has_icmp else ("from_port", "to_port")
        if _given(spec, code_option) and not _given(spec, type_option):
            raise InputError(f"{path}.{code_option}", f"needs {type_option}")
        icmp_type = as_int(spec[type_option], f"{path}.{type_option}") if _given(spec, type_option) else -1
        icmp_code = as_int(spec[code_option], f"{path}.{code_option}") if _given(spec, code_option) else -1
        for option, number in ((type_option, icmp_type), (code_option, icmp_code)):
            if not -1 <= number <= 255:
                raise InputError(f"{path}.{option}", f"{number} is out of range -1-255 (-1 = any)")
        if icmp_type == -1 and icmp_code != -1:
            raise InputError(
                f"{path}.{code_option}",
                f"{icmp_code} needs a specific {type_option} ({type_option} -1 already means any type and any code)",
            )
        return [(icmp_type, icmp_code)]
    name = "all" if protocol == ALL_PROTOCOLS else protocol
    _refuse(spec, path, PORT_OPTIONS, f"is not valid with proto {name}: it has no ports (EC2 opens every port)")
    return [(None, None)]


def expand(
    user_rules: Any, direction: str = "ingress", default_description: Optional[str] = None, path: str = "rules"
) -> List[DescribedRule]:
    """Module-format rules -> atomic DescribedRules (ports x sources), de-duplicated, in input order.

    ``default_description`` applies to rules without a ``description``. The same rule listed
    twice keeps one entry; listed twice with two different descriptions it is an error, as
    EC2 keeps one description per rule. Every description is checked (EC2's limits, never
    the controller label).
    """
    if direction not in DIRECTIONS:
        raise PlanError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if user_rules is None:
        return []
    if not isinstance(user_rules, (list, tuple)):
        raise InputError(path, f"must be a list of rules, got {type(user_rules).__name__}")
    default_description = check_description(default_description, "default_description")
    seen: Dict[Rule, DescribedRule] = {}
    for index, spec in enumerate(user_rules):
        rule_path = f"{path}[{index}]"
        if not isinstance(spec, dict):
            raise InputError(rule_path, f"must be a dict, got {type(spec).__name__}")
        unknown = sorted(key for key in spec if key not in RULE_OPTIONS)
        if unknown:
            raise InputError(
                f"{rule_path}.{unknown[0]}", f"unknown option; known options are {', '.join(RULE_OPTIONS)}"
            )
        protocol = normalise_protocol(
            spec["proto"] if _given(spec, "proto") else DEFAULT_PROTOCOL, f"{rule_path}.proto"
        )
        ranges = parse_ports(spec, protocol, rule_path)
        sources = parse_sources(spec, rule_path)
        description = check_description(spec.get("description"), f"{rule_path}.description")
        if description is None:
            description = default_description
        for low, high in ranges:
            for source in sources:
                entry = DescribedRule(Rule(direction, protocol, low, high, source), description, rule_path)
                previous = seen.get(entry.rule)
                if previous is None or (previous.description is None and description is not None):
                    seen[entry.rule] = entry
                elif description is not None and description != previous.description:
                    raise InputError(
                        f"{rule_path}.description",
                        f"{entry.rule} is also listed by {previous.origin} with the description "
                        f"{previous.description!r}; EC2 keeps one description per rule",
                    )
    return list(seen.values())


def _ec2_ports(permission: dict, protocol: str, path: str) -> PortRange:
    if protocol in PORT_PROTOCOLS:
        if permission.get("FromPort") is None or permission.get("ToPort") is None:
            raise InputError(path, f"{protocol} permission without FromPort/ToPort")
        return as_int(permission["FromPort"], f"{path}.FromPort"), as_int(permission["ToPort"], f"{path}.ToPort")
    if protocol in ICMP_PROTOCOLS:
        icmp_type = as_int(permission["FromPort"], f"{path}.FromPort") if permission.get("FromPort") is not None else -1
        icmp_code = as_int(permission["ToPort"], f"{path}.ToPort") if permission.get("ToPort") is not None else -1
        return icmp_type, icmp_code
    return None, None


def from_ip_permissions(
    ip_permissions: Optional[Iterable[dict]],
    direction: str,
    account_id: Optional[str] = None,
    path: str = "IpPermissions",
) -> List[DescribedRule]:
    """EC2 ``IpPermissions`` (or ``IpPermissionsEgress``) -> atomic DescribedRules.

    ``account_id``: the caller's account; group pairs whose ``UserId`` equals it are read
    without an owner, so that gathered rules print as plain ``sg-...``.
    """
    if direction not in DIRECTIONS:
        raise PlanError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    rules: List[DescribedRule] = []
    for index, permission in enumerate(ip_permissions or []):
        permission_path = f"{path}[{index}]"
        protocol = normalise_protocol(permission.get("IpProtocol"), f"{permission_path}.IpProtocol")
        low, high = _ec2_ports(permission, protocol, permission_path)
        for list_key, value_key, kind in _EC2_SOURCES:
            for position, item in enumerate(permission.get(list_key) or []):
                item_path = f"{permission_path}.{list_key}[{position}].{value_key}"
                value = item.get(value_key)
                if kind in ("ipv4", "ipv6"):
                    source = Source(kind, normalise_cidr(value, kind, item_path, strict=False))
                elif not isinstance(value, str) or not value:
                    raise InputError(item_path, f"missing (got {value!r})")
                elif kind == "group":
                    owner = item.get("UserId") or None
                    source = Source("group", value, None if owner == account_id else owner)
                else:
                    source = Source(kind, value)
                try:
                    rule = Rule(direction, protocol, low, high, source)
                except ValueError as exc:
                    raise InputError(permission_path, str(exc)) from None
                rules.append(DescribedRule(rule, item.get("Description") or None, permission_path))
    return unique_rules(rules)


def _permission_key(rule: Rule) -> tuple:
    return rule.sort_key()[1:4]


def to_ip_permissions(rules: Iterable[Union[Rule, DescribedRule]], include_descriptions: bool = True) -> List[dict]:
    """DescribedRules of one direction -> batched EC2 ``IpPermissions``.

    One permission per (protocol, port range), sources sorted; ``Description`` per source
    when ``include_descriptions`` (leave it out for Revoke, which matches on identity).
    """
    entries = sorted(unique_rules(rules), key=lambda entry: entry.sort_key())
    single_direction(entries)
    permissions: Dict[tuple, dict] = {}
    for entry in entries:
        rule = entry.rule
        key = _permission_key(rule)
        permission = permissions.get(key)
        if permission is None:
            permission = {"IpProtocol": rule.protocol}
            if rule.from_port is not None:
                permission["FromPort"] = rule.from_port
                permission["ToPort"] = rule.to_port
            permissions[key] = permission
        list_key, value_key, _kind = _EC2_SOURCES[SOURCE_KINDS.index(rule.source.kind)]
        item = {value_key: rule.source.value}
        if rule.source.kind == "group" and rule.source.owner:
            item["UserId"] = rule.source.owner
        if include_descriptions and entry.description:
            item["Description"] = entry.description
        permission.setdefault(list_key, []).append(item)
    return list(permissions.values())


def _module_ports(rule: Rule) -> dict:
    if rule.protocol in PORT_PROTOCOLS:
        return {"ports": [rule.ports_text()]}
    if rule.protocol in ICMP_PROTOCOLS:
        ports = {}
        if rule.from_port != -1:
            ports["icmp_type"] = rule.from_port
            if rule.to_port != -1:
                ports["icmp_code"] = rule.to_port
        return ports
    return {}


def to_module_format(rules: Iterable[Union[Rule, DescribedRule]], direction: Optional[str] = None) -> List[dict]:
    """DescribedRules -> the module input format (``expand`` gives the same rules back).

    With ``direction``, rules of the other direction are left out; without it, the rules
    must all have one direction. tcp/udp rules sharing the description and the same set of
    sources become one entry with several ports; output is sorted, hence stable.
    """
    entries = [entry for entry in unique_rules(rules) if direction is None or entry.rule.direction == direction]
    single_direction(entries, direction)
    by_ports: Dict[tuple, List[Source]] = {}
    for entry in sorted(entries, key=lambda item: item.sort_key()):
        rule = entry.rule
        by_ports.setdefault((rule.protocol, rule.from_port, rule.to_port, entry.description), []).append(rule.source)
    result: Dict[tuple, dict] = {}
    for (protocol, low, high, description), sources in by_ports.items():
        sources_key = tuple(source.sort_key() for source in sources)
        sample = Rule(entries[0].rule.direction, protocol, low, high, sources[0])
        if protocol in PORT_PROTOCOLS:
            key: tuple = (protocol, description, sources_key)
            if key in result:
                result[key]["ports"].append(sample.ports_text())
                continue
        else:
            key = (protocol, low, high, description, sources_key)
        item: dict = {"proto": "all" if protocol == ALL_PROTOCOLS else protocol}
        item.update(_module_ports(sample))
        for option, kind in SOURCE_OPTIONS:
            values = [str(source) for source in sources if source.kind == kind]
            if values:
                item[option] = values
        if description is not None:
            item["description"] = description
        result[key] = item
    return list(result.values())
