"""WSGI middleware that wraps one emulated service with accounting and fault injection."""

from __future__ import annotations

import io
import time

from sandbox.proxy.adapter import ServiceAdapter
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger


def read_body(environ: dict) -> bytes:
    """Read the request body and put it back so the wrapped app can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


class AccountingMiddleware:
    """Count each call, then either answer with an injected fault or pass it to the service."""

    def __init__(self, app, adapter: ServiceAdapter, ledger: CallLedger, faults: FaultPlan) -> None:
        self.app = app
        self.adapter = adapter
        self.ledger = ledger
        self.faults = faults

    @staticmethod
    def _delay(latency_ms: int) -> None:
        if latency_ms:
            time.sleep(latency_ms / 1000.0)

    def __call__(self, environ, start_response):
        body = read_body(environ)
        call = self.adapter.classify(environ, body)
        if call is None:
            return self.app(environ, start_response)
        decision = self.faults.decide(call, self.adapter.supported_faults(call))
        # a call is counted when it arrives, so that one held by a latency fault (a silent endpoint) counts
        if decision.fault is None:
            self.ledger.record(call)
            self._delay(decision.latency_ms)
            return self.app(environ, start_response)
        error = self.adapter.render_fault(decision.fault, call)
        self.ledger.record(call, error.code)
        self._delay(decision.latency_ms)
        reason = {400: "Bad Request", 409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error",
                  503: "Service Unavailable"}.get(error.status, "Error")
        headers = list(error.headers) + [("Content-Length", str(len(error.body)))]
        start_response(f"{error.status} {reason}", headers)
        return [error.body]
