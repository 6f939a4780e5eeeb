# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Would a pod reach a database Service? The hops the ACK checks judge, from what was read (no API call).

- The source address is the pod's own (Terway gives pods VPC addresses and does not SNAT them).
- Inside the database's own cluster, without the hostname annotation, kube-proxy answers the CLB address
  (it is in the Service's status) and sends the connection straight to a backend pod: no CLB, no ACL.
- Otherwise the connection goes to the CLB: the listener's access control decides (a whitelist admits its
  entries, an empty one everything; a blacklist refuses its entries; off admits everything).
- NetworkPolicies, where the cluster's engine is known to enforce them: egress at the source pod (towards the
  backend pod on the kube-proxy path, towards the CLB address on the CLB path), ingress at the backend pod. A
  peer that is a pod of the policy's own cluster is matched by pod and namespace selectors only; any other
  address by ``ipBlock`` only (the API's guidance: ipBlock is for addresses outside the cluster).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import AckCluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import Database
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors


@dataclass(frozen=True)
class Peer:
    """The other end of a hop: an address, and the pod holding it when that pod is in the judging cluster."""

    ip: str
    pod: Optional[dict] = None


def _policy_types(spec: dict) -> Tuple[str, ...]:
    if spec.get("policyTypes"):
        return tuple(spec["policyTypes"])
    return ("Ingress", "Egress") if spec.get("egress") is not None else ("Ingress",)


def _labels(pod: dict) -> Dict[str, str]:
    return (pod.get("metadata") or {}).get("labels") or {}


def _selects(policy: dict, pod: dict) -> bool:
    meta = policy.get("metadata") or {}
    if meta.get("namespace") != pod["metadata"].get("namespace"):
        return False
    return selectors.matches((policy.get("spec") or {}).get("podSelector") or {}, _labels(pod))


def _in_block(ip: str, block: dict) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        if address not in ipaddress.ip_network(block.get("cidr"), strict=False):
            return False
        return not any(address in ipaddress.ip_network(item, strict=False) for item in block.get("except") or [])
    except (TypeError, ValueError):
        return False


def _peer_matches(peer: dict, policy_ns: str, other: Peer, cluster: AckCluster) -> bool:
    if "ipBlock" in peer:
        return other.pod is None and _in_block(other.ip, peer["ipBlock"])
    if other.pod is None:
        return False
    namespace = other.pod["metadata"].get("namespace")
    if "namespaceSelector" in peer:
        if not selectors.matches(peer["namespaceSelector"] or {}, cluster.labels_of(namespace)):
            return False
    elif namespace != policy_ns:
        return False
    return "podSelector" not in peer or selectors.matches(peer["podSelector"] or {}, _labels(other.pod))


def _named_port(pod: Optional[dict], name: str) -> Optional[int]:
    for container in ((pod or {}).get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == name:
                return int(port["containerPort"])
    return None


def _port_matches(rule_port: dict, port: int, protocol: str, named_on: Optional[dict]) -> bool:
    if str(rule_port.get("protocol") or "TCP").upper() != protocol:
        return False
    wanted = rule_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str) and not wanted.isdigit():
        return _named_port(named_on, wanted) == port
    end = rule_port.get("endPort")
    return int(wanted) <= port <= int(end if end is not None else wanted)


def selects_spec(spec: dict, pod: dict) -> bool:
    """Whether a policy of the pod's namespace applies to it for ingress."""
    return "Ingress" in _policy_types(spec) and selectors.matches(spec.get("podSelector") or {}, _labels(pod))


def ports_admit(ports: list, port: int, protocol: str, pods: list) -> bool:
    """Whether a rule's ``ports`` admit ``port`` (named ports resolved on the first of ``pods``)."""
    named_on = pods[0] if pods else None
    return not ports or any(_port_matches(item, port, protocol, named_on) for item in ports)


def allowed(cluster: AckCluster, direction: str, pod: dict, other: Peer, port: Tuple[int, str], named_on: Any) -> bool:
    """May ``pod`` receive from (Ingress) or send to (Egress) ``other`` on ``port`` (number, protocol)?"""
    if cluster.enforcement.enforced is not True:
        return True
    relevant = [p for p in cluster.policies if direction in _policy_types(p.get("spec") or {}) and _selects(p, pod)]
    if not relevant:
        return True
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for policy in relevant:
        policy_ns = policy["metadata"].get("namespace")
        for rule in (policy.get("spec") or {}).get(rules_key) or []:
            peers, ports = rule.get(peers_key) or [], rule.get("ports") or []
            if (not peers or any(_peer_matches(peer, policy_ns, other, cluster) for peer in peers)) and ports_admit(
                ports, port[0], port[1], [named_on]
            ):
                return True
    return False


def access_control(db: Database, ip: str) -> Tuple[bool, str]:
    """(admitted, why) of the listener's access control for a source address."""
    listener = db.listener or {}
    if listener.get("AclStatus") != "on" or db.acl is None:
        return True, "access control off"
    address = ipaddress.ip_address(ip)
    match = next((entry for entry in db.acl.entries if address in entry.network), None)
    name = f"{listener.get('AclType')}list {db.acl.acl_id}"
    if listener.get("AclType") == "white":
        if not db.acl.entries:
            return True, f"{name} is empty"
        return (True, f"{ip} is in {name} ({match.network})") if match else (False, f"{ip} is not in {name}")
    return (False, f"{ip} is in {name}") if match else (True, f"{ip} is not in {name}")


def reaches(source: AckCluster, pod: dict, target: AckCluster, db: Database) -> Optional[str]:
    """How ``pod`` (of ``source``) reaches ``db`` (of ``target``), or None when it does not."""
    ip, backend_port = pod["status"]["podIP"], db.backend_port()
    if not db.backends or backend_port is None:
        return None
    backend = db.backends[0]
    ingress = ((db.service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    local = source is target and not db.hostname and any(item.get("ip") for item in ingress)
    if local:
        port = (backend_port, db.protocol)
        if allowed(source, "Egress", pod, Peer(backend["status"]["podIP"], backend), port, backend) and allowed(
            target, "Ingress", backend, Peer(ip, pod), port, backend
        ):
            return "through kube-proxy inside the cluster (the CLB and its ACL are bypassed)"
        return None
    if db.listener is None or not db.address:
        return None
    admitted, why = access_control(db, ip)
    if not admitted:
        return None
    if not allowed(source, "Egress", pod, Peer(db.address), (db.port["port"], db.protocol), backend):
        return None
    other = Peer(ip, pod) if source is target else Peer(ip)
    if not allowed(target, "Ingress", backend, other, (backend_port, db.protocol), backend):
        return None
    return f"through the CLB ({why})"
