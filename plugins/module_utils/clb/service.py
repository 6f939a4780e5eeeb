# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The database Service's side: the cloud-controller-manager's annotations (``acl-status``, ``acl-id``,
``acl-type``; ``hostname``), recorded as this collection's in ``netsec.kubeguard.io/managed-annotations``.

An annotation someone else set to another value is refused unless ``overwrite_annotations``. Binding
through annotations is refused before any write when the CCM would ignore it: a reused load balancer
(``...-loadbalancer-id``) without ``force-override-listeners: "true"``.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import ANN_MANAGED_ANNOTATIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import record_value
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import recorded_keys

PREFIX = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
LEGACY_PREFIX = "service.beta.kubernetes.io/alicloud-loadbalancer-"
HOSTNAME = PREFIX + "hostname"
LB_ID_LABEL = "service.k8s.alibaba/loadbalancer-id"


def annotation(service: Dict[str, Any], name: str) -> Optional[str]:
    annotations = service["metadata"].get("annotations") or {}
    return annotations.get(PREFIX + name, annotations.get(LEGACY_PREFIX + name))


def read(kube: Any, namespace: str, name: str) -> Dict[str, Any]:
    service = kube.get("Service", "v1", name, namespace)
    if service is None:
        raise InputError("service.name", f"Service {namespace}/{name} does not exist")
    if (service.get("spec") or {}).get("type") != "LoadBalancer":
        raise InputError(
            "service.name",
            f"Service {namespace}/{name} is of type {service['spec'].get('type')}, not LoadBalancer: no CLB serves it",
        )
    return service


def load_balancer_id(service: Dict[str, Any]) -> Optional[str]:
    return ((service["metadata"].get("labels") or {}).get(LB_ID_LABEL)) or annotation(service, "id")


def wanted_annotations(acl_id: Optional[str], hostname: Optional[str]) -> Dict[str, str]:
    result = {}
    if acl_id:
        result.update({PREFIX + "acl-status": "on", PREFIX + "acl-id": acl_id, PREFIX + "acl-type": "white"})
    if hostname:
        result[HOSTNAME] = hostname
    return result


def check_ccm_applies(service: Dict[str, Any]) -> None:
    """The CCM only syncs the listeners of a reused CLB with force-override-listeners."""
    if annotation(service, "id") and annotation(service, "force-override-listeners") != "true":
        meta = service["metadata"]
        raise PlanError(
            f"Service {meta['namespace']}/{meta['name']} reuses the load balancer {annotation(service, 'id')} "
            f'without {PREFIX}force-override-listeners: "true": the cloud-controller-manager will not apply '
            f"acl-* annotations to its listeners. Bind through the API with listeners: instead (recommended for "
            f"a reused CLB), or set force-override-listeners deliberately (the CCM then owns every listener)"
        )


def patch_for(service: Dict[str, Any], wanted: Dict[str, str], overwrite: bool) -> Dict[str, Any]:
    """The merge patch that sets ``wanted`` (empty when nothing changes); refuses foreign values."""
    annotations = service["metadata"].get("annotations") or {}
    ours = set(recorded_keys(service))
    foreign: List[str] = []
    changes = {}
    for key, value in wanted.items():
        if annotations.get(key) == value:
            continue
        if key in annotations and key not in ours:
            foreign.append(f"{key}={annotations[key]!r}")
        changes[key] = value
    if foreign and not overwrite:
        meta = service["metadata"]
        raise PlanError(
            f"Service {meta['namespace']}/{meta['name']} has annotations that this collection did not "
            f"set: {', '.join(foreign)}; set overwrite_annotations: true to replace them"
        )
    if not changes:
        return {}
    recorded = record_value(ours | set(changes))
    return {"metadata": {"annotations": dict(changes, **{ANN_MANAGED_ANNOTATIONS: recorded})}}


def warning_events(kube: Any, service: Dict[str, Any]) -> List[str]:
    """The Service's Warning events, newest last, as ``reason: message``."""
    meta = service["metadata"]
    events = kube.list("Event", "v1", namespace=meta["namespace"])
    warnings = [
        e
        for e in events
        if e.get("type") == "Warning"
        and (e.get("involvedObject") or {}).get("name") == meta["name"]
        and (e.get("involvedObject") or {}).get("uid") in (None, meta.get("uid"))
    ]
    warnings.sort(key=lambda e: e.get("lastTimestamp") or "")
    return [f"{e.get('reason')}: {e.get('message')}" for e in warnings]


def ingress(service: Dict[str, Any]) -> List[Dict[str, Any]]:
    return ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
