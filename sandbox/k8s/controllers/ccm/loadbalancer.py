"""What the CCM does on the CLB API for one Service: find, reuse or create its load balancer, sync the
listeners (one per Service port, with the acl-* settings) when it owns them, and the backends (the
ready endpoint pods' ENIs, as with ``backend-type: eni`` on Terway). Every call goes over HTTP.
"""

from __future__ import annotations

import hashlib
import json

from sandbox.alibaba.client import SlbClient
from sandbox.k8s.controllers.ccm.wanted import Wanted

BACKEND_MARK = "k8s/{cluster}/{namespace}/{name}"  # the Description of the backends this CCM adds


def default_name(service: dict) -> str:
    """The name the CCM gives a load balancer it creates: ``a`` + the Service uid without dashes."""
    return ("a" + service["metadata"]["uid"].replace("-", ""))[:32]


class LoadBalancerSync:
    def __init__(self, slb: SlbClient, cluster_name: str) -> None:
        self.slb = slb
        self.cluster_name = cluster_name

    # ------------------------------------------------------------------ the instance

    def find(self, service: dict, wanted: Wanted) -> tuple[dict | None, bool]:
        """(the load balancer's attributes or None, whether this CCM created it)."""
        if wanted.reuse_id:
            return self.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=wanted.reuse_id), False
        found = self.slb.call("DescribeLoadBalancers", LoadBalancerName=default_name(service))
        items = found["LoadBalancers"]["LoadBalancer"]
        if not items:
            return None, True
        return self.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=items[0]["LoadBalancerId"]), True

    def create(self, service: dict, wanted: Wanted) -> dict:
        created = self.slb.call("CreateLoadBalancer", LoadBalancerName=default_name(service),
                                AddressType=wanted.address_type, VSwitchId=wanted.vswitch_id or None,
                                LoadBalancerSpec=wanted.spec, DeleteProtection=wanted.delete_protection)
        return self.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=created["LoadBalancerId"])

    def delete_created(self, service: dict) -> str | None:
        found = self.slb.call("DescribeLoadBalancers", LoadBalancerName=default_name(service))
        for item in found["LoadBalancers"]["LoadBalancer"]:
            self.slb.call("SetLoadBalancerDeleteProtection", LoadBalancerId=item["LoadBalancerId"],
                          DeleteProtection="off")
            self.slb.call("DeleteLoadBalancer", LoadBalancerId=item["LoadBalancerId"])
            return item["LoadBalancerId"]
        return None

    # ------------------------------------------------------------------ listeners

    def sync_listeners(self, lb: dict, ports: list[dict], wanted: Wanted) -> list[str]:
        """Make the listeners match the Service ports and acl-* annotations; returns what changed."""
        lb_id = lb["LoadBalancerId"]
        current = {item["ListenerPort"]: item["ListenerProtocol"]
                   for item in lb["ListenerPortsAndProtocol"]["ListenerPortAndProtocol"]}
        desired = {port["port"]: (wanted.protocol_ports.get(port["port"]) or port.get("protocol", "TCP").lower(),
                                  port["backend_port"]) for port in ports}
        changes = []
        for port, protocol in list(current.items()):
            if port not in desired or desired[port][0] != protocol:
                self.slb.call("DeleteLoadBalancerListener", LoadBalancerId=lb_id, ListenerPort=port)
                changes.append(f"deleted listener {protocol}:{port}")
                del current[port]
        for port, (protocol, backend_port) in sorted(desired.items()):
            if port in current:
                changes += self._update_listener(lb_id, port, protocol, backend_port, wanted)
            else:
                self._create_listener(lb_id, port, protocol, backend_port, wanted)
                changes.append(f"created listener {protocol}:{port}")
        return changes

    def _acl_params(self, wanted: Wanted) -> dict:
        if wanted.acl_status == "on":
            return {"AclStatus": "on", "AclType": wanted.acl_type, "AclId": wanted.acl_id}
        return {"AclStatus": "off"}

    def _create_listener(self, lb_id: str, port: int, protocol: str, backend_port: int, wanted: Wanted) -> None:
        extra = {"StickySession": "off", "HealthCheck": "off"} if protocol in ("http", "https") else {}
        if protocol == "https":
            extra["ServerCertificateId"] = wanted.cert_id
        self.slb.call(f"CreateLoadBalancer{protocol.upper()}Listener", LoadBalancerId=lb_id, ListenerPort=port,
                      BackendServerPort=backend_port, Bandwidth=-1, **self._acl_params(wanted), **extra)
        self.slb.call("StartLoadBalancerListener", LoadBalancerId=lb_id, ListenerPort=port)

    def _update_listener(self, lb_id: str, port: int, protocol: str, backend_port: int, wanted: Wanted) -> list[str]:
        name = protocol.upper()
        live = self.slb.call(f"DescribeLoadBalancer{name}ListenerAttribute", LoadBalancerId=lb_id, ListenerPort=port)
        acl = self._acl_params(wanted)
        same_acl = live["AclStatus"] == acl["AclStatus"] and (
            acl["AclStatus"] == "off" or (live["AclType"], live["AclId"]) == (acl["AclType"], acl["AclId"]))
        if same_acl and live.get("BackendServerPort") == backend_port:
            return []
        self.slb.call(f"SetLoadBalancer{name}ListenerAttribute", LoadBalancerId=lb_id, ListenerPort=port,
                      BackendServerPort=backend_port, **acl)
        return [f"listener {protocol}:{port} acl {acl['AclStatus']}"
                + (f" ({acl['AclType']} {acl['AclId']})" if acl["AclStatus"] == "on" else "")]

    # ------------------------------------------------------------------ backends

    def sync_backends(self, lb: dict, service: dict, endpoints: list[str]) -> list[str]:
        """The ENIs of the ready endpoint pods, marked as this Service's; other backends are left alone."""
        meta = service["metadata"]
        mark = BACKEND_MARK.format(cluster=self.cluster_name, namespace=meta["namespace"], name=meta["name"])
        ours = {server["ServerIp"]: server for server in lb["BackendServers"]["BackendServer"]
                if server.get("Description") == mark}
        add = [ip for ip in endpoints if ip not in ours]
        remove = [server for ip, server in ours.items() if ip not in endpoints]
        if add:
            self.slb.call("AddBackendServers", LoadBalancerId=lb["LoadBalancerId"], BackendServers=json.dumps([
                {"ServerId": eni_id(ip), "ServerIp": ip, "Type": "eni", "Weight": 100, "Description": mark}
                for ip in add]))
        if remove:
            self.slb.call("RemoveBackendServers", LoadBalancerId=lb["LoadBalancerId"], BackendServers=json.dumps([
                {"ServerId": server["ServerId"], "ServerIp": server["ServerIp"], "Type": "eni"} for server in remove]))
        return [f"backend {ip} added" for ip in add] + [f"backend {s['ServerIp']} removed" for s in remove]


def eni_id(ip: str) -> str:
    """A stable ENI id for a pod address (the sandbox does not model the ENIs of shared-mode pods)."""
    return "eni-bp1" + hashlib.sha256(ip.encode()).hexdigest()[:17]

