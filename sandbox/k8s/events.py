"""Kubernetes Events written by the simulated controllers, as ``kubectl describe`` shows them."""

from __future__ import annotations

import random

from sandbox.k8s import errors
from sandbox.k8s.clock import now


def record(api, obj: dict, kind: str, reason: str, message: str, component: str, stamp: str | None = None) -> None:
    """Create one Event about ``obj`` (``kind`` is Normal or Warning); a namespace being deleted is ignored."""
    events = api.registry.lookup("", "v1", "events")
    meta = obj["metadata"]
    namespace = meta.get("namespace") or "default"
    stamp = stamp or now()
    name = f"{meta['name']}.{''.join(random.choices('0123456789abcdef', k=16))}"
    involved = {"apiVersion": obj.get("apiVersion", ""), "kind": obj.get("kind", ""), "name": meta["name"],
                "uid": meta.get("uid", ""), "resourceVersion": meta.get("resourceVersion", "")}
    if meta.get("namespace"):
        involved["namespace"] = meta["namespace"]
    try:
        api.create(events, namespace, {
            "metadata": {"name": name}, "involvedObject": involved, "reason": reason, "message": message,
            "type": kind, "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
            "source": {"component": component}, "reportingComponent": component})
    except errors.ApiError:
        pass  # e.g. the namespace is being deleted
