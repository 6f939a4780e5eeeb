"""The sandbox's own control API: health, call counts, fault plan, reset. JSON over HTTP."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Callable

from werkzeug.wrappers import Request, Response

from sandbox.proxy.faults import FaultPlan, FaultPlanError
from sandbox.proxy.ledger import CallLedger


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, sort_keys=True) + "\n", status=status, mimetype="application/json")


class AdminApp:
    """Routes: GET /health, GET /calls, GET /calls/log (in arrival order), POST /calls/reset, GET|PUT|DELETE /faults, POST /reset,
    GET|PUT /settings/<service> (quotas and timings of a service that has them, e.g. slb),
    POST /settle?timeout=S (wait until the simulated controllers have nothing queued),
    POST /lbc/sync (one sync of the simulated AWS Load Balancer Controller on each EKS cluster)."""

    def __init__(self, ledger: CallLedger, faults: FaultPlan, endpoints: dict,
                 resets: list[Callable[[], None]], settings: dict[str, Callable[[], object]] | None = None,
                 settles: list[Callable[[float], bool]] | None = None,
                 lbc_syncs: dict[str, Callable[[], dict]] | None = None) -> None:
        self.ledger = ledger
        self.faults = faults
        self.endpoints = endpoints
        self.resets = resets  # one per service: drop every emulated resource (and restore default settings)
        self.settings = settings or {}
        self.settles = settles or []
        self.lbc_syncs = lbc_syncs or {}  # per EKS cluster: one sync of its simulated load balancer controller

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        key = (request.method, request.path.rstrip("/") or "/")
        if key == ("GET", "/health"):
            return _json({"status": "ok", "pid": os.getpid(), "endpoints": self.endpoints})
        if key == ("GET", "/calls"):
            return _json(self.ledger.snapshot())
        if key == ("GET", "/calls/log"):
            return _json({"calls": self.ledger.journal()})
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
        if key == ("POST", "/lbc/sync"):
            return _json({name: sync() for name, sync in sorted(self.lbc_syncs.items())})
        if key == ("POST", "/settle"):
            return self._settle(request)
        if key[1].startswith("/settings/") and key[1][len("/settings/"):] in self.settings:
            return self._settings(request, key[1][len("/settings/"):])
        return _json({"error": f"no route {request.method} {request.path}"}, status=404)

    def _settle(self, request: Request) -> Response:
        try:
            timeout = min(float(request.args.get("timeout", "30")), 120.0)
        except ValueError:
            return _json({"error": "timeout must be a number of seconds"}, status=400)
        deadline = time.monotonic() + timeout
        settled = all(settle(max(deadline - time.monotonic(), 0.0)) for settle in self.settles)
        return _json({"settled": settled}, status=200 if settled else 504)

    def _settings(self, request: Request, service: str) -> Response:
        current = self.settings[service]()
        if request.method == "PUT":
            try:
                current.update(json.loads(request.get_data(as_text=True) or "{}"))
            except (ValueError, TypeError, AttributeError) as exc:
                return _json({"error": str(exc)}, status=400)
        elif request.method != "GET":
            return _json({"error": f"no route {request.method} {request.path}"}, status=404)
        return _json(dataclasses.asdict(current))

    def _set_faults(self, request: Request) -> Response:
        try:
            plan = json.loads(request.get_data(as_text=True) or "{}")
            self.faults.configure(plan.get("rules", []), seed=plan.get("seed", 0))
        except (FaultPlanError, ValueError, TypeError, AttributeError) as exc:
            return _json({"error": str(exc)}, status=400)
        return _json(self.faults.describe())
