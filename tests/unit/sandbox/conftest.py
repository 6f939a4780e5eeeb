"""Fixtures for the sandbox's unit tests: the emulated estate served in-process on ephemeral ports."""

from __future__ import annotations

import dataclasses
import logging
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from eks_estate import Eks

from sandbox import config
from sandbox.k8s.app import KubeApp
from sandbox.k8s.cluster import CLUSTERS, Cluster
from sandbox.k8s_client import KubeClient
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware
from sandbox.seed import alibaba as seed_alibaba
from sandbox.seed import aws as seed_aws
from sandbox.seed import k8s as seed_k8s
from sandbox.services import slb

logging.getLogger("werkzeug").setLevel(logging.WARNING)
EKS = next(spec for spec in CLUSTERS if spec.name == config.EKS_CLUSTER)


@dataclasses.dataclass
class Estate:
    """The CLB emulator and the three clusters (ACK ones with the CCM), seeded over HTTP."""

    endpoints: dict
    clusters: dict
    clients: dict
    slb_app: object
    ledger: CallLedger
    faults: FaultPlan
    made: dict = dataclasses.field(default_factory=dict)
    alibaba: dict = dataclasses.field(default_factory=dict)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every cloud-controller-manager has no sync left to do."""
        for cluster in self.clusters.values():
            assert cluster.settle(timeout), f"the CCM of {cluster.spec.name} did not settle in {timeout} s"


def _serve(app, request_handler=None) -> tuple[object, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=request_handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@dataclasses.dataclass
class Moto:
    url: str
    ledger: CallLedger  # the calls, by service (``ec2``, the load balancer controller's ``ec2:lbc``)


@pytest.fixture
def moto(monkeypatch):
    """moto served in-process on an ephemeral port behind the sandbox's accounting, emptied before and after
    (its backends are per process)."""
    from sandbox.services import aws as aws_service  # moto is slow to import

    for key, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                       ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(key, value)
    ledger = CallLedger()
    app = AccountingMiddleware(aws_service.make_app(), aws_service.make_adapter(), ledger, FaultPlan())
    server, url = _serve(app, aws_service.request_handler())
    reset = url + aws_service.reset_path()
    urllib.request.urlopen(urllib.request.Request(reset, method="POST"), timeout=30).close()
    yield Moto(url, ledger)
    urllib.request.urlopen(urllib.request.Request(reset, method="POST"), timeout=30).close()
    server.shutdown()


@pytest.fixture
def estate():
    """Served, not seeded: tests that build their own situation start here."""
    slb_app, adapter = slb.make()
    ledger, faults = CallLedger(), FaultPlan()
    servers, endpoints, clusters = [], {}, {}
    server, endpoints["slb"] = _serve(AccountingMiddleware(slb_app, adapter, ledger, faults))
    servers.append(server)
    for spec in CLUSTERS:
        server = make_server("127.0.0.1", 0, lambda environ, start: None, threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        clusters[spec.name] = Cluster(spec, slb_url=endpoints["slb"])
        server.app = KubeApp(clusters[spec.name].api, url)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        endpoints[f"k8s:{spec.name}"] = url
    yield Estate(endpoints, clusters, {name: KubeClient(endpoints[f"k8s:{name}"]) for name in clusters}, slb_app,
                 ledger, faults)
    for cluster in clusters.values():
        cluster.stop()
    for server in servers:
        server.shutdown()


@pytest.fixture
def seeded(estate):
    """The "before" estates: the CLB of seed 004 and the three clusters, seeded as `sandbox seed` does."""
    estate.alibaba = seed_alibaba.seed(estate.endpoints["slb"])
    estate.made = seed_k8s.seed(estate.endpoints, aws_ids={"vpc_id": "vpc-0123456789abcdef0"},
                                alibaba_ids=estate.alibaba)
    estate.settle()
    return estate


@pytest.fixture
def eks(moto):
    """moto and the demo-eks emulator with its controllers (the load balancer controller talks to moto), both
    seeded as `sandbox seed` does, the controller run once. The controller syncs only when a test asks
    (``eks.sync()``), so each sync's report is the test's own."""
    cluster = Cluster(EKS, aws_url=moto.url)
    cluster.lbc.watch = False
    server = make_server("127.0.0.1", 0, lambda environ, start: None, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    server.app = KubeApp(cluster.api, url)
    ids = seed_aws.seed(moto.url)
    kube = KubeClient(url)
    seed_k8s.seed_demo_eks(kube, ids)
    for _ in range(20):
        cluster.api.tick()
    made = cluster.lbc.sync()
    assert made["running"] and not made["errors"], made
    seed_aws.controller_ids(moto.url, ids)
    moto.ledger.reset()  # as `sandbox seed` does: the seeding calls are not the tests'
    yield Eks(moto.url, cluster, kube, ids, moto.ledger)
    cluster.stop()
    server.shutdown()
