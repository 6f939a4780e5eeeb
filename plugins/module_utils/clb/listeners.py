# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Binding the ACL to listeners through the API: AclStatus on, AclType white, AclId.

A listener whose access control someone else set (another ACL, or a blacklist) is refused before any
write unless ``overwrite_listener_acl``; then its previous setting is returned so it can be put back.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import Dict
from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError

PROTOCOLS = ("tcp", "udp", "http", "https")


@dataclass
class Listener:
    load_balancer_id: str
    port: int
    protocol: str
    acl_status: str = "off"
    acl_type: str = ""
    acl_id: str = ""

    def bound_to(self, acl_id: str) -> bool:
        return self.acl_status == "on" and self.acl_type == "white" and self.acl_id == acl_id

    def bound(self, acl_id: str) -> "Listener":
        """This listener as the binding leaves it."""
        return replace(self, acl_status="on", acl_type="white", acl_id=acl_id)

    def view(self) -> Dict[str, Any]:
        return {
            "load_balancer_id": self.load_balancer_id,
            "port": self.port,
            "protocol": self.protocol,
            "acl_status": self.acl_status,
            "acl_type": self.acl_type or None,
            "acl_id": self.acl_id or None,
        }


def wanted(items: Any) -> List[Listener]:
    """The ``listeners`` option, checked."""
    result, seen = [], set()
    for index, item in enumerate(items or []):
        path = f"listeners[{index}]"
        lb_id = item.get("load_balancer_id")
        if not isinstance(lb_id, str) or not lb_id.startswith("lb-") or len(lb_id) < 6:
            raise InputError(f"{path}.load_balancer_id", f"{lb_id!r} is not a CLB id (lb-...)")
        port = item.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise InputError(f"{path}.port", f"{port!r} is not a port (1-65535)")
        protocol = str(item.get("protocol") or "tcp").lower()
        if protocol not in PROTOCOLS:
            raise InputError(f"{path}.protocol", f"{item.get('protocol')!r} is not one of {', '.join(PROTOCOLS)}")
        if (lb_id, port) in seen:
            raise InputError(path, f"{lb_id}:{port} is listed twice")
        seen.add((lb_id, port))
        result.append(Listener(lb_id, port, protocol))
    return result


def read(slb: Any, listener: Listener) -> Listener:
    live = slb.call(
        f"DescribeLoadBalancer{listener.protocol.upper()}ListenerAttribute",
        LoadBalancerId=listener.load_balancer_id,
        ListenerPort=listener.port,
    )
    return Listener(
        listener.load_balancer_id,
        listener.port,
        listener.protocol,
        live.get("AclStatus") or "off",
        live.get("AclType") or "",
        live.get("AclId") or "",
    )


def to_bind(live: List[Listener], acl_id: str, overwrite: bool) -> List[Listener]:
    """The listeners that need the binding; refuses to replace someone else's access control."""
    foreign = [item for item in live if item.acl_status == "on" and not item.bound_to(acl_id)]
    if foreign and not overwrite:
        shown = ", ".join(f"{i.load_balancer_id}:{i.port} ({i.acl_type}list {i.acl_id})" for i in foreign)
        raise PlanError(
            f"listeners already have access control that this task did not set: {shown}; "
            f"set overwrite_listener_acl: true to replace it (the previous settings are returned)"
        )
    return [item for item in live if not item.bound_to(acl_id)]


def bind_call(listener: Listener, acl_id: str) -> Tuple[str, Dict[str, Any]]:
    """(action, parameters) of the call that binds ``acl_id`` to the listener as a whitelist (sent, or rendered)."""
    params = {
        "LoadBalancerId": listener.load_balancer_id,
        "ListenerPort": listener.port,
        "AclStatus": "on",
        "AclType": "white",
        "AclId": acl_id,
    }
    return f"SetLoadBalancer{listener.protocol.upper()}ListenerAttribute", params


def bind(slb: Any, listener: Listener, acl_id: str) -> None:
    action, params = bind_call(listener, acl_id)
    slb.call(action, **params)
