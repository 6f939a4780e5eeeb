"""Simulated controllers: workloads (Deployment/ReplicaSet/StatefulSet/DaemonSet -> Pods), Terway, and on
ACK clusters given a CLB endpoint, the cloud-controller-manager's service controller; on the EKS cluster given
an AWS endpoint, the AWS Load Balancer Controller's security groups."""

from __future__ import annotations


def install(cluster) -> None:
    """Attach the controllers a cluster of this flavour runs."""
    from sandbox.k8s.controllers import workloads

    workloads.install(cluster)
    if cluster.spec.flavor == "eks" and cluster.aws_url:
        from sandbox.k8s.controllers import lbc

        lbc.install(cluster)
    if cluster.spec.flavor == "ack":
        from sandbox.k8s.controllers import terway

        terway.install(cluster)
        if cluster.slb_url:
            from sandbox.k8s.controllers import ccm

            ccm.install(cluster)
