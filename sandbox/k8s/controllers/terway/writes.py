"""Terway's writes: status updates through the status subresource, and events."""

from __future__ import annotations

from sandbox.k8s import events
from sandbox.k8s.controllers.terway.constants import FIELD_MANAGER


class Writes:
    """The status and event writes of ``Terway``."""

    @staticmethod
    def _write_status(api, rt, obj: dict) -> dict:
        current = api.store.get(rt.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if current is not None and current.get("status") == obj.get("status"):
            return current
        return api.update(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], api._present(rt, obj),
                          subresource="status", field_manager=FIELD_MANAGER)

    def _warn_once(self, api, obj: dict, reason: str, message: str) -> None:
        key = (obj["metadata"].get("uid", ""), reason)
        if key in self._reported:
            return
        self._reported.add(key)
        self._event(api, obj, "Warning", reason, message)

    def _event(self, api, obj: dict, kind: str, reason: str, message: str) -> None:
        events.record(api, obj, kind, reason, message, FIELD_MANAGER, self.stamp())
