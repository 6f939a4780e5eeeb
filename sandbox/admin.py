"""The sandbox's own control API: health, call counts, fault plan, reset. JSON over HTTP."""

from __future__ import annotations

import os

import json
from typing import Callable

from werkzeug.wrappers import Request, Response

from sandbox.proxy.faults import FaultPlan, FaultPlanError
from sandbox.proxy.ledger import CallLedger


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, sort_keys=True) + "\n", status=status, mimetype="application/json")


class AdminApp:
    """Routes: GET /health, GET /calls, POST /calls/reset, GET|PUT|DELETE /faults, POST /reset."""

    def __init__(self, ledger: CallLedger, faults: FaultPlan, endpoints: dict,
                 resets: list[Callable[[], None]]) -> None:
        self.ledger = ledger
        self.faults = faults
        self.endpoints = endpoints
        self.resets = resets  # one per service: drop every emulated resource

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        key = (request.method, request.path.rstrip("/") or "/")
        if key == ("GET", "/health"):
            return _json({"status": "ok", "pid": os.getpid(), "endpoints": self.endpoints})
        if key == ("GET", "/calls"):
            return _json(self.ledger.snapshot())
        if key == ("POST", "/calls/reset"):
            snapshot = self.ledger.snapshot()
            self.ledger.reset()
            return _json(snapshot)
        if key == ("GET", "/faults"):
            return _json(self.faults.describe())
        if key == ("PUT", "/faults"):
            return self._set_faults(request)
        if key == ("DELETE", "/faults"):
            self.faults.clear()
            return _json(self.faults.describe())
        if key == ("POST", "/reset"):
            for reset in self.resets:
                reset()
            self.faults.clear()
            self.ledger.reset()
            return _json({"status": "reset"})
        return _json({"error": f"no route {request.method} {request.path}"}, status=404)

    def _set_faults(self, request: Request) -> Response:
        try:
            plan = json.loads(request.get_data(as_text=True) or "{}")
            self.faults.configure(plan.get("rules", []), seed=plan.get("seed", 0))
        except (FaultPlanError, ValueError, TypeError, AttributeError) as exc:
            return _json({"error": str(exc)}, status=400)
        return _json(self.faults.describe())
