# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The value of each managed annotation: checked from an option, written in one spelling, read back leniently.

Each option has a :class:`Codec`: ``check`` turns the option value into a canonical value (or raises an
InputError naming the option path), ``text`` writes it as the annotation's string, ``parse`` reads an
annotation's string as the controller would (None when the controller could not read it either), and
``same`` compares two annotation strings by meaning, so a respelt value writes nothing.

- security groups: ids (``sg-`` and 8 or 17 hex digits) or Name tags, in the given order - the controller
  compares the lists of an IngressGroup's members in order;
- prefix lists (``pl-``), CIDRs and listen ports are sets: sorted, de-duplicated; CIDRs compared as networks
  (``common.networks``), host bits refused;
- booleans as Go's ``strconv.ParseBool`` reads them, written ``true``/``false``; the other values are one of
  the controller's words.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any
from typing import Callable
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common import networks
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import PREFIX_LIST_ID_RE
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import SG_ID_RE

GO_TRUE = ("1", "t", "T", "true", "TRUE", "True")
GO_FALSE = ("0", "f", "F", "false", "FALSE", "False")
MAX_SECURITY_GROUPS = 5  # security groups per load balancer (ALB and NLB)
_NAME_TAG = re.compile(r"^[^,\x00-\x1f]{1,255}$")


def split(text: Optional[str]) -> Tuple[str, ...]:
    """A stringList annotation's items, as the controller splits them (commas, spaces trimmed)."""
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def _items(value: Any, path: str, what: str) -> list:
    if not isinstance(value, list):
        raise InputError(path, f"must be a list of {what}")
    if not value:
        raise InputError(path, f"is empty: omit the option to leave the annotation alone, or list {what}")
    return value


def _security_group(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, f"{value!r} is not a security group id or Name tag")
    text = value.strip()
    if text.startswith("sg-"):  # the controller takes anything starting with sg- as an id
        if not SG_ID_RE.match(text):
            hint = f"; did you mean {text.lower()}?" if SG_ID_RE.match(text.lower()) else ""
            raise InputError(path, f"{text} is not a security group id (sg- and 8 or 17 lowercase hex digits){hint}")
        return text
    if text.startswith("pl-"):
        raise InputError(path, f"{text} is a prefix list id: put it in security_group_prefix_lists")
    if not _NAME_TAG.match(text):
        raise InputError(path, f"{text!r} is not a Name tag (at most 255 characters, no comma)")
    return text


def check_groups(value: Any, path: str) -> Tuple[str, ...]:
    found = tuple(dict.fromkeys(_security_group(v, f"{path}[{i}]") for i, v in enumerate(_items(value, path, "ids"))))
    if len(found) > MAX_SECURITY_GROUPS:
        raise InputError(path, f"{len(found)} security groups: a load balancer takes at most {MAX_SECURITY_GROUPS}")
    return found


def _prefix_list(value: Any, path: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not PREFIX_LIST_ID_RE.match(text):
        hint = "; that is a security group: put it in security_groups" if text.startswith("sg-") else ""
        raise InputError(path, f"{value!r} is not a prefix list id (pl- and 8 or 17 lowercase hex digits){hint}")
    return text


def check_prefix_lists(value: Any, path: str) -> Tuple[str, ...]:
    return tuple(sorted({_prefix_list(v, f"{path}[{i}]") for i, v in enumerate(_items(value, path, "ids"))}))


def _network_key(text: str) -> tuple:
    net = ipaddress.ip_network(text)
    return (net.version, net)


def check_cidrs(value: Any, path: str) -> Tuple[str, ...]:
    nets = {str(networks.network(v, f"{path}[{i}]")) for i, v in enumerate(_items(value, path, "CIDRs"))}
    return tuple(sorted(nets, key=_network_key))


def parse_cidrs(text: str) -> Optional[Tuple[str, ...]]:
    try:
        return tuple(sorted({str(ipaddress.ip_network(item)) for item in split(text)}, key=_network_key))
    except ValueError:
        return None


def _listen_port(item: Any, path: str) -> Tuple[str, int]:
    if not isinstance(item, dict) or len(item) != 1:
        raise InputError(path, f"{item!r}: each listen port is one mapping such as {{HTTPS: 443}}")
    ((protocol, port),) = item.items()
    if protocol not in keys.LISTEN_PROTOCOLS:
        hint = f"; did you mean {str(protocol).upper()}?" if str(protocol).upper() in keys.LISTEN_PROTOCOLS else ""
        raise InputError(path, f"{protocol!r} is not HTTP or HTTPS{hint}")
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(f"{path}.{protocol}", f"{port!r} is not a port (1-65535)")
    return (protocol, port)


def check_listen_ports(value: Any, path: str) -> Tuple[Tuple[str, int], ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InputError(path, f'{value!r} is not JSON such as [{{"HTTP": 80}}, {{"HTTPS": 443}}]') from None
    found = {}
    for index, item in enumerate(_items(value, path, "ports such as {HTTPS: 443}")):
        protocol, port = _listen_port(item, f"{path}[{index}]")
        if found.setdefault(port, protocol) != protocol:
            raise InputError(f"{path}[{index}]", f"port {port} is listed as {found[port]} and {protocol}")
    return tuple(sorted((protocol, port) for port, protocol in found.items()))


def listen_ports_text(ports: Tuple[Tuple[str, int], ...]) -> str:
    return json.dumps([{protocol: port} for protocol, port in ports])


def parse_listen_ports(text: str) -> Optional[Tuple[Tuple[str, int], ...]]:
    try:
        return check_listen_ports(json.loads(text), "listen-ports")
    except (ValueError, InputError):
        return None


def parse_bool(text: str) -> Optional[bool]:
    return True if text in GO_TRUE else False if text in GO_FALSE else None


def check_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, f"{value!r} is not a boolean")
    return value


def check_choice(choices: Tuple[str, ...]) -> Callable[[Any, str], str]:
    def check(value: Any, path: str) -> str:
        if value not in choices:
            raise InputError(path, f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


@dataclass(frozen=True)
class Codec:
    check: Callable[[Any, str], Any]
    text: Callable[[Any], str]
    parse: Callable[[str], Any]

    def same(self, current: Optional[str], wanted: Optional[str]) -> bool:
        """Whether two annotation strings mean the same to the controller (an unreadable one equals nothing)."""
        if current is None or wanted is None:
            return current is wanted
        parsed = self.parse(current)
        return parsed is not None and parsed == self.parse(wanted)


def _joined(items: Tuple[str, ...]) -> str:
    return ", ".join(items)


def _choice_codec(choices: Tuple[str, ...]) -> Codec:
    return Codec(check_choice(choices), str, lambda text: text if text in choices else None)


GROUPS = Codec(check_groups, _joined, lambda text: split(text) or None)
PREFIX_LISTS = Codec(check_prefix_lists, _joined, lambda text: tuple(sorted(set(split(text)))) or None)
CIDRS = Codec(check_cidrs, _joined, parse_cidrs)
LISTEN_PORTS = Codec(check_listen_ports, listen_ports_text, parse_listen_ports)
BOOL = Codec(check_bool, lambda value: "true" if value else "false", parse_bool)

CODECS = {
    ("Ingress", "security_groups"): GROUPS,
    ("Ingress", "manage_backend_security_group_rules"): BOOL,
    ("Ingress", "inbound_cidrs"): CIDRS,
    ("Ingress", "listen_ports"): LISTEN_PORTS,
    ("Ingress", "target_type"): _choice_codec(keys.TARGET_TYPES),
    ("Ingress", "security_group_prefix_lists"): PREFIX_LISTS,
    ("Ingress", "ip_address_type"): _choice_codec(keys.INGRESS_IP_TYPES),
    ("Ingress", "scheme"): _choice_codec(keys.SCHEMES),
    ("Service", "security_groups"): GROUPS,
    ("Service", "manage_backend_security_group_rules"): BOOL,
    ("Service", "load_balancer_source_ranges"): CIDRS,
    ("Service", "nlb_target_type"): _choice_codec(keys.TARGET_TYPES),
    ("Service", "security_group_prefix_lists"): PREFIX_LISTS,
    ("Service", "ip_address_type"): _choice_codec(keys.SERVICE_IP_TYPES),
    ("Service", "scheme"): _choice_codec(keys.SCHEMES),
}


def codec(kind: str, option_key: str) -> Codec:
    return CODECS[(kind, option_key)]


def codec_of_annotation(kind: keys.Kind, annotation: str) -> Codec:
    return codec(kind.name, kind.option_of(annotation))
