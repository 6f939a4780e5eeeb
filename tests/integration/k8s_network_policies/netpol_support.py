"""Shared helpers for the k8s_network_policies integration tests (a plain module, not a conftest).

- ``NetpolPlayer.play(steps)`` / ``.run(params)``: the module through ansible-playbook, each step with the
  sandbox's call counts for exactly that step (``module_steps.Player``).
- ``Estate``: the emulated clusters as the tests see them, through the sandbox's own Kubernetes client
  (independent of the module's code): policies, pods, foreign policies made by hand, and the oracle.
- fixtures: ``player`` (module scope), ``estate`` (function scope: reset and seeded, a few seconds).
"""

from __future__ import annotations


import pytest

import module_steps
from conftest import reseed
from sandbox.k8s_client import KubeClient
from sandbox.oracle import reach, reach_pod

MODULE = "kubeguard.netsec.k8s_network_policies"
UAT, PROD, DBA = "abc-185-7db8e", "abc-185-prod", "dba-tools"
DB_SERVICE = "abc-185-mysql-svc"
DB_POD = "abc-185-mysql-0"
MANAGED = {"app.kubernetes.io/managed-by": "kubeguard.netsec"}
POLICIES = "apis/networking.k8s.io/v1/namespaces/{}/networkpolicies"


class Step(module_steps.Step):
    SHOWN = ("changed", "failed", "msg", "actions", "enforcement", "warnings_found", "api_calls")

    def k8s_writes(self, cluster: str) -> dict:
        return self.calls(f"k8s:{cluster}", "write")


class NetpolPlayer(module_steps.Player):
    MODULE = MODULE
    STEP = Step


class Estate:
    """The seeded clusters, read and prepared without the module."""

    def __init__(self, env: dict, admin, seed: dict) -> None:
        self.admin = admin
        self.seed = seed
        self.endpoints = admin.health()["endpoints"]
        self.lb_id = seed["alibaba"]["db_load_balancer_id"]

    def kube(self, cluster: str) -> KubeClient:
        return KubeClient(self.endpoints[f"k8s:{cluster}"])

    def policies(self, cluster: str, namespace: str) -> dict:
        """{name: the stored object}."""
        items = self.kube(cluster).request("GET", POLICIES.format(namespace))["items"]
        return {item["metadata"]["name"]: item for item in items}

    def versions(self, cluster: str, namespace: str) -> dict:
        found = self.policies(cluster, namespace)
        return {name: int(obj["metadata"]["resourceVersion"]) for name, obj in found.items()}

    def add_policy(self, cluster: str, namespace: str, name: str, spec: dict, labels: dict | None = None) -> dict:
        body = {"metadata": {"name": name, "labels": labels or {}}, "spec": spec}
        return self.kube(cluster).request("POST", POLICIES.format(namespace), body)

    def pods(self, cluster: str, namespace: str, selector: str | None = None) -> dict:
        """{name: pod IP} of the running pods."""
        query = {"labelSelector": selector} if selector else None
        items = self.kube(cluster).request("GET", f"api/v1/namespaces/{namespace}/pods", query=query)["items"]
        return {p["metadata"]["name"]: p["status"]["podIP"] for p in items
                if (p.get("status") or {}).get("phase") == "Running"}

    def fixed_ips(self, namespace: str = UAT) -> list[dict]:
        """The app pods of ack-app as ack_fixed_pod_ip reports them (its result's shape)."""
        return [{"pod": name, "namespace": namespace, "ip": ip, "zone": "cn-hangzhou-h", "pod_networking": "pn"}
                for name, ip in sorted(self.pods("ack-app", namespace).items())]

    def reach_pod(self, src: str, dst: str, port: int, protocol: str = "TCP"):
        return reach_pod(self.endpoints, src, dst, port, protocol)

    def reach(self, src: str, service: str, port: int, protocol: str = "TCP"):
        return reach(self.endpoints, src, service, port, protocol=protocol)


@pytest.fixture(scope="module")
def player(sandbox_env, admin, tmp_path_factory) -> NetpolPlayer:
    return NetpolPlayer(module_steps.make_env(sandbox_env), admin, tmp_path_factory.mktemp("netpol"))


@pytest.fixture
def estate(sandbox_env, admin) -> Estate:
    """A freshly seeded sandbox."""
    seed = reseed(sandbox_env, admin)
    return Estate(sandbox_env, admin, seed)


def db_params(estate: Estate, fixed: list[dict] | None = None, **extra) -> dict:
    """Seed 004's policies in ack-db: default-deny both ways (DNS kept) and the app's IPs on MySQL."""
    params = {"context": "ack-db", "namespaces": [UAT], "default_deny": "both", "state": "replaced",
              "allow_from_ips": [{"name": "mysql-from-uat-app", "sources": fixed if fixed is not None
                                  else estate.fixed_ips(), "ports": [{"port": 3306}],
                                  "pod_selector": {"match_labels": {"app": "abc-185-mysql"}}}]}
    params.update(extra)
    return params
