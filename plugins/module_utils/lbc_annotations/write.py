# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The writes of a run: one merge patch per object that changes, guarded by the resourceVersion read.

The controller writes ``status.loadBalancer`` on the objects it serves, which moves their resourceVersion
without touching annotations. On a 409 the object is read again and planned again; when the new plan sends the
same annotation changes, the patch goes again with the new resourceVersion (once). Anything else - someone
changed the annotations meanwhile - stops the run, naming the object, with what was written so far reported.
"""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import report
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import ObjectPlan

Replan = Callable[[Dict[str, Any]], ObjectPlan]


def _patch(kube: Kube, plan: ObjectPlan) -> Dict[str, Any]:
    return kube.merge_patch(plan.kind.name, plan.kind.api_version, plan.name, plan.patch, plan.namespace)


def _again(kube: Kube, plan: ObjectPlan, replan: Replan) -> Dict[str, Any]:
    current = kube.get(plan.kind.name, plan.kind.api_version, plan.name, plan.namespace)
    fresh = replan(current) if current is not None else None
    if fresh is None or fresh.conflicts or fresh.changes != plan.changes:
        raise OperationError(
            f"{plan.ref} was changed by someone else after this run read it (HTTP 409), and its annotations now "
            f"call for another plan; nothing of theirs was overwritten. Run the task again"
        )
    try:
        return _patch(kube, fresh)
    except ApiError as exc:
        if exc.status != 409:
            raise
        raise OperationError(f"{plan.ref} changed again while this run retried its patch (HTTP 409 twice)") from exc


def write_one(kube: Kube, plan: ObjectPlan, replan: Replan) -> Dict[str, Any]:
    """The object as the API server answered the patch."""
    try:
        return _patch(kube, plan)
    except ApiError as exc:
        if exc.status != 409:
            raise
    return _again(kube, plan, replan)


def write(kube: Kube, plans: List[ObjectPlan], replans: List[Replan], run: ModuleRun) -> Dict[int, Dict[str, str]]:
    """Patch each plan that changes; returns ``{index: annotations the API server answered}``."""
    answered = {}
    for index, (plan, replan) in enumerate(zip(plans, replans)):
        if not plan.changes:
            continue
        obj = write_one(kube, plan, replan)
        run.result["actions"].append(report.action(plan))
        answered[index] = dict((obj.get("metadata") or {}).get("annotations") or {})
    return answered
