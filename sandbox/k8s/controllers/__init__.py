"""Simulated controllers: workloads (Deployment/ReplicaSet/StatefulSet/DaemonSet -> Pods) and Terway."""

from __future__ import annotations


def install(cluster) -> None:
    """Attach the controllers a cluster of this flavour runs."""
    from sandbox.k8s.controllers import workloads

    workloads.install(cluster)
    if cluster.spec.flavor == "ack":
        from sandbox.k8s.controllers import terway

        terway.install(cluster)
