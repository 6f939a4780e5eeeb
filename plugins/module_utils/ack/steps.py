# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's plan: the ordered writes, the diff (read before, predicted after), warnings, facts.

The planners fill a :class:`PlanDraft` from reads only; ``freeze()`` gives the :class:`Plan` that
check mode returns and the runner executes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

SECRET_CONF_KEYS = ("access_key", "access_secret")
MASK = "********"


@dataclass(frozen=True)
class Step:
    """One write: ``action`` (create / patch / delete / restart), its target, and the payload.

    ``shown`` is what the plan may show of the payload (None: the payload itself).
    """

    action: str
    kind: str
    name: str
    namespace: Optional[str] = None
    why: str = ""
    body: Optional[dict] = None
    api_version: str = "v1"
    shown: Optional[dict] = None

    @property
    def ref(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def as_dict(self) -> dict:
        shown = self.body if self.shown is None else self.shown
        entry = {"action": self.action, "kind": self.kind, "name": self.name, "why": self.why}
        if self.namespace:
            entry["namespace"] = self.namespace
        if shown:
            entry["payload"] = shown
        return entry


@dataclass(frozen=True)
class Plan:
    """The ordered steps, the diff per object, the warnings, and facts the planners learnt."""

    steps: Tuple[Step, ...]
    before: Dict[str, Any]
    after: Dict[str, Any]
    warnings: Tuple[str, ...]
    facts: Dict[str, Any]


@dataclass
class PlanDraft:
    """A plan being made: planners add steps, warnings and facts."""

    steps: List[Step] = field(default_factory=list)
    before: Dict[str, Any] = field(default_factory=dict)
    after: Dict[str, Any] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    facts: Dict[str, Any] = field(default_factory=dict)

    def add(self, step: Step, before: Any, after: Any) -> None:
        self.steps.append(step)
        self.before.setdefault(step.ref, before)
        self.after[step.ref] = after

    def find(self, action: str, kind: str) -> Optional[Step]:
        return next((step for step in self.steps if step.action == action and step.kind == kind), None)

    def freeze(self) -> Plan:
        return Plan(tuple(self.steps), dict(self.before), dict(self.after), tuple(self.warnings), dict(self.facts))


def masked_conf(conf: Dict[str, Any]) -> Dict[str, Any]:
    """eni_conf for display: credentials replaced by a mask (never shown, even in --diff)."""
    shown = copy.deepcopy(conf)
    for key in SECRET_CONF_KEYS:
        if shown.get(key):
            shown[key] = MASK
    return shown
