"""Thread-safe call accounting: per service, per action, reads and writes, and injected faults."""

from __future__ import annotations

import collections
import threading

from sandbox.proxy.adapter import Call


JOURNAL_SIZE = 5000


class CallLedger:
    """Counts every API call that reached an emulated service, faulted or not, and keeps the last
    ``JOURNAL_SIZE`` of them in arrival order (the call log: what came first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: collections.Counter[Call] = collections.Counter()
        self._faults: collections.Counter[tuple[Call, str]] = collections.Counter()
        self._journal: collections.deque[dict] = collections.deque(maxlen=JOURNAL_SIZE)
        self._sequence = 0

    def record(self, call: Call, fault_code: str | None = None) -> None:
        with self._lock:
            self._calls[call] += 1
            if fault_code:
                self._faults[(call, fault_code)] += 1
            self._sequence += 1
            self._journal.append({"seq": self._sequence, "service": call.service, "action": call.action,
                                  "kind": call.kind, "fault": fault_code})

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._journal.clear()

    def journal(self) -> list[dict]:
        """The calls since the last reset (at most the last JOURNAL_SIZE), oldest first."""
        with self._lock:
            return list(self._journal)

    def snapshot(self) -> dict:
        """Return the counts as plain JSON-able data.

        Shape::

            {"totals": {"reads": n, "writes": n, "faults": n},
             "services": {"ec2": {"reads": n, "writes": n, "faults": {"RequestLimitExceeded": n},
                                  "actions": {"DescribeSecurityGroups":
                                              {"kind": "read", "calls": n, "faults": {...}}}}}}

        ``calls`` counts every request received, including those answered with an injected fault.
        """
        with self._lock:
            calls = dict(self._calls)
            faults = dict(self._faults)
        services: dict[str, dict] = {}
        totals = {"reads": 0, "writes": 0, "faults": 0}
        for call, count in sorted(calls.items(), key=lambda item: (item[0].service, item[0].action)):
            svc = services.setdefault(call.service, {"reads": 0, "writes": 0, "faults": {}, "actions": {}})
            bucket = "reads" if call.kind == "read" else "writes"
            svc[bucket] += count
            totals[bucket] += count
            svc["actions"][call.action] = {"kind": call.kind, "calls": count, "faults": {}}
        for (call, code), count in faults.items():
            svc = services[call.service]
            svc["faults"][code] = svc["faults"].get(code, 0) + count
            svc["actions"][call.action]["faults"][code] = count
            totals["faults"] += count
        return {"totals": totals, "services": services}
