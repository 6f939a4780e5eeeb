"""Shared helpers for the eks_lbc_controller integration tests (a plain module, not a conftest).

- ``ControllerPlayer``: the module through ansible-playbook, each step with the sandbox's counts for it;
- ``Controller``: demo-eks' aws-load-balancer-controller Deployment and pods, read and edited by hand through
  the sandbox's own Kubernetes client (independent of the module's code);
- fixtures: ``player`` (module scope), ``controller`` (function scope: the sandbox reset and seeded).
"""

from __future__ import annotations

import json

import pytest

import module_steps
from conftest import reseed
from sandbox.k8s_client import KubeClient

MODULE = "kubeguard.netsec.eks_lbc_controller"
PATH = "apis/apps/v1/namespaces/kube-system/deployments/aws-load-balancer-controller"
SEEDED_ARGS = ["--cluster-name=demo-eks", "--ingress-class=alb", "--aws-region=us-east-1"]  # then --aws-vpc-id=
RECORD = "netsec.kubeguard.io/managed-flags"
CONTROLLER_LABEL = "elbv2.k8s.aws/targetGroupBinding=shared"


class Step(module_steps.Step):
    SHOWN = ("changed", "failed", "msg", "changes", "args_after", "replanned", "api_calls")

    @property
    def kube_writes(self) -> int:
        return sum(self.calls("k8s:demo-eks", "write").values())


class ControllerPlayer(module_steps.Player):
    MODULE = MODULE
    STEP = Step


class Controller:
    def __init__(self, admin, seed: dict) -> None:
        self.admin = admin
        self._seed = seed
        self.kube = KubeClient(admin.health()["endpoints"]["k8s:demo-eks"])

    def seed(self) -> dict:
        """The AWS ids the seed recorded."""
        return self._seed["aws"]

    def deployment(self) -> dict:
        return self.kube.request("GET", PATH)

    def args(self) -> list[str]:
        return self.deployment()["spec"]["template"]["spec"]["containers"][0]["args"]

    def record(self) -> dict:
        text = (self.deployment()["metadata"].get("annotations") or {}).get(RECORD)
        return json.loads(text) if text else {}

    def set_args(self, args: list[str]) -> None:
        """A hand edit (kubectl edit): the whole Deployment PUT back with new args."""
        deployment = self.deployment()
        deployment["spec"]["template"]["spec"]["containers"][0]["args"] = args
        self.kube.request("PUT", PATH, deployment)

    def pod_args(self) -> list[list[str]]:
        """The args of the running controller pods (what the controller itself obeys)."""
        pods = self.kube.request("GET", "api/v1/namespaces/kube-system/pods",
                                 query={"labelSelector": "app.kubernetes.io/name=aws-load-balancer-controller"})
        return [p["spec"]["containers"][0]["args"] for p in pods["items"]
                if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]


@pytest.fixture(scope="module")
def player(sandbox_env, admin, tmp_path_factory) -> ControllerPlayer:
    return ControllerPlayer(module_steps.make_env(sandbox_env), admin, tmp_path_factory.mktemp("lbc-controller"))


@pytest.fixture
def controller(sandbox_env, admin) -> Controller:
    return Controller(admin, reseed(sandbox_env, admin))


def params(**extra) -> dict:
    return dict({"context": "demo-eks"}, **extra)
