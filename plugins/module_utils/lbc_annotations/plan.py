# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of one object: which of its annotations to set, remove or put back, in one merge patch.

Ownership (CONVENTIONS "never destroy what you did not create"):

- ours are the keys of this kind's managed annotations listed in ``netsec.kubeguard.io/managed-annotations``;
- ``merged`` sets each wanted key that is missing or ours; a key someone else set to the same meaning is left
  unowned (reported in ``unowned_equal``); a key someone else set to another value is a conflict, refused for
  the whole run unless ``force``, which changes it and records their value to put back later;
- ``replaced`` also releases our keys no longer wanted; ``deleted`` releases the listed keys that are ours
  (every one of ours when none is listed); releasing removes the key, or puts back the value we replaced if
  the annotation still holds what we set;
- values are compared by meaning (``values.Codec.same``), so a respelt value writes nothing; the records are
  rewritten only when what they hold changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Set

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import merge_patch_diff
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import records
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import REPLACED_RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import Kind


@dataclass
class ObjectPlan:
    kind: Kind
    namespace: str
    name: str
    resource_version: Optional[str]
    before: Dict[str, str]  # every annotation as read
    after: Dict[str, str]  # every annotation as planned
    wanted: List[str] = field(default_factory=list)  # the annotations the task asks for on this object
    set_keys: List[str] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)
    restored: List[str] = field(default_factory=list)
    unowned_equal: List[str] = field(default_factory=list)
    not_owned: List[str] = field(default_factory=list)
    overridden: List[str] = field(default_factory=list)
    conflicts: List[Dict[str, str]] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.kind.name} {self.namespace}/{self.name}"

    @property
    def changes(self) -> Dict[str, Any]:
        """The annotations part of the merge patch (``None`` removes a key); ``{}`` when nothing changes."""
        return merge_patch_diff(self.before, self.after)

    @property
    def patch(self) -> Dict[str, Any]:
        """The merge patch, guarded by the resourceVersion read; ``{}`` when nothing changes."""
        changes = self.changes
        if not changes:
            return {}
        return {"metadata": {"annotations": changes, "resourceVersion": self.resource_version}}

    def owned(self, annotations: Dict[str, str]) -> List[str]:
        return [k for k in records.recorded(annotations) if k in self.kind.annotations]


class _Ledger:
    """What the records say, as the plan changes it: our keys, other modules' keys, replaced values."""

    def __init__(self, kind: Kind, annotations: Dict[str, str]) -> None:
        listed = records.recorded(annotations)
        self.mine: Set[str] = {k for k in listed if k in kind.annotations}
        self.others: List[str] = [k for k in listed if k not in kind.annotations]
        self.replaced = records.replaced(annotations)

    def write(self, after: Dict[str, str]) -> None:
        for key, text in (
            (RECORD, records.record_text(self.others + sorted(self.mine), after.get(RECORD))),
            (REPLACED_RECORD, records.replaced_text(self.replaced, after.get(REPLACED_RECORD))),
        ):
            if text is None:
                after.pop(key, None)
            else:
                after[key] = text


def _want(plan: ObjectPlan, ledger: _Ledger, key: str, wanted: str, force: bool) -> None:
    current = plan.before.get(key)
    same = values.codec_of_annotation(plan.kind, key).same(current, wanted)
    if current is not None and same:
        if key not in ledger.mine:
            plan.unowned_equal.append(key)
        return
    if current is not None and key not in ledger.mine:
        if not force:
            plan.conflicts.append({"annotation": key, "current": current, "wanted": wanted})
            return
        ledger.replaced[key] = [current, wanted]
        plan.overridden.append(key)
    elif key in ledger.replaced:
        ledger.replaced[key] = [ledger.replaced[key][0], wanted]
    ledger.mine.add(key)
    plan.after[key] = wanted
    plan.set_keys.append(key)


def _release(plan: ObjectPlan, ledger: _Ledger, key: str) -> None:
    """Give a key of ours up: put back the value we replaced (if ours is still there), else remove it."""
    ledger.mine.discard(key)
    previous = ledger.replaced.pop(key, None)
    if previous is not None and plan.before.get(key) == previous[1]:
        plan.after[key] = previous[0]
        plan.restored.append(key)
    elif previous is None and key in plan.before:
        plan.after.pop(key)
        plan.removed.append(key)


def plan_object(kind: Kind, obj: Dict[str, Any], desired: Dict[str, str], state: str, force: bool) -> ObjectPlan:
    """The plan of one object. ``desired``: ``{annotation: text}`` the task asks for (under ``deleted``, the
    annotations to release; empty means all of ours)."""
    metadata = obj.get("metadata") or {}
    before = dict(metadata.get("annotations") or {})
    plan = ObjectPlan(
        kind, metadata.get("namespace"), metadata.get("name"), metadata.get("resourceVersion"), before, dict(before)
    )
    ledger = _Ledger(kind, before)
    if state == "deleted":
        listed = sorted(desired) or sorted(ledger.mine)
        plan.not_owned = [k for k in listed if k not in ledger.mine and k in before]
        for key in listed:
            if key in ledger.mine:
                _release(plan, ledger, key)
    else:
        plan.wanted = sorted(desired)
        for key in plan.wanted:
            _want(plan, ledger, key, desired[key], force)
        if state == "replaced":
            for key in sorted(ledger.mine - set(desired)):
                _release(plan, ledger, key)
    ledger.write(plan.after)
    return plan
