"""Terway's writes: status updates through the status subresource, and events."""

from __future__ import annotations

import random

from sandbox.k8s import errors
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
        events = api.registry.lookup("", "v1", "events")
        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        stamp = self.stamp()
        name = f"{meta['name']}.{''.join(random.choices('0123456789abcdef', k=16))}"
        involved = {"apiVersion": obj.get("apiVersion", ""), "kind": obj.get("kind", ""), "name": meta["name"],
                    "uid": meta.get("uid", ""), "resourceVersion": meta.get("resourceVersion", "")}
        if meta.get("namespace"):
            involved["namespace"] = meta["namespace"]
        try:
            api.create(events, namespace, {
                "metadata": {"name": name}, "involvedObject": involved, "reason": reason, "message": message,
                "type": kind, "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
                "source": {"component": FIELD_MANAGER}, "reportingComponent": FIELD_MANAGER})
        except errors.ApiError:
            pass  # e.g. the namespace is being deleted
