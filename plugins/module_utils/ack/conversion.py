# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The application's part of the plan: the StatefulSet (converted from the Deployment, or existing), its
headless Service, its replicas, the Deployment scaled to 0 once the fixed IPs are proven, and the
HorizontalPodAutoscalers and PodDisruptionBudgets around them. Decided from reads only.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import workload
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.autoscaling import plan_autoscalers
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import PlanDraft
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import apply_merge_patch


def plan_workload(plan: PlanDraft, kube: Kube, spec: Spec) -> None:
    """The StatefulSet (converted or existing) whose pods get the fixed IPs; the Deployment scale-down."""
    if not spec.statefulset:
        return
    sts = kube.get("StatefulSet", "apps/v1", spec.statefulset, spec.namespace)
    deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace) if spec.deployment else None
    if spec.deployment and deployment is None:
        raise InputError("convert_deployment", f"Deployment {spec.namespace}/{spec.deployment} does not exist")
    if sts is not None:
        if spec.deployment and not ownership.is_owned(sts):
            raise InputError(
                "statefulset_name",
                f"StatefulSet {spec.namespace}/{spec.statefulset} exists and was not created by this collection; "
                "choose another statefulset_name",
            )
        template = (sts.get("spec") or {}).get("template") or {}
        plan.facts["statefulset"] = sts
        _plan_scale(plan, spec, sts)
    elif not spec.deployment:
        raise InputError(
            "statefulset_name",
            f"StatefulSet {spec.namespace}/{spec.statefulset} does not exist (give convert_deployment to create "
            "it from a Deployment)",
        )
    else:
        template = _plan_conversion(plan, kube, spec, deployment)
    _check_pods_selected(plan, spec, template)
    if deployment is not None:
        plan_autoscalers(plan, kube, spec, converting=_plan_scale_down(plan, spec, deployment, sts))


def _plan_scale(plan: PlanDraft, spec: Spec, sts: Dict[str, Any]) -> None:
    """``replicas`` on an existing StatefulSet: scale it (ours only), and the run returns the new fixed IPs."""
    current = (sts.get("spec") or {}).get("replicas", 1)
    if spec.replicas is None or spec.replicas == current:
        return
    if not ownership.is_owned(sts):
        raise InputError(
            "replicas",
            f"StatefulSet {spec.namespace}/{spec.statefulset} was not created by this "
            f"collection: its replicas ({current}) are not changed here",
        )
    plan.add(
        Step(
            "patch",
            "StatefulSet",
            spec.statefulset,
            spec.namespace,
            body={"spec": {"replicas": spec.replicas}},
            api_version="apps/v1",
            why=f"replicas {current} -> {spec.replicas}: each pod gets its fixed IP",
        ),
        {"replicas": current},
        {"replicas": spec.replicas},
    )
    if spec.replicas < current:
        plan.warnings.append(
            f"StatefulSet {spec.statefulset} scaled down to {spec.replicas}: the fixed IPs of the "
            "removed pods stay reserved (release_strategy Never) or are released after their TTL"
        )


def recorded_replicas(spec: Spec, deployment: Dict[str, Any]) -> Optional[int]:
    """The replica count recorded at conversion (None when not converted); a malformed one is refused."""
    try:
        return workload.original_replicas(deployment)
    except ValueError as exc:
        raise InputError("convert_deployment", f"Deployment {spec.namespace}/{spec.deployment}: {exc}") from exc


def _plan_conversion(plan: PlanDraft, kube: Kube, spec: Spec, deployment: Dict[str, Any]) -> Dict[str, Any]:
    blockers = workload.conversion_blockers(deployment)
    if blockers:
        raise InputError(
            "convert_deployment",
            f"Deployment {spec.namespace}/{spec.deployment} cannot become a StatefulSet with fixed IPs: "
            f"{'; '.join(blockers)}",
        )
    replicas = spec.replicas or recorded_replicas(spec, deployment) or (deployment.get("spec") or {}).get("replicas", 1)
    if not replicas:
        raise InputError(
            "replicas",
            f"Deployment {spec.namespace}/{spec.deployment} has 0 replicas and no recorded count; give replicas for "
            "the StatefulSet",
        )
    manifest, dropped = workload.statefulset_from_deployment(
        deployment, spec.statefulset, spec.service_name, replicas, spec.pod_management_policy
    )
    plan.facts["dropped_fields"] = dropped
    if not spec.copy_gitops_metadata:
        manifest, left_out = workload.strip_gitops_metadata(manifest)
        plan.facts["left_out_metadata"] = left_out
        if left_out:
            plan.warnings.append(
                f"not copied onto StatefulSet {spec.statefulset}: {', '.join(left_out)} - GitOps "
                "tools track objects by them, so a prune would delete the StatefulSet or a sync "
                "would scale the Deployment back up (copy_gitops_metadata: true copies them)"
            )
    _plan_service(plan, kube, spec, manifest)
    plan.add(
        Step(
            "create",
            "StatefulSet",
            spec.statefulset,
            spec.namespace,
            why="fixed IPs need fixed-name pods",
            body=manifest,
            api_version="apps/v1",
        ),
        None,
        manifest,
    )
    return manifest["spec"]["template"]


def _plan_service(plan: PlanDraft, kube: Kube, spec: Spec, statefulset: Dict[str, Any]) -> None:
    service = kube.get("Service", "v1", spec.service_name, spec.namespace)
    if service is None:
        body = workload.headless_service(statefulset, spec.service_name)
        plan.add(
            Step(
                "create", "Service", spec.service_name, spec.namespace, why="the StatefulSet's serviceName", body=body
            ),
            None,
            body,
        )
        return
    if (service.get("spec") or {}).get("clusterIP") != "None":
        raise InputError(
            "service_name",
            f"Service {spec.namespace}/{spec.service_name} exists and is not headless "
            f"(clusterIP {service['spec'].get('clusterIP')}): a StatefulSet's serviceName "
            "must be a headless Service; choose another service_name",
        )


def _check_pods_selected(plan: PlanDraft, spec: Spec, template: Dict[str, Any]) -> None:
    labels = (template.get("metadata") or {}).get("labels") or {}
    plan.facts["pod_labels"] = labels
    if not podnetworking.matches(plan.facts["pod_networking_spec"], labels, plan.facts["namespace_labels"]):
        raise InputError(
            "pod_networking.pod_selector",
            f"PodNetworking {spec.pn_name} would not select the pods of {spec.statefulset} (labels "
            f"{labels} in namespace {spec.namespace})",
        )


def _plan_scale_down(plan: PlanDraft, spec: Spec, deployment: Dict[str, Any], sts: Optional[Dict[str, Any]]) -> bool:
    """Plans the Deployment's scale-down to 0 unless it is converted already; True when planned."""
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    original = recorded_replicas(spec, deployment)
    if replicas == 0 and original is not None:
        return False  # already converted
    patch = workload.scale_down_patch(deployment, original if original is not None else replicas)
    before = {"replicas": replicas, "annotations": deployment["metadata"].get("annotations") or {}}
    after_obj = apply_merge_patch(deployment, patch)
    why = "scaled to 0 once the StatefulSet's pods have fixed IPs (kept for rollback)"
    plan.add(
        Step("patch", "Deployment", spec.deployment, spec.namespace, why=why, body=patch, api_version="apps/v1"),
        before,
        {"replicas": 0, "annotations": after_obj["metadata"].get("annotations") or {}},
    )
    if sts is not None and not ownership.is_owned(sts):
        plan.warnings.append(f"StatefulSet {spec.statefulset} was not created by this collection")
    return True
