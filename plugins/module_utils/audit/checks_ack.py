# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ACK checks (KG-ACK-001..005) over what ``read_ack`` read (pure functions, no API call).

A database is a LoadBalancer Service with a port in ``database_ports`` served by a CLB. Environments are the
value of one namespace label (``environment_label``); a namespace without it belongs to no environment and is
never judged as a source or as a database of KG-ACK-005.
"""

from __future__ import annotations

import ipaddress
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.pod_ips import check_pod
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import reach
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_k8s import SYSTEM_NAMESPACES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import AckCluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import Database
from ansible_collections.kubeguard.netsec.plugins.module_utils.common import networks

_SHOWN = 5


def _shown(items: List[str]) -> str:
    more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def _listener(db: Database) -> str:
    return f"listener {db.protocol}:{db.port['port']} of {db.load_balancer_id}"


def _resource(cluster: AckCluster, db: Database) -> str:
    return f"{cluster.name}/{db.ref}"


def open_listeners(cluster: AckCluster, databases: List[Database]) -> List[Finding]:
    """KG-ACK-002: a database listener with access control off, a blacklist, or an empty whitelist."""
    found = []
    for db in databases:
        listener = db.listener
        if listener is None:
            continue
        if listener.get("AclStatus") != "on" or db.acl is None:
            why = "access control off: every source is forwarded"
        elif listener.get("AclType") != "white":
            why = f"a blacklist ({db.acl.acl_id}, {len(db.acl.entries)} entries): every source not listed is forwarded"
        elif not db.acl.entries:
            why = f"whitelist {db.acl.acl_id} is bound with no entry: an empty whitelist forwards every source"
        else:
            continue
        details = {"load_balancer_id": db.load_balancer_id, "port": db.port["port"]}
        found.append(Finding("KG-ACK-002", _resource(cluster, db), f"{_listener(db)}: {why}", details=details))
    return found


def missing_hostname(cluster: AckCluster, databases: List[Database]) -> List[Finding]:
    """KG-ACK-003: a database Service whose CLB address kube-proxy answers inside the cluster."""
    found = []
    for db in databases:
        if db.hostname:
            continue
        ingress = ((db.service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ips = [item["ip"] for item in ingress if item.get("ip")]
        evidence = (
            f"no service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname; status.loadBalancer.ingress holds "
            f"{', '.join(ips) or 'no address yet'}: kube-proxy answers it inside {cluster.name}, so the cluster's "
            f"pods reach {db.ref} without passing {db.load_balancer_id}'s access control"
        )
        found.append(Finding("KG-ACK-003", _resource(cluster, db), evidence))
    return found


def whitelist_drift(cluster: AckCluster, databases: List[Database]) -> List[Finding]:
    """KG-ACK-001: the bound whitelist and the ipBlocks admitting clients to the database pods differ.

    Compared as address spaces: ``10.2.0.10/31`` and two /32s agree, and an ipBlock's ``except`` is taken out of
    what it admits (an ipBlock of the whole /24 except a whitelisted address does not mirror it)."""
    found = []
    for db in databases:
        if db.acl is None or (db.listener or {}).get("AclType") != "white" or not db.acl.entries:
            continue  # no whitelist to mirror (KG-ACK-002 reports the listener)
        entries = {entry.network for entry in db.acl.entries}
        acl = networks.collapse(entries)
        blocks = _admitted_space(cluster, db)
        if blocks == acl:
            continue
        port = db.backend_port()
        if not blocks:
            evidence = (
                f"whitelist {db.acl.acl_id} holds {len(entries)} network(s) but no NetworkPolicy of {db.namespace} "
                f"admits an ipBlock to the database pods on {db.protocol}/{port}"
            )
        else:
            only_acl = [str(n) for n in networks.subtract(acl, blocks)]
            only_policy = [str(n) for n in networks.subtract(blocks, acl)]
            parts = [f"only in whitelist {db.acl.acl_id}: {_shown(only_acl)}"] if only_acl else []
            parts += [f"only in the NetworkPolicies: {_shown(only_policy)}"] if only_policy else []
            evidence = "; ".join(parts)
        details = {"acl_id": db.acl.acl_id, "whitelist": sorted(map(str, entries)), "ip_blocks": list(map(str, blocks))}
        found.append(Finding("KG-ACK-001", _resource(cluster, db), evidence, details=details))
    return found


def _admitted_space(cluster: AckCluster, db: Database) -> list:
    """The addresses the ipBlocks of the ingress rules that apply to the database's pods on its backend port admit
    (each ``cidr`` less its ``except``), collapsed."""
    port = db.backend_port()
    admitted = []
    for policy in cluster.policies_in(db.namespace):
        spec = policy.get("spec") or {}
        if not any(reach.selects_spec(spec, pod) for pod in db.backends):
            continue
        for rule in spec.get("ingress") or []:
            if port is not None and not reach.ports_admit(rule.get("ports") or [], port, db.protocol, db.backends):
                continue
            for peer in rule.get("from") or []:
                block = peer.get("ipBlock") or {}
                try:
                    cidr = ipaddress.ip_network(block["cidr"], strict=False)
                    excepted = [ipaddress.ip_network(item, strict=False) for item in block.get("except") or []]
                except (KeyError, TypeError, ValueError):
                    continue  # no ipBlock, or one the API server would not have stored
                admitted.extend(networks.subtract([cidr], excepted))
    return networks.collapse(admitted)


def pool_ips(clusters: List[AckCluster]) -> List[Finding]:
    """KG-ACK-004: StatefulSet pods a Fixed PodNetworking selects, without the fixed IP it reserves."""
    found = []
    for cluster in clusters:
        ready = sorted(
            (p for p in cluster.pod_networkings if (p.get("status") or {}).get("status") == "Ready"),
            key=lambda p: p["metadata"]["name"],
        )
        problems: Dict[Tuple[str, str], List[str]] = {}
        for pod in cluster.pods:
            expected = _fixed_pod_networking(cluster, ready, pod)
            if expected is None:
                continue
            meta = pod["metadata"]
            _entry, error = check_pod(pod, cluster.pod_enis.get((meta.get("namespace"), meta["name"])), expected)
            if error:
                problems.setdefault((meta["namespace"], expected), []).append(error)
        for (namespace, name), errors in sorted(problems.items()):
            evidence = f"{len(errors)} pod(s) selected by Fixed PodNetworking {name}: {_shown(errors)}"
            found.append(Finding("KG-ACK-004", f"{cluster.name}/{namespace}", evidence, details={"errors": errors}))
    return found


def _fixed_pod_networking(cluster: AckCluster, ready: List[dict], pod: dict) -> Optional[str]:
    """The name of the Fixed PodNetworking that wins for a StatefulSet pod, or None."""
    owners = pod["metadata"].get("ownerReferences") or []
    if not any(owner.get("kind") == "StatefulSet" for owner in owners):
        return None  # Terway fixes the IPs of fixed-name (StatefulSet) pods only
    labels = pod["metadata"].get("labels") or {}
    namespace_labels = cluster.labels_of(pod["metadata"].get("namespace"))
    winner = next((p for p in ready if podnetworking.matches(p.get("spec"), labels, namespace_labels)), None)
    allocation = (((winner or {}).get("spec") or {}).get("allocationType") or {}).get("type")
    return winner["metadata"]["name"] if winner and allocation == "Fixed" else None


def cross_environment(target: AckCluster, databases: List[Database], sources: List[AckCluster], label: str):
    """KG-ACK-005: running pods of one environment that reach a database of another."""
    found = []
    for db in databases:
        env = target.labels_of(db.namespace).get(label)
        if not env:
            continue
        for source in sources:
            by_namespace: Dict[str, List[Tuple[str, str]]] = {}
            for pod in source.pods:
                namespace = pod["metadata"].get("namespace")
                other = source.labels_of(namespace).get(label)
                if not other or other == env or namespace in SYSTEM_NAMESPACES:
                    continue
                how = reach.reaches(source, pod, target, db)
                if how:
                    by_namespace.setdefault(namespace, []).append((pod["metadata"]["name"], how))
            found += [
                _crossing(target, db, (label, env), (source, namespace, pods))
                for namespace, pods in sorted(by_namespace.items())
            ]
    return found


def _crossing(target: AckCluster, db: Database, env: Tuple[str, str], source: tuple) -> Finding:
    label, value = env
    cluster, namespace, pods = source
    names = [name for name, _how in pods]
    evidence = (
        f"{len(pods)} pod(s) of {cluster.name}/{namespace} ({label}={cluster.labels_of(namespace)[label]}) reach "
        f"{_resource(target, db)} ({label}={value}) on {db.protocol}/{db.port['port']} {pods[0][1]}: {_shown(names)}"
    )
    details = {"source_cluster": cluster.name, "source_namespace": namespace, "pods": names}
    return Finding("KG-ACK-005", _resource(target, db), evidence, details=details)
