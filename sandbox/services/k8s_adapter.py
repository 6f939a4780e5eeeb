"""Kubernetes wire protocol for the middleware: ``<verb> <resource>[/<subresource>]`` calls and Status faults."""

from __future__ import annotations

import json
import urllib.parse

from sandbox.proxy.adapter import CONFLICT, READ, SERVER_ERROR, THROTTLE, WRITE, Call, ErrorResponse

_READ_VERBS = ("get", "list", "watch")


def k8s_call(method: str, path: str, query: str) -> tuple[str, str]:
    """(verb, resource) of a request, as kube-apiserver's audit log would name them."""
    segments = [s for s in path.split("/") if s]
    if not segments or segments[0] not in ("api", "apis") or len(segments) <= (2 if segments[0] == "api" else 3):
        return "get", "discovery"
    rest = segments[2:] if segments[0] == "api" else segments[3:]
    params = urllib.parse.parse_qs(query)
    watch = params.get("watch", ["false"])[0] in ("1", "true")
    if rest and rest[0] == "watch":
        rest, watch = rest[1:], True
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
        rest = rest[2:]
    resource = rest[0] if rest else "discovery"
    named = len(rest) > 1
    if len(rest) > 2:
        resource += "/" + rest[2]
    verb = {"GET": "get" if named else ("watch" if watch else "list"), "POST": "create", "PUT": "update",
            "PATCH": "patch", "DELETE": "delete" if named else "deletecollection"}.get(method, method.lower())
    if params.get("dryRun") == ["All"] and verb not in _READ_VERBS:
        verb += " (dryRun)"
    return verb, resource


class K8sAdapter:
    def __init__(self, cluster: str) -> None:
        self.service = f"k8s:{cluster}"

    def classify(self, environ: dict, body: bytes) -> Call | None:
        path = environ.get("PATH_INFO", "/")
        if path in ("/healthz", "/livez", "/readyz"):
            return None
        if path == "/version" or path.startswith("/openapi"):
            verb, resource = "get", "discovery"
        else:
            verb, resource = k8s_call(environ.get("REQUEST_METHOD", "GET"), path, environ.get("QUERY_STRING", ""))
        kind = READ if verb in _READ_VERBS else WRITE
        return Call(self.service, f"{verb} {resource}", kind)

    def supported_faults(self, call: Call) -> tuple[str, ...]:
        if call.action.split(" ")[0] in ("update", "patch", "delete"):
            return (THROTTLE, SERVER_ERROR, CONFLICT)
        return (THROTTLE, SERVER_ERROR)

    def render_fault(self, kind: str, call: Call) -> ErrorResponse:
        resource = call.action.split(" ")[-1]
        if kind == THROTTLE:
            code, status, message = "TooManyRequests", 429, "Too many requests, please try again later."
            extra = (("Retry-After", "1"),)
        elif kind == SERVER_ERROR:
            code, status, message = "InternalError", 500, "Internal error occurred: injected by the sandbox"
            extra = ()
        else:
            code, status, message = "Conflict", 409, (f"Operation cannot be fulfilled on {resource}: the object has "
                                                      "been modified; please apply your changes to the latest "
                                                      "version and try again")
            extra = ()
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
                "reason": code, "code": status}
        if kind == THROTTLE:
            body["details"] = {"retryAfterSeconds": 1}
        return ErrorResponse(code, status, (("Content-Type", "application/json"),) + extra, json.dumps(body).encode())
