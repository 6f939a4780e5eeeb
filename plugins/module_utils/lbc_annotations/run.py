# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_lbc_annotations: validate, read, plan every object, check the mode, write, report.

Everything that can be refused is refused before the first write, every reason listed: bad options, an
empty selection, ``replaced`` with nothing wanted, values someone else set (unless ``force``), and what the
controller would refuse or ignore given its live flags and the IngressGroups (``rules``, ``groups``).
``validate_only`` stops there; check mode too, with the same result a real run would have.
"""

from __future__ import annotations

import functools
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import report
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import select
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import validation
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import ObjectPlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import plan_object
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.read import Read
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.read import read
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.rules import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import build
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.write import write


def _rendered(spec: Spec, run: ModuleRun) -> None:
    problems = validation.offline(spec)
    run.result.update(rendered=report.rendered(spec), problems=[p.as_dict() for p in problems])
    message = validation.failure(problems, [])
    if message:
        raise PlanError(message)


def _refuse_empty(spec: Spec, found: Read) -> None:
    if spec.allow_empty:
        return
    kinds = " or ".join(k.plural for k in spec.kinds)
    if not found.selected:
        raise PlanError(
            f"the selection matches no {kinds} the controller handles; check namespaces, names, "
            "label_selector and ingress_class, or set allow_empty=true if an empty selection is expected"
        )
    missing = select.unmatched_names(spec.selection, [obj for _kind, obj in found.selected])
    if missing:
        raise PlanError(
            f"names: {', '.join(missing)} match no selected {kinds}; set allow_empty=true if that is expected"
        )


def _refuse_replaced_empty(spec: Spec, plans: List[ObjectPlan]) -> None:
    if spec.state == "replaced" and not spec.asks and not spec.allow_empty:
        owned = sum(len(p.removed) + len(p.restored) for p in plans)
        raise PlanError(
            f"state=replaced with no annotation asked for would release every annotation this collection set on "
            f"the selected objects ({owned} now); set allow_empty=true if that is meant, or use state=deleted"
        )


def _plans(spec: Spec, found: Read) -> List[ObjectPlan]:
    return [plan_object(kind, obj, spec.wanted(kind), spec.state, spec.force) for kind, obj in found.selected]


def _check(spec: Spec, kube: Kube, found: Read, plans: List[ObjectPlan], run: ModuleRun) -> List[Finding]:
    """Mode validation and foreign values: every problem listed, the run refused before any write."""
    flags, shown = controller.read(kube, spec.controller, required=spec.state != "deleted")
    run.result["controller"] = shown
    if flags is None:
        run.result["warnings_found"].append(f"{shown['not_found']}: checked with the controller's default flags")
    run.result["warnings_found"].extend(validation.replacements(plans))
    subjects = validation.subjects(plans, [obj for _kind, obj in found.selected], found.peers)
    audit = spec.validate_only and spec.state == "merged" and not spec.asks  # the annotations as they are
    problems = validation.validate(subjects, flags, audit)
    run.result["problems"] = [p.as_dict() for p in problems]
    run.result["warnings_found"].extend(p.line() for p in problems if p.severity == "warning")
    conflicts = [p for p in plans if p.conflicts]
    run.result["conflicts"] = [
        dict(c, kind=p.kind.name, namespace=p.namespace, name=p.name) for p in conflicts for c in p.conflicts
    ]
    views = [report.object_view(p, p.after) for p in plans]
    run.result["summary"] = report.summary(views, problems, len(run.result["conflicts"]))
    message = validation.failure(problems, conflicts)
    if message:
        raise PlanError(message)
    return problems


def _replan(spec: Spec, plan: ObjectPlan, obj: Dict[str, Any]) -> ObjectPlan:
    return plan_object(plan.kind, obj, spec.wanted(plan.kind), spec.state, spec.force)


def _apply(spec: Spec, kube: Kube, plans: List[ObjectPlan], problems: List[Finding], run: ModuleRun) -> None:
    writes = not (run.check_mode or spec.validate_only)
    replans = [functools.partial(_replan, spec, plan) for plan in plans]
    answered = write(kube, plans, replans, run) if writes else {}
    views = [report.object_view(p, answered.get(i, p.after)) for i, p in enumerate(plans)]
    would = run.check_mode and not spec.validate_only and any(p.changes for p in plans)
    run.result.update(objects=views, changed=bool(run.result["actions"]) or would)
    run.result["summary"] = report.summary(views, problems, 0)
    if run.diff:
        run.result["diff"] = report.diff(views)


def execute(run: ModuleRun) -> None:
    spec = build(run.params)
    run.result.update(actions=[], warnings_found=list(spec.warnings), problems=[])
    if spec.state == "rendered":
        _rendered(spec, run)
        return
    kube = Kube(run.attach(KubeBackend(connection_options(run.params))))
    found = read(kube, spec)
    _refuse_empty(spec, found)
    if spec.state == "gathered":
        run.result["gathered"] = [report.gathered(kind, obj) for kind, obj in found.selected]
        run.result["summary"] = {"selected": len(found.selected)}
        return
    plans = _plans(spec, found)
    _refuse_replaced_empty(spec, plans)
    problems = _check(spec, kube, found, plans, run)
    _apply(spec, kube, plans, problems, run)
