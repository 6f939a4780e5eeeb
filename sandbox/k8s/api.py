"""The API verbs of one emulated cluster, following the Kubernetes API conventions.

Every public method runs under the cluster lock. Writes go: decode -> defaulting -> mutating
admission -> validation (422) -> metadata bookkeeping -> store; then, once the outermost call is
done, controllers see the resulting events (they may write in turn, through the same verbs).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import copy
import ipaddress
import json
import random
import string
import uuid
from typing import Callable, Iterator

from sandbox.k8s import defaults, errors, patching, selectors, validation, watch
from sandbox.k8s.clock import now
from sandbox.k8s.lifecycle import Lifecycle
from sandbox.k8s.registry import Registry, ResourceType
from sandbox.k8s.store import Event, Store

CONTENT_TYPES = {
    "application/merge-patch+json": "merge",
    "application/json-patch+json": "json",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+json": "apply",
}
# Kinds whose status is only written through the status subresource but kept on create.
STATUS_KEPT_ON_CREATE = ("Node", "Namespace")
# Built-in kinds whose registry strategy maintains metadata.generation (custom resources always do).
GENERATION_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "NetworkPolicy", "Ingress",
                    "HorizontalPodAutoscaler", "PodDisruptionBudget",
                    "IngressClass", "CustomResourceDefinition", "Pod")
DEFAULT_FIELD_MANAGER = "unknown"
SCALE = ResourceType("autoscaling", "v1", "scale", "Scale", True)  # the scale subresource's own type
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

Admission = Callable[["ApiServer", str, ResourceType, dict, "dict | None"], None]


def _strip_volatile(obj: dict) -> dict:
    """An object without the fields that change on every write, to detect no-op updates."""
    clean = copy.deepcopy(obj)
    meta = clean.get("metadata", {})
    for key in ("resourceVersion", "managedFields", "generation"):
        meta.pop(key, None)
    return clean


def _get_path(obj: dict, path: str):
    """The value at a CRD scale path such as ``.spec.replicas`` (None when absent)."""
    value = obj
    for part in path.strip(".").split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _set_path(obj: dict, path: str, value) -> None:
    parts = path.strip(".").split(".")
    target = obj
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _spec_part(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class ApiServer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.registry = Registry()
        self.store = Store()
        self.mutators: list[Admission] = []  # mutating admission, in order
        self.validators: list[Admission] = []  # validating admission; raise ApiError to deny
        self.controllers: list = []  # objects with on_event(api, event) and optional tick(api)
        self._pending: collections.deque[Event] = collections.deque()
        self._depth = 0
        self.lifecycle = Lifecycle(self)
        for ns in SYSTEM_NAMESPACES:
            self._system_create("namespaces", {"metadata": {"name": ns}})

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def transaction(self):
        """Hold the cluster lock; when the outermost transaction ends, let the controllers react."""
        with self.store.lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            if self._depth == 0:
                self._depth += 1
                try:
                    self._drain()
                finally:
                    self._depth -= 1

    def _drain(self) -> None:
        rounds = 0
        while self._pending:
            rounds += 1
            if rounds > 100000:
                raise RuntimeError("controllers did not settle")
            event = self._pending.popleft()
            self.lifecycle.on_event(event)
            for controller in self.controllers:
                controller.on_event(self, event)

    def tick(self) -> None:
        """Time-driven controller work (TTLs); called periodically by the cluster host."""
        with self.transaction():
            for controller in self.controllers:
                if hasattr(controller, "tick"):
                    controller.tick(self)

    def resource(self, api_version: str, plural: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        rt = self.registry.lookup(group, version, plural)
        if rt is None:
            raise errors.ApiError(404, f"the server could not find the requested resource ({plural})")
        return rt

    def _system_create(self, plural: str, obj: dict) -> dict:
        rt = self.registry.lookup("", "v1", plural)
        return self.create(rt, "", obj)

    def _put(self, rt: ResourceType, obj: dict, event_type: str) -> dict:
        stored = self.store.put(rt.key, obj, event_type)
        self._pending.append(self.store.events[-1])
        return stored

    def _remove(self, rt: ResourceType, namespace: str, name: str) -> dict:
        gone = self.store.remove(rt.key, namespace, name)
        self._pending.append(self.store.events[-1])
        return gone

    # ------------------------------------------------------------------ reads

    def get(self, rt: ResourceType, namespace: str, name: str) -> dict:
        with self.transaction():
            obj = self.store.get(rt.key, namespace if rt.namespaced else "", name)
            if obj is None:
                raise errors.not_found(rt, name)
            return self._present(rt, obj)

    def list(self, rt: ResourceType, namespace: str | None, label_selector: str = "", field_selector: str = "",
             limit: int | None = None, continue_token: str | None = None) -> dict:
        with self.transaction():
            labels = self._parse_labels(label_selector)
            fields = self._parse_fields(rt, field_selector)
            items = [self._present(rt, obj) for obj in self.store.list(rt.key, namespace if rt.namespaced else None)
                     if labels.matches(obj["metadata"].get("labels") or {}) and fields.matches(obj)]
            list_rv = str(self.store.resource_version)
            start = 0
            if continue_token:
                try:
                    start = int(json.loads(base64.urlsafe_b64decode(continue_token.encode()))["start"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise errors.bad_request(f"continue key is not valid: {exc}") from exc
            metadata = {"resourceVersion": list_rv}
            if limit:
                page = items[start:start + limit]
                if start + limit < len(items):
                    token = {"rv": list_rv, "start": start + limit}
                    metadata["continue"] = base64.urlsafe_b64encode(json.dumps(token).encode()).decode()
                    metadata["remainingItemCount"] = len(items) - start - limit
                items = page
            else:
                items = items[start:]
            if rt.crd_name is None:  # built-in list items carry no kind/apiVersion, as the real server's
                for item in items:
                    item.pop("kind", None)
                    item.pop("apiVersion", None)
            return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": metadata, "items": items}

    def _parse_labels(self, text: str):
        try:
            return selectors.parse_label_selector(text or "")
        except selectors.SelectorError as exc:
            raise errors.bad_request(str(exc)) from exc

    def _parse_fields(self, rt: ResourceType, text: str):
        try:
            parsed = selectors.parse_field_selector(text or "")
            parsed.check_supported(selectors.supported_fields(rt.plural))
        except selectors.SelectorError as exc:
            raise errors.bad_request(str(exc)) from exc
        return parsed

    def _present(self, rt: ResourceType, obj: dict) -> dict:
        """An object as served at ``rt``'s version (storage keeps whatever version wrote it)."""
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        return obj

    # ------------------------------------------------------------------ create

    def create(self, rt: ResourceType, namespace: str, body: dict, dry_run: bool = False,
               field_manager: str | None = None, managed_fields: list | None = None,
               field_validation: str | None = None) -> dict:
        with self.transaction():
            obj = self._decode(rt, body, field_validation)
            meta = obj["metadata"]
            namespace = self._check_namespace(rt, namespace, meta)
            if not meta.get("name"):
                if meta.get("generateName"):
                    meta["name"] = meta["generateName"] + "".join(
                        random.choices(string.ascii_lowercase + string.digits, k=5))
                else:
                    raise errors.invalid(rt, "", [("metadata.name", "FieldValueRequired",
                                                   "Required value: name or generateName is required")])
            if self.store.get(rt.key, namespace, meta["name"]) is not None:
                raise errors.already_exists(rt, meta["name"])
            if "status" in rt.subresources and rt.kind not in STATUS_KEPT_ON_CREATE:
                obj.pop("status", None)
            for key in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation", "selfLink"):
                meta.pop(key, None)
            self._admit_and_validate("CREATE", rt, obj, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            if rt.crd_name or rt.kind in GENERATION_KINDS:
                meta["generation"] = 1
            if managed_fields is None:
                managed_fields = patching.record_update(None, obj, field_manager or DEFAULT_FIELD_MANAGER, [],
                                                        rt.api_version)
            meta["managedFields"] = managed_fields
            self._allocate(rt, obj, None)
            if dry_run:
                return self._present(rt, obj)
            stored = self._put(rt, obj, "ADDED")
            return self._present(rt, stored)

    def _decode(self, rt: ResourceType, body, field_validation: str | None = None) -> dict:
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request was in an unknown format - accepted media types "
                                     "include: application/json, application/yaml")
        obj = copy.deepcopy(body)
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if (api_version and api_version != rt.api_version) or (kind and kind != rt.kind):
            raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected API "
                                     f"version ({rt.api_version})" if api_version != rt.api_version else
                                     f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        if not isinstance(obj.get("metadata", {}), dict):
            raise errors.bad_request("metadata must be an object")
        obj.setdefault("metadata", {})
        if rt.schema is not None:
            content = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
            pruned = validation.prune(rt.schema, content)
            unknown = validation.dropped_fields(content, pruned)
            if unknown and field_validation == "Strict":
                raise errors.bad_request("strict decoding error: " + ", ".join(
                    f'unknown field "{field}"' for field in unknown))
            obj = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": obj["metadata"], **pruned}
        return obj

    def _check_namespace(self, rt: ResourceType, namespace: str, meta: dict) -> str:
        if not rt.namespaced:
            meta.pop("namespace", None)
            return ""
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        meta["namespace"] = namespace
        ns = self.store.get(("", "namespaces"), "", namespace)
        if ns is None:
            raise errors.namespace_not_found(namespace)
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(f"{rt.plural} \"{meta.get('name', '')}\" is forbidden: unable to create new content "
                                   f"in namespace {namespace} because it is being terminated")
        return namespace

    def _admit_and_validate(self, operation: str, rt: ResourceType, obj: dict, old: dict | None) -> None:
        defaults.apply(rt, obj)
        for mutate in self.mutators:
            mutate(self, operation, rt, obj, old)
        causes = validation.metadata(rt, obj) + validation.for_kind(rt, obj, old)
        if causes:
            raise errors.invalid(rt, obj["metadata"].get("name", ""), causes)
        for validate in self.validators:
            validate(self, operation, rt, obj, old)

    def _allocate(self, rt: ResourceType, obj: dict, old: dict | None) -> None:
        """Service cluster IPs and node ports, allocated like the real allocators (no duplicates)."""
        if rt.kind != "Service" or rt.group:
            return
        spec = obj["spec"]
        if spec.get("type") == "ExternalName":
            return
        old_spec = (old or {}).get("spec", {})
        wanted = spec.get("clusterIP")
        if wanted and wanted != "None" and wanted != old_spec.get("clusterIP"):
            self._check_cluster_ip(obj, wanted)
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old_spec.get("clusterIP") or self._free_cluster_ip()
        if spec["clusterIP"] != "None":
            spec["clusterIPs"] = [spec["clusterIP"]]
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            used = self._used_node_ports(exclude=obj["metadata"])
            old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports", [])}
            for index, port in enumerate(spec.get("ports", [])):
                wanted = port.get("nodePort") or old_ports.get(port.get("port"))
                if wanted and wanted in used:
                    raise errors.invalid(self.registry.lookup("", "v1", "services"), obj["metadata"]["name"], [
                        (f"spec.ports[{index}].nodePort", "FieldValueInvalid",
                         f"Invalid value: {wanted}: provided port is already allocated")])
                port["nodePort"] = wanted or self._free_node_port(used)
                used.add(port["nodePort"])
        else:
            for port in spec.get("ports", []):
                port.pop("nodePort", None)

    def allocate_cluster_ip(self) -> str:
        raise NotImplementedError  # supplied by the cluster host (it knows the service CIDR)

    def service_cidr(self) -> str:
        raise NotImplementedError  # supplied by the cluster host

    def _cluster_ips_in_use(self) -> set[str]:
        return {svc["spec"].get("clusterIP") for svc in self.store.list(("", "services"))} - {None, "None"}

    def _free_cluster_ip(self) -> str:
        used = self._cluster_ips_in_use()
        while True:
            candidate = self.allocate_cluster_ip()
            if candidate not in used:
                return candidate

    def _check_cluster_ip(self, obj: dict, wanted: str) -> None:
        services = self.registry.lookup("", "v1", "services")
        name = obj["metadata"]["name"]
        try:
            in_range = ipaddress.ip_address(wanted) in ipaddress.ip_network(self.service_cidr())
        except ValueError:
            raise errors.invalid(services, name, [validation.invalid("spec.clusterIPs[0]", wanted,
                                                                     "must be a valid IP address")]) from None
        if not in_range:
            message = (f"failed to allocate IP {wanted}: the provided IP ({wanted}) is not in the valid range. "
                       f"The range of valid IPs is {self.service_cidr()}")
        elif wanted in self._cluster_ips_in_use():
            message = f"failed to allocate IP {wanted}: provided IP is already allocated"
        else:
            return
        raise errors.invalid(services, name, [("spec.clusterIPs", "FieldValueInvalid",
                                               f"Invalid value: {json.dumps([wanted])}: {message}")])

    def _used_node_ports(self, exclude: dict) -> set[int]:
        used = set()
        for svc in self.store.list(("", "services")):
            meta = svc["metadata"]
            if (meta.get("namespace"), meta["name"]) == (exclude.get("namespace"), exclude.get("name")):
                continue
            used |= {p["nodePort"] for p in svc["spec"].get("ports", []) if p.get("nodePort")}
        return used

    @staticmethod
    def _free_node_port(used: set[int]) -> int:
        candidates = [p for p in range(30000, 32768) if p not in used]
        if not candidates:
            raise errors.ApiError(500, "range is full")
        return random.Random(len(used)).choice(candidates)

    # ------------------------------------------------------------------ update / patch

    def update(self, rt: ResourceType, namespace: str, name: str, body: dict, subresource: str | None = None,
               dry_run: bool = False, field_manager: str | None = None, field_validation: str | None = None) -> dict:
        with self.transaction():
            existing = self._existing(rt, namespace, name)
            obj = self._decode(rt, body, field_validation)
            return self._write_update(rt, existing, obj, subresource, dry_run, field_manager)

    def _existing(self, rt: ResourceType, namespace: str, name: str) -> dict:
        obj = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise errors.not_found(rt, name)
        return obj

    def _write_update(self, rt, existing: dict, obj: dict, subresource: str | None, dry_run: bool,
                      field_manager: str | None, managed_fields: list | None = None) -> dict:
        name = existing["metadata"]["name"]
        meta = obj.setdefault("metadata", {})
        if meta.get("name") and meta["name"] != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL "
                                     f"({name})")
        if rt.namespaced and meta.get("namespace") and meta["namespace"] != existing["metadata"]["namespace"]:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                     "the request")
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != existing["metadata"]["resourceVersion"]:
            raise errors.conflict(rt, name)
        if subresource == "status":
            new = copy.deepcopy(existing)
            if "status" in obj:
                new["status"] = obj["status"]
            else:
                new.pop("status", None)
        else:
            new = obj
            if "status" in rt.subresources:
                if "status" in existing:
                    new["status"] = existing["status"]
                else:
                    new.pop("status", None)
        keep = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace",
                "name", "generation")
        for key in keep:
            if key in existing["metadata"]:
                new["metadata"][key] = existing["metadata"][key]
            else:
                new["metadata"].pop(key, None)
        if existing["metadata"].get("deletionTimestamp") and subresource is None:
            added = set(new["metadata"].get("finalizers") or []) - set(existing["metadata"].get("finalizers") or [])
            if added:
                raise errors.invalid(rt, name, [("metadata.finalizers", "FieldValueForbidden",
                                                 f"Forbidden: no new finalizers can be added if the object is being "
                                                 f"deleted, found new finalizers {json.dumps(sorted(added))}")])
        if subresource is None:
            self._admit_and_validate("UPDATE", rt, new, existing)
        if _spec_part(new) != _spec_part(existing) and subresource is None and "generation" in existing["metadata"]:
            new["metadata"]["generation"] = existing["metadata"]["generation"] + 1
        self._allocate(rt, new, existing)
        if managed_fields is None:
            managed_fields = patching.record_update(existing, new, field_manager or DEFAULT_FIELD_MANAGER,
                                                    existing["metadata"].get("managedFields") or [],
                                                    rt.api_version, subresource=subresource)
        new["metadata"]["managedFields"] = managed_fields
        if _strip_volatile(new) == _strip_volatile(existing) and managed_fields == existing["metadata"].get(
                "managedFields"):
            return self._present(rt, existing)  # a no-op write changes nothing, not even resourceVersion
        new["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
        if dry_run:
            return self._present(rt, new)
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            self._put(rt, new, "MODIFIED")
            return self._present(rt, self._finish_delete(rt, new))
        return self._present(rt, self._put(rt, new, "MODIFIED"))

    def patch(self, rt: ResourceType, namespace: str, name: str, content_type: str, body, subresource: str | None = None,
              dry_run: bool = False, field_manager: str | None = None, force: bool = False,
              field_validation: str | None = None) -> tuple[dict, bool]:
        """Returns (object, created); only server-side apply can create."""
        kind = CONTENT_TYPES.get(content_type.split(";")[0].strip())
        if kind is None:
            raise errors.ApiError(415, f"the body of the request was in an unknown format - accepted media types "
                                       f"include: {', '.join(CONTENT_TYPES)}")
        with self.transaction():
            existing = self.store.get(rt.key, namespace if rt.namespaced else "", name)
            if kind == "apply":
                return self._apply(rt, namespace, name, existing, body, subresource, dry_run, field_manager, force,
                                   field_validation)
            if existing is None:
                raise errors.not_found(rt, name)
            base = self._present(rt, copy.deepcopy(existing))
            patched = self._patched(rt, base, kind, body)
            if subresource == "status":
                merged = copy.deepcopy(existing)
                if "status" in patched:
                    merged["status"] = patched["status"]
                merged["metadata"]["resourceVersion"] = patched.get("metadata", {}).get("resourceVersion")
                patched = merged
            elif "status" in rt.subresources:
                patched["status"] = existing.get("status")
                if patched["status"] is None:
                    patched.pop("status")
            obj = self._decode(rt, patched, field_validation)
            return self._write_update(rt, existing, obj, subresource, dry_run, field_manager), False

    def _patched(self, rt: ResourceType, base: dict, kind: str, body) -> dict:
        try:
            if kind == "merge":
                if not isinstance(body, dict):
                    raise errors.bad_request("merge patch must be a JSON object")
                return patching.json_merge_patch(base, body)
            if kind == "json":
                return patching.json_patch(base, body)
            if not patching.supports_strategic_merge(rt.kind) or rt.crd_name is not None:
                raise errors.ApiError(415, "the body of the request was in an unknown format - accepted media "
                                           "types include: application/json-patch+json, "
                                           "application/merge-patch+json, application/apply-patch+yaml")
            return patching.strategic_merge_patch_for_kind(rt.kind, base, body)
        except patching.PatchError as exc:
            raise errors.ApiError(exc.code, exc.message, reason=exc.reason,
                                  details=exc.to_status().get("details")) from exc

    def _apply(self, rt, namespace, name, existing, body, subresource, dry_run, field_manager, force,
               field_validation):
        if not field_manager:
            raise errors.bad_request("PATCH, fieldManager: Required value: is required for apply patch")
        applied = self._decode(rt, body, field_validation)
        if applied["metadata"].get("name") not in (None, name):
            raise errors.bad_request(f"the name of the object ({applied['metadata']['name']}) does not match the "
                                     f"name on the URL ({name})")
        applied["metadata"]["name"] = name
        live = self._present(rt, copy.deepcopy(existing)) if existing else None
        managed = (existing or {}).get("metadata", {}).get("managedFields") or []
        try:
            merged, new_managed = patching.apply_patch(live, applied, field_manager, managed, force,
                                                       subresource=subresource)
        except patching.ApplyConflict as exc:
            raise errors.ApiError(409, str(exc), reason="Conflict") from exc
        except patching.PatchError as exc:
            raise errors.ApiError(400, exc.message, reason=exc.reason) from exc
        if existing is None:
            merged.setdefault("metadata", {})["name"] = name
            return self.create(rt, namespace, merged, dry_run=dry_run, managed_fields=new_managed), True
        if subresource is None and "status" in rt.subresources:
            merged["status"] = existing.get("status")
            if merged["status"] is None:
                merged.pop("status")
        merged["metadata"].pop("resourceVersion", None)
        return self._write_update(rt, existing, merged, subresource, dry_run, field_manager,
                                  managed_fields=new_managed), False

    # ------------------------------------------------------------------ scale subresource

    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> dict:
        with self.transaction():
            return self._scale_of(rt, self._existing(rt, namespace, name))

    @staticmethod
    def _scale_paths(rt: ResourceType) -> tuple[str, str, str | None]:
        """Where replicas and the selector live: fixed for built-ins, declared by the CRD otherwise."""
        return rt.scale_paths or (".spec.replicas", ".status.replicas", None)

    @classmethod
    def _scale_of(cls, rt: ResourceType, obj: dict) -> dict:
        meta = obj["metadata"]
        spec_path, status_path, selector_path = cls._scale_paths(rt)
        if rt.scale_paths is None:
            try:
                text = selectors.label_selector_from_object((obj.get("spec") or {}).get("selector") or {}).to_string()
            except selectors.SelectorError:
                text = ""
        else:
            text = _get_path(obj, selector_path) if selector_path else ""
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if k in meta},
                "spec": {"replicas": _get_path(obj, spec_path) or 0 if rt.scale_paths else
                         obj["spec"].get("replicas", 1)},
                "status": {"replicas": _get_path(obj, status_path) or 0, "selector": text or ""}}

    def update_scale(self, rt: ResourceType, namespace: str, name: str, scale: dict, content_type: str | None = None,
                     dry_run: bool = False, field_manager: str | None = None) -> dict:
        with self.transaction():
            existing = self._existing(rt, namespace, name)
            current = self._scale_of(rt, existing)
            if content_type:  # PATCH on /scale
                kind = CONTENT_TYPES.get(content_type.split(";")[0].strip())
                if kind in (None, "apply"):
                    raise errors.ApiError(415, "unsupported patch type for the scale subresource")
                # Scale has no merge keys: a strategic merge patch of it is a merge patch
                scale = self._patched(SCALE, current, "merge" if kind == "strategic" else kind, scale)
            wanted_rv = (scale.get("metadata") or {}).get("resourceVersion")
            if wanted_rv and wanted_rv != existing["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name)
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise errors.invalid(SCALE, name, [
                    validation.invalid("spec.replicas", replicas, "must be greater than or equal to 0")])
            new = copy.deepcopy(existing)
            _set_path(new, self._scale_paths(rt)[0], replicas)
            new["metadata"].pop("resourceVersion", None)
            updated = self._write_update(rt, existing, new, None, dry_run, field_manager)
            return self._scale_of(rt, updated)

    # ------------------------------------------------------------------ delete

    def delete(self, rt: ResourceType, namespace: str, name: str, propagation: str | None = None,
               preconditions: dict | None = None, dry_run: bool = False) -> dict:
        with self.transaction():
            existing = self._existing(rt, namespace, name)
            meta = existing["metadata"]
            preconditions = preconditions or {}
            if preconditions.get("uid") and preconditions["uid"] != meta["uid"]:
                raise errors.conflict(rt, name, f"Precondition failed: UID in precondition: {preconditions['uid']}, "
                                                f"UID in object meta: {meta['uid']}")
            if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != meta["resourceVersion"]:
                raise errors.conflict(rt, name, f"Precondition failed: ResourceVersion in precondition: "
                                                f"{preconditions['resourceVersion']}, ResourceVersion in object meta: "
                                                f"{meta['resourceVersion']}")
            if propagation not in (None, "Background", "Foreground", "Orphan"):
                raise errors.invalid(rt, name, [validation.unsupported("propagationPolicy", propagation,
                                                                       ["Background", "Foreground", "Orphan"])])
            if dry_run:
                return self._present(rt, existing)
            if meta.get("deletionTimestamp"):
                return self._present(rt, existing)
            finalizers = list(meta.get("finalizers") or [])
            if propagation == "Orphan":
                finalizers.append("orphan")
            elif propagation == "Foreground" and self.lifecycle.dependents(meta["uid"]):
                finalizers.append("foregroundDeletion")
            if rt.kind == "Namespace" and not rt.group:
                finalizers = finalizers or []
                existing.setdefault("status", {})["phase"] = "Terminating"
                meta["deletionTimestamp"] = now()
                meta["deletionGracePeriodSeconds"] = 0
                meta["finalizers"] = finalizers
                return self._present(rt, self._put(rt, existing, "MODIFIED"))
            if finalizers:
                meta["finalizers"] = finalizers
                meta["deletionTimestamp"] = now()
                meta["deletionGracePeriodSeconds"] = 0
                return self._present(rt, self._put(rt, existing, "MODIFIED"))
            gone = self._finish_delete(rt, existing)
            if rt.kind == "Pod" and not rt.group:
                return self._present(rt, gone)
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                    "details": {"name": name, **({"group": rt.group} if rt.group else {}), "kind": rt.plural,
                                "uid": meta["uid"]}}

    def _finish_delete(self, rt: ResourceType, obj: dict) -> dict:
        meta = obj["metadata"]
        gone = self._remove(rt, meta.get("namespace", ""), meta["name"])
        if rt.kind == "CustomResourceDefinition":
            self.lifecycle.drop_custom_resources(obj)
        return gone

    def deletecollection(self, rt: ResourceType, namespace: str | None, label_selector: str = "",
                         field_selector: str = "", propagation: str | None = None, dry_run: bool = False) -> dict:
        with self.transaction():
            listed = self.list(rt, namespace, label_selector, field_selector)
            deleted = []
            for item in listed["items"]:
                meta = item["metadata"]
                self.delete(rt, meta.get("namespace", ""), meta["name"], propagation=propagation, dry_run=dry_run)
                deleted.append(self._present(rt, item))
            return {"kind": rt.list_kind, "apiVersion": rt.api_version,
                    "metadata": {"resourceVersion": str(self.store.resource_version)}, "items": deleted}

    # ------------------------------------------------------------------ watch

    def watch(self, rt: ResourceType, namespace: str | None, label_selector: str = "", field_selector: str = "",
              resource_version: str | None = None, timeout: float = 1800.0,
              send_initial_events: bool | None = None) -> Iterator[dict]:
        """Validate the request now; return an iterator of watch events ({type, object}) for ``timeout`` s."""
        labels = self._parse_labels(label_selector)
        fields = self._parse_fields(rt, field_selector)
        if resource_version not in (None, "", "0") and not str(resource_version).isdigit():
            raise errors.bad_request(f"invalid resource version: {resource_version}")
        if send_initial_events is not None and resource_version not in (None, "", "0") and \
                not str(resource_version).isdigit():
            raise errors.bad_request(f"invalid resource version: {resource_version}")
        return watch.events(self, rt, namespace, labels, fields, resource_version, timeout, send_initial_events)
