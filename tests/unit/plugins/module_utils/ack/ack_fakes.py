"""An in-memory stand-in for ``kube.client.Kube``: objects by (kind, namespace, name), calls recorded."""

import copy


class FakeKube:
    def __init__(self, objects=(), missing_kinds=()):
        self.objects = {}
        self.missing_kinds = set(missing_kinds)
        self.writes = []
        for obj in objects:
            self.put(obj)

    def put(self, obj):
        meta = obj["metadata"]
        self.objects[(obj["kind"], meta.get("namespace"), meta["name"])] = copy.deepcopy(obj)

    def resource(self, kind, api_version):
        return None if kind in self.missing_kinds else kind

    def get(self, kind, api_version, name, namespace=None):
        if kind in self.missing_kinds:
            return None
        found = self.objects.get((kind, namespace, name))
        return copy.deepcopy(found) if found else None

    def list(self, kind, api_version, namespace=None, label_selector=None):
        wanted = dict(part.split("=", 1) for part in label_selector.split(",")) if label_selector else {}
        found = [
            (ns or "", name, o)
            for (k, ns, name), o in self.objects.items()
            if k == kind
            and namespace in (None, ns)
            and all((o["metadata"].get("labels") or {}).get(key) == value for key, value in wanted.items())
        ]
        return [copy.deepcopy(o) for _ns, _name, o in sorted(found, key=lambda item: item[:2])]  # etcd key order

    def create(self, kind, api_version, body, namespace=None):
        self.writes.append(("create", kind, body["metadata"]["name"]))
        self.put(dict(body, kind=kind))

    def merge_patch(self, kind, api_version, name, patch, namespace=None):
        self.writes.append(("patch", kind, name))

    def delete(self, kind, api_version, name, namespace=None):
        self.writes.append(("delete", kind, name))
        self.objects.pop((kind, namespace, name), None)
