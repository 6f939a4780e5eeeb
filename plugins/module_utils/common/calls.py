# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Counting the API calls of a run, for every module's ``api_calls`` return value."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import Iterable


@dataclass
class CallCounter:
    """Requests as the module made them (each page and each retried attempt is one), by operation."""

    reads: int = 0
    writes: int = 0
    by_operation: Dict[str, int] = field(default_factory=dict)

    def add(self, operation: str, write: bool) -> None:
        self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
        if write:
            self.writes += 1
        else:
            self.reads += 1

    def as_dict(self) -> dict:
        return {"reads": self.reads, "writes": self.writes, "by_operation": dict(sorted(self.by_operation.items()))}

    @classmethod
    def combined(cls, counters: Iterable["CallCounter"]) -> "CallCounter":
        """One counter adding up several (the backends of one run)."""
        total = cls()
        for counter in counters:
            total.reads += counter.reads
            total.writes += counter.writes
            for operation, count in counter.by_operation.items():
                total.by_operation[operation] = total.by_operation.get(operation, 0) + count
        return total
