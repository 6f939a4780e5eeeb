"""Shared helpers for the ack_fixed_pod_ip integration tests: the module through ansible-playbook on ack-app.

Deliberately *not* a ``conftest.py`` (a second, non-package conftest.py would shadow
tests/integration/conftest.py in ``sys.modules``). Test modules do ``from ack_support import ...``.
``Step`` and ``wait_for`` come from tests/integration/module_steps.py, shared with the other suites.

- ``Ack.play(steps)`` / ``Ack.run(params)`` run ``kubeguard.netsec.ack_fixed_pod_ip`` in one play and
  return, per step, the registered result and the sandbox's call counts for exactly that step (the play
  snapshots the sandbox counter through the admin API after each module task; a step's counts are the
  difference to the previous snapshot).
  Every play gets a fresh TMPDIR (kubernetes.core's discovery cache): tests delete and recreate CRDs.
- ``Cluster``: the ack-app cluster through the kubernetes Python client and kubectl (the test's own view,
  independent of the module's code), with ``reseed()`` (reset + seed, a few seconds).
- fixtures: ``ack`` (module scope), ``cluster`` (module scope, reseeded once for the module) and
  ``reseeded`` (function scope: a fresh seed for a destructive test).
"""

from __future__ import annotations

import ipaddress
import pathlib
import subprocess

import pytest
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

import module_steps
from module_steps import make_env
from conftest import run_cli
from sandbox.k8s.cluster import CLUSTERS

REPO = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = module_steps.VENV_BIN
KUBECTL = str(VENV_BIN / "kubectl") if (VENV_BIN / "kubectl").exists() else str(REPO / ".venv/bin/kubectl")

MODULE = "kubeguard.netsec.ack_fixed_pod_ip"
CONTEXT = "ack-app"
K8S = "k8s:ack-app"
NS = "abc-185-7db8e"
DEPLOY = "abc-ba7b5"
PN = "podnetworking-185"
HEADLESS = "abc-ba7b5-headless"
SYSTEM_NS = "kube-system"
GROUP, VERSION = "network.alibabacloud.com", "v1beta1"
MANAGED_BY = ("app.kubernetes.io/managed-by", "kubeguard.netsec")
ANN_ORIGINAL = "netsec.kubeguard.io/original-replicas"
ANN_PN = "k8s.aliyun.com/pod-networking"
ANN_TRUNK = "k8s.aliyun.com/trunk-on"
VSWITCHES = next(spec for spec in CLUSTERS if spec.name == CONTEXT).vswitches
VSWITCH_NETS = [ipaddress.ip_network(v["cidr"]) for v in VSWITCHES.values()]


def base_params(**extra) -> dict:
    """The manual run that works on the seeded estate (seed 004 automated)."""
    params = {"context": CONTEXT, "namespace": NS,
              "pod_networking": {"name": PN, "namespace_selector": {"match_labels": {"appname": "185"}}},
              "convert_deployment": DEPLOY, "wait_sleep": 1, "wait_timeout": 60}
    params.update(extra)
    return params


def rollback_params(**extra) -> dict:
    params = {"context": CONTEXT, "namespace": NS, "pod_networking": {"name": PN}, "convert_deployment": DEPLOY,
              "state": "deleted", "wait_sleep": 1, "wait_timeout": 60}
    params.update(extra)
    return params


def in_vswitches(ip: str) -> bool:
    return any(ipaddress.ip_address(ip) in net for net in VSWITCH_NETS)


# ---------------------------------------------------------------------------------------------- runs


class Step(module_steps.Step):
    """A run of ack_fixed_pod_ip; ``calls`` and ``writes_of`` default to the ack-app cluster."""

    SHOWN = ("changed", "failed", "msg", "plan", "actions", "fixed_ips", "warnings_found", "api_calls", "preflight")
    SHOWN_CHARS = 6000

    def calls(self, service: str = K8S, kind: str | None = None) -> dict:
        return super().calls(service, kind)

    def writes_of(self, service: str = K8S) -> dict:
        return self.calls(service, "write")

    @property
    def plan_keys(self) -> list[tuple]:
        return [(s["action"], s["kind"], s["name"]) for s in self.result.get("plan") or []]

    @property
    def action_keys(self) -> list[tuple]:
        return [(s["action"], s["kind"], s["name"]) for s in self.result.get("actions") or []]

    @property
    def ips(self) -> dict:
        return dict((e["pod"], e["ip"]) for e in self.result.get("fixed_ips") or [])


class Ack(module_steps.Player):
    """Runs ack_fixed_pod_ip through ansible-playbook against the session sandbox."""

    MODULE = MODULE
    STEP = Step


# ---------------------------------------------------------------------------------------------- cluster


class Cluster:
    """ack-app as the tests see it (kubernetes Python client, kubectl), independent of the module."""

    def __init__(self, env: dict, admin) -> None:
        self.env = env
        self.admin = admin
        self.api = k8s_config.new_client_from_config(config_file=env["KUBECONFIG"], context=CONTEXT)
        self.core = k8s_client.CoreV1Api(self.api)
        self.apps = k8s_client.AppsV1Api(self.api)
        self.custom = k8s_client.CustomObjectsApi(self.api)
        self.ext = k8s_client.ApiextensionsV1Api(self.api)
        self.seeded_eni_conf: str | None = None
        self.fresh = False  # True from a reseed until a test that changes the estate takes it (``reseeded``)

    def reseed(self) -> "Cluster":
        """Reset the whole sandbox and seed it again; the counter starts at zero afterwards."""
        self.admin.clear_faults()
        self.admin.reset()
        run_cli("seed", env=self.env)
        self.seeded_eni_conf = self.eni_conf_text()
        self.admin.reset_calls()
        self.fresh = True
        return self

    def kubectl(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        argv = [KUBECTL, "--context", CONTEXT, *args]
        result = subprocess.run(argv, env=self.env, input=input, text=True, capture_output=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv[1:])} failed ({result.returncode}):\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    def sanitize(self, obj):
        return self.api.sanitize_for_serialization(obj)

    # reads (dicts, or None when missing)

    def _get(self, call, *args):
        try:
            return self.sanitize(call(*args))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def deployment(self, name: str = DEPLOY):
        return self._get(self.apps.read_namespaced_deployment, name, NS)

    def statefulset(self, name: str = DEPLOY):
        return self._get(self.apps.read_namespaced_stateful_set, name, NS)

    def service(self, name: str = HEADLESS):
        return self._get(self.core.read_namespaced_service, name, NS)

    def namespace(self):
        return self._get(self.core.read_namespace, NS)

    def pod(self, name: str):
        return self._get(self.core.read_namespaced_pod, name, NS)

    def pods(self, label_selector: str | None = None) -> list[dict]:
        kwargs = {"label_selector": label_selector} if label_selector else {}
        return self.sanitize(self.core.list_namespaced_pod(NS, **kwargs))["items"]

    def pod_networking(self, name: str = PN):
        try:
            return self.custom.get_cluster_custom_object(GROUP, VERSION, "podnetworkings", name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def podeni(self, name: str):
        try:
            return self.custom.get_namespaced_custom_object(GROUP, VERSION, NS, "podenis", name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def nodes(self) -> list[dict]:
        return self.sanitize(self.core.list_node())["items"]

    def eni_config(self) -> dict:
        return self.sanitize(self.core.read_namespaced_config_map("eni-config", SYSTEM_NS))

    def eni_conf_text(self) -> str:
        return self.eni_config()["data"]["eni_conf"]

    def running_ips(self, statefulset: str = DEPLOY) -> dict:
        """{pod: podIP} of the StatefulSet's Running pods."""
        out = {}
        for pod in self.pods():
            refs = pod["metadata"].get("ownerReferences") or []
            if any(r["kind"] == "StatefulSet" and r["name"] == statefulset for r in refs) \
                    and pod["status"].get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp"):
                out[pod["metadata"]["name"]] = pod["status"].get("podIP")
        return out

    def deployment_ready(self, replicas: int) -> bool:
        d = self.deployment()
        status = d.get("status") or {}
        return d["spec"]["replicas"] == replicas and (status.get("readyReplicas") or 0) == replicas \
            and (status.get("availableReplicas") or 0) == replicas


@pytest.fixture(scope="module")
def ack(sandbox_env, admin, tmp_path_factory) -> Ack:
    return Ack(make_env(sandbox_env), admin, tmp_path_factory.mktemp("ack"))


@pytest.fixture(scope="module")
def cluster(sandbox_env, admin):
    """A fresh seed for the test module (its tests share it, in file order)."""
    cluster = Cluster(make_env(sandbox_env), admin).reseed()
    yield cluster
    admin.clear_faults()


@pytest.fixture
def reseeded(cluster) -> Cluster:
    """A fresh seed for one destructive test (the module's own seed when no test has used it yet)."""
    if not cluster.fresh:
        cluster.reseed()
    cluster.fresh = False
    return cluster
