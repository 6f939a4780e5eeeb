# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""After the Service is annotated: wait (bounded) until the cloud-controller-manager has done its part,
read back through the CLB API (every listener of the Service's CLB bound to the ACL as a whitelist) and
the Service's status (only the hostname published). On timeout the Service's Warning events say why."""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import listeners as acl_listeners
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import service as db_service
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import WaitTimeout
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.waiting import Waiter

INTERVAL = 1.0


def _listeners_bound(ctx: Any, lb_id: str) -> Tuple[bool, str]:
    lb = ctx.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)
    ports = (lb.get("ListenerPortsAndProtocol") or {}).get("ListenerPortAndProtocol") or []
    if not ports:
        return False, f"the load balancer {lb_id} has no listener yet"
    waiting = []
    for item in ports:
        live = acl_listeners.read(
            ctx.slb, acl_listeners.Listener(lb_id, item["ListenerPort"], item["ListenerProtocol"])
        )
        if not live.bound_to(ctx.acl.acl_id):
            waiting.append(f"{lb_id}:{live.port} has AclStatus {live.acl_status} {live.acl_id or ''}".rstrip())
    return not waiting, "; ".join(waiting)


def _hostname_published(ctx: Any, hostname: str) -> Tuple[bool, Dict[str, Any]]:
    meta = ctx.service["metadata"]
    ctx.service = db_service.read(ctx.kube, meta["namespace"], meta["name"])
    shown = db_service.ingress(ctx.service)
    return shown == [{"hostname": hostname}], {"ingress": shown}


def wait_for_ccm(ctx: Any) -> Dict[str, Any]:
    spec = ctx.spec
    waiter = Waiter(spec.wait_timeout, INTERVAL)
    meta = ctx.service["metadata"]
    what = f"the cloud-controller-manager to apply the annotations of Service {meta['namespace']}/{meta['name']}"
    try:
        if spec.service.bind:
            lb_id = db_service.load_balancer_id(ctx.service)

            def probe() -> Tuple[bool, str]:
                if lb_id is None:
                    return False, "the Service names no load balancer yet"
                return _listeners_bound(ctx, lb_id)

            waiter.until(probe, what)
        if spec.service.hostname:
            waiter.until(lambda: _hostname_published(ctx, spec.service.hostname), what)
    except WaitTimeout as exc:
        events = db_service.warning_events(ctx.kube, ctx.service)
        said = f"; the Service's warnings: {' | '.join(events[-3:])}" if events else ""
        raise WaitTimeout(f"{exc}{said}") from exc
    return ctx.service
