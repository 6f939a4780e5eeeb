# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_slb_acl's return values: the plan, the diff (before is what was read), what was read back after the
writes, the gathered state, and the rendered payloads."""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import listeners as acl_listeners
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import service as db_service
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import NEW_ACL
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import add_params
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import Entry
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import AclPlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import steps


def views(entries: List[Entry]) -> List[Dict[str, str]]:
    return [entry.view() for entry in sorted(entries, key=lambda e: (e.network.version, e.network))]


def _acl(ctx: Any) -> Dict[str, Any]:
    return {
        "id": ctx.acl.acl_id if ctx.acl else None,
        "name": ctx.spec.name,
        "ip_version": ctx.spec.ip_version,
        "exists": ctx.acl is not None,
        "bound_to": [
            {
                "load_balancer_id": r.get("LoadBalancerId"),
                "port": r.get("ListenerPort"),
                "protocol": r.get("Protocol"),
                "acl_type": r.get("AclType"),
            }
            for r in (ctx.acl.related if ctx.acl else [])
        ],
    }


def _service_view(ctx: Any, patch: Dict[str, Any]) -> Dict[str, Any]:
    if not ctx.service:
        return {}
    meta = ctx.service["metadata"]
    return {
        "namespace": meta["namespace"],
        "name": meta["name"],
        "load_balancer_id": db_service.load_balancer_id(ctx.service),
        "annotations_set": dict((patch.get("metadata") or {}).get("annotations") or {}),
        "ingress": db_service.ingress(ctx.service),
    }


def planned(ctx: Any, acl_plan: AclPlan, binding: list, patch: Dict[str, Any]) -> Dict[str, Any]:
    before_entries = views(ctx.acl.entries if ctx.acl else [])
    to_bind = {(item.load_balancer_id, item.port) for item in binding}
    listeners = [dict(item.view(), bind=(item.load_balancer_id, item.port) in to_bind) for item in ctx.live_listeners]
    annotations = (ctx.service or {}).get("metadata", {}).get("annotations") or {}
    watched = sorted(((patch.get("metadata") or {}).get("annotations") or {}))
    before_ann = {key: annotations.get(key) for key in watched}
    after_ann = dict(before_ann, **((patch.get("metadata") or {}).get("annotations") or {}))
    return {
        "acl": _acl(ctx),
        "entries_before": before_entries,
        "entries_after": views(acl_plan.after),
        "added": views(acl_plan.add),
        "removed": views(acl_plan.remove),
        "kept": views(acl_plan.kept),
        "comment_differs": [
            {"cidr": str(w.network), "wanted": w.comment, "current": c.comment} for w, c in acl_plan.comment_differs
        ],
        "listeners": listeners,
        "service": _service_view(ctx, patch),
        "diff": {
            "before": {
                "acl": ctx.spec.name,
                "entries": before_entries,
                "listeners": [item.view() for item in ctx.live_listeners],
                "annotations": before_ann,
            },
            "after": {
                "acl": ctx.spec.name,
                "entries": views(acl_plan.after),
                "listeners": [
                    (item.bound(ctx.acl_id) if (item.load_balancer_id, item.port) in to_bind else item).view()
                    for item in ctx.live_listeners
                ],
                "annotations": after_ann,
            },
        },
    }


def after(ctx: Any, planned_result: Dict[str, Any]) -> Dict[str, Any]:
    """What was read back once the writes were done."""
    result = {"acl": _acl(ctx), "entries_after": views(ctx.acl.entries)}
    if ctx.service:
        read_back = _service_view(ctx, {})
        result["service"] = dict(
            planned_result.get("service") or {},
            ingress=read_back["ingress"],
            load_balancer_id=read_back["load_balancer_id"],
        )
    return result


def gathered(ctx: Any) -> Dict[str, Any]:
    """The ACL in the module's input format (``gathered.entries`` as {cidr, comment}), and its bindings."""
    return {
        "acl": _acl(ctx),
        "gathered": {
            "name": ctx.spec.name,
            "ip_version": ctx.spec.ip_version,
            "entries": views(ctx.acl.entries if ctx.acl else []),
        },
        "listeners": [item.view() for item in ctx.live_listeners],
        "service": _service_view(ctx, {}),
    }


def rendered(spec: Any) -> List[Dict[str, Any]]:
    """The API calls a run on an empty account would make, with their parameters, in order (no call made)."""
    calls: List[Dict[str, Any]] = [
        {"action": "CreateAccessControlList", "params": {"AclName": spec.name, "AddressIPVersion": spec.ip_version}}
    ]
    for _kind, chunk in steps(plan("merged", spec.entries, []), 0):
        calls.append({"action": "AddAccessControlListEntry", "params": add_params(NEW_ACL, chunk)})
    for item in spec.listeners:
        action, params = acl_listeners.bind_call(item, NEW_ACL)
        calls.append({"action": action, "params": params})
    if spec.service:
        wanted = db_service.wanted_annotations(NEW_ACL if spec.service.bind else None, spec.service.hostname)
        params = {"namespace": spec.service.namespace, "name": spec.service.name, "metadata": {"annotations": wanted}}
        calls.append({"action": "PATCH Service", "params": params})
    return calls
