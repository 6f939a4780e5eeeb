# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of ack_slb_acl: validate, read, plan, (write), verify, report.

Every option is checked first (``spec``); then the ACL, the listeners and the Service are read and the
whole change is planned (entries in quota-safe, make-before-break order; the listener binding; the
Service annotations) and refused before any write when it is unsafe: an ACL bound as a whitelist is
never left empty, nobody else's access control or annotation is replaced without the opt-in, and a
binding the cloud-controller-manager would ignore is not attempted. Check mode stops at the plan.
"""

from __future__ import annotations

import time
from typing import Any
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import SlbBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import listeners as acl_listeners
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import report
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import service as db_service
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import NEW_ACL
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import AclApi
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import AclState
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import steps
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.verify import wait_for_ccm
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options


class Context:
    """What one run read and decided."""

    def __init__(self, run: ModuleRun, spec: Spec) -> None:
        self.run, self.spec = run, spec
        self.slb: Any = None
        self.acl: Optional[AclState] = None
        self.kube: Optional[Kube] = None
        self.service: Optional[dict] = None
        self.live_listeners: List[acl_listeners.Listener] = []

    @property
    def acl_id(self) -> str:
        return self.acl.acl_id if self.acl else NEW_ACL

    def wrote(self, action: str) -> None:
        self.run.result.setdefault("actions", []).append(action)


def execute(run: ModuleRun) -> None:
    spec = Spec.from_params(run.params)
    run.result.update(warnings_found=[])
    if spec.state == "rendered":
        run.result["rendered"] = report.rendered(spec)
        return
    if not run.params.get("region_id"):
        raise InputError("region_id", "give the region (or set ALIBABA_CLOUD_REGION_ID or ALICLOUD_REGION)")
    ctx = Context(run, spec)
    ctx.slb = run.attach(SlbBackend(run.params))
    api = AclApi(ctx.slb)
    found = api.find(spec.name)
    if found and found.get("AddressIPVersion", "ipv4") != spec.ip_version:
        raise InputError(
            "ip_version",
            f"the ACL {spec.name} ({found['AclId']}) is {found['AddressIPVersion']}, not {spec.ip_version}",
        )
    ctx.acl = api.read(found["AclId"]) if found else None
    _read_bindings(ctx)
    if spec.state == "gathered":
        run.result.update(report.gathered(ctx))
        return
    _change(ctx, api)


def _read_bindings(ctx: Context) -> None:
    spec = ctx.spec
    ctx.live_listeners = [acl_listeners.read(ctx.slb, listener) for listener in spec.listeners]
    if spec.service:
        options = connection_options(ctx.run.params.get("kubernetes") or {})
        ctx.kube = Kube(ctx.run.attach(KubeBackend(options, "kubernetes.")))
        ctx.service = db_service.read(ctx.kube, spec.service.namespace, spec.service.name)
        _check_same_load_balancer(ctx)


def _check_same_load_balancer(ctx: Context) -> None:
    """The listeners must be the Service's CLB's: anything else is the wrong Service, cluster or CLB."""
    served_by = db_service.load_balancer_id(ctx.service)
    others = sorted({item.load_balancer_id for item in ctx.spec.listeners} - {served_by})
    if served_by and others:
        meta = ctx.service["metadata"]
        raise PlanError(
            f"listeners name {', '.join(others)}, but Service {meta['namespace']}/{meta['name']} "
            f"(through {ctx.kube.backend.where}) is served by {served_by}: the wrong Service, cluster "
            f"or load balancer? Nothing was changed"
        )


def _change(ctx: Context, api: AclApi) -> None:
    spec, run = ctx.spec, ctx.run
    current = ctx.acl.entries if ctx.acl else []
    acl_plan = plan(spec.state, spec.entries, current, spec.protect)
    order = steps(acl_plan, len(current))
    bound = ctx.acl.bound_as_whitelist if ctx.acl else []
    if not acl_plan.after and (bound or spec.binds):
        where = ", ".join(f"{b['LoadBalancerId']}:{b['ListenerPort']}" for b in bound) or "the listeners to bind"
        raise PlanError(
            f"the ACL {spec.name} would be empty while bound as a whitelist ({where}): an empty "
            f"whitelist lets every source through. Nothing was changed"
        )
    binding = acl_listeners.to_bind(ctx.live_listeners, ctx.acl_id, spec.overwrite_listener_acl)
    patch = _service_patch(ctx)
    if db_service.HOSTNAME in ((patch.get("metadata") or {}).get("annotations") or {}):
        run.result["warnings_found"].append(
            f"Service {spec.service.namespace}/{spec.service.name}: with the hostname annotation its "
            f"status.loadBalancer.ingress shows {spec.service.hostname} and no IP any more: clients and tools that "
            f"read the IP from the Service must use the name (or the CLB address) instead"
        )
    run.result.update(report.planned(ctx, acl_plan, binding, patch))
    run.result["changed"] = (
        bool(ctx.acl is None and spec.state != "deleted") or acl_plan.changes or bool(binding) or bool(patch)
    )
    if run.check_mode or not run.result["changed"]:
        return
    _write(ctx, api, order, binding, patch)
    ctx.acl = api.read(ctx.acl.acl_id)
    run.result.update(report.after(ctx, run.result))


def _service_patch(ctx: Context) -> dict:
    spec = ctx.spec
    if not spec.service:
        return {}
    if spec.service.bind:
        db_service.check_ccm_applies(ctx.service)
    wanted = db_service.wanted_annotations(ctx.acl_id if spec.service.bind else None, spec.service.hostname)
    return db_service.patch_for(ctx.service, wanted, spec.overwrite_annotations)


def _write(ctx: Context, api: AclApi, order: list, binding: list, patch: dict) -> None:
    spec = ctx.spec
    if ctx.acl is None:
        acl_id = api.create(spec.name, spec.ip_version)
        ctx.wrote(f"created ACL {spec.name} ({acl_id})")
        ctx.acl = AclState(acl_id, spec.name, spec.ip_version)
        patch = _service_patch(ctx)  # the annotations name the id that now exists
    for index, (kind, chunk) in enumerate(order):
        if index:
            time.sleep(spec.entry_write_interval)  # the CLB refuses a write inside the last one's processing
        getattr(api, kind)(ctx.acl.acl_id, chunk)
        ctx.wrote(f"{'added' if kind == 'add' else 'removed'} {len(chunk)} entries")
    for listener in binding:
        acl_listeners.bind(ctx.slb, listener, ctx.acl.acl_id)
        ctx.wrote(f"bound {listener.load_balancer_id}:{listener.port} as a whitelist")
    if patch:
        meta = ctx.service["metadata"]
        ctx.service = ctx.kube.merge_patch("Service", "v1", meta["name"], patch, meta["namespace"])
        ctx.wrote(f"annotated Service {meta['namespace']}/{meta['name']}")
    if spec.wait and spec.service and (patch or spec.service.bind):
        ctx.service = wait_for_ccm(ctx)
