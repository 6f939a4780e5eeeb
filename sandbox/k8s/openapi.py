"""OpenAPI v3 discovery, reduced to what clients use it for.

kubectl reads ``/openapi/v3`` to learn whether the server validates fields itself (the
``fieldValidation`` query parameter on write operations); when it does, kubectl sends
``fieldValidation=Strict`` instead of validating on the client. Schemas are published for custom
resources (from their CRD) and as open objects for built-in kinds.
"""

from __future__ import annotations

import hashlib
import json

from sandbox.k8s import errors

_QUERY = ("dryRun", "fieldManager", "fieldValidation", "pretty")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _schema_name(rt) -> str:
    group = rt.group or "core"
    if rt.crd_name:
        reversed_group = ".".join(reversed(rt.group.split(".")))
        return f"{reversed_group}.{rt.version}.{rt.kind}"
    return f"io.k8s.api.{group.split('.')[0]}.{rt.version}.{rt.kind}"


def group_version_document(registry, gv_path: str) -> dict:
    parts = gv_path.strip("/").split("/")
    if parts[0] == "api" and len(parts) == 2:
        group, version = "", parts[1]
    elif parts[0] == "apis" and len(parts) == 3:
        group, version = parts[1], parts[2]
    else:
        raise errors.ApiError(404, "the server could not find the requested resource")
    resources = registry.resources_in(group, version)
    if not resources:
        raise errors.ApiError(404, "the server could not find the requested resource")
    paths, schemas = {}, {}
    for rt in resources:
        name = _schema_name(rt)
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        schema = dict(rt.schema) if rt.schema else {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        schema["x-kubernetes-group-version-kind"] = [gvk]
        schemas[name] = schema
        body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
        params = [{"name": q, "in": "query", "schema": {"type": "string", "uniqueItems": True}} for q in _QUERY]
        prefix = "/" + _gv_path(group, version) + ("/namespaces/{namespace}" if rt.namespaced else "")
        collection = f"{prefix}/{rt.plural}"

        def op(action: str, with_body: bool) -> dict:
            entry = {"operationId": f"{action}{rt.kind}", "x-kubernetes-action": action,
                     "x-kubernetes-group-version-kind": gvk, "parameters": params,
                     "responses": {"200": body}}
            if with_body:
                entry["requestBody"] = body
            return entry

        paths[collection] = {"get": op("list", False), "post": op("post", True),
                             "delete": op("deletecollection", False)}
        paths[collection + "/{name}"] = {"get": op("get", False), "put": op("put", True),
                                         "patch": op("patch", True), "delete": op("delete", False)}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.36.2"}, "paths": paths,
            "components": {"schemas": schemas}}


def index(registry) -> dict:
    paths = {}
    for group, versions in registry.group_versions().items():
        for version in versions:
            path = _gv_path(group, version)
            digest = hashlib.sha256(json.dumps(group_version_document(registry, path),
                                               sort_keys=True).encode()).hexdigest()[:32].upper()
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}
