# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which pods really have a fixed IP: the webhook's annotations and the PodENI, never an assumption.

terway-controlplane's pod webhook has ``failurePolicy: Ignore``: when it is down, or no Ready
PodNetworking matches, a pod starts anyway on a shared-pool IP. So each target pod is checked:

- ``k8s.aliyun.com/pod-networking`` names the expected PodNetworking (not another one that
  matched first) and ``k8s.aliyun.com/pod-eni`` is ``"true"``;
- its PodENI (same namespace and name) has a ``Fixed`` allocation whose ``ipv4`` is the pod's IP.

Anything else is an error naming the pod, the IP it got and what to do.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube

ANN_POD_NETWORKING = "k8s.aliyun.com/pod-networking"
ANN_POD_ENI = "k8s.aliyun.com/pod-eni"


def owned_by(pod: Dict[str, Any], kind: str, name: str) -> bool:
    return any(
        ref.get("kind") == kind and ref.get("name") == name for ref in pod["metadata"].get("ownerReferences") or []
    )


def is_running(pod: Dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and bool(status.get("podIP"))


def is_ready(pod: Dict[str, Any]) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return is_running(pod) and any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def pending_reason(pod: Dict[str, Any]) -> str:
    """Why a pod is not running yet, from its conditions (for timeout messages)."""
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("status") != "True" and condition.get("message"):
            return f"{condition.get('reason') or condition.get('type')}: {condition['message']}"
    return (pod.get("status") or {}).get("phase") or "no status yet"


def fixed_allocation(podeni: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The first Fixed allocation of a PodENI (``spec.allocations``), or None."""
    for allocation in ((podeni or {}).get("spec") or {}).get("allocations") or []:
        if (allocation.get("allocationType") or {}).get("type") == "Fixed" and allocation.get("ipv4"):
            return allocation
    return None


def check_pod(
    pod: Dict[str, Any], podeni: Optional[Dict[str, Any]], expected: str
) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
    """(entry, error): the fixed_ips entry of a running pod, or why it has no fixed IP from ``expected``."""
    meta = pod["metadata"]
    name, ip = meta["name"], (pod.get("status") or {}).get("podIP")
    pod_ref = f"pod {meta['namespace']}/{name}"
    annotations = meta.get("annotations") or {}
    got = annotations.get(ANN_POD_NETWORKING)
    if not got or annotations.get(ANN_POD_ENI) != "true":
        return None, (
            f"{pod_ref} got the shared-pool IP {ip}, not a fixed IP: Terway's webhook did not assign a "
            "PodNetworking (terway-controlplane was down or no Ready PodNetworking matched when the pod "
            "was created). Delete the pod so that it is created again."
        )
    if got != expected:
        return None, (
            f"{pod_ref} was given PodNetworking {got}, not {expected}: several PodNetworkings select it "
            "and the first listed wins. Make the selectors disjoint, then delete the pod."
        )
    allocation = fixed_allocation(podeni)
    if allocation is None:
        return None, (
            f"{pod_ref} has no Fixed allocation in its PodENI (PodNetworking {expected}): its IP {ip} is "
            "not reserved. Check that the PodNetworking's allocation_type is Fixed."
        )
    if allocation["ipv4"] != ip:
        return None, (
            f"{pod_ref} runs with IP {ip} but its PodENI reserves {allocation['ipv4']}: Terway has not "
            "bound the member ENI yet, or the pod predates the PodENI; delete the pod."
        )
    zone = (podeni.get("spec") or {}).get("zone") or (allocation.get("eni") or {}).get("zone")
    return {"pod": name, "namespace": meta["namespace"], "ip": ip, "zone": zone, "pod_networking": expected}, None


def verify(
    kube: Kube, namespace: str, pods: Iterable[Dict[str, Any]], expected: str
) -> Tuple[List[Dict[str, Any]], List[str]]:
    """(fixed_ips, errors) for the running ``pods``; PodENIs are listed once for the namespace."""
    podenis = {p["metadata"]["name"]: p for p in kube.list("PodENI", podnetworking.API_VERSION, namespace)}
    fixed, errors = [], []
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        if not is_running(pod):
            continue
        entry, error = check_pod(pod, podenis.get(pod["metadata"]["name"]), expected)
        if entry:
            fixed.append(entry)
        else:
            errors.append(error)
    return fixed, errors
