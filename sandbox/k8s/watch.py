"""Watches: the event log of the store, filtered and streamed from a resourceVersion on."""

from __future__ import annotations

import copy
import time
from typing import Iterator

from sandbox.k8s import errors
from sandbox.k8s.store import Event


INITIAL_EVENTS_END = "k8s.io/initial-events-end"


def events(api, rt, namespace, labels, fields, resource_version, timeout,
           send_initial_events: bool | None = None) -> Iterator[dict]:
    """Events after ``resource_version``; the current state first when the request asks for it.

    As the real server: no resourceVersion (or "0") sends the current objects as ADDED first;
    ``sendInitialEvents=true`` (streaming lists) does too, whatever the resourceVersion, and then
    marks the end of the initial events with an annotated BOOKMARK.
    """
    deadline = time.monotonic() + timeout
    initial_wanted = send_initial_events if send_initial_events is not None else \
        resource_version in (None, "", "0")

    def wanted(event: Event) -> bool:
        if event.key != rt.key:
            return False
        if rt.namespaced and namespace is not None and event.namespace != namespace:
            return False
        return labels.matches(event.object["metadata"].get("labels") or {}) and fields.matches(event.object)

    with api.store.lock:
        if initial_wanted:
            start = api.store.resource_version
            initial = [api._present(rt, obj) for obj in api.store.list(rt.key, namespace if rt.namespaced
                                                                         else None)
                       if labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(obj)]
        else:
            start = int(resource_version) if resource_version not in (None, "", "0") else api.store.resource_version
            initial = []
            if start < api.store.oldest_event_version() - 1:
                yield {"type": "ERROR", "object": errors.ApiError(
                    410, f"too old resource version: {start} ({api.store.oldest_event_version()})",
                    reason="Expired").status()}
                return
    for obj in initial:
        yield {"type": "ADDED", "object": obj}
    if send_initial_events:
        yield {"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {
            "resourceVersion": str(start), "annotations": {INITIAL_EVENTS_END: "true"}}}}
    last = start
    while True:
        with api.store.lock:
            fresh = [e for e in api.store.events if e.resource_version > last]
            if not fresh:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                api.store.changed.wait(timeout=min(remaining, 1.0))
                continue
        for event in fresh:
            last = event.resource_version
            if wanted(event):
                yield {"type": event.type, "object": api._present(rt, copy.deepcopy(event.object))}
