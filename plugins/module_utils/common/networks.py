# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Networks from options, parsed one way for every module (a CLB ACL entry and a NetworkPolicy ipBlock built
from the same list cannot diverge).

- ``network``: a CIDR or a bare address (a ``/32`` or ``/128``), compared as a network, never as a string;
  host bits set (``10.0.0.5/24``) are refused as ambiguous, with both readings offered.
- ``fixed_ip``: an item of ack_fixed_pod_ip's ``fixed_ips`` result (``ip``, ``namespace``, ``pod``).
- ``is_world``: ``0.0.0.0/0`` or ``::/0``, however it was spelt.
- ``collapse`` / ``subtract``: address spaces (lists of networks) compared by the addresses they hold, so that
  ``10.0.0.10/31`` and ``10.0.0.10/32`` + ``10.0.0.11/32`` are one space, and an ipBlock's ``except`` is taken out.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from typing import Iterable
from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

Network = Any  # ipaddress.IPv4Network | ipaddress.IPv6Network


def network(text: Any, path: str) -> Network:
    """The network of a CIDR or an address; an InputError naming ``path`` otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(path, f"{text!r} is not a CIDR or an IP address")
    try:
        return ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as exc:
        hint = ""
        try:
            loose = ipaddress.ip_network(text.strip(), strict=False)
            hint = (
                f"; it has host bits set: did you mean {loose} or {text.strip().split('/')[0]}/{loose.max_prefixlen}?"
            )
        except ValueError:
            pass
        raise InputError(path, f"{text!r} is not a valid CIDR ({exc}){hint}") from None


def fixed_ip(item: dict, path: str) -> Tuple[Network, str]:
    """(the single-address network, ``namespace/pod``) of a ``fixed_ips`` item of ack_fixed_pod_ip."""
    for key in ("namespace", "pod"):
        if not item.get(key) or not isinstance(item[key], str):
            raise InputError(f"{path}.{key}", "a fixed_ips item needs ip, namespace and pod")
    net = network(item.get("ip"), f"{path}.ip")
    if net.num_addresses != 1:
        raise InputError(f"{path}.ip", f"{item['ip']} is not a single address")
    return net, f"{item['namespace']}/{item['pod']}"


def is_fixed_ip_item(item: Any) -> bool:
    """Whether a list item is shaped like a ``fixed_ips`` item (an ``ip`` and no ``cidr``)."""
    return isinstance(item, dict) and "ip" in item and "cidr" not in item


def is_world(net: Network) -> bool:
    """Every address of its family (``0.0.0.0/0``, ``::/0``)."""
    return net.prefixlen == 0


def collapse(networks: Iterable[Network]) -> List[Network]:
    """The fewest networks holding exactly the addresses of ``networks`` (IPv4 first, then IPv6), in order."""
    networks = list(networks)
    out = []
    for version in (4, 6):
        out.extend(ipaddress.collapse_addresses(n for n in networks if n.version == version))
    return out


def subtract(space: Iterable[Network], removed: Iterable[Network]) -> List[Network]:
    """The addresses of ``space`` that are in none of ``removed``, collapsed."""
    removed = list(removed)
    left = []
    for net in space:
        parts = [net]
        for cut in removed:
            if cut.version != net.version:
                continue
            kept = []
            for part in parts:
                if part.subnet_of(cut):
                    continue  # entirely removed
                if cut.subnet_of(part):
                    kept.extend(part.address_exclude(cut))
                else:
                    kept.append(part)  # two CIDR networks either nest or do not meet
            parts = kept
        left.extend(parts)
    return collapse(left)
