"""The sandbox process: every emulated service on its own 127.0.0.1 port, plus the admin API.

Started in the background by ``python -m sandbox up`` (which runs ``serve``); stopped by
``python -m sandbox down`` through SIGTERM.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
from typing import Callable

from werkzeug.serving import make_server

from sandbox import config, state
from sandbox.admin import AdminApp
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware


@dataclasses.dataclass
class ServiceSpec:
    """One emulated service: how to build its WSGI app and adapter, and where it listens."""

    name: str
    port: int
    make_app: Callable
    make_adapter: Callable
    reset_path: str | None = None
    request_handler: type | None = None  # a werkzeug WSGIRequestHandler subclass, if the service needs one


def service_specs(ports: config.Ports) -> list[ServiceSpec]:
    from sandbox.services import aws  # imported here: moto is slow to import

    return [ServiceSpec("aws", ports.aws, aws.make_app, aws.make_adapter, aws.reset_path(), aws.request_handler())]


class Sandbox:
    """Owns the HTTP servers; ``start`` binds every port before anything is announced."""

    def __init__(self, ports: config.Ports) -> None:
        self.ports = ports
        self.ledger = CallLedger()
        self.faults = FaultPlan()
        self.specs = service_specs(ports)
        self.endpoints = {spec.name: config.url(spec.port) for spec in self.specs}
        self._servers = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for spec in self.specs:
            app = AccountingMiddleware(spec.make_app(), spec.make_adapter(), self.ledger, self.faults)
            self._serve(app, spec.port, spec.request_handler)
        reset_urls = [self.endpoints[s.name] + s.reset_path for s in self.specs if s.reset_path]
        self._serve(AdminApp(self.ledger, self.faults, self.endpoints, reset_urls), self.ports.admin)

    def _serve(self, app, port: int, request_handler: type | None = None) -> None:
        server = make_server(config.HOST, port, app, threaded=True, request_handler=request_handler)
        thread = threading.Thread(target=server.serve_forever, name=f"serve-{port}", daemon=True)
        thread.start()
        self._servers.append(server)
        self._threads.append(thread)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)


def serve(ports: config.Ports) -> None:
    """Run until SIGTERM or SIGINT."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sandbox = Sandbox(ports)
    sandbox.start()
    state.write_all(ports, sandbox.endpoints)
    print(f"sandbox serving {sandbox.endpoints} (admin {config.url(ports.admin)})", flush=True)
    stop.wait()
    sandbox.stop()
