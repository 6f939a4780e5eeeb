"""The NetworkPolicy hops of a connection: egress at the source pod, ingress at the destination pod, each
judged by ``netpol`` in its own cluster, from what that cluster's API serves (policies, namespaces, pods, and
the policy engine's switch)."""

from __future__ import annotations

from sandbox.k8s.cluster import CLUSTERS
from sandbox.k8s_client import KubeClient
from sandbox.oracle import netpol
from sandbox.oracle.verdict import Verdict

FLAVORS = {spec.name: spec.flavor for spec in CLUSTERS}
_CONFIGMAPS = ("eni-config", "amazon-vpc-cni")


class ClusterView:
    """One cluster's policy-relevant state, read once per question."""

    def __init__(self, endpoints: dict, name: str) -> None:
        kube = KubeClient(endpoints[f"k8s:{name}"])
        self.name = name
        self.policies = kube.request("GET", "apis/networking.k8s.io/v1/networkpolicies")["items"]
        self.namespaces = {ns["metadata"]["name"]: ns["metadata"].get("labels") or {}
                           for ns in kube.request("GET", "api/v1/namespaces")["items"]}
        self.pods = [p for p in kube.request("GET", "api/v1/pods")["items"] if (p.get("status") or {}).get("podIP")
                     and not p["spec"].get("hostNetwork")]
        configmaps = {}
        for cm in kube.request("GET", "api/v1/namespaces/kube-system/configmaps")["items"]:
            if cm["metadata"]["name"] in _CONFIGMAPS:
                configmaps[cm["metadata"]["name"]] = cm.get("data") or {}
        self.enforced, self.engine = netpol.enforced(FLAVORS.get(name, "ack"), configmaps)

    def endpoint_for(self, ip: str) -> netpol.Endpoint:
        """The pod of this cluster that owns ``ip`` (Terway: no SNAT), or the bare address."""
        pod = next((p for p in self.pods if p["status"]["podIP"] == ip), None)
        return netpol.Endpoint.of_pod(pod) if pod else netpol.Endpoint(ip)


def _judge(verdict: Verdict, view: ClusterView, direction: str, pod: netpol.Endpoint, other: netpol.Endpoint,
           port: int, protocol: str, destination: netpol.Endpoint | None = None) -> bool:
    where = f"networkpolicy {direction.lower()} ({view.name})"
    if not view.enforced:
        verdict.hop(where, f"{view.engine}")
        return True
    decision = netpol.decide(direction, view.policies, pod, other, port, protocol, view.namespaces, destination)
    verdict.hop(where, decision.rule)
    if not decision.allowed:
        verdict.decide(False, f"NetworkPolicy ({view.name}): {decision.rule}")
    return decision.allowed


def allowed(verdict: Verdict, endpoints: dict, source: tuple, target: tuple, wire_ip: str, port: int,
            protocol: str = "TCP", egress_port: int | None = None) -> bool:
    """Egress of ``source`` (cluster, pod) towards ``wire_ip`` (the address the packet is sent to, on
    ``egress_port``, by default ``port``), then ingress of ``target`` (cluster, pod) from the source pod's
    address on ``port``; False (and the verdict decided) when denied."""
    src_cluster, src_pod = source
    dst_cluster, dst_pod = target
    src_view = ClusterView(endpoints, src_cluster)
    dst_view = src_view if dst_cluster == src_cluster else ClusterView(endpoints, dst_cluster)
    src = netpol.Endpoint.of_pod(src_pod)
    dst = netpol.Endpoint.of_pod(dst_pod)
    egress_other = dst if (wire_ip == dst.ip and src_cluster == dst_cluster) else src_view.endpoint_for(wire_ip)
    if not _judge(verdict, src_view, "Egress", src, egress_other, egress_port or port, protocol, dst):
        return False
    return _judge(verdict, dst_view, "Ingress", dst, dst_view.endpoint_for(src.ip), port, protocol)
