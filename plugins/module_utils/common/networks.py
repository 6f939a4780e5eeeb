# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Networks from options, parsed one way for every module (a CLB ACL entry and a NetworkPolicy ipBlock built
from the same list cannot diverge).

- ``network``: a CIDR or a bare address (a ``/32`` or ``/128``), compared as a network, never as a string;
  host bits set (``10.0.0.5/24``) are refused as ambiguous, with both readings offered.
- ``fixed_ip``: an item of ack_fixed_pod_ip's ``fixed_ips`` result (``ip``, ``namespace``, ``pod``).
- ``is_world``: ``0.0.0.0/0`` or ``::/0``, however it was spelt.
"""

from __future__ import annotations

import ipaddress
from typing import Any
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
