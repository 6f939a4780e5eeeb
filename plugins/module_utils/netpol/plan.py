# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of one namespace: which owned NetworkPolicies to create, update and delete.

- Owned means labelled ``app.kubernetes.io/managed-by: kubeguard.netsec``; nothing else is ever written.
  A wanted name held by a policy someone else made is a conflict, refused before any write.
- Specs are compared in the server's canonical form (``manifest.canonical``), so a policy read back
  equals the one written and a second run writes nothing.
- An update is a merge patch carrying the resourceVersion that was read: a policy changed by someone else
  in between makes the API server answer 409 instead of losing their change.
- ``merged`` never deletes; ``replaced`` deletes owned policies not wanted; ``deleted`` deletes the wanted
  names, or every owned policy when none is wanted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import merge_patch_diff
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import manifest
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import Policy

API_VERSION = "networking.k8s.io/v1"
KIND = "NetworkPolicy"
PURPOSE_LABEL = "netsec.kubeguard.io/purpose"


def body(namespace: str, policy: Policy) -> Dict[str, Any]:
    """The manifest this module creates for ``policy``."""
    labels = {ownership.MANAGED_BY_LABEL: ownership.MANAGED_BY, PURPOSE_LABEL: policy.purpose}
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": policy.name, "namespace": namespace, "labels": labels},
        "spec": copy.deepcopy(policy.spec),
    }


def view(obj: Dict[str, Any]) -> Dict[str, Any]:
    """A policy as the results show it: name, owned, purpose, canonical spec."""
    labels = obj["metadata"].get("labels") or {}
    return {
        "name": obj["metadata"]["name"],
        "owned": ownership.is_owned(obj),
        "purpose": labels.get(PURPOSE_LABEL) if ownership.is_owned(obj) else None,
        "spec": manifest.canonical(obj.get("spec") or {}),
    }


@dataclass
class NamespacePlan:
    namespace: str
    existing: List[Dict[str, Any]]
    creates: List[Dict[str, Any]] = field(default_factory=list)
    updates: List[Dict[str, Any]] = field(default_factory=list)  # {"name", "patch", "purpose"}
    deletes: List[str] = field(default_factory=list)
    satisfied: List[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.creates or self.updates or self.deletes)

    @cached_property
    def before(self) -> List[Dict[str, Any]]:
        """Every policy of the namespace as read (a view per policy, sorted by name)."""
        return sorted((view(o) for o in self.existing), key=lambda v: v["name"])

    def predicted(self) -> List[Dict[str, Any]]:
        """Every policy of the namespace as it will be (a view per policy, sorted by name)."""
        after = {v["name"]: v for v in self.before if v["name"] not in self.deletes}
        for created in self.creates:
            after[created["metadata"]["name"]] = view(created)
        for update in self.updates:
            after[update["name"]] = dict(after[update["name"]], spec=update["spec"], purpose=update["purpose"])
        return [after[name] for name in sorted(after)]


def _update(current: Dict[str, Any], policy: Policy) -> Dict[str, Any]:
    labels = dict(current["metadata"].get("labels") or {})
    wanted_labels = dict(labels, **{PURPOSE_LABEL: policy.purpose})
    old = {"labels": labels, "spec": manifest.canonical(current.get("spec") or {})}
    new = {"labels": wanted_labels, "spec": policy.spec}
    patch = merge_patch_diff(old, new)
    if not patch:
        return {}
    metadata: Dict[str, Any] = {"resourceVersion": current["metadata"].get("resourceVersion")}
    if "labels" in patch:
        metadata["labels"] = patch["labels"]
    found = {"metadata": metadata}
    if "spec" in patch:
        found["spec"] = merge_patch_diff(current.get("spec") or {}, policy.spec)
    return {"name": policy.name, "patch": found, "spec": policy.spec, "purpose": policy.purpose}


def plan_namespace(namespace: str, existing: List[Dict[str, Any]], wanted: List[Policy], state: str) -> NamespacePlan:
    """What to write in ``namespace``; a PlanError when a wanted name belongs to someone else."""
    plan = NamespacePlan(namespace, existing)
    by_name = {obj["metadata"]["name"]: obj for obj in existing}
    owned = sorted(name for name, obj in by_name.items() if ownership.is_owned(obj))
    if state == "gathered":
        return plan
    if state == "deleted":
        names = [p.name for p in wanted] or owned
        plan.deletes = [name for name in names if name in owned]
        return plan
    for policy in wanted:
        current = by_name.get(policy.name)
        if current is None:
            plan.creates.append(body(namespace, policy))
        elif not ownership.is_owned(current):
            raise PlanError(
                f"NetworkPolicy {namespace}/{policy.name} exists and was not made by kubeguard.netsec (no "
                f"{ownership.MANAGED_BY_LABEL}={ownership.MANAGED_BY} label): it is never taken over. Give the "
                "policy another name, or remove the existing one yourself"
            )
        else:
            update = _update(current, policy)
            if update:
                plan.updates.append(update)
            else:
                plan.satisfied.append(policy.name)
    if state == "replaced":
        names = {p.name for p in wanted}
        plan.deletes = [name for name in owned if name not in names]
    return plan
