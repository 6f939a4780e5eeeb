"""Object storage for one cluster: one resourceVersion counter, and an event log that feeds watches.

The store knows nothing of validation or admission; ``api`` does that. Every method is called with
the cluster lock held (``Store.lock``), so the store itself stays simple.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import threading

EVENT_LOG_SIZE = 20000


@dataclasses.dataclass(frozen=True)
class Event:
    resource_version: int
    type: str  # ADDED | MODIFIED | DELETED
    key: tuple[str, str]  # (group, plural)
    namespace: str
    name: str
    object: dict


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # notified on every write, for watchers
        self._objects: dict[tuple[str, str], dict[tuple[str, str], dict]] = collections.defaultdict(dict)
        self._rv = 0
        self.events: collections.deque[Event] = collections.deque(maxlen=EVENT_LOG_SIZE)

    @property
    def resource_version(self) -> int:
        return self._rv

    def oldest_event_version(self) -> int:
        return self.events[0].resource_version if self.events else self._rv

    def get(self, key: tuple[str, str], namespace: str, name: str) -> dict | None:
        obj = self._objects[key].get((namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def list(self, key: tuple[str, str], namespace: str | None = None) -> list[dict]:
        items = self._objects[key]
        selected = [obj for (ns, _), obj in items.items() if namespace is None or ns == namespace]
        return copy.deepcopy(sorted(selected, key=lambda o: (o["metadata"].get("namespace", ""),
                                                              o["metadata"]["name"])))

    def keys(self) -> list[tuple[str, str]]:
        return [key for key, items in self._objects.items() if items]

    def put(self, key: tuple[str, str], obj: dict, event_type: str) -> dict:
        """Store ``obj`` with a new resourceVersion; returns a copy of what was stored."""
        self._rv += 1
        stored = copy.deepcopy(obj)
        stored["metadata"]["resourceVersion"] = str(self._rv)
        meta = stored["metadata"]
        self._objects[key][(meta.get("namespace", ""), meta["name"])] = stored
        self._record(Event(self._rv, event_type, key, meta.get("namespace", ""), meta["name"], stored))
        return copy.deepcopy(stored)

    def remove(self, key: tuple[str, str], namespace: str, name: str) -> dict:
        """Delete an object; the DELETED event carries a new resourceVersion, as etcd's delete revision does."""
        obj = self._objects[key].pop((namespace, name))
        self._rv += 1
        gone = copy.deepcopy(obj)
        gone["metadata"]["resourceVersion"] = str(self._rv)
        self._record(Event(self._rv, "DELETED", key, namespace, name, gone))
        return copy.deepcopy(gone)

    def _record(self, event: Event) -> None:
        self.events.append(event)
        self.changed.notify_all()
