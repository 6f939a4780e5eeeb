# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rule tables of eks_cluster_security_groups' profiles, as data.

Every rule is between the cluster's own groups: ``cluster`` (the EKS cluster security group, on the control
plane's ENIs) and ``nodes`` (each node security group). A rule sits on ``group`` and admits traffic from
``peer`` (ingress). With ``egress: restricted`` each rule gets its mirror, an egress rule on ``peer`` to
``group`` with the same protocol and ports, so that nothing the profile needs depends on the default egress.

Sources (docs/reference: aws-lbc-eks.md section C):

- EKS user guide, "Amazon EKS security group requirements": the minimum between the control plane and the
  nodes (443 to the API, 10250 to the kubelet, 53 for DNS; the outbound rules it lists when the default
  egress is removed);
- terraform-aws-eks v21 ``node_groups.tf``: ``ingress_nodes_443`` on the cluster group; on the node group
  the rules it always writes and those of ``node_security_group_enable_recommended_rules``.

``REQUIRED`` keys are the rules a cluster cannot work without (the minimum profile): kept by
``overridden`` and ``deleted`` unless ``keep_required_rules`` is false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from typing import Tuple

CLUSTER = "cluster"
NODES = "nodes"
ROLES = (CLUSTER, NODES)
EKS_GUIDE = "EKS user guide (security group requirements)"
TERRAFORM = "terraform-aws-eks v21"


@dataclass(frozen=True)
class ProfileRule:
    """One rule of a profile: on ``group``, from ``peer``; ``ports`` None for protocol all."""

    key: str
    group: str
    peer: str
    protocol: str
    ports: Optional[Tuple[int, int]]
    description: str
    source: str

    @property
    def why(self) -> str:
        return f"{self.key}: {self.description} ({self.source})"


def _rule(key: str, group: str, peer: str, protocol: str, port: int, description: str, source: str) -> ProfileRule:
    return ProfileRule(key, group, peer, protocol, (port, port), description, source)


MINIMUM: Tuple[ProfileRule, ...] = (
    _rule(
        "cluster_ingress_nodes_443",
        CLUSTER,
        NODES,
        "tcp",
        443,
        "Nodes to the cluster API",
        f"{EKS_GUIDE}; {TERRAFORM} ingress_nodes_443",
    ),
    _rule(
        "node_ingress_cluster_kubelet",
        NODES,
        CLUSTER,
        "tcp",
        10250,
        "Control plane to the kubelets",
        f"{EKS_GUIDE}; {TERRAFORM} ingress_cluster_kubelet",
    ),
    _rule(
        "node_ingress_self_coredns_tcp",
        NODES,
        NODES,
        "tcp",
        53,
        "Node to node CoreDNS",
        f"{EKS_GUIDE}; {TERRAFORM} ingress_self_coredns_tcp",
    ),
    _rule(
        "node_ingress_self_coredns_udp",
        NODES,
        NODES,
        "udp",
        53,
        "Node to node CoreDNS UDP",
        f"{EKS_GUIDE}; {TERRAFORM} ingress_self_coredns_udp",
    ),
)

_WEBHOOKS = (
    (4443, "metrics-server (legacy port)"),
    (6443, "prometheus-adapter"),
    (8443, "Karpenter"),
    (9443, "AWS Load Balancer Controller and NGINX webhooks"),
    (10251, "metrics-server"),
)

RECOMMENDED: Tuple[ProfileRule, ...] = (
    MINIMUM
    + (
        _rule(
            "node_ingress_cluster_443",
            NODES,
            CLUSTER,
            "tcp",
            443,
            "Control plane to node webhooks on 443",
            f"{TERRAFORM} ingress_cluster_443",
        ),
        ProfileRule(
            "node_ingress_self_ephemeral",
            NODES,
            NODES,
            "tcp",
            (1025, 65535),
            "Node to node on ephemeral ports",
            f"{TERRAFORM} ingress_nodes_ephemeral (recommended)",
        ),
    )
    + tuple(
        _rule(
            f"node_ingress_cluster_{port}_webhook",
            NODES,
            CLUSTER,
            "tcp",
            port,
            f"Control plane to {what} webhook",
            f"{TERRAFORM} ingress_cluster_{port}_webhook (recommended)",
        )
        for port, what in _WEBHOOKS
    )
)

REQUIRED = frozenset(rule.key for rule in MINIMUM)
EGRESS_ALL_WHY = {
    CLUSTER: f"cluster_egress_all: all outbound traffic (the EKS default, {EKS_GUIDE})",
    NODES: f"node_egress_all: all outbound traffic ({TERRAFORM} egress_all (recommended))",
}


def profile_rules(profile: str, keep_required: bool = True) -> Tuple[ProfileRule, ...]:
    """The rules of ``profile``; ``custom`` has only the required ones (and none without ``keep_required``)."""
    if profile == "custom":
        return MINIMUM if keep_required else ()
    return RECOMMENDED if profile == "recommended" else MINIMUM


def mirror_key(key: str) -> str:
    """The key of a rule's egress mirror (``egress: restricted``)."""
    return f"{key}.egress"
