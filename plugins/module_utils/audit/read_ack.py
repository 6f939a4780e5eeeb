# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the audit reads of ACK clusters and of the CLBs in front of their databases.

- Each cluster (the audited one and its ``client_clusters``): namespaces and their labels, the running pods
  with an address, the NetworkPolicies, the policy engine, the PodNetworkings and PodENIs. With a
  ``cluster_id`` the connection must reach that cluster: Terway's eni-config tags its ENIs
  ``ack.aliyun.com=<cluster id>``, and a connection to another cluster is refused before anything is judged.
- The databases of the audited cluster: LoadBalancer Services with a port in ``database_ports`` served by a CLB
  (the CCM's ``service.k8s.alibaba/loadbalancer-id`` label or the ``...-loadbalancer-id`` annotation), the
  CLB's address, the listener of the port and the ACL bound to it, and the Service's ready backend pods.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import EniConfError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import parse_eni_conf
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import service as clb_service
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import AclApi
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import AclState
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import policy_engine
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import Enforcement

CLUSTER_TAG = "ack.aliyun.com"
SYSTEM_NS = "kube-system"


@dataclass
class AckCluster:
    """One cluster as the ACK checks see it."""

    name: str
    namespaces: Dict[str, Dict[str, str]]  # name -> labels
    pods: List[dict]  # running, with an address, not on the host's network
    policies: List[dict]
    enforcement: Enforcement
    pod_networkings: List[dict] = field(default_factory=list)
    pod_enis: Dict[Tuple[str, str], dict] = field(default_factory=dict)

    def labels_of(self, namespace: str) -> Dict[str, str]:
        return self.namespaces.get(namespace) or {}

    def policies_in(self, namespace: str) -> List[dict]:
        return [p for p in self.policies if (p.get("metadata") or {}).get("namespace") == namespace]


@dataclass
class Database:
    """A database Service of the audited cluster and what serves it."""

    service: dict
    port: dict  # the Service's port entry
    load_balancer_id: str
    address: Optional[str] = None  # the CLB's address
    listener: Optional[Dict[str, Any]] = None  # the listener attribute answer; None: no listener on the port
    acl: Optional[AclState] = None  # the ACL bound to the listener
    backends: List[dict] = field(default_factory=list)

    @property
    def ref(self) -> str:
        meta = self.service["metadata"]
        return f"{meta['namespace']}/{meta['name']}"

    @property
    def namespace(self) -> str:
        return self.service["metadata"]["namespace"]

    @property
    def protocol(self) -> str:
        return str(self.port.get("protocol") or "TCP").upper()

    @property
    def hostname(self) -> Optional[str]:
        return clb_service.annotation(self.service, "hostname")

    def backend_port(self) -> Optional[int]:
        """The port the backend pods receive on: the listener's backend port, else the Service's target port."""
        if self.listener and self.listener.get("BackendServerPort"):
            return int(self.listener["BackendServerPort"])
        target = self.port.get("targetPort", self.port["port"])
        if isinstance(target, int) or str(target).isdigit():
            return int(target)
        for pod in self.backends:
            for container in (pod.get("spec") or {}).get("containers") or []:
                for port in container.get("ports") or []:
                    if port.get("name") == target:
                        return int(port["containerPort"])
        return None


def check_identity(kube: Kube, name: str, cluster_id: Optional[str], option: str) -> None:
    """With ``cluster_id``: the cluster read must tag its ENIs with it (eni-config), or the run stops."""
    if not cluster_id:
        return
    config = kube.get("ConfigMap", "v1", "eni-config", SYSTEM_NS)
    try:
        conf = parse_eni_conf(((config or {}).get("data") or {}).get("eni_conf")) if config else {}
    except EniConfError:
        conf = {}
    found = (conf.get("eni_tags") or {}).get(CLUSTER_TAG) if isinstance(conf.get("eni_tags"), dict) else None
    if found != cluster_id:
        seen = f"its eni-config tags ENIs {CLUSTER_TAG}={found}" if found else "it has no eni-config ENI tag to tell"
        raise InputError(
            option,
            f"the Kubernetes cluster read ({kube.backend.where}) is not ACK cluster {name} ({cluster_id}): "
            f"{seen}; check the context. Nothing was judged",
        )


def read_cluster(kube: Kube, name: str) -> AckCluster:
    namespaces = {ns["metadata"]["name"]: ns["metadata"].get("labels") or {} for ns in kube.list("Namespace", "v1")}
    pods = [
        pod
        for pod in kube.list("Pod", "v1")
        if (pod.get("status") or {}).get("phase") == "Running"
        and (pod.get("status") or {}).get("podIP")
        and not (pod.get("spec") or {}).get("hostNetwork")
    ]
    pod_networkings = kube.list(podnetworking.KIND, podnetworking.API_VERSION)
    pod_enis = {}
    if pod_networkings:
        for item in kube.list("PodENI", podnetworking.API_VERSION):
            pod_enis[(item["metadata"].get("namespace"), item["metadata"]["name"])] = item
    return AckCluster(
        name,
        namespaces,
        pods,
        kube.list("NetworkPolicy", "networking.k8s.io/v1"),
        policy_engine.detect(kube),
        pod_networkings,
        pod_enis,
    )


def read_databases(kube: Kube, slb: Any, cluster: AckCluster, ports: Tuple[int, ...]) -> List[Database]:
    found = []
    for service in kube.list("Service", "v1"):
        if (service.get("spec") or {}).get("type") != "LoadBalancer":
            continue
        lb_id = clb_service.load_balancer_id(service)
        for port in service["spec"].get("ports") or []:
            target = port.get("targetPort")
            if lb_id and (port.get("port") in ports or (isinstance(target, int) and target in ports)):
                found.append(_read_database(slb, cluster, service, port, lb_id))
    return found


def _read_database(slb: Any, cluster: AckCluster, service: dict, port: dict, lb_id: str) -> Database:
    db = Database(service, port, lb_id, backends=_backends(cluster, service))
    lb = slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)
    db.address = lb.get("Address")
    listeners = ((lb.get("ListenerPortsAndProtocol") or {}).get("ListenerPortAndProtocol")) or []
    if not any(int(item.get("ListenerPort") or 0) == port["port"] for item in listeners):
        return db
    db.listener = slb.call(
        f"DescribeLoadBalancer{db.protocol}ListenerAttribute", LoadBalancerId=lb_id, ListenerPort=port["port"]
    )
    if db.listener.get("AclStatus") == "on" and db.listener.get("AclId"):
        db.acl = AclApi(slb).read(db.listener["AclId"])
    return db


def _backends(cluster: AckCluster, service: dict) -> List[dict]:
    wanted = (service.get("spec") or {}).get("selector")
    if not wanted:
        return []
    namespace = service["metadata"]["namespace"]
    return [
        pod
        for pod in cluster.pods
        if pod["metadata"].get("namespace") == namespace
        and selectors.matches({"matchLabels": wanted}, pod["metadata"].get("labels") or {})
    ]
