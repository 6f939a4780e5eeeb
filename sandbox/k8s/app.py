"""HTTP front of one emulated cluster: discovery, resource URLs, query options, Status errors (WSGI)."""

from __future__ import annotations

import json
import urllib.parse

import yaml
from werkzeug.wrappers import Request, Response

from sandbox.k8s import errors, openapi, tables
from sandbox.k8s.api import ApiServer
from sandbox.k8s.registry import ResourceType

SERVER_VERSION = {"major": "1", "minor": "36", "gitVersion": "v1.36.2-kubeguard-sandbox", "gitCommit": "sandbox",
                  "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z", "goVersion": "go1.23.4",
                  "compiler": "gc", "platform": "linux/amd64", "emulationMajor": "1", "emulationMinor": "36"}


def _json(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json", headers=headers)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "")


def _is_watch(parsed, args) -> bool:
    """A collection GET is a watch with the legacy /watch/ prefix or ?watch=true."""
    return parsed.watch_prefix or ("watch" in args and _truthy(args.get("watch")))


class ParsedPath:
    """The parts of a resource URL: /api/v1/... or /apis/<group>/<version>/..."""

    def __init__(self, group: str, version: str, segments: list[str]) -> None:
        self.group, self.version = group, version
        self.namespace: str | None = None
        self.name: str | None = None
        self.subresource: str | None = None
        self.watch_prefix = False
        if segments and segments[0] == "watch":
            self.watch_prefix = True
            segments = segments[1:]
        if len(segments) >= 3 and segments[0] == "namespaces" and segments[2] not in ("status", "finalize"):
            self.namespace = segments[1]
            segments = segments[2:]
        if not segments:
            raise errors.ApiError(404, "the server could not find the requested resource")
        self.plural = segments[0]
        self.name = segments[1] if len(segments) > 1 else None
        self.subresource = segments[2] if len(segments) > 2 else None
        if len(segments) > 3:
            raise errors.ApiError(404, "the server could not find the requested resource")


class KubeApp:
    def __init__(self, api: ApiServer, server_url: str) -> None:
        self.api = api
        self.server_url = server_url

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except errors.ApiError as exc:
            response = _json(exc.status(), status=exc.code)
        return response(environ, start_response)

    # --------------------------------------------------------------- routing

    def dispatch(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz"):
            return Response("ok", mimetype="text/plain")
        if path == "/version":
            return _json(SERVER_VERSION)
        if path == "/api":
            return _json({"kind": "APIVersions", "versions": ["v1"],
                          "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                          "serverAddress": self.server_url.split("//")[-1]}]})
        if path == "/apis":
            return _json(self.api_group_list())
        if path == "/openapi/v3":
            return _json(openapi.index(self.api.registry))
        if path.startswith("/openapi/v3/"):
            return _json(openapi.group_version_document(self.api.registry, path[len("/openapi/v3/"):]))
        if path.startswith("/openapi/"):
            raise errors.ApiError(404, "the server could not find the requested resource")
        segments = [urllib.parse.unquote(s) for s in path.strip("/").split("/")]
        if segments[0] == "api":
            if len(segments) == 1 or segments[1] != "v1":
                raise errors.ApiError(404, "the server could not find the requested resource")
            group, version, rest = "", "v1", segments[2:]
        elif segments[0] == "apis" and len(segments) >= 2:
            if len(segments) == 2:
                return _json(self.api_group(segments[1]))
            group, version, rest = segments[1], segments[2], segments[3:]
        else:
            raise errors.ApiError(404, "the server could not find the requested resource")
        if not rest:
            return _json(self.api_resource_list(group, version))
        return self.resource_request(request, ParsedPath(group, version, rest))

    # --------------------------------------------------------------- discovery

    def api_group_list(self) -> dict:
        groups = [self._group_entry(g, versions) for g, versions in self.api.registry.group_versions().items() if g]
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    @staticmethod
    def _group_entry(group: str, versions: list[str]) -> dict:
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    def api_group(self, group: str) -> dict:
        versions = self.api.registry.group_versions().get(group)
        if not versions:
            raise errors.ApiError(404, "the server could not find the requested resource")
        return {"kind": "APIGroup", "apiVersion": "v1", **self._group_entry(group, versions)}

    def api_resource_list(self, group: str, version: str) -> dict:
        resources = self.api.registry.resources_in(group, version)
        if not resources:
            raise errors.ApiError(404, "the server could not find the requested resource")
        entries = [entry for rt in resources for entry in rt.discovery_entries()]
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version, "resources": entries}

    # --------------------------------------------------------------- resources

    def resource_request(self, request: Request, parsed: ParsedPath) -> Response:
        rt = self.api.registry.lookup(parsed.group, parsed.version, parsed.plural)
        if rt is None:
            raise errors.ApiError(404, "the server could not find the requested resource")
        if rt.namespaced is False and parsed.namespace is not None:
            raise errors.ApiError(404, "the server could not find the requested resource")
        args = request.args
        method = request.method
        dry_run = args.get("dryRun") == "All"
        if "dryRun" in args and args.get("dryRun") != "All":
            raise errors.bad_request(f"Invalid dryRun value: {args.get('dryRun')}; only \"All\" is supported")
        self._check_verb(rt, method, parsed, args)
        is_apply = method == "PATCH" and (request.mimetype or "").startswith("application/apply-patch")
        self._check_patch_options(method, is_apply, args)
        field_manager = args.get("fieldManager") or (None if is_apply else self._default_manager(request))
        field_validation = args.get("fieldValidation") or "Warn"
        if field_validation not in ("Ignore", "Warn", "Strict"):
            raise errors.bad_request(f"fieldValidation must be one of Ignore, Warn or Strict, not {field_validation}")
        namespace = parsed.namespace if rt.namespaced else ""
        sub = parsed.subresource
        if sub is not None and sub not in rt.subresources:
            raise errors.ApiError(404, "the server could not find the requested resource")

        if parsed.name is None:  # collection
            if method == "GET":
                if _is_watch(parsed, args):
                    return self.watch(request, rt, parsed.namespace)
                listed = self.api.list(rt, parsed.namespace if rt.namespaced else None,
                                       args.get("labelSelector", ""), args.get("fieldSelector", ""),
                                       int(args["limit"]) if args.get("limit") else None, args.get("continue"))
                if self._wants_table(request):
                    return _json(tables.table(listed["items"], rt.kind, args.get("includeObject", ""),
                                              listed["metadata"]))
                return _json(listed)
            if method == "POST":
                if rt.namespaced and parsed.namespace is None:
                    raise errors.method_not_allowed()
                created = self.api.create(rt, namespace, self._body(request), dry_run, field_manager,
                                          field_validation=field_validation)
                return _json(created, status=201)
            if method == "DELETE":
                options = self._delete_options(request)
                return _json(self.api.deletecollection(rt, parsed.namespace if rt.namespaced else None,
                                                       args.get("labelSelector", ""), args.get("fieldSelector", ""),
                                                       options.get("propagationPolicy"), dry_run))
            raise errors.method_not_allowed()

        if parsed.watch_prefix:
            raise errors.method_not_allowed()
        if sub == "scale":
            if method == "GET":
                return _json(self.api.get_scale(rt, namespace, parsed.name))
            if method in ("PUT", "PATCH"):
                content_type = request.mimetype if method == "PATCH" else None
                return _json(self.api.update_scale(rt, namespace, parsed.name,
                                                   self._body(request, patch=method == "PATCH"), content_type,
                                                   dry_run, field_manager))
            raise errors.method_not_allowed()
        if sub == "finalize" and method != "PUT":
            raise errors.method_not_allowed()
        if method == "GET":
            obj = self.api.get(rt, namespace, parsed.name)
            if sub is None and self._wants_table(request):
                return _json(tables.table([obj], rt.kind, args.get("includeObject", ""),
                                          {"resourceVersion": obj["metadata"]["resourceVersion"]}))
            return _json(obj)
        if method == "PUT":
            return _json(self.api.update(rt, namespace, parsed.name, self._body(request),
                                         "status" if sub == "status" else None, dry_run, field_manager,
                                         field_validation))
        if method == "PATCH":
            obj, created = self.api.patch(rt, namespace, parsed.name, request.mimetype or request.content_type or "",
                                          self._body(request, patch=True), "status" if sub == "status" else None,
                                          dry_run, field_manager, _truthy(args.get("force")) and "force" in args,
                                          field_validation)
            return _json(obj, status=201 if created else 200)
        if method == "DELETE":
            if sub:
                raise errors.method_not_allowed()
            options = self._delete_options(request)
            result = self.api.delete(rt, namespace, parsed.name, options.get("propagationPolicy"),
                                     options.get("preconditions"), dry_run or options.get("dryRun") == ["All"])
            return _json(result)
        raise errors.method_not_allowed()

    @staticmethod
    def _check_verb(rt, method: str, parsed: ParsedPath, args) -> None:
        """405 for a verb the resource type does not serve (as its discovery entry says)."""
        if parsed.subresource:
            return
        if parsed.name is None:
            verb = {"GET": "watch" if _is_watch(parsed, args) else "list", "POST": "create", "DELETE": "deletecollection"}.get(method)
        else:
            verb = {"GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(method)
        if verb is None or verb not in rt.verbs:
            raise errors.method_not_allowed()

    @staticmethod
    def _check_patch_options(method: str, is_apply: bool, args) -> None:
        """PatchOptions validation: apply needs a fieldManager; force is for apply only."""
        options = ResourceType("meta.k8s.io", "v1", "patchoptions", "PatchOptions", False)
        if is_apply and not args.get("fieldManager"):
            raise errors.invalid(options, "", [("fieldManager", "FieldValueRequired",
                                                "Required value: is required for apply patch")])
        if "force" in args and not is_apply:
            raise errors.invalid(options, "", [("force", "FieldValueForbidden",
                                                "Forbidden: may not be specified for non-apply patch")])

    @staticmethod
    def _wants_table(request: Request) -> bool:
        accept = request.headers.get("Accept", "")
        return "as=Table" in accept and "g=meta.k8s.io" in accept

    @staticmethod
    def _default_manager(request: Request) -> str:
        """The real server names an unnamed manager after the client's user agent (its first word)."""
        agent = request.headers.get("User-Agent", "")
        return agent.split("/")[0].split(" ")[0][:128] or "unknown"

    @staticmethod
    def _body(request: Request, patch: bool = False):
        mimetype = request.mimetype or ""
        if not patch and mimetype not in ("application/json", "application/yaml", ""):
            # protobuf and CBOR are not spoken here: clients that prefer them fall back to JSON on 415
            raise errors.ApiError(415, "the body of the request was in an unknown format - accepted media types "
                                       "include: application/json, application/yaml")
        raw = request.get_data()
        if not raw:
            raise errors.bad_request("the body of the request was empty")
        try:
            if mimetype.endswith("yaml"):
                return yaml.safe_load(raw)
            return json.loads(raw)
        except (ValueError, yaml.YAMLError) as exc:
            if patch:
                raise errors.bad_request(f"error decoding patch: {exc}") from exc
            raise errors.bad_request(f"the body of the request could not be decoded: {exc}") from exc

    @staticmethod
    def _delete_options(request: Request) -> dict:
        options = {}
        raw = request.get_data()
        if raw:
            try:
                options = json.loads(raw)
            except ValueError as exc:
                raise errors.bad_request(f"could not decode DeleteOptions: {exc}") from exc
        if request.args.get("propagationPolicy"):
            options["propagationPolicy"] = request.args["propagationPolicy"]
        return options

    def watch(self, request: Request, rt, namespace: str | None) -> Response:
        args = request.args
        timeout = float(args.get("timeoutSeconds") or 1800)
        send_initial = args.get("sendInitialEvents")
        if send_initial is not None and (args.get("resourceVersionMatch") != "NotOlderThan"
                                         or not _truthy(args.get("allowWatchBookmarks"))):
            raise errors.invalid(rt, "", [("sendInitialEvents", "FieldValueForbidden",
                                           "Forbidden: sendInitialEvents is forbidden for watch unless the "
                                           "WatchList feature gate is enabled and resourceVersionMatch is "
                                           "NotOlderThan and allowWatchBookmarks is true")])
        events = self.api.watch(rt, namespace if rt.namespaced else None, args.get("labelSelector", ""),
                                args.get("fieldSelector", ""), args.get("resourceVersion"), timeout,
                                None if send_initial is None else _truthy(send_initial))
        as_table = self._wants_table(request)

        def stream():
            yield b""  # sends the response headers now: the watch is established before any event
            first = True
            for event in events:
                if as_table and event["type"] in ("ADDED", "MODIFIED", "DELETED"):
                    obj = event["object"]
                    table = tables.table([obj], rt.kind, args.get("includeObject", ""),
                                         {"resourceVersion": obj["metadata"].get("resourceVersion", "")})
                    if not first:
                        table["columnDefinitions"] = []  # the real server sends the columns once
                    first = False
                    event = {"type": event["type"], "object": table}
                yield json.dumps(event).encode() + b"\n"

        return Response(stream(), mimetype="application/json")
