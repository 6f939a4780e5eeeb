# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the audit reads of a cluster's Kubernetes side: its nodes (to prove the connection reaches the named
cluster), the running pods and the NetworkPolicies of every namespace, and the policy engine's configuration."""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_k8s import ClusterView
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import policy_engine
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.identity import check_cluster


def by_namespace(items: List[dict]) -> Dict[str, List[dict]]:
    found: Dict[str, List[dict]] = {}
    for item in items:
        found.setdefault((item.get("metadata") or {}).get("namespace"), []).append(item)
    return found


def read_eks_cluster(kube: Kube, cluster: str, instance_ids: List[str], exempt: Tuple[str, ...]) -> ClusterView:
    """The view of an EKS cluster, once its nodes are shown to be the cluster's instances (a wrong context
    would audit another cluster and report its state as this one's)."""
    check_cluster(cluster, instance_ids, kube.list("Node", "v1"), kube.backend.where)
    pods = [pod for pod in kube.list("Pod", "v1") if (pod.get("status") or {}).get("phase") == "Running"]
    policies = kube.list("NetworkPolicy", "networking.k8s.io/v1")
    return ClusterView(cluster, by_namespace(pods), by_namespace(policies), policy_engine.detect(kube), exempt)
