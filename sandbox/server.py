"""The sandbox process: every emulated service on its own 127.0.0.1 port, plus the admin API.

Started in the background by ``python -m sandbox up`` (which runs ``serve``); stopped by
``python -m sandbox down`` through SIGTERM.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
import urllib.request
from typing import Callable

from werkzeug.serving import make_server

from sandbox import config, state
from sandbox.admin import AdminApp
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware


@dataclasses.dataclass
class Service:
    """One emulated service: its WSGI app and adapter, where it listens, and how to empty it."""

    name: str
    port: int
    app: Callable
    adapter: object
    reset: Callable[[], None]
    request_handler: type | None = None  # a werkzeug WSGIRequestHandler subclass, if the service needs one
    settings: Callable[[], object] | None = None  # the service's current tunables (quotas, timings), if any
    settle: Callable[[float], bool] | None = None  # wait (bounded) until its background controllers are idle
    lbc_sync: Callable[[], dict] | None = None  # one sync of the cluster's simulated load balancer controller


class Swappable:
    """A WSGI app whose target can be replaced (a reset builds a fresh cluster behind the same port)."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def aws_service(ports: config.Ports) -> Service:
    from sandbox.services import aws  # imported here: moto is slow to import

    url = config.url(ports.aws) + aws.reset_path()

    def reset() -> None:
        urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30).read()

    return Service("aws", ports.aws, aws.make_app(), aws.make_adapter(), reset, aws.request_handler())


def slb_service(ports: config.Ports) -> Service:
    from sandbox.services import slb

    app, adapter = slb.make()
    return Service("slb", ports.slb, app, adapter, app.reset, settings=lambda: app.account.settings)


def k8s_services(ports: config.Ports) -> list[Service]:
    from sandbox.k8s.cluster import CLUSTERS
    from sandbox.services import k8s

    services = []
    for index, spec in enumerate(CLUSTERS):
        port = ports.k8s(index)
        url = config.url(port)
        cluster, app, adapter = k8s.make(spec, url, slb_url=config.url(ports.slb), aws_url=config.url(ports.aws))
        front = Swappable(app)
        holder = {"cluster": cluster}

        def reset(spec=spec, url=url, front=front, holder=holder) -> None:
            holder["cluster"].stop()
            holder["cluster"], front.app, _ = k8s.make(spec, url, slb_url=config.url(ports.slb),
                                                       aws_url=config.url(ports.aws))

        services.append(Service(f"k8s:{spec.name}", port, front, adapter, reset,
                                settle=lambda timeout, holder=holder: holder["cluster"].settle(timeout),
                                lbc_sync=(lambda holder=holder: holder["cluster"].lbc.sync())
                                if spec.flavor == "eks" else None))
    return services


class Sandbox:
    """Owns the HTTP servers; ``start`` binds every port before anything is announced."""

    def __init__(self, ports: config.Ports) -> None:
        self.ports = ports
        self.ledger = CallLedger()
        self.faults = FaultPlan()
        self.services = [aws_service(ports), slb_service(ports)] + k8s_services(ports)
        self.endpoints = {service.name: config.url(service.port) for service in self.services}
        self._servers = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for service in self.services:
            app = AccountingMiddleware(service.app, service.adapter, self.ledger, self.faults)
            self._serve(app, service.port, service.request_handler)
        settings = {s.name: s.settings for s in self.services if s.settings is not None}
        settles = [s.settle for s in self.services if s.settle is not None]
        syncs = {s.name: s.lbc_sync for s in self.services if s.lbc_sync is not None}
        self._serve(AdminApp(self.ledger, self.faults, self.endpoints, [s.reset for s in self.services], settings,
                             settles, syncs), self.ports.admin)

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
