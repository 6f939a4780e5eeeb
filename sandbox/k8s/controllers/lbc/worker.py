"""When the simulated load balancer controller syncs: on a change of what it watches (Ingresses, Services, Pods,
Nodes, IngressClasses), coalesced, on a worker thread of its own outside the cluster lock; every ``period``
seconds when one is set (the controller's ``--sync-period``); and whenever ``sync()`` is called (the
``sandbox lbc sync`` command, deterministic for tests). Its own writes (status, Events) wake nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

LOG = logging.getLogger(__name__)
WATCHED = {("networking.k8s.io", "ingresses"), ("networking.k8s.io", "ingressclasses"), ("", "services"),
           ("", "pods"), ("", "nodes")}
COALESCE_SECONDS = 0.1  # a burst of changes (a seed, an apply) makes one sync


class Worker:
    """Mixed into the controller, which provides ``sync()``."""

    def __init__(self, cluster, period: float = 0.0, watch: bool = True) -> None:
        self.period = period
        self.watch = watch
        self._stop = cluster._stop
        self._own = threading.local()
        self._wake = threading.Event()
        self._state = threading.Condition()
        self._pending = self._busy = False
        self._last = time.monotonic()
        threading.Thread(target=self._run, name=f"lbc-{cluster.spec.name}", daemon=True).start()

    @contextlib.contextmanager
    def own_writes(self):
        self._own.active = True
        try:
            yield
        finally:
            self._own.active = False

    def on_event(self, api, event) -> None:
        """Called under the cluster lock: only note that a sync is due."""
        if self.watch and event.key in WATCHED and not getattr(self._own, "active", False):
            with self._state:
                self._pending = True
            self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no sync is due or running (tests and `sandbox settle` use this instead of sleeping)."""
        with self._state:
            return self._state.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            woke = self._wake.wait(timeout=0.2)
            due = self.period > 0 and time.monotonic() - self._last >= self.period
            if not woke and not due:
                continue
            time.sleep(COALESCE_SECONDS)
            self._wake.clear()
            with self._state:
                self._pending, self._busy = False, True
            try:
                self.sync()
            except Exception:  # noqa: BLE001 - a controller keeps running
                LOG.exception("load balancer controller sync failed")
            finally:
                self._last = time.monotonic()
                with self._state:
                    self._busy = False
                    self._state.notify_all()
