"""Where the sandbox listens and keeps its state, and the fixed facts of the emulated accounts."""

from __future__ import annotations

import dataclasses
import os
import pathlib

DEFAULT_BASE_PORT = 18700
HOST = "127.0.0.1"

AWS_REGION = "us-east-1"
AWS_ACCOUNT_ID = "123456789012"  # moto's default account
# moto accepts any credentials; these are the conventional fake ones, never real secrets.
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"
# the simulated AWS Load Balancer Controller's own key: its calls are accounted apart, as ec2:lbc
LBC_ACCESS_KEY_ID = "KUBEGUARD-SANDBOX-LBC-KEY-ID"
# the AWS reachability oracle's own key: its reads are accounted apart, as ec2:oracle and elbv2:oracle
ORACLE_ACCESS_KEY_ID = "KUBEGUARD-SANDBOX-ORACLE-KEY-ID"
# The simulated load balancer controller syncs on every change of what it watches (LBC_WATCH, default on) and,
# with LBC_PERIOD > 0, also every LBC_PERIOD seconds (its --sync-period; the real default is 10 h).
LBC_WATCH = os.environ.get("KUBEGUARD_SANDBOX_LBC_WATCH", "1") not in ("0", "false", "no")
LBC_PERIOD = float(os.environ.get("KUBEGUARD_SANDBOX_LBC_PERIOD", "0") or 0)

ALIBABA_REGION = "cn-hangzhou"

EKS_CLUSTER = "demo-eks"
# Any bearer token is accepted by the Kubernetes emulator; this one only marks sandbox kubeconfigs.
K8S_TOKEN = "kubeguard-sandbox-token"


@dataclasses.dataclass(frozen=True)
class Ports:
    """Each service listens on base_port + a fixed offset."""

    base: int

    @property
    def admin(self) -> int:
        return self.base

    @property
    def aws(self) -> int:
        return self.base + 1

    @property
    def slb(self) -> int:
        return self.base + 2

    def k8s(self, index: int) -> int:
        """The API server of the index-th emulated cluster (sandbox.k8s.cluster.CLUSTERS order)."""
        return self.base + 11 + index


def base_port() -> int:
    return int(os.environ.get("KUBEGUARD_SANDBOX_BASE_PORT", DEFAULT_BASE_PORT))


def state_dir() -> pathlib.Path:
    """sandbox/.state by default; KUBEGUARD_SANDBOX_STATE_DIR moves it (e.g. for parallel test runs)."""
    override = os.environ.get("KUBEGUARD_SANDBOX_STATE_DIR")
    return pathlib.Path(override) if override else pathlib.Path(__file__).resolve().parent / ".state"


def url(port: int) -> str:
    return f"http://{HOST}:{port}"
