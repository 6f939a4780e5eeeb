"""Pod -> load-balancer Service reachability on the ACK clusters (seed 004), hop by hop.

The rules, from how the real pieces behave (docs/sandbox.md, "Reachability oracle"):

1. The source address is the pod's own IP: Terway gives pods VPC addresses and does not SNAT them.
2. Inside the Service's own cluster, kube-proxy (IPVS) binds every ``status.loadBalancer.ingress[].ip``
   to ``kube-ipvs0`` on each node and DNATs it straight to the endpoints: the CLB, and its ACL, are
   never seen. With the ``hostname`` annotation the status carries no IP, nothing is short-circuited and
   the connection leaves the cluster for the CLB, like one from any other cluster.
3. Through the CLB: the listener on the port must exist and run; its access control decides (a
   whitelist admits only its entries, **an empty whitelist admits everything**, a blacklist refuses its
   entries); then a backend must be a ready endpoint pod of the Service.
4. NetworkPolicies (``netpol``, ``policies``), where the cluster's engine enforces them: egress at the
   source pod (towards the endpoint pod on the IPVS path, towards the CLB address on the CLB path),
   ingress at the endpoint pod from the source pod's address.
Routing between the clusters' VPCs is assumed (same VPC or CEN).
"""

from __future__ import annotations

import ipaddress

from sandbox import config
from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbApiError, SlbClient
from sandbox.k8s import endpoints as k8s_endpoints
from sandbox.k8s_client import KubeClient
from sandbox.oracle import policies
from sandbox.oracle.verdict import CLB, IPVS, Verdict

LB_ID_LABEL = "service.k8s.alibaba/loadbalancer-id"
IPVS_DECIDED = "kube-proxy IPVS to an endpoint pod"
LB_ID_ANNOTATIONS = ("service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id",
                     "service.beta.kubernetes.io/alicloud-loadbalancer-id")


def split_ref(ref: str, what: str) -> tuple[str, str, str]:
    parts = ref.split("/")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"{what} must be CLUSTER/NAMESPACE/NAME, not {ref!r}")
    return parts[0], parts[1], parts[2]


def _kube(endpoints: dict, cluster: str) -> KubeClient:
    if f"k8s:{cluster}" not in endpoints:
        raise ValueError(f"no emulated cluster named {cluster!r} (known: "
                         f"{', '.join(k[4:] for k in endpoints if k.startswith('k8s:'))})")
    return KubeClient(endpoints[f"k8s:{cluster}"])


def reach(endpoints: dict, from_pod: str, to_service: str, port: int,
          region: str = config.ALIBABA_REGION, protocol: str = "TCP") -> Verdict:
    """Would ``from_pod`` (CLUSTER/NS/POD) reach ``to_service`` (CLUSTER/NS/SVC) on ``port``/``protocol``?

    A load-balancer Service is reached through its CLB (or kube-proxy's short-circuit inside its own cluster);
    any other Service through its cluster IP, from its own cluster only.
    """
    src_cluster, src_ns, src_name = split_ref(from_pod, "from_pod")
    dst_cluster, dst_ns, dst_name = split_ref(to_service, "to_service")
    verdict = Verdict(from_pod, to_service, port)
    pod = _kube(endpoints, src_cluster).request("GET", f"api/v1/namespaces/{src_ns}/pods/{src_name}")
    source_ip = (pod.get("status") or {}).get("podIP")
    if not source_ip or (pod.get("status") or {}).get("phase") != "Running":
        verdict.hop("source", f"pod {from_pod} is not running with an IP")
        return verdict.decide(False, "the source pod has no address")
    verdict.hop("source", f"pod {from_pod} on node {pod['spec'].get('nodeName')}, source address {source_ip} "
                          f"(Terway: the pod's own VPC address, no SNAT)")
    kube = _kube(endpoints, dst_cluster)
    service = kube.request("GET", f"api/v1/namespaces/{dst_ns}/services/{dst_name}")
    ports = service["spec"].get("ports") or []
    service_port = next((p for p in ports if p["port"] == port and p.get("protocol", "TCP") == protocol), None)
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    cluster_ip = service["spec"].get("clusterIP")
    is_lb = service["spec"].get("type") == "LoadBalancer" and ingress
    local = src_cluster == dst_cluster and cluster_ip not in (None, "", "None")
    if service_port is None or not (is_lb or local):
        verdict.hop("service", f"{to_service} is {service['spec'].get('type')}, ports "
                               f"{[(p['port'], p.get('protocol', 'TCP')) for p in ports]}, ingress {ingress}")
        reason = "no such port" if service_port is None else "no load-balancer address, and a cluster IP is only " \
                                                              "reachable from inside its own cluster"
        return verdict.decide(False, f"the Service cannot be reached on {protocol}/{port}: {reason}")
    pods = kube.request("GET", f"api/v1/namespaces/{dst_ns}/pods")["items"]
    backends = k8s_endpoints.pods_of(service, pods)
    route = (endpoints, (src_cluster, pod), dst_cluster)
    ips = [item["ip"] for item in ingress if item.get("ip")]
    if not is_lb:
        how = f"{cluster_ip} is the Service's cluster IP: kube-proxy (IPVS) DNATs it to the endpoints"
        return _through_ipvs(verdict, (how, IPVS_DECIDED), service_port, backends, route, protocol)
    if src_cluster == dst_cluster and ips:
        how = (f"{ips[0]} is in the Service's status.loadBalancer.ingress, so IPVS binds it to kube-ipvs0 on every "
               f"node of this cluster: {ips[0]}:{port} is DNATed to the endpoints here, the CLB and its access "
               f"control are bypassed")
        decided = f"{IPVS_DECIDED} (short-circuit of the load-balancer IP: the ACL does not apply)"
        return _through_ipvs(verdict, (how, decided), service_port, backends, route, protocol)
    slb = SlbClient(endpoints["slb"], credentials.ORACLE, region)
    return _through_clb(verdict, slb, service, ingress[0], source_ip, backends, route)


def _through_ipvs(verdict: Verdict, why: tuple[str, str], port: dict, backends: list[dict], route: tuple,
                  protocol: str) -> Verdict:
    """``why``: the kube-proxy hop's text, and what decides when every policy lets the connection through."""
    how, decided = why
    verdict.path = IPVS
    verdict.hop("kube-proxy", how)
    if not backends:
        return verdict.decide(False, "kube-proxy IPVS: the Service has no ready endpoints")
    target = backends[0]
    target_port = k8s_endpoints.target_port(port, backends)
    verdict.hop("endpoint", f"pod {target['metadata']['namespace']}/{target['metadata']['name']} "
                            f"{target['status']['podIP']}:{target_port}/{protocol}")
    endpoints, source, dst_cluster = route
    if not policies.allowed(verdict, endpoints, source, (dst_cluster, target), target["status"]["podIP"], target_port,
                            protocol):
        return verdict
    return verdict.decide(True, decided)


def _load_balancer_id(service: dict) -> str | None:
    meta = service["metadata"]
    return (meta.get("labels") or {}).get(LB_ID_LABEL) or next(
        ((meta.get("annotations") or {})[key] for key in LB_ID_ANNOTATIONS if key in (meta.get("annotations") or {})),
        None)


def _through_clb(verdict: Verdict, slb: SlbClient, service: dict, ingress: dict, source_ip: str,
                 backends: list[dict], route: tuple) -> Verdict:
    verdict.path = CLB
    lb_id = _load_balancer_id(service)
    if lb_id is None:
        return verdict.decide(False, "the Service names no CLB (no loadbalancer-id label or id annotation)")
    try:
        lb = slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)
    except SlbApiError as exc:
        return verdict.decide(False, f"the CLB {lb_id} cannot be described: {exc}")
    dialled = ingress.get("ip") or f"{ingress.get('hostname')} (DNS: resolves to the CLB address {lb['Address']})"
    verdict.hop("client", f"dials {dialled}: not local to the source's cluster, so the packet leaves for the CLB")
    found = slb.call("DescribeLoadBalancerListeners", **{"LoadBalancerId.1": lb_id, "ListenerPort": verdict.port})
    listener = (found.get("Listeners") or [None])[0]
    if listener is None or listener["Status"] != "running":
        verdict.hop("clb", f"{lb_id} {lb['Address']}: no running listener on {verdict.port}")
        return verdict.decide(False, f"CLB {lb_id}: no running listener on port {verdict.port}")
    allowed, rule = _access_control(slb, listener, source_ip)
    verdict.hop("clb", f"{lb_id} {lb['Address']} listener {listener['ListenerProtocol']}:{verdict.port}: {rule}")
    if not allowed:
        return verdict.decide(False, f"CLB {lb_id} listener {verdict.port}: {rule}")
    return _to_backend(verdict, lb, listener, backends, rule, route)


def _access_control(slb: SlbClient, listener: dict, source_ip: str) -> tuple[bool, str]:
    if listener.get("AclStatus") != "on":
        return True, "access control off: every source is forwarded"
    acl_id, acl_type = listener["AclId"], listener["AclType"]
    entries = slb.all_pages("DescribeAccessControlListAttribute", "AclEntrys", "AclEntry", page_param="Page",
                            AclId=acl_id)
    address = ipaddress.ip_address(source_ip)
    match = next((e for e in entries if address in ipaddress.ip_network(e["AclEntryIP"], strict=False)), None)
    described = f"{acl_type}list {acl_id} ({len(entries)} entries)"
    if acl_type == "white":
        if not entries:
            return True, f"{described} is EMPTY: an empty whitelist forwards every source"
        if match:
            return True, f"{source_ip} matches {match['AclEntryIP']} ({match['AclEntryComment'] or 'no comment'}) " \
                         f"in {described}"
        return False, f"{source_ip} is not in {described}"
    if match:
        return False, f"{source_ip} matches {match['AclEntryIP']} in {described}"
    return True, f"{source_ip} is not in {described}"


def _to_backend(verdict: Verdict, lb: dict, listener: dict, backends: list[dict], rule: str, route: tuple) -> Verdict:
    by_ip = {pod["status"]["podIP"]: pod for pod in backends}
    servers = [s for s in lb["BackendServers"]["BackendServer"] if s.get("ServerIp") in by_ip]
    if not servers:
        verdict.hop("backend", f"none of the CLB's {len(lb['BackendServers']['BackendServer'])} backend servers "
                               f"is a ready endpoint of the Service")
        return verdict.decide(False, f"CLB {lb['LoadBalancerId']}: no backend server is a ready endpoint pod")
    pod = by_ip[servers[0]["ServerIp"]]
    verdict.hop("backend", f"{servers[0]['Type']} backend {servers[0]['ServerId']} = pod "
                           f"{pod['metadata']['namespace']}/{pod['metadata']['name']} "
                           f"{servers[0]['ServerIp']}:{listener['BackendServerPort']}")
    endpoints, source, dst_cluster = route
    if not policies.allowed(verdict, endpoints, source, (dst_cluster, pod), lb["Address"],
                            listener["BackendServerPort"], egress_port=verdict.port):
        return verdict
    return verdict.decide(True, f"CLB {lb['LoadBalancerId']} listener {verdict.port}: {rule}")
