# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HorizontalPodAutoscalers and PodDisruptionBudgets around a converted Deployment.

An HPA whose ``scaleTargetRef`` is the Deployment would be left on a Deployment at 0 (Kubernetes disables
autoscaling of a target at 0 replicas) while the StatefulSet, which carries the load now, is never scaled.
It is found before any write; with ``hpa: refuse`` (the default) the run
stops there, with ``hpa: retarget`` the HPA is pointed at the StatefulSet once the Deployment is scaled
down (the old target recorded in an annotation) and pointed back by the rollback. PodDisruptionBudgets
that select the pods are reported: they apply to the StatefulSet's pods as they did to the Deployment's.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import PlanDraft
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube

HPA_KIND, HPA_API = "HorizontalPodAutoscaler", "autoscaling/v2"
PDB_KIND, PDB_API = "PodDisruptionBudget", "policy/v1"
ANN_ORIGINAL_TARGET = "netsec.kubeguard.io/original-scale-target"


def _target(hpa: Dict[str, Any]) -> Dict[str, Any]:
    return (hpa.get("spec") or {}).get("scaleTargetRef") or {}


def _targets(hpa: Dict[str, Any], kind: str, name: Optional[str]) -> bool:
    target = _target(hpa)
    return target.get("kind") == kind and target.get("name") == name


def _target_step(hpa: Dict[str, Any], spec: Spec, target: Dict[str, Any], recorded: Optional[str], why: str) -> Step:
    """The patch that points the HPA at ``target`` and sets (or, with None, removes) the recorded old target."""
    patch = {"metadata": {"annotations": {ANN_ORIGINAL_TARGET: recorded}}, "spec": {"scaleTargetRef": target}}
    return Step("patch", HPA_KIND, hpa["metadata"]["name"], spec.namespace, body=patch, api_version=HPA_API, why=why)


def _retarget_step(hpa: Dict[str, Any], spec: Spec) -> Step:
    ref = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": spec.statefulset}
    recorded = json.dumps(_target(hpa), sort_keys=True)
    return _target_step(hpa, spec, ref, recorded, "the StatefulSet is the workload now (hpa: retarget)")


def plan_autoscalers(plan: PlanDraft, kube: Kube, spec: Spec, converting: bool) -> None:
    """HPAs of the Deployment (refused, or retargeted after the scale-down) and the PDBs selecting the pods.

    ``converting``: this run scales the Deployment down. Once it is at 0 an HPA on it is inactive (Kubernetes
    disables scaling of a target at 0 replicas), so a later run only looks for HPAs under ``hpa: retarget``.
    """
    if not converting and spec.hpa != "retarget":
        return
    hpas = [hpa for hpa in kube.list(HPA_KIND, HPA_API, spec.namespace) if _targets(hpa, "Deployment", spec.deployment)]
    if hpas and spec.hpa == "refuse":
        names = ", ".join(hpa["metadata"]["name"] for hpa in hpas)
        raise InputError(
            "hpa",
            f"HorizontalPodAutoscaler {names} scales Deployment {spec.namespace}/{spec.deployment}:"
            " after the conversion it would be left on a Deployment at 0, where autoscaling is disabled, while "
            "the StatefulSet is never scaled. Set hpa: retarget to point it at the StatefulSet (and back on "
            "rollback), or remove it first",
        )
    for hpa in hpas:
        step = _retarget_step(hpa, spec)
        plan.add(step, {"scaleTargetRef": _target(hpa)}, {"scaleTargetRef": step.body["spec"]["scaleTargetRef"]})
        plan.warnings.append(
            f"HorizontalPodAutoscaler {hpa['metadata']['name']} now scales StatefulSet "
            f"{spec.statefulset}: pods it adds get new fixed IPs, which a whitelist built from "
            "fixed_ips does not hold until the next run"
        )
    if converting:
        _report_disruption_budgets(plan, kube, spec)


def _report_disruption_budgets(plan: PlanDraft, kube: Kube, spec: Spec) -> None:
    labels = plan.facts.get("pod_labels") or {}
    found: List[str] = []
    for pdb in kube.list(PDB_KIND, PDB_API, spec.namespace):
        selector = (pdb.get("spec") or {}).get("selector")
        if selector is not None and labels and selectors.matches(selector, labels):
            found.append(pdb["metadata"]["name"])
    plan.facts["pod_disruption_budgets"] = found
    for name in found:
        plan.warnings.append(
            f"PodDisruptionBudget {name} selects the pods of {spec.statefulset}: it now limits "
            "evictions of the StatefulSet's pods too (the Deployment's are at 0)"
        )


def plan_autoscalers_back(plan: PlanDraft, kube: Kube, spec: Spec) -> None:
    """The rollback: HPAs this collection retargeted point at the Deployment again."""
    for hpa in kube.list(HPA_KIND, HPA_API, spec.namespace):
        recorded = ((hpa.get("metadata") or {}).get("annotations") or {}).get(ANN_ORIGINAL_TARGET)
        if not recorded or not _targets(hpa, "StatefulSet", spec.statefulset):
            continue
        try:
            original = json.loads(recorded)
        except ValueError:
            plan.warnings.append(
                f"HorizontalPodAutoscaler {hpa['metadata']['name']}: {ANN_ORIGINAL_TARGET} is not "
                "readable; point it back at the Deployment yourself"
            )
            continue
        step = _target_step(hpa, spec, original, None, "scale the Deployment again, as before the conversion")
        plan.add(step, {"scaleTargetRef": _target(hpa)}, {"scaleTargetRef": original})
