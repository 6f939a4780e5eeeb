"""What the integration suites share about a module run and waiting (a plain module, not a conftest).

- ``Step``: one module run through ansible-playbook - its registered result and the sandbox's call
  counts for exactly that run (``calls``, ``writes``, ``reads``); suites subclass it for their extras.
- ``wait_for``: poll until a predicate holds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from dataclasses import field


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


@dataclass
class Step:
    """One module run: its registered result and the sandbox's counts for exactly that run."""

    result: dict
    counts: dict = field(default_factory=dict)

    SHOWN = ("changed", "failed", "msg", "plan", "warnings_found", "api_calls")  # in a failing assertion
    SHOWN_CHARS = 4000

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return self.result.get("msg", "")

    def calls(self, service: str, kind: str | None = None) -> dict:
        """{action: calls} of one service, optionally only reads or writes."""
        actions = (self.counts.get("services", {}).get(service) or {}).get("actions", {})
        return dict((name, a["calls"]) for name, a in sorted(actions.items()) if kind in (None, a["kind"]))

    @property
    def writes(self) -> int:
        """Writes to every service of the sandbox."""
        return self.counts.get("totals", {}).get("writes", 0)

    @property
    def reads(self) -> int:
        return self.counts.get("totals", {}).get("reads", 0)

    def all_calls(self) -> dict:
        return dict((service, self.calls(service)) for service in sorted(self.counts.get("services", {})))

    def __repr__(self) -> str:  # what pytest shows when an assertion on a step fails
        shown = {k: v for k, v in self.result.items() if k in self.SHOWN}
        return (f"{type(self).__name__}(msg={self.msg!r}, calls={self.all_calls()}, "
                f"result={json.dumps(shown, sort_keys=True, default=str)[:self.SHOWN_CHARS]})")
