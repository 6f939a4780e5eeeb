"""The CLB (SLB 2014-05-15) wire protocol for the middleware: calls named by action, faults in the
service's own JSON error format.

Calls are accounted under ``slb`` when a user key signed them and ``slb:<principal>`` when one of
the sandbox's own controllers did (``slb:ccm``), so a module's calls are never mixed with theirs.
The middleware's fault kinds map to the codes the service uses: throttling -> ``Throttling``,
server error -> ``ServiceUnavailable``, conflict -> ``SystemBusy``.
"""

from __future__ import annotations

import re

from sandbox.alibaba import credentials, wire
from sandbox.proxy.adapter import CONFLICT, READ, SERVER_ERROR, THROTTLE, WRITE, Call, ErrorResponse

_ACS3_KEY = re.compile(r"Credential=([^,\s]+)")
FAULTS = {
    THROTTLE: ("Throttling", 400, "Request was denied due to request throttling."),
    SERVER_ERROR: ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    CONFLICT: ("SystemBusy", 400, "The system is busy, please try again later."),
}


def _principal(environ: dict, params: dict) -> str:
    match = _ACS3_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
    key = credentials.lookup(match.group(1) if match else params.get("AccessKeyId", ""))
    return key.principal if key else "user"


class SlbAdapter:
    def classify(self, environ: dict, body: bytes) -> Call | None:
        params = wire.params_of(environ, body)
        action = wire.action_of(environ, params)
        if not action:
            return None
        principal = _principal(environ, params)
        service = "slb" if principal == "user" else f"slb:{principal}"
        return Call(service=service, action=action, kind=READ if action.startswith("Describe") else WRITE)

    def supported_faults(self, call: Call) -> tuple[str, ...]:
        return (THROTTLE, SERVER_ERROR, CONFLICT)

    def render_fault(self, kind: str, call: Call) -> ErrorResponse:
        code, status, message = FAULTS[kind]
        return ErrorResponse(code, status, wire.JSON_HEADERS, wire.error_body(code, message))
