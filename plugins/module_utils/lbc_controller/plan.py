# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The edit of the controller's ``args``, as a pure function of what was read and what is wanted.

- Only the flags asked for are touched; every other item keeps its text and its place. A flag is written in
  one canonical form, ``--flag=value``, where its last occurrence was (the one the controller obeys); earlier
  occurrences are dropped; a new flag goes at the end.
- Ownership: the flags this collection set are recorded on the Deployment in the annotation
  ``netsec.kubeguard.io/managed-flags``, as ``{flag: {"previous": the value before or null when it was
  absent, "set": the value written}}``. A flag already holding the wanted value is not taken over. A flag
  someone else set to another value is refused unless ``force``; then its old value is recorded, and
  ``deleted`` (or ``replaced`` without it) restores it. A flag of ours that someone changed since is theirs
  again: changing or restoring it is refused unless ``force``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags as lbc_flags

MANAGED_ANNOTATION = "netsec.kubeguard.io/managed-flags"


@dataclasses.dataclass(frozen=True)
class FlagPlan:
    args_before: Tuple[str, ...]
    args_after: Tuple[str, ...]
    managed_before: Mapping[str, dict]
    managed_after: Mapping[str, dict]
    changes: Tuple[dict, ...]  # {flag, before, after, why}
    satisfied: Tuple[str, ...]  # already as wanted, set by someone else: left unowned
    left_alone: Tuple[str, ...]  # asked to delete, but not this collection's

    @property
    def changed(self) -> bool:
        return self.args_after != self.args_before or dict(self.managed_after) != dict(self.managed_before)

    @property
    def restarts_pods(self) -> bool:
        """A changed pod template rolls the controller's pods (its flags are read once, at start)."""
        return self.args_after != self.args_before


def managed_of(deployment: Mapping[str, Any]) -> Dict[str, dict]:
    """The flags recorded as this collection's on the Deployment (a damaged record is an error, not a guess)."""
    text = ((deployment.get("metadata") or {}).get("annotations") or {}).get(MANAGED_ANNOTATION)
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"annotation {MANAGED_ANNOTATION} is not JSON ({exc}): fix or remove it by hand") from exc
    if not isinstance(found, dict) or not all(_record(v) for v in found.values()):
        raise PlanError(
            f"annotation {MANAGED_ANNOTATION} must map flag names to {{previous: value or null, set: value}}: fix "
            "or remove it by hand"
        )
    return dict(found)


def _record(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("previous"), (str, type(None)))
        and isinstance(value.get("set"), str)
    )


def same(flag: str, left: Optional[str], right: Optional[str]) -> bool:
    """Equal as the controller reads them (``True`` and ``true`` are one boolean)."""
    if left is None or right is None:
        return left is right
    if flag in lbc_flags.BOOLEAN_FLAGS:
        try:
            return lbc_flags.boolean(flag, left) == lbc_flags.boolean(flag, right)
        except PlanError:
            return left == right
    return left == right


def set_flag(args: Sequence[str], flag: str, value: Optional[str]) -> List[str]:
    """``args`` with ``--flag=value`` where the flag's last occurrence was (or at the end); None removes it."""
    found = [arg for arg in lbc_flags.parse(args) if arg.name == flag]
    if not found:
        return list(args) + ([f"--{flag}={value}"] if value is not None else [])
    drop = {arg.index + offset for arg in found for offset in range(arg.width)}
    result: List[str] = []
    for index, item in enumerate(args):
        if index == found[-1].index and value is not None:
            result.append(f"--{flag}={value}")
        elif index not in drop:
            result.append(item)
    return result


def _conflict(flag: str, current: str, wanted: str) -> str:
    if flag == "cluster-name":
        return (
            f"--cluster-name is {current!r} on this Deployment, not {wanted!r}: is the kubeconfig context the "
            f"cluster you meant? (force=true changes it anyway)"
        )
    return f"--{flag} is {current!r}, set by someone else; this run wants {wanted!r} (force=true to change it)"


class _Edit:
    """The args and the ownership record while a plan is made."""

    def __init__(self, args: Sequence[str], managed: Mapping[str, dict], force: bool) -> None:
        self.args = list(args)
        self.managed = {flag: dict(record) for flag, record in managed.items()}
        self.force = force
        self.changes: List[dict] = []
        self.conflicts: List[str] = []

    def current(self, flag: str) -> Optional[str]:
        return lbc_flags.values(self.args).get(flag)

    def write(self, flag: str, value: Optional[str], why: str) -> None:
        before = self.current(flag)
        self.args = set_flag(self.args, flag, value)
        self.changes.append({"flag": flag, "before": before, "after": value, "why": why})

    def taken_back(self, flag: str) -> bool:
        """Someone changed a flag of ours since this collection set it: theirs again, unless ``force``."""
        current, record = self.current(flag), self.managed[flag]
        if same(flag, current, record["set"]) or self.force:
            return False
        self.conflicts.append(
            f"--{flag} is {current!r}, changed by someone else since this collection set it to {record['set']!r} "
            f"(force=true to overwrite it)"
        )
        return True

    def restore(self, flag: str) -> None:
        if self.taken_back(flag):
            return
        previous = self.managed.pop(flag)["previous"]
        if not same(flag, self.current(flag), previous):
            self.write(flag, previous, "restored" if previous is not None else "removed")


def _merge(edit: _Edit, wanted: Mapping[str, str]) -> List[str]:
    """Set the wanted flags; returns those someone else already set as wanted (satisfied, not taken over)."""
    satisfied = []
    for flag, value in wanted.items():
        current, ours = edit.current(flag), flag in edit.managed
        if ours and edit.taken_back(flag):
            continue
        if same(flag, current, value):
            if not ours:
                satisfied.append(flag)
            continue
        if current is not None and not ours and not edit.force:
            edit.conflicts.append(_conflict(flag, current, value))
            continue
        record = edit.managed.setdefault(flag, {"previous": current, "set": value})
        record["set"] = value
        edit.write(flag, value, "set")
    return satisfied


def plan(
    args: Sequence[str],
    managed: Mapping[str, dict],
    wanted: Mapping[str, str],
    state: str,
    force: bool = False,
) -> FlagPlan:
    """What ``state`` makes of ``args``: ``merged`` sets the wanted flags, ``replaced`` also gives back the flags
    this collection set earlier and no longer wants, ``deleted`` gives back the wanted ones (all of its own when
    none is named). Conflicts with values someone else set fail the whole plan, each one listed."""
    edit = _Edit(args, managed, force)
    satisfied: List[str] = []
    left_alone: List[str] = []
    if state in ("merged", "replaced"):
        satisfied = _merge(edit, wanted)
        if state == "replaced":
            for flag in sorted(set(edit.managed) - set(wanted)):
                edit.restore(flag)
    elif state == "deleted":
        for flag in sorted(wanted or edit.managed):
            if flag in edit.managed:
                edit.restore(flag)
            else:
                left_alone.append(flag)
    if edit.conflicts:
        raise PlanError("; ".join(edit.conflicts))
    return FlagPlan(
        tuple(args),
        tuple(edit.args),
        dict(managed),
        edit.managed,
        tuple(edit.changes),
        tuple(satisfied),
        tuple(left_alone),
    )
