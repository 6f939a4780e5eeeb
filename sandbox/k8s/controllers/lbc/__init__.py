"""A simulated AWS Load Balancer Controller on the EKS cluster: its security groups, load balancers and target
groups (reference B.1-B.4).

It syncs on every change of what it watches, every ``KUBEGUARD_SANDBOX_LBC_PERIOD`` seconds when that is set,
and on demand (``python -m sandbox lbc sync``, admin ``POST /lbc/sync``); it talks to EC2 and ELBv2 over HTTP
with its own key (accounted as ``ec2:lbc`` and ``elbv2:lbc``) and never imports the collection. What it covers
and where it differs from the real controller: docs/sandbox.md.
"""

from __future__ import annotations

from sandbox import config
from sandbox.k8s.controllers.lbc.controller import LoadBalancerController


def install(cluster) -> LoadBalancerController:
    cluster.lbc = LoadBalancerController(cluster, cluster.aws_url, config.LBC_PERIOD)
    cluster.lbc.watch = config.LBC_WATCH
    cluster.api.controllers.append(cluster.lbc)
    return cluster.lbc
