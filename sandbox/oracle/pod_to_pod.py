"""Pod -> pod reachability, straight over the pod network (Terway: VPC addresses; between the clusters'
VPCs routing is assumed), judged by the NetworkPolicies of both ends."""

from __future__ import annotations

from sandbox.k8s_client import KubeClient
from sandbox.oracle import policies
from sandbox.oracle.pod_to_service import split_ref
from sandbox.oracle.verdict import Verdict

DIRECT = "direct"


def _pod(endpoints: dict, ref: str, what: str) -> tuple[str, dict]:
    cluster, namespace, name = split_ref(ref, what)
    if f"k8s:{cluster}" not in endpoints:
        raise ValueError(f"no emulated cluster named {cluster!r}")
    return cluster, KubeClient(endpoints[f"k8s:{cluster}"]).request("GET", f"api/v1/namespaces/{namespace}/pods/{name}")


def reach_pod(endpoints: dict, from_pod: str, to_pod: str, port: int, protocol: str = "TCP") -> Verdict:
    """Would ``from_pod`` reach ``to_pod`` (both CLUSTER/NS/POD) on ``port``/``protocol``?"""
    verdict = Verdict(from_pod, to_pod, port)
    verdict.path = DIRECT
    src_cluster, src = _pod(endpoints, from_pod, "from_pod")
    dst_cluster, dst = _pod(endpoints, to_pod, "to_pod")
    for role, pod in (("source", src), ("destination", dst)):
        if not (pod.get("status") or {}).get("podIP") or pod["status"].get("phase") != "Running":
            verdict.hop(role, f"pod {pod['metadata']['namespace']}/{pod['metadata']['name']} is not running with "
                              f"an IP")
            return verdict.decide(False, f"the {role} pod has no address")
    verdict.hop("source", f"pod {from_pod}, source address {src['status']['podIP']} (no SNAT)")
    route = "the pod network" if src_cluster == dst_cluster else "the VPC (the clusters' VPCs are assumed routed)"
    verdict.hop("route", f"to {dst['status']['podIP']}:{port}/{protocol} over {route}")
    if not policies.allowed(verdict, endpoints, (src_cluster, src), (dst_cluster, dst), dst["status"]["podIP"], port,
                            protocol):
        return verdict
    return verdict.decide(True, f"no NetworkPolicy refuses {protocol}/{port} between the two pods")
