"""Shared helpers for the eks_lbc_annotations integration tests (a plain module, not a conftest).

- ``AnnotationsPlayer.play(steps)`` / ``.run(params)``: the module through ansible-playbook, each step with the
  sandbox's call counts for exactly that step (``module_steps.Player``); ``step.k8s_writes`` are the writes
  that reached demo-eks's API server.
- ``Estate``: demo-eks as the tests see and prepare it through the sandbox's own Kubernetes client (never the
  module's code): annotations as stored, objects made by hand, the controller's Deployment, and the AWS oracle.
- fixtures: ``player`` (module scope) and ``estate`` (module scope: the sandbox reseeded once per test module).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import module_steps
from conftest import reseed
from sandbox.k8s_client import KubeClient
from sandbox.oracle import reach_aws

MODULE = "kubeguard.netsec.eks_lbc_annotations"
CLUSTER = "demo-eks"
K8S = f"k8s:{CLUSTER}"
ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/"
RECORD = "netsec.kubeguard.io/managed-annotations"
REPLACED = "netsec.kubeguard.io/replaced-annotations"
MERGE = "application/merge-patch+json"
CONTROLLER = "apis/apps/v1/namespaces/kube-system/deployments/aws-load-balancer-controller"
INGRESSES = "apis/networking.k8s.io/v1/namespaces/{}/ingresses"
SERVICES = "api/v1/namespaces/{}/services"


class Step(module_steps.Step):
    SHOWN = ("changed", "failed", "msg", "actions", "summary", "problems", "conflicts", "warnings_found", "api_calls")

    @property
    def k8s_writes(self) -> dict:
        return self.calls(K8S, "write")


class AnnotationsPlayer(module_steps.Player):
    MODULE = MODULE
    STEP = Step


class Estate:
    """demo-eks, read and prepared without the module."""

    def __init__(self, env: dict, admin) -> None:
        self.env = env
        self.admin = admin
        self.kube = KubeClient(admin.health()["endpoints"][K8S])

    # reads
    def ingress(self, namespace: str, name: str) -> dict:
        return self.kube.request("GET", f"{INGRESSES.format(namespace)}/{name}")

    def annotations(self, namespace: str, name: str, kind: str = "Ingress") -> dict:
        path = (INGRESSES if kind == "Ingress" else SERVICES).format(namespace)
        return self.kube.request("GET", f"{path}/{name}")["metadata"].get("annotations") or {}

    def all_annotations(self, namespace: str, kind: str = "Ingress") -> dict:
        """{name: annotations} of every object of the kind in the namespace (one list)."""
        path = (INGRESSES if kind == "Ingress" else SERVICES).format(namespace)
        items = self.kube.request("GET", path)["items"]
        return {i["metadata"]["name"]: i["metadata"].get("annotations") or {} for i in items}

    def reach(self, source: str, ingress: str, port: int) -> bool:
        self.admin.settle(timeout=60)
        return reach_aws(self.env["AWS_ENDPOINT_URL"], source, f"{CLUSTER}/{ingress}", port).reachable

    # changes made by hand (someone else)
    def annotate(self, namespace: str, name: str, annotations: dict, kind: str = "Ingress") -> dict:
        path = (INGRESSES if kind == "Ingress" else SERVICES).format(namespace)
        body = {"metadata": {"annotations": annotations}}
        return self.kube.request("PATCH", f"{path}/{name}", body, content_type=MERGE)

    def namespace(self, name: str) -> None:
        self.kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def create_all(self, objects: list[dict], workers: int = 8) -> None:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(self.kube.create, objects))

    def controller_args(self, args: list[str]) -> None:
        deployment = self.kube.request("GET", CONTROLLER)
        containers = deployment["spec"]["template"]["spec"]["containers"]
        containers[0]["args"] = args
        body = {"spec": {"template": {"spec": {"containers": containers}}}}
        self.kube.request("PATCH", CONTROLLER, body, content_type=MERGE)

    def current_args(self) -> list[str]:
        return self.kube.request("GET", CONTROLLER)["spec"]["template"]["spec"]["containers"][0]["args"]

    def stop_controller(self) -> None:
        """Scale the controller to zero: the simulated controller then builds nothing (its flags stay in the
        Deployment, where the module reads them)."""
        self.kube.request("PATCH", CONTROLLER, {"spec": {"replicas": 0}}, content_type=MERGE)
        module_steps.wait_for(lambda: not self.kube.request(
            "GET", "api/v1/namespaces/kube-system/pods",
            query={"labelSelector": "app.kubernetes.io/name=aws-load-balancer-controller"})["items"],
            timeout=30, message="the controller's pods gone")
        self.admin.settle(timeout=60)


def ingress(namespace: str, name: str, annotations: dict | None = None, labels: dict | None = None,
            service: str | None = None) -> dict:
    """An ALB Ingress sending / to ``service`` (its own name by default) port 80."""
    backend = {"service": {"name": service or name, "port": {"number": 80}}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {},
                         "annotations": annotations or {}},
            "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}}


def service(namespace: str, name: str, nlb: bool = False, annotations: dict | None = None,
            source_ranges: list | None = None) -> dict:
    """A NodePort Service on port 80, or an NLB Service (``type: LoadBalancer``, class service.k8s.aws/nlb)."""
    spec = {"type": "NodePort", "selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}
    if nlb:
        spec.update(type="LoadBalancer", loadBalancerClass="service.k8s.aws/nlb")
    if source_ranges:
        spec["loadBalancerSourceRanges"] = source_ranges
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "annotations": annotations or {}}, "spec": spec}


@pytest.fixture(scope="module")
def player(sandbox_env, admin, tmp_path_factory) -> AnnotationsPlayer:
    return AnnotationsPlayer(module_steps.make_env(sandbox_env), admin, tmp_path_factory.mktemp("annotations"))


@pytest.fixture(scope="module")
def estate(sandbox_env, admin) -> Estate:
    """demo-eks freshly seeded, once per test module."""
    reseed(sandbox_env, admin)
    return Estate(sandbox_env, admin)
