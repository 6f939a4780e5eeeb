# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's rollback plan (``state: deleted``), decided from reads only.

The Deployment goes back to its recorded replicas (and is waited for) before the StatefulSet and the
headless Service this collection created are deleted; then the namespace labels it added go, and
the PodNetworking if this collection created it and no other pod uses it. eni-config stays as it is
(Trunk ENI is one-way).
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import workload
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.autoscaling import plan_autoscalers_back
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.conversion import recorded_replicas
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.labels import plan_unlabel
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import ANN_POD_NETWORKING
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import fixed_allocation
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import PlanDraft
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import apply_merge_patch


def plan_deleted(kube: Kube, spec: Spec) -> Plan:
    """The rollback: Deployment back, then our StatefulSet, Service, namespace labels and PodNetworking."""
    plan = PlanDraft()
    if spec.deployment:
        deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace)
        if deployment is None:
            _refuse_without_deployment(kube, spec)
        else:
            _plan_restore(plan, spec, deployment)
            plan_autoscalers_back(plan, kube, spec)
    kept = ["eni-config: Trunk ENI cannot be turned off once enabled; it stays on"]
    if spec.statefulset:
        kept += reserved_ips(kube, spec)
        _plan_delete_owned(plan, kube, spec, "StatefulSet", spec.statefulset, "apps/v1")
        _plan_delete_owned(plan, kube, spec, "Service", spec.service_name, "v1")
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is not None:
        plan_unlabel(plan, spec, namespace)
    if spec.pn_name:
        _plan_delete_pn(plan, kube, spec)
    if spec.deployment and plan.find("delete", "StatefulSet"):
        kept.append(
            f"the pods of Deployment {spec.namespace}/{spec.deployment} get shared-pool IPs again, outside "
            "any whitelist built from fixed_ips (a CLB ACL, a NetworkPolicy): update it for them, or they "
            "lose what it lets them reach"
        )
    plan.facts["kept"] = kept
    return plan.freeze()


def _refuse_without_deployment(kube: Kube, spec: Spec) -> None:
    """With the Deployment gone, deleting the StatefulSet would leave no pod of the application."""
    sts = kube.get("StatefulSet", "apps/v1", spec.statefulset, spec.namespace) if spec.statefulset else None
    if sts is not None and ownership.is_owned(sts):
        raise InputError(
            "convert_deployment",
            (
                f"Deployment {spec.namespace}/{spec.deployment} does not exist any more: rolling back would delete "
                f"StatefulSet {spec.statefulset}, the only workload of the application left, and nothing would take "
                "over. Nothing was changed; restore the Deployment first, or keep the StatefulSet (it is the "
                "workload now)"
            ),
        )


def reserved_ips(kube: Kube, spec: Spec) -> List[str]:
    """What the rollback leaves reserved: the Fixed IPs of the StatefulSet's pods that Terway keeps."""
    kept = []
    prefix = f"{spec.statefulset}-"
    for podeni in kube.list("PodENI", podnetworking.API_VERSION, spec.namespace):
        name = podeni["metadata"]["name"]
        allocation = fixed_allocation(podeni)
        if not name.startswith(prefix) or not name[len(prefix) :].isdigit() or allocation is None:
            continue
        strategy = (allocation.get("allocationType") or {}).get("releaseStrategy") or "Never"
        until = (
            "until the PodENI is deleted"
            if strategy == "Never"
            else f"until its TTL ({(allocation.get('allocationType') or {}).get('releaseAfter')}) runs out"
        )
        kept.append(
            f"fixed IP {allocation['ipv4']} of pod {spec.namespace}/{name} stays reserved in its PodENI "
            f"(release_strategy {strategy}) {until}"
        )
    return kept


def _plan_restore(plan: PlanDraft, spec: Spec, deployment: Dict[str, Any]) -> None:
    original = recorded_replicas(spec, deployment)
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    if original is None:
        if replicas == 0 and spec.replicas is None:
            raise InputError(
                "replicas",
                f"Deployment {spec.namespace}/{spec.deployment} has 0 replicas and no recorded count "
                f"({workload.ANN_ORIGINAL_REPLICAS}); give replicas to restore it",
            )
        if replicas == 0:
            patch = {"spec": {"replicas": spec.replicas}}
        else:
            return
    else:
        patch = workload.restore_patch(deployment)
    after = apply_merge_patch(deployment, patch)
    why = "restore the replicas recorded at conversion"
    plan.add(
        Step("patch", "Deployment", spec.deployment, spec.namespace, why=why, body=patch, api_version="apps/v1"),
        {"replicas": replicas, "annotations": deployment["metadata"].get("annotations") or {}},
        {"replicas": after["spec"]["replicas"], "annotations": after["metadata"].get("annotations") or {}},
    )


def _plan_delete_owned(plan: PlanDraft, kube: Kube, spec: Spec, kind: str, name: str, api_version: str) -> None:
    obj = kube.get(kind, api_version, name, spec.namespace)
    if obj is None:
        return
    if not ownership.is_owned(obj):
        plan.warnings.append(f"{kind} {spec.namespace}/{name} was not created by this collection: kept")
        return
    plan.add(
        Step("delete", kind, name, spec.namespace, why="created by the conversion", api_version=api_version),
        {"exists": True},
        None,
    )


def _plan_delete_pn(plan: PlanDraft, kube: Kube, spec: Spec) -> None:
    current = kube.get(podnetworking.KIND, podnetworking.API_VERSION, spec.pn_name)
    if current is None:
        return
    if not ownership.is_owned(current):
        plan.warnings.append(f"PodNetworking {spec.pn_name} was not created by this collection: kept")
        return
    leaving = spec.statefulset if plan.find("delete", "StatefulSet") else None
    users = []
    for pod in kube.list("Pod", "v1"):
        meta = pod["metadata"]
        if (meta.get("annotations") or {}).get(ANN_POD_NETWORKING) != spec.pn_name:
            continue
        if (
            leaving
            and meta.get("namespace") == spec.namespace
            and any(
                r.get("kind") == "StatefulSet" and r.get("name") == leaving for r in meta.get("ownerReferences") or []
            )
        ):
            continue
        users.append(f"{meta['namespace']}/{meta['name']}")
    if users:
        plan.warnings.append(f"PodNetworking {spec.pn_name} kept: still used by {', '.join(sorted(users))}")
        return
    plan.add(
        Step(
            "delete",
            podnetworking.KIND,
            spec.pn_name,
            why="no pod uses it any more",
            api_version=podnetworking.API_VERSION,
        ),
        {"spec": current.get("spec")},
        None,
    )
