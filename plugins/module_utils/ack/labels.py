# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The application namespace's labels, so that the PodNetworking's namespaceSelector selects it.

The namespace is not ours: labels like ``env`` are what other PodNetworkings and NetworkPolicies select
on. A label it lacks is added and recorded (the rollback removes it). A label that already has another
value is refused, naming it and its value, unless ``overwrite_namespace_labels`` - then the value before
and the value set are recorded, and the rollback restores the old one (unless someone changed it since).
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import PlanDraft
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import apply_merge_patch

SELECTOR_LABELS = "pod_networking.namespace_selector.match_labels"


def _conflicts(spec: Spec, current: Dict[str, str], wanted: Dict[str, str]) -> Dict[str, str]:
    conflicts = {key: current[key] for key, value in wanted.items() if key in current and current[key] != value}
    if conflicts and not spec.overwrite_namespace_labels:
        key = sorted(conflicts)[0]
        raise InputError(
            f"{SELECTOR_LABELS}.{key}",
            (
                f"namespace {spec.namespace} already has the label {key}={conflicts[key]!r}, and the selector wants "
                f"{wanted[key]!r}; other PodNetworkings and NetworkPolicies may select on it, so it is not changed. "
                "Select on another label, or set overwrite_namespace_labels: true (the old value is recorded and "
                "restored on rollback)"
            ),
        )
    return conflicts


def labels_patch(namespace: Dict[str, Any], spec: Spec) -> Optional[Dict[str, Any]]:
    """The merge patch that gives the namespace the selector's labels, and records what it adds or replaces."""
    current = namespace["metadata"].get("labels") or {}
    wanted = spec.namespace_labels()
    replaced = _conflicts(spec, current, wanted)
    missing = {key: value for key, value in wanted.items() if current.get(key) != value}
    if not missing:
        return None
    annotations = {}
    added = set(ownership.recorded_keys(namespace, ownership.ANN_MANAGED_LABELS))
    if added | (set(missing) - set(current)) != added:
        annotations[ownership.ANN_MANAGED_LABELS] = ownership.record_value(added | (set(missing) - set(current)))
    recorded = ownership.recorded_values(namespace, ownership.ANN_REPLACED_LABELS)
    if replaced:
        for key, old in replaced.items():
            recorded[key] = [recorded[key][0] if key in recorded else old, wanted[key]]
        annotations[ownership.ANN_REPLACED_LABELS] = ownership.record_values(recorded)
    patch: Dict[str, Any] = {"metadata": {"labels": missing}}
    if annotations:
        patch["metadata"]["annotations"] = annotations
    return patch


def plan_namespace(plan: PlanDraft, kube: Kube, spec: Spec) -> None:
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is None:
        raise InputError("namespace", f"namespace {spec.namespace} does not exist")
    labels = namespace["metadata"].get("labels") or {}
    patch = labels_patch(namespace, spec)
    after = apply_merge_patch(namespace, patch) if patch else namespace
    if patch:
        step = Step(
            "patch", "Namespace", spec.namespace, why="so the PodNetworking's namespaceSelector matches", body=patch
        )
        plan.add(step, {"labels": labels}, {"labels": after["metadata"].get("labels") or {}})
        if any(key in labels for key in patch["metadata"]["labels"]):
            plan.warnings.append(
                f"namespace {spec.namespace}: label(s) {', '.join(sorted(patch['metadata']['labels']))}"
                " changed (overwrite_namespace_labels); the rollback restores the old values"
            )
    plan.facts["namespace_labels"] = after["metadata"].get("labels") or {}
    ns_selector = spec.pn_spec["selector"].get("namespaceSelector")
    if ns_selector is not None and not selectors.matches(ns_selector, plan.facts["namespace_labels"]):
        raise InputError(
            "pod_networking.namespace_selector",
            f"does not select namespace {spec.namespace} (labels {plan.facts['namespace_labels']}) and "
            "the module only adds match_labels; label it yourself",
        )


def plan_unlabel(plan: PlanDraft, spec: Spec, namespace: Dict[str, Any]) -> None:
    """The rollback: remove the labels this collection added, put back the values it replaced."""
    added = ownership.recorded_keys(namespace, ownership.ANN_MANAGED_LABELS)
    replaced = ownership.recorded_values(namespace, ownership.ANN_REPLACED_LABELS)
    if not added and not replaced:
        return
    labels = namespace["metadata"].get("labels") or {}
    changes: Dict[str, Optional[str]] = {key: None for key in added if key in labels}
    for key, (before, set_value) in sorted(replaced.items()):
        if labels.get(key) == set_value:
            changes[key] = before
        else:
            plan.warnings.append(
                f"namespace {spec.namespace}: label {key} is {labels.get(key)!r} now, not the "
                f"{set_value!r} this collection set: left as it is (it was {before!r} before)"
            )
    annotations = {ownership.ANN_MANAGED_LABELS: None, ownership.ANN_REPLACED_LABELS: None}
    patch = {"metadata": {"labels": changes, "annotations": annotations}}
    after = apply_merge_patch(namespace, patch)
    plan.add(
        Step(
            "patch",
            "Namespace",
            spec.namespace,
            why="remove the labels this collection added and restore those it replaced",
            body=patch,
        ),
        {"labels": labels},
        {"labels": after["metadata"].get("labels") or {}},
    )
