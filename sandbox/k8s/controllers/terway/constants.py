"""Names Terway shares with the API: the CRD group, annotations, labels, components, webhook names and messages."""

from __future__ import annotations

GROUP = "network.alibabacloud.com"
VERSION = "v1beta1"
PN_KEY = (GROUP, "podnetworkings")
PODENI_KEY = (GROUP, "podenis")

PREFIX = "k8s.aliyun.com/"
ANN_POD_ENI = PREFIX + "pod-eni"
ANN_POD_NETWORKING = PREFIX + "pod-networking"
ANN_POD_NETWORKS = PREFIX + "pod-networks"
ANN_POD_NETWORKS_REQUEST = PREFIX + "pod-networks-request"
ANN_POD_ALLOC_TYPE = PREFIX + "pod-alloc-type"
ANN_TRUNK_ON = PREFIX + "trunk-on"
LABEL_IGNORE = PREFIX + "ignore-by-terway"
LABEL_NODE_CONFIG = "terway-config"
ZONE_LABEL = "topology.kubernetes.io/zone"
MEMBER_ENI_RESOURCE = "aliyun/member-eni"
FINALIZER = "network.alibabacloud.com/pod-eni"

CONTROLPLANE = "terway-controlplane"
SYSTEM_NS = "kube-system"
TERWAYD_LABEL = ("app", "terway-eniip")
VALIDATING_WEBHOOK = "vpodnetworking.kb.io"
MUTATING_WEBHOOK = "mpodnetworking.kb.io"
FIELD_MANAGER = "terway-controlplane"

TRUNK_NOT_FOUND = "trunk eni id not found, this may due to terway agent is not started"
MAX_SECURITY_GROUPS = 10
