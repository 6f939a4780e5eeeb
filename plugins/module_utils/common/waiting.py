# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bounded waiting: poll a condition until it holds or a deadline passes (the clock is injectable)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from typing import Callable
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import WaitTimeout

Probe = Callable[[], Tuple[bool, Any]]


@dataclass(frozen=True)
class Waiter:
    """Polls every ``interval`` seconds for at most ``timeout`` seconds (plus the last probe's own time)."""

    timeout: float
    interval: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def until(self, probe: Probe, what: str) -> Any:
        """Call ``probe()`` (returning ``(done, detail)``) until done and return the detail; on timeout raise
        WaitTimeout naming ``what`` and the last detail. A probe may raise to stop early."""
        deadline = self.clock() + self.timeout
        while True:
            done, detail = probe()
            if done:
                return detail
            remaining = deadline - self.clock()
            if remaining <= 0:
                shown = f": {detail}" if detail else ""
                raise WaitTimeout(f"timed out after {self.timeout:g}s waiting for {what}{shown}")
            self.sleep(min(self.interval, remaining))
