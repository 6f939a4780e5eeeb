"""AWS wire protocols: name each call and render throttling / 5xx faults as each AWS service does.

One moto endpoint serves every AWS service; the signing scope of the request (SigV4 credential
scope) tells which service a call is for, as it does for moto itself.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

from sandbox import config
from sandbox.proxy.adapter import READ, SERVER_ERROR, THROTTLE, WRITE, Call, ErrorResponse

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
_READ_PREFIXES = ("Describe", "List", "Get", "Lookup", "Search", "Check")

# Protocol per SigV4 signing name; services not listed use the query protocol.
_PROTOCOLS = {"ec2": "ec2", "eks": "rest-json", "cloudtrail": "json", "s3": "rest-xml"}
# Friendlier service names for the accounting.
_SERVICE_NAMES = {"elasticloadbalancing": "elbv2"}

# EKS REST routes we name like the SDK does; anything else is named by method and route shape.
_EKS_ROUTES = (
    ("GET", r"/clusters", "ListClusters"),
    ("POST", r"/clusters", "CreateCluster"),
    ("GET", r"/clusters/[^/]+", "DescribeCluster"),
    ("DELETE", r"/clusters/[^/]+", "DeleteCluster"),
    ("POST", r"/clusters/[^/]+/update-config", "UpdateClusterConfig"),
    ("GET", r"/clusters/[^/]+/node-groups", "ListNodegroups"),
    ("POST", r"/clusters/[^/]+/node-groups", "CreateNodegroup"),
    ("GET", r"/clusters/[^/]+/node-groups/[^/]+", "DescribeNodegroup"),
    ("DELETE", r"/clusters/[^/]+/node-groups/[^/]+", "DeleteNodegroup"),
    ("GET", r"/tags/.+", "ListTagsForResource"),
    ("POST", r"/tags/.+", "TagResource"),
    ("DELETE", r"/tags/.+", "UntagResource"),
)

# Error codes and HTTP statuses per protocol, as the real services answer.
_FAULTS = {
    "ec2": {THROTTLE: ("RequestLimitExceeded", 503, "Request limit exceeded."),
            SERVER_ERROR: ("InternalError", 500, "An internal error has occurred.")},
    "query": {THROTTLE: ("Throttling", 400, "Rate exceeded"),
              SERVER_ERROR: ("InternalFailure", 500, "An internal error occurred.")},
    "json": {THROTTLE: ("ThrottlingException", 400, "Rate exceeded"),
             SERVER_ERROR: ("InternalFailure", 500, "An internal error occurred.")},
    "rest-json": {THROTTLE: ("ThrottlingException", 429, "Rate exceeded"),
                  SERVER_ERROR: ("ServerException", 500, "An internal error occurred.")},
    "rest-xml": {THROTTLE: ("SlowDown", 503, "Please reduce your request rate."),
                 SERVER_ERROR: ("InternalError", 500, "We encountered an internal error. Please try again.")},
}


def signing_service(environ: dict) -> str | None:
    """The SigV4 service name of a request, from its Authorization header or presigned query."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1)
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    credential = query.get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    return parts[3] if len(parts) == 5 else None


def _caller(environ: dict) -> str:
    """``:lbc`` or ``:oracle`` for the keys of the sandbox's own load balancer controller and oracle (their calls
    are accounted apart from the modules'), else ``""``."""
    match = _ACCESS_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
    own = {config.LBC_ACCESS_KEY_ID: ":lbc", config.ORACLE_ACCESS_KEY_ID: ":oracle"}
    return own.get(match.group(1), "") if match else ""


def _query_action(environ: dict, body: bytes) -> str:
    params = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if "application/x-www-form-urlencoded" in environ.get("CONTENT_TYPE", ""):
        params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
    return params.get("Action", ["Unknown"])[0]


def _rest_action(method: str, path: str) -> str:
    for route_method, pattern, name in _EKS_ROUTES:
        if method == route_method and re.fullmatch(pattern, path):
            return name
    return f"{method} {path}"


def action_kind(action: str, method: str = "POST") -> str:
    if action.startswith(_READ_PREFIXES):
        return READ
    if " " in action:  # an unnamed REST route
        return READ if method in ("GET", "HEAD") else WRITE
    return WRITE


class AwsAdapter:
    """Names AWS calls and renders AWS faults for the middleware."""

    def classify(self, environ: dict, body: bytes) -> Call | None:
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/moto-api"):
            return None  # moto's own control API (reset, seeding), not an AWS call
        service = signing_service(environ)
        if service is None:
            return None
        method = environ.get("REQUEST_METHOD", "GET")
        protocol = _PROTOCOLS.get(service, "query")
        if protocol in ("ec2", "query"):
            action = _query_action(environ, body)
        elif protocol == "json":
            action = environ.get("HTTP_X_AMZ_TARGET", "Unknown").rpartition(".")[2]
        else:
            action = _rest_action(method, path)
        name = _SERVICE_NAMES.get(service, service) + _caller(environ)
        return Call(service=name, action=action, kind=action_kind(action, method))

    def supported_faults(self, call: Call) -> tuple[str, ...]:
        return (THROTTLE, SERVER_ERROR)

    def render_fault(self, kind: str, call: Call) -> ErrorResponse:
        service = call.service.split(":")[0]
        signing = {v: k for k, v in _SERVICE_NAMES.items()}.get(service, service)
        protocol = _PROTOCOLS.get(signing, "query")
        code, status, message = _FAULTS[protocol][kind]
        request_id = str(uuid.uuid4())
        if protocol == "ec2":
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
                    f"<Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>")
            return ErrorResponse(code, status, (("Content-Type", "text/xml"),), body.encode())
        if protocol == "query":
            side = "Receiver" if status >= 500 else "Sender"
            body = (f'<ErrorResponse><Error><Type>{side}</Type><Code>{code}</Code><Message>{message}</Message>'
                    f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
            return ErrorResponse(code, status, (("Content-Type", "text/xml"),), body.encode())
        if protocol == "rest-xml":
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}'
                    f"</Message><RequestId>{request_id}</RequestId></Error>")
            return ErrorResponse(code, status, (("Content-Type", "application/xml"),), body.encode())
        headers = (("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", request_id),
                   ("x-amzn-ErrorType", code))
        payload = {"__type": code, "message": message} if protocol == "json" else {"message": message}
        return ErrorResponse(code, status, headers, json.dumps(payload).encode())
