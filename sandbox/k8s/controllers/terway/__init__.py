"""Terway on the emulated ACK clusters: terwayd (the ``terway-eniip`` DaemonSet) and terway-controlplane.

What is simulated, after AliyunContainerService/terway (see docs/sandbox.md for the divergences):

- terwayd reads ``kube-system/eni-config`` ``eni_conf`` (plus the per-node ``terway-config``
  override) **when one of its pods starts**: a ``terway-eniip`` pod that becomes Running while
  ``enable_eni_trunking`` is true gives its node a trunk ENI, announced with the node annotation
  ``k8s.aliyun.com/trunk-on``. Editing the ConfigMap alone changes nothing until the pods are
  recreated. Once created, a trunk ENI stays.
- terway-controlplane exists when the Deployment ``kube-system/terway-controlplane`` does, and works
  while it has a ready replica. Its webhooks:
  * mutating (failurePolicy Ignore), CREATE of PodNetworkings: empty ``vSwitchOptions`` /
    ``securityGroupIDs`` are filled from ``eni_conf``; CREATE of Pods: PodNetworking selection,
    annotations, ``aliyun/member-eni`` request and zone affinity (``Terway.mutate_pod``);
  * validating (failurePolicy Fail), CREATE of PodNetworkings only: the deny rules of the real
    webhook; while the Deployment has no ready replica, the call fails and so does the create.
  Its controllers: PodNetworking status (``Ready`` / ``Fail``); PodENI creation, binding to the
  node's trunk ENI, release on pod deletion and the TTL garbage collection (``tick``).
- The pod network: pods annotated ``k8s.aliyun.com/pod-eni: "true"`` get the IP of their PodENI
  (a member ENI on the node's trunk ENI, from a vSwitch of the node's zone); other pods keep the
  default pool address.
"""

from __future__ import annotations

from sandbox.k8s.controllers.terway.config import conf_security_groups, conf_vswitches
from sandbox.k8s.controllers.terway.constants import (
    ANN_POD_ALLOC_TYPE, ANN_POD_ENI, ANN_POD_NETWORKING, ANN_POD_NETWORKS, ANN_POD_NETWORKS_REQUEST, ANN_TRUNK_ON,
    CONTROLPLANE, FIELD_MANAGER, FINALIZER, GROUP, LABEL_IGNORE, LABEL_NODE_CONFIG, MAX_SECURITY_GROUPS,
    MEMBER_ENI_RESOURCE, MUTATING_WEBHOOK, PN_KEY, PODENI_KEY, PREFIX, SYSTEM_NS, TERWAYD_LABEL, TRUNK_NOT_FOUND,
    VALIDATING_WEBHOOK, VERSION, ZONE_LABEL)
from sandbox.k8s.controllers.terway.controller import Terway
from sandbox.k8s.controllers.terway.helpers import have_fixed_ip, parse_go_duration
from sandbox.k8s.controllers.terway.network import TerwayPodNetwork
from sandbox.k8s.controllers.terway.webhooks import is_fixed_name_pod, podnetworking_denial

__all__ = [
    "ANN_POD_ALLOC_TYPE", "ANN_POD_ENI", "ANN_POD_NETWORKING", "ANN_POD_NETWORKS", "ANN_POD_NETWORKS_REQUEST",
    "ANN_TRUNK_ON", "CONTROLPLANE", "FIELD_MANAGER", "FINALIZER", "GROUP", "LABEL_IGNORE", "LABEL_NODE_CONFIG",
    "MAX_SECURITY_GROUPS", "MEMBER_ENI_RESOURCE", "MUTATING_WEBHOOK", "PN_KEY", "PODENI_KEY", "PREFIX", "SYSTEM_NS",
    "TERWAYD_LABEL", "TRUNK_NOT_FOUND", "VALIDATING_WEBHOOK", "VERSION", "ZONE_LABEL",
    "Terway", "TerwayPodNetwork", "conf_security_groups", "conf_vswitches", "have_fixed_ip", "install",
    "is_fixed_name_pod", "parse_go_duration", "podnetworking_denial",
]


def install(cluster, clock=None) -> Terway:
    terway = Terway(cluster, clock=clock)
    cluster.terway = terway
    cluster.pod_network = TerwayPodNetwork(terway, cluster.pod_network)
    cluster.api.mutators.append(terway.mutate)
    cluster.api.validators.append(terway.validate)
    cluster.api.controllers.append(terway)
    return terway
