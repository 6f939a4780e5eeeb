# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The security-group rule model: atomic rules, the quota error, and the normalisers.

One rule is one EC2 permission with exactly one source, as EC2 and the AWS Load Balancer
Controller both see it (the controller's ``HashCode`` is protocol + ports + one source):

``Rule(direction, protocol, from_port, to_port, source)``
    ``direction``  ``ingress`` or ``egress``.
    ``protocol``   ``tcp``, ``udp``, ``icmp``, ``icmpv6``, ``-1`` (all) or another IP protocol
                   number as a decimal string (``"50"``). Numbers with a name are stored as the
                   name (``6`` -> ``tcp``) so that ``6`` and ``tcp`` are the same rule.
    ``from_port``/``to_port``
                   ports for ``tcp``/``udp`` (0-65535, from <= to); ICMP type and code for
                   ``icmp``/``icmpv6`` (-1 = any; a type of -1 needs a code of -1), as EC2
                   stores them; ``None`` for ``-1`` and other protocols, which have no ports.
    ``source``     ``Source(kind, value, owner=None)`` with kind ``ipv4``/``ipv6`` (a CIDR
                   without host bits), ``prefix_list`` (``pl-...``) or ``group`` (``sg-...``).

``Source.owner`` is the account id of a referenced group (``123456789012/sg-...``). It is
carried into the API payload (``UserId``) but is not part of identity: EC2 returns the
``UserId`` even for same-account groups, group ids are unique, and the controller hashes the
group id alone. The description is not part of identity either: ``DescribedRule(rule,
description)`` pairs a rule with the description it carries (or should carry).

This module also holds the description rules: EC2's length and character limits, the
``kubeguard:<purpose>`` ownership marker, and the controller label
``elbv2.k8s.aws/targetGroupBinding=shared`` parsed exactly as the controller parses it.
Every normaliser takes the option path of the value and raises ``InputError(path,
message)``, whose text is ``"<path>: <message>"``.
"""

from __future__ import annotations

import ipaddress
import re
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

DIRECTIONS = ("ingress", "egress")
SOURCE_KINDS = ("ipv4", "ipv6", "prefix_list", "group")
FAMILIES = ("ipv4", "ipv6")
ALL_PROTOCOLS = "-1"
PORT_PROTOCOLS = ("tcp", "udp")
ICMP_PROTOCOLS = ("icmp", "icmpv6")
PROTOCOL_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
_NAMED_NUMBERS = {str(number): name for name, number in PROTOCOL_NUMBERS.items()}
_PROTOCOL_ORDER = ("tcp", "udp", "icmp", "icmpv6", ALL_PROTOCOLS)

SG_ID_RE = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
PREFIX_LIST_ID_RE = re.compile(r"^pl-[0-9a-f]{8}([0-9a-f]{9})?$")
ACCOUNT_ID_RE = re.compile(r"^[0-9]{12}$")
# Owners EC2 shows for AWS-owned groups (for example the classic ELB source group).
SPECIAL_OWNERS = ("amazon-elb",)

MAX_DESCRIPTION_LENGTH = 255
# EC2: "a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*".
_DESCRIPTION_RE = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")

MARKER_PREFIX = "kubeguard:"
_PURPOSE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$")
# A marker is a whole token: preceded and followed by the start/end or a separator.
_MARKER_RE = re.compile(r"(?<![^\s,;])kubeguard:(?P<purpose>[A-Za-z0-9][A-Za-z0-9._/-]*)(?![^\s,;])")

CONTROLLER_LABEL_KEY = "elbv2.k8s.aws/targetGroupBinding"
CONTROLLER_LABEL_VALUE = "shared"
CONTROLLER_LABEL = CONTROLLER_LABEL_KEY + "=" + CONTROLLER_LABEL_VALUE
# buildIPPermissionLabelsForDescription (aws-load-balancer-controller security_group_info.go).
_CONTROLLER_LABEL_RE = re.compile(r"(?P<key>[^\s,=]+)=(?P<value>[^\s,=]+)(?:,|$)")


@dataclass(frozen=True)
class QuotaOverage:
    """One quota a plan would exceed."""

    scope: str  # "group" or "eni"
    resource: str  # the group id (or "security group") or the ENI id
    direction: str
    family: str
    count: int
    limit: int

    @property
    def excess(self) -> int:
        return self.count - self.limit

    def __str__(self) -> str:
        family = "IPv4" if self.family == "ipv4" else "IPv6"
        if self.scope == "eni":
            where = f"the per-interface limit of {self.limit} (rules of all its security groups)"
        else:
            where = f"the quota of {self.limit} rules per security group"
        return (
            f"{self.resource}: {self.direction} {family} rules would number {self.count}, over {where} by {self.excess}"
        )


class QuotaError(PlanError):
    """A plan would exceed a quota; raised before any write."""

    def __init__(self, overages: List[QuotaOverage]) -> None:
        self.overages = tuple(overages)
        first = self.overages[0]
        self.resource = first.resource
        self.direction = first.direction
        self.family = first.family
        self.excess = first.excess
        super().__init__("; ".join(str(overage) for overage in self.overages))


@dataclass(frozen=True)
class Source:
    """Where a rule's traffic comes from (ingress) or goes to (egress)."""

    kind: str
    value: str
    owner: Optional[str] = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {self.kind!r}")
        if not isinstance(self.value, str) or not self.value:
            raise ValueError(f"source value must be a non-empty string, got {self.value!r}")

    @property
    def family(self) -> Optional[str]:
        """``ipv4``/``ipv6`` for CIDRs; None for prefix lists and groups (family not known)."""
        return self.kind if self.kind in FAMILIES else None

    def sort_key(self) -> Tuple[int, str, str]:
        return (SOURCE_KINDS.index(self.kind), self.value, self.owner or "")

    def __str__(self) -> str:
        if self.owner:
            return f"{self.owner}/{self.value}"
        return self.value


def _protocol_rank(protocol: str) -> Tuple[int, int]:
    if protocol in _PROTOCOL_ORDER:
        return (_PROTOCOL_ORDER.index(protocol), 0)
    return (len(_PROTOCOL_ORDER), int(protocol))


def _is_other_protocol(protocol: Any) -> bool:
    """A canonical protocol number without a name: "0"-"255" except 1, 6, 17 and 58."""
    return (
        isinstance(protocol, str)
        and protocol.isdigit()
        and str(int(protocol)) == protocol
        and int(protocol) <= 255
        and protocol not in _NAMED_NUMBERS
    )


def _port_sort(value: Optional[int]) -> int:
    return -2 if value is None else value


@dataclass(frozen=True)
class Rule:
    """One EC2 permission with one source; immutable and hashable (its identity)."""

    direction: str
    protocol: str
    from_port: Optional[int]
    to_port: Optional[int]
    source: Source

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        if not isinstance(self.source, Source):
            raise ValueError("source must be a Source")
        ports = (self.from_port, self.to_port)
        if self.protocol in PORT_PROTOCOLS:
            if not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 65535 for p in ports):
                raise ValueError(f"{self.protocol} ports must be integers 0-65535, got {ports}")
            if self.from_port > self.to_port:
                raise ValueError(f"from_port {self.from_port} > to_port {self.to_port}")
        elif self.protocol in ICMP_PROTOCOLS:
            if not all(isinstance(p, int) and not isinstance(p, bool) and -1 <= p <= 255 for p in ports):
                raise ValueError(f"{self.protocol} type and code must be integers -1-255, got {ports}")
            if self.from_port == -1 and self.to_port != -1:
                raise ValueError("an ICMP code needs a specific ICMP type")
        elif self.protocol == ALL_PROTOCOLS or _is_other_protocol(self.protocol):
            if ports != (None, None):
                raise ValueError(f"protocol {self.protocol} has no ports, got {ports}")
        else:
            raise ValueError(f"protocol {self.protocol!r} is not canonical")

    @property
    def family(self) -> Optional[str]:
        return self.source.family

    @property
    def has_port_range(self) -> bool:
        """True for tcp/udp, whose from/to ports are a range that can be merged."""
        return self.protocol in PORT_PROTOCOLS

    def sort_key(self) -> tuple:
        return (
            DIRECTIONS.index(self.direction),
            _protocol_rank(self.protocol),
            _port_sort(self.from_port),
            _port_sort(self.to_port),
            self.source.sort_key(),
        )

    def ports_text(self) -> str:
        if self.protocol in PORT_PROTOCOLS:
            if self.from_port == self.to_port:
                return str(self.from_port)
            return f"{self.from_port}-{self.to_port}"
        if self.protocol in ICMP_PROTOCOLS:
            if self.from_port == -1:
                return "any type"
            if self.to_port == -1:
                return f"type {self.from_port}"
            return f"type {self.from_port} code {self.to_port}"
        return ""

    def __str__(self) -> str:
        protocol = "all" if self.protocol == ALL_PROTOCOLS else self.protocol
        preposition = "from" if self.direction == "ingress" else "to"
        ports = self.ports_text()
        ports = f" {ports}" if ports else ""
        return f"{self.direction} {protocol}{ports} {preposition} {self.source}"


@dataclass(frozen=True)
class DescribedRule:
    """A rule and the description it carries; ``origin`` (not compared) names its input."""

    rule: Rule
    description: Optional[str] = None
    origin: Optional[str] = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.rule, Rule):
            raise ValueError("rule must be a Rule")
        if self.description is not None and not isinstance(self.description, str):
            raise ValueError("description must be a string or None")

    def with_description(self, description: Optional[str]) -> "DescribedRule":
        return DescribedRule(self.rule, description, self.origin)

    def sort_key(self) -> tuple:
        return self.rule.sort_key() + (self.description or "",)

    def __str__(self) -> str:
        if self.description:
            return f"{self.rule} ({self.description})"
        return str(self.rule)


def described(rule: Union[Rule, DescribedRule]) -> DescribedRule:
    """Accept a Rule or a DescribedRule; return a DescribedRule."""
    if isinstance(rule, DescribedRule):
        return rule
    if isinstance(rule, Rule):
        return DescribedRule(rule)
    raise PlanError(f"expected a Rule or DescribedRule, got {type(rule).__name__}")


def unique_rules(rules: Iterable[Union[Rule, DescribedRule]]) -> List[DescribedRule]:
    """De-duplicate by identity; the same rule with two different descriptions is a PlanError."""
    seen: Dict[Rule, DescribedRule] = {}
    for item in rules:
        entry = described(item)
        previous = seen.get(entry.rule)
        if previous is None or (previous.description is None and entry.description is not None):
            seen[entry.rule] = entry
        elif entry.description is not None and entry.description != previous.description:
            raise PlanError(
                f"{entry.rule} is listed twice with different descriptions "
                f"({previous.description!r} and {entry.description!r})"
            )
    return list(seen.values())


def single_direction(rules: List[DescribedRule], direction: Optional[str] = None) -> Optional[str]:
    """The one direction of ``rules`` (or ``direction``); PlanError when they mix directions."""
    found = {entry.rule.direction for entry in rules}
    if direction is not None:
        if direction not in DIRECTIONS:
            raise PlanError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        found.add(direction)
    if len(found) > 1:
        raise PlanError("rules of both directions given; EC2 takes ingress and egress in separate calls")
    return found.pop() if found else None


# --- normalisers ----------------------------------------------------------------------


def as_int(value: Any, path: str) -> int:
    """An integer from an int or a decimal string (booleans are refused)."""
    if isinstance(value, bool):
        raise InputError(path, f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"^\s*-?[0-9]+\s*$", value):
        return int(value)
    raise InputError(path, f"{value!r} is not an integer")


def normalise_protocol(value: Any, path: str) -> str:
    """``tcp``/``6``, ``udp``/``17``, ``icmp``/``1``, ``icmpv6``/``58``, ``all``/``-1``, or 0-255."""
    expected = "expected tcp, udp, icmp, icmpv6, all (-1) or a protocol number 0-255"
    if value is None or isinstance(value, bool):
        raise InputError(path, f"{value!r} is not a protocol; {expected}")
    text = str(value).strip().lower()
    if text in PROTOCOL_NUMBERS:
        return text
    if text in ("all", "-1"):
        return ALL_PROTOCOLS
    if re.match(r"^[0-9]+$", text):
        number = int(text)
        if number > 255:
            raise InputError(path, f"protocol number {number} is out of range 0-255")
        return _NAMED_NUMBERS.get(str(number), str(number))
    raise InputError(path, f"unknown protocol {value!r}; {expected}")


def parse_port_range(value: Any, path: str) -> Tuple[int, int]:
    """One item of ``ports``: ``80``, ``"80"`` or ``"8000-8100"`` -> (from, to)."""
    if isinstance(value, bool):
        raise InputError(path, f"{value!r} is not a port or port range")
    if isinstance(value, int):
        low = high = value
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
        match = re.match(r"^([0-9]+)(?:\s*-\s*([0-9]+))?$", text)
        if not match:
            hint = "; list each port or range as its own item" if "," in text else ""
            if text.startswith("-"):
                hint = '; use "0-65535" for every port'
            raise InputError(path, f'{value!r} is not a port or port range (expected "80" or "8000-8100"){hint}')
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
    else:
        raise InputError(path, f"{value!r} is not a port or port range")
    for port in (low, high):
        if not 0 <= port <= 65535:
            raise InputError(path, f"port {port} is out of range 0-65535")
    if low > high:
        raise InputError(path, f"{text} is not a valid port range: {low} is greater than {high}")
    return low, high


def normalise_cidr(value: Any, family: str, path: str, strict: bool = True, other_option: Optional[str] = None) -> str:
    """A CIDR of ``family`` in canonical text; host bits are refused (``strict``) with the fix."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{value!r} is not a CIDR")
    text = value.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InputError(path, f"{text} is not a valid CIDR") from None
        if strict:
            raise InputError(path, f"{text} has host bits set; did you mean {network}?") from None
    wanted = 4 if family == "ipv4" else 6
    if network.version != wanted:
        found = f"an IPv{network.version} CIDR"
        if other_option:
            raise InputError(path, f"{text} is {found}; put it in {other_option}")
        raise InputError(path, f"{text} is {found}, expected IPv{wanted}")
    return str(network)


def parse_group_id(value: Any, path: str) -> Source:
    """``sg-...`` or ``<12-digit account>/sg-...`` -> a group Source."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{value!r} is not a security group id")
    text = value.strip()
    owner = None
    group_id = text
    if "/" in text:
        owner, _sep, group_id = text.partition("/")
        if "/" in group_id:
            raise InputError(
                path,
                f"{text} is not a security group id; expected sg-... or <account id>/sg-... "
                "(group names are not accepted)",
            )
        if not ACCOUNT_ID_RE.match(owner) and owner not in SPECIAL_OWNERS:
            raise InputError(path, f"{text}: account id {owner!r} is not 12 digits")
    if not SG_ID_RE.match(group_id):
        raise InputError(
            path,
            f"{group_id} is not a security group id "
            f"(expected sg- and 8 or 17 lowercase hex digits){_id_hint(group_id, 'sg-', SG_ID_RE)}",
        )
    return Source("group", group_id, owner)


def parse_prefix_list_id(value: Any, path: str) -> Source:
    """``pl-...`` -> a prefix-list Source."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{value!r} is not a prefix list id")
    text = value.strip()
    if not PREFIX_LIST_ID_RE.match(text):
        raise InputError(
            path,
            f"{text} is not a prefix list id "
            f"(expected pl- and 8 or 17 lowercase hex digits){_id_hint(text, 'pl-', PREFIX_LIST_ID_RE)}",
        )
    return Source("prefix_list", text)


def _id_hint(text: str, prefix: str, pattern: re.Pattern[str]) -> str:
    if pattern.match(text.lower()):
        return f"; did you mean {text.lower()}?"
    if text.startswith("sgr-"):
        return "; sgr- is a security group rule id, not a group id"
    if prefix == "pl-" and SG_ID_RE.match(text):
        return "; that is a security group id, put it in group_id"
    if prefix == "sg-" and PREFIX_LIST_ID_RE.match(text):
        return "; that is a prefix list id, put it in prefix_list_id"
    hex_part = text[len(prefix) :] if text.startswith(prefix) else ""
    if hex_part and re.match(r"^[0-9a-fA-F]*$", hex_part):
        return f"; it has {len(hex_part)} hex digits"
    if hex_part:
        return "; it has characters that are not hex digits"
    return ""


# --- descriptions, ownership marker and controller label --------------------------------


def controller_labels(description: Optional[str]) -> Dict[str, str]:
    """The labels the controller reads from a description (its exact regex; last key wins)."""
    labels: Dict[str, str] = {}
    for match in _CONTROLLER_LABEL_RE.finditer(description or ""):
        labels[match.group("key")] = match.group("value")
    return labels


def is_controller_owned(description: Optional[str]) -> bool:
    """True when the controller would consider this rule its own (and may revoke it)."""
    return controller_labels(description).get(CONTROLLER_LABEL_KEY) == CONTROLLER_LABEL_VALUE


def mentions_controller_label(description: Optional[str]) -> bool:
    """True when the description contains the controller label anywhere (any case).

    Broader than ``is_controller_owned``: it is what protects a rule and what may never be
    written, so that no near-miss spelling slips through either check.
    """
    if not description:
        return False
    return CONTROLLER_LABEL.lower() in description.lower() or is_controller_owned(description)


def check_purpose(purpose: Any, path: str = "purpose") -> str:
    if not isinstance(purpose, str) or not _PURPOSE_RE.match(purpose):
        raise InputError(
            path,
            f"{purpose!r} is not a valid purpose (letters, digits and ._/- , "
            "starting with a letter or digit, at most 63 characters)",
        )
    return purpose


def build_marker(purpose: str) -> str:
    """``kubeguard:<purpose>``."""
    return MARKER_PREFIX + check_purpose(purpose)


def marker_purposes(description: Optional[str]) -> List[str]:
    """Every purpose whose marker appears (as a whole token) in the description."""
    return [match.group("purpose") for match in _MARKER_RE.finditer(description or "")]


def has_marker(description: Optional[str], purpose: str) -> bool:
    return purpose in marker_purposes(description)


def check_description(description: Any, path: str) -> Optional[str]:
    """A description we may write: EC2's limits, and never the controller label. '' -> None."""
    if description is None:
        return None
    if not isinstance(description, str):
        raise InputError(path, f"{description!r} is not a string")
    if description == "":
        return None
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InputError(path, f"is {len(description)} characters long; EC2 allows {MAX_DESCRIPTION_LENGTH}")
    if not _DESCRIPTION_RE.match(description):
        bad = sorted({char for char in description if not _DESCRIPTION_RE.match(char)})
        raise InputError(path, f"contains characters EC2 refuses in rule descriptions: {''.join(bad)!r}")
    if mentions_controller_label(description):
        raise InputError(
            path,
            f"contains the AWS Load Balancer Controller label {CONTROLLER_LABEL}; "
            "the controller would take the rule for its own and revoke it, so it is never written",
        )
    return description


def with_marker(description: Optional[str], purpose: str, path: str = "description") -> str:
    """The description with the ownership marker appended (once), checked for EC2's limits."""
    marker = build_marker(purpose)
    if not description:
        return marker
    if has_marker(description, purpose):
        return check_description(description, path)
    combined = f"{description} {marker}"
    if len(combined) > MAX_DESCRIPTION_LENGTH:
        raise InputError(
            path,
            f"is {len(combined)} characters long with the ownership marker {marker!r} appended; "
            f"EC2 allows {MAX_DESCRIPTION_LENGTH}",
        )
    return check_description(combined, path)
