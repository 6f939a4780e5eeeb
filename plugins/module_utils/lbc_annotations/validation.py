# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Mode validation of a run: every selected object and its IngressGroup, as they will be after the run.

``validate`` takes the plans (annotations as planned), the IngressGroup members the task does not select
(annotations as read) and the controller's flags; ``offline`` checks the wanted annotations alone with the
controller's defaults (``state=rendered``).
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.facts import Subject
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import GROUP_NAME
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import KINDS
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import ObjectPlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import Spec


def subject(kind: Kind, obj: Dict[str, Any], annotations: Dict[str, str], involved=frozenset(), selected=True):
    spec = obj.get("spec") or {}
    metadata = obj.get("metadata") or {}
    return Subject(
        kind=kind,
        namespace=metadata.get("namespace"),
        name=metadata.get("name"),
        annotations=annotations,
        involved=frozenset(involved),
        selected=selected,
        spec_source_ranges=tuple(spec.get("loadBalancerSourceRanges") or ()) if kind.name == "Service" else (),
        ports=len(spec.get("ports") or []) or 1,
        group=annotations.get(GROUP_NAME) if kind.name == "Ingress" else None,
    )


def _of_plan(plan: ObjectPlan, obj: Dict[str, Any]) -> Subject:
    involved = set(plan.wanted) | set(plan.set_keys) | set(plan.removed) | set(plan.restored)
    return subject(plan.kind, obj, plan.after, involved)


def subjects(plans: List[ObjectPlan], objects: List[Dict[str, Any]], peers: List[Dict[str, Any]]) -> List[Subject]:
    """The selected objects (``plans`` and ``objects`` in the same order) and the unselected group members."""
    found = [_of_plan(plan, obj) for plan, obj in zip(plans, objects)]
    found += [subject(INGRESS_KIND, o, dict(o["metadata"].get("annotations") or {}), selected=False) for o in peers]
    custom = groups.custom_groups(found)
    return [dataclasses.replace(s, group_custom=custom.get(s.group, False)) if s.group else s for s in found]


def validate(found: List[Subject], flags: Optional[ControllerFlags], audit: bool) -> List[rules.Finding]:
    problems = [f for s in found if s.selected for f in rules.check_subject(s, flags, audit)]
    return problems + groups.check_groups(found, flags, audit)


def offline(spec: Spec) -> List[rules.Finding]:
    """The wanted annotations alone, as if on an object without any, with the controller's default flags."""
    found = []
    for kind in KINDS:
        wanted = spec.wanted(kind)
        if wanted:
            obj = {"metadata": {"namespace": "*", "name": "*"}}
            found.extend(rules.check_subject(subject(kind, obj, wanted, set(wanted)), None))
    return found


def replacements(plans: List[ObjectPlan]) -> List[str]:
    """A warning for each load balancer the controller will replace (a new DNS name): its scheme changes."""
    found = []
    for plan in plans:
        key = plan.kind.annotation("scheme")
        before, after = plan.before.get(key) or "internal", plan.after.get(key) or "internal"
        if before != after:
            found.append(
                f"{plan.ref}: the scheme changes from {before} to {after}; the controller replaces the load "
                "balancer (a new DNS name; clients of the old one lose it)"
            )
    return found


def failure(problems: List[rules.Finding], conflicts: List[ObjectPlan]) -> Optional[str]:
    """The message of a refused run (None when nothing is refused): every error and every foreign value."""
    parts = []
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        lines = "; ".join(p.line() for p in errors)
        parts.append(f"{len(errors)} problem(s) with the controller's mode: {lines}")
    refused = [(plan, c) for plan in conflicts for c in plan.conflicts]
    if refused:
        lines = "; ".join(
            f"{plan.ref} {c['annotation']}={c['current']!r} (wanted {c['wanted']!r})" for plan, c in refused
        )
        parts.append(
            f"{len(refused)} annotation(s) hold a value someone else set, which this collection never changes "
            f"unless force=true (their value is then recorded and put back when the key is released): {lines}"
        )
    if not parts:
        return None
    return " | ".join(parts) + ". Nothing was written"
