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

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import workload
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.plan import recorded_replicas
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import ANN_POD_NETWORKING
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
        if deployment is not None:
            _plan_restore(plan, spec, deployment)
    if spec.statefulset:
        _plan_delete_owned(plan, kube, spec, "StatefulSet", spec.statefulset, "apps/v1")
        _plan_delete_owned(plan, kube, spec, "Service", spec.service_name, "v1")
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is not None:
        _plan_unlabel(plan, spec, namespace)
    if spec.pn_name:
        _plan_delete_pn(plan, kube, spec)
    plan.facts["kept"] = ["eni-config: Trunk ENI cannot be turned off once enabled; it stays on"]
    return plan.freeze()


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


def _plan_unlabel(plan: PlanDraft, spec: Spec, namespace: Dict[str, Any]) -> None:
    keys = ownership.recorded_keys(namespace, ownership.ANN_MANAGED_LABELS)
    if not keys:
        return
    labels = namespace["metadata"].get("labels") or {}
    patch = {
        "metadata": {
            "labels": {k: None for k in keys if k in labels},
            "annotations": {ownership.ANN_MANAGED_LABELS: None},
        }
    }
    after = apply_merge_patch(namespace, patch)
    plan.add(
        Step("patch", "Namespace", spec.namespace, why="remove the labels this collection added", body=patch),
        {"labels": labels},
        {"labels": after["metadata"].get("labels") or {}},
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
