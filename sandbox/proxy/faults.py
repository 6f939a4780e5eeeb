"""Fault injection: seeded, rule-based decisions about which calls fail and how.

A plan is a seed plus an ordered list of rules. The first rule whose filters match a call decides:
one random draw per matching call picks throttling, a 5xx, a conflict or nothing, according to the
rule's rates (restricted to the fault kinds the service can express). With the same seed and the
same sequence of calls, the same calls fail.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import random
import threading

from sandbox.proxy.adapter import CONFLICT, FAULT_KINDS, SERVER_ERROR, THROTTLE, Call


class FaultPlanError(ValueError):
    """A fault plan that cannot be applied."""


@dataclasses.dataclass(frozen=True)
class FaultRule:
    service: str = "*"  # glob on Call.service
    action: str = "*"  # glob on Call.action
    kind: str = "any"  # read | write | any
    throttle: float = 0.0
    server_error: float = 0.0
    conflict: float = 0.0
    latency_ms: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> "FaultRule":
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise FaultPlanError(f"unknown fault rule keys: {sorted(unknown)}")
        rule = cls(**data)
        rule.validate()
        return rule

    def validate(self) -> None:
        if self.kind not in ("read", "write", "any"):
            raise FaultPlanError(f"kind must be read, write or any, not {self.kind!r}")
        rates = [self.throttle, self.server_error, self.conflict]
        if any(not isinstance(r, (int, float)) or r < 0 or r > 1 for r in rates):
            raise FaultPlanError("throttle, server_error and conflict are rates between 0 and 1")
        if sum(rates) > 1:
            raise FaultPlanError("the fault rates of one rule add up to more than 1")
        if not isinstance(self.latency_ms, int) or self.latency_ms < 0:
            raise FaultPlanError("latency_ms must be a non-negative integer")

    def matches(self, call: Call) -> bool:
        return (
            fnmatch.fnmatchcase(call.service, self.service)
            and fnmatch.fnmatchcase(call.action, self.action)
            and self.kind in ("any", call.kind)
        )

    def rate(self, fault_kind: str) -> float:
        return {THROTTLE: self.throttle, SERVER_ERROR: self.server_error, CONFLICT: self.conflict}[fault_kind]


@dataclasses.dataclass(frozen=True)
class Decision:
    fault: str | None  # one of FAULT_KINDS or None
    latency_ms: int


NO_FAULT = Decision(fault=None, latency_ms=0)


class FaultPlan:
    """The active fault rules and their random source; safe to use from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: tuple[FaultRule, ...] = ()
        self._seed = 0
        self._rng = random.Random(0)

    def configure(self, rules: list[dict], seed: int = 0) -> None:
        parsed = tuple(FaultRule.from_dict(r) for r in rules)
        if not isinstance(seed, int):
            raise FaultPlanError("seed must be an integer")
        with self._lock:
            self._rules = parsed
            self._seed = seed
            self._rng = random.Random(seed)

    def clear(self) -> None:
        self.configure([], seed=0)

    def describe(self) -> dict:
        with self._lock:
            return {"seed": self._seed, "rules": [dataclasses.asdict(r) for r in self._rules]}

    def decide(self, call: Call, supported: tuple[str, ...]) -> Decision:
        """Decide the fate of one call. Draws exactly one random number per matching call."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(call)), None)
            if rule is None:
                return NO_FAULT
            draw = self._rng.random()
        threshold = 0.0
        for fault_kind in FAULT_KINDS:
            if fault_kind not in supported:
                continue
            threshold += rule.rate(fault_kind)
            if draw < threshold:
                return Decision(fault=fault_kind, latency_ms=rule.latency_ms)
        return Decision(fault=None, latency_ms=rule.latency_ms)
