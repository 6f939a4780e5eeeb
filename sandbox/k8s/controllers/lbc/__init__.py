"""A simulated AWS Load Balancer Controller on the EKS cluster: its security groups (reference B.1-B.4).

It syncs on demand (``python -m sandbox lbc sync``, admin ``POST /lbc/sync``), so tests and the demo decide
when the controller acts; it talks to EC2 over HTTP with its own key (accounted as ``ec2:lbc``) and never
imports the collection. What it covers and where it differs from the real controller: docs/sandbox.md.
"""

from __future__ import annotations

from sandbox.k8s.controllers.lbc.controller import LoadBalancerController


def install(cluster) -> LoadBalancerController:
    cluster.lbc = LoadBalancerController(cluster, cluster.aws_url)
    return cluster.lbc
