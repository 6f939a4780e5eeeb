"""What kube-apiserver and kube-controller-manager do on their own after every write.

Garbage collection through ownerReferences (background, foreground and orphan propagation),
finalizers, namespace termination, and CustomResourceDefinitions becoming Established and
served (or their resources dropped when the definition goes).
"""

from __future__ import annotations

from sandbox.k8s.clock import now
from sandbox.k8s.registry import ResourceType
from sandbox.k8s.store import Event


class Lifecycle:
    def __init__(self, api) -> None:
        self.api = api

    def dependents(self, uid: str) -> list[tuple[ResourceType, dict]]:
        found = []
        for key in self.api.store.keys():
            rt = self.rt_for_key(key)
            if rt is None:
                continue
            for obj in self.api.store.list(key):
                if any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or []):
                    found.append((rt, obj))
        return found

    def rt_for_key(self, key: tuple[str, str]) -> ResourceType | None:
        return next((rt for rt in self.api.registry.all() if rt.key == key), None)

    def on_event(self, event: Event) -> None:
        """What kube-apiserver and kube-controller-manager do on their own: GC, namespaces, CRDs."""
        rt = self.rt_for_key(event.key)
        obj = event.object
        meta = obj["metadata"]
        if event.key == ("apiextensions.k8s.io", "customresourcedefinitions") and event.type != "DELETED":
            self.establish_crd(obj)
        if event.type == "DELETED":
            self.collect_garbage(meta["uid"])
            namespace = self.api.store.get(("", "namespaces"), "", event.namespace) if event.namespace else None
            if namespace is not None and namespace["metadata"].get("deletionTimestamp"):
                self.finalize_namespace(self.api.registry.lookup("", "v1", "namespaces"), namespace)
            return
        if rt is None or not meta.get("deletionTimestamp"):
            return
        if event.key == ("", "namespaces"):
            self.finalize_namespace(rt, obj)
            return
        finalizers = meta.get("finalizers") or []
        if "orphan" in finalizers:
            self.orphan_dependents(meta["uid"])
            self.drop_finalizer(rt, obj, "orphan")
        elif "foregroundDeletion" in finalizers:
            for dep_rt, dep in self.dependents(meta["uid"]):
                if self.api.store.get(dep_rt.key, dep["metadata"].get("namespace", ""), dep["metadata"]["name"]):
                    self.api.delete(dep_rt, dep["metadata"].get("namespace", ""), dep["metadata"]["name"],
                                propagation="Foreground")
            if not self.dependents(meta["uid"]):
                self.drop_finalizer(rt, obj, "foregroundDeletion")

    def drop_finalizer(self, rt: ResourceType, obj: dict, finalizer: str) -> None:
        current = self.api.store.get(rt.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if current is None:
            return
        current["metadata"]["finalizers"] = [f for f in current["metadata"].get("finalizers", []) if f != finalizer]
        if current["metadata"]["finalizers"]:
            self.api._put(rt, current, "MODIFIED")
        else:
            current["metadata"].pop("finalizers")
            self.api._put(rt, current, "MODIFIED")
            self.api._finish_delete(rt, current)

    def collect_garbage(self, uid: str) -> None:
        for dep_rt, dep in self.dependents(uid):
            refs = dep["metadata"].get("ownerReferences") or []
            remaining = [r for r in refs if r.get("uid") != uid and self.owner_exists(r, dep)]
            if remaining:
                continue
            ns, name = dep["metadata"].get("namespace", ""), dep["metadata"]["name"]
            if self.api.store.get(dep_rt.key, ns, name) is not None:
                self.api.delete(dep_rt, ns, name, propagation="Background")

    def owner_exists(self, ref: dict, dependent: dict) -> bool:
        rt = self.api.registry.by_kind(ref.get("apiVersion", ""), ref.get("kind", ""))
        if rt is None:
            return False
        owner = self.api.store.get(rt.key, dependent["metadata"].get("namespace", "") if rt.namespaced else "",
                               ref.get("name", ""))
        return owner is not None and owner["metadata"]["uid"] == ref.get("uid")

    def orphan_dependents(self, uid: str) -> None:
        for dep_rt, dep in self.dependents(uid):
            dep["metadata"]["ownerReferences"] = [r for r in dep["metadata"]["ownerReferences"] if r.get("uid") != uid]
            if not dep["metadata"]["ownerReferences"]:
                dep["metadata"].pop("ownerReferences")
            self.api._put(dep_rt, dep, "MODIFIED")

    def finalize_namespace(self, rt: ResourceType, ns: dict) -> None:
        name = ns["metadata"]["name"]
        remaining = 0
        for key in self.api.store.keys():
            item_rt = self.rt_for_key(key)
            if item_rt is None or not item_rt.namespaced:
                continue
            for obj in self.api.store.list(key, name):
                if not obj["metadata"].get("deletionTimestamp"):
                    self.api.delete(item_rt, name, obj["metadata"]["name"])
                if self.api.store.get(key, name, obj["metadata"]["name"]) is not None:
                    remaining += 1
        if remaining == 0 and not ns["metadata"].get("finalizers"):
            current = self.api.store.get(rt.key, "", name)
            if current is not None:
                self.api._finish_delete(rt, current)

    def establish_crd(self, crd: dict) -> None:
        self.api.registry.set_crd(crd)
        names_ = crd["spec"]["names"]
        conditions = [{"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                       "message": "no conflicts found", "lastTransitionTime": now()},
                      {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                       "message": "the initial names have been accepted", "lastTransitionTime": now()}]
        status = {"acceptedNames": {k: v for k, v in names_.items()}, "conditions": conditions,
                  "storedVersions": [v["name"] for v in crd["spec"]["versions"] if v.get("storage")]}
        current = self.api.store.get(("apiextensions.k8s.io", "customresourcedefinitions"), "", crd["metadata"]["name"])
        if current is None or (current.get("status") or {}).get("acceptedNames") == status["acceptedNames"]:
            return
        current["status"] = status
        self.api.store.put(("apiextensions.k8s.io", "customresourcedefinitions"), current, "MODIFIED")

    def drop_custom_resources(self, crd: dict) -> None:
        key = (crd["spec"]["group"], crd["spec"]["names"]["plural"])
        for obj in self.api.store.list(key):
            self.api.store.remove(key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        self.api.registry.drop_crd(crd["metadata"]["name"])
