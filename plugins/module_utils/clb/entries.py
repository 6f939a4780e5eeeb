# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CLB ACL entries: the desired ones from the options, the live ones from the API, both as networks.

- ``entries`` items are ``{cidr, comment}`` or, as ack_fixed_pod_ip returns them in ``fixed_ips``,
  ``{ip, namespace, pod, ...}`` (a ``/32`` or ``/128`` commented ``kubeguard:<namespace>/<pod>``).
- A CIDR is compared as a network, never as a string: ``10.0.0.1`` and ``10.0.0.1/32`` are one
  entry, ``2001:DB8::1`` and ``2001:db8::1/128`` too; host bits (``10.0.0.5/24``) are refused as
  ambiguous.
- Every entry this collection writes has a comment starting with ``kubeguard:`` (CONVENTIONS); a
  user's comment is prefixed with it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common import networks
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

MARKER = "kubeguard:"
MAX_COMMENT = 100
MAX_PER_ACL = 300
MAX_PER_CALL = 50


@dataclass(frozen=True)
class Entry:
    """One ACL entry: its network, and the text and comment the ACL holds (or will hold)."""

    network: Any  # ipaddress.IPv4Network | IPv6Network
    text: str
    comment: str

    @property
    def ours(self) -> bool:
        return self.comment.startswith(MARKER)

    def view(self) -> Dict[str, str]:
        return {"cidr": str(self.network), "comment": self.comment}

    def payload(self) -> Dict[str, str]:
        return {"entry": self.text, "comment": self.comment}


def network(text: Any, path: str, version: str) -> Any:
    """The network of a CIDR or an address, checked against the ACL's IP version."""
    parsed = networks.network(text, path)
    if f"ipv{parsed.version}" != version:
        raise InputError(path, f"{parsed} is an IPv{parsed.version} network; the ACL is {version} (ip_version)")
    return parsed


def _comment(text: Any, path: str) -> str:
    if text is None or text == "":
        return ""
    if not isinstance(text, str) or any(ord(c) < 32 for c in text):
        raise InputError(path, "a comment is text without control characters")
    return text


def _one(item: Any, path: str, version: str) -> Entry:
    if not isinstance(item, dict):
        raise InputError(path, "each entry is a dict {cidr, comment}, or an item of ack_fixed_pod_ip's fixed_ips")
    if networks.is_fixed_ip_item(item):
        net, pod = networks.fixed_ip(item, path)
        network(str(net), f"{path}.ip", version)
        comment = f"{MARKER}{pod}"
    else:
        unknown = sorted(set(item) - {"cidr", "comment"})
        if unknown:
            raise InputError(path, f"unknown keys {unknown}: an entry has cidr and comment")
        net = network(item.get("cidr"), f"{path}.cidr", version)
        comment = _comment(item.get("comment"), f"{path}.comment")
        comment = comment if comment.startswith(MARKER) else f"{MARKER}{comment or net}"
    if len(comment) > MAX_COMMENT:
        raise InputError(f"{path}.comment", f"{comment!r} is longer than {MAX_COMMENT} characters")
    return Entry(net, str(net), comment)


def desired(items: Any, version: str) -> List[Entry]:
    """The entries the options ask for, merged by network; refuses one network with two comments."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError("entries", "a list of {cidr, comment} or the fixed_ips of ack_fixed_pod_ip")
    found: Dict[Any, Entry] = {}
    for index, item in enumerate(items):
        entry = _one(item, f"entries[{index}]", version)
        known = found.get(entry.network)
        if known is not None and known.comment != entry.comment:
            raise InputError(
                f"entries[{index}]",
                f"{entry.network} is listed twice, with the comments {known.comment!r} and {entry.comment!r}",
            )
        found.setdefault(entry.network, entry)
    if len(found) > MAX_PER_ACL:
        raise InputError("entries", f"{len(found)} entries; a CLB ACL holds at most {MAX_PER_ACL}")
    return sorted(found.values(), key=lambda e: (e.network.version, e.network))


def live(items: List[Dict[str, Any]]) -> List[Entry]:
    """The entries the API returned (``AclEntryIP`` as stored, ``AclEntryComment``)."""
    result = []
    for item in items:
        text = item.get("AclEntryIP") or ""
        result.append(Entry(ipaddress.ip_network(text, strict=False), text, item.get("AclEntryComment") or ""))
    return result
