"""The Kubernetes API emulator: one app per cluster, each on its own port."""

from __future__ import annotations

from sandbox.k8s.app import KubeApp
from sandbox.k8s.cluster import Cluster, ClusterSpec
from sandbox.services.k8s_adapter import K8sAdapter


def make(spec: ClusterSpec, url: str, controllers: bool = True, slb_url: str | None = None,
         aws_url: str | None = None) -> tuple[Cluster, KubeApp, K8sAdapter]:
    cluster = Cluster(spec, controllers=controllers, slb_url=slb_url, aws_url=aws_url)
    cluster.start_ticker()
    return cluster, KubeApp(cluster.api, url), K8sAdapter(spec.name)
