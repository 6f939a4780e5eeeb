"""One emulated cluster: its network facts, its API server with controllers, and its HTTP app."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import threading
import time
import uuid

from sandbox.k8s.api import ApiServer


@dataclasses.dataclass(frozen=True)
class NodeSpec:
    name: str
    ip: str
    zone: str
    instance_type: str = "ecs.g7.xlarge"


@dataclasses.dataclass(frozen=True)
class ClusterSpec:
    name: str
    flavor: str  # "eks" | "ack"
    service_cidr: str
    pod_cidr: str  # where ordinary pod IPs come from
    nodes: tuple[NodeSpec, ...]
    region: str
    vswitches: dict = dataclasses.field(default_factory=dict)  # ACK: vsw id -> {"zone", "cidr"} for Terway


CLUSTERS = (
    ClusterSpec("demo-eks", "eks", "172.20.0.0/16", "10.0.16.0/20", (
        NodeSpec("ip-10-0-1-10.ec2.internal", "10.0.1.10", "us-east-1a", "m5.large"),
        NodeSpec("ip-10-0-33-10.ec2.internal", "10.0.33.10", "us-east-1b", "m5.large"),
    ), region="us-east-1"),
    ClusterSpec("ack-app", "ack", "172.21.0.0/20", "192.168.64.0/18", (
        NodeSpec("cn-hangzhou.192.168.0.10", "192.168.0.10", "cn-hangzhou-h"),
        NodeSpec("cn-hangzhou.192.168.16.10", "192.168.16.10", "cn-hangzhou-i"),
    ), region="cn-hangzhou", vswitches={
        "vsw-bp1app0pod0h0000000a": {"zone": "cn-hangzhou-h", "cidr": "192.168.32.0/20"},
        "vsw-bp1app0pod0i0000000b": {"zone": "cn-hangzhou-i", "cidr": "192.168.48.0/20"},
    }),
    ClusterSpec("ack-db", "ack", "172.22.0.0/20", "10.10.64.0/18", (
        NodeSpec("cn-hangzhou.10.10.0.10", "10.10.0.10", "cn-hangzhou-h"),
        NodeSpec("cn-hangzhou.10.10.16.10", "10.10.16.10", "cn-hangzhou-i"),
    ), region="cn-hangzhou", vswitches={
        "vsw-bp1db00pod0h0000000c": {"zone": "cn-hangzhou-h", "cidr": "10.10.32.0/20"},
    }),
)


class IpPool:
    """Hands out addresses of a CIDR in order, skipping ones in use; released ones can be reused."""

    def __init__(self, cidr: str, skip: int = 10) -> None:
        self.network = ipaddress.ip_network(cidr)
        self._hosts = self.network.hosts()
        for _ in range(skip):
            next(self._hosts)
        self._released: list[str] = []
        self._used: set[str] = set()

    def take(self, wanted: str | None = None) -> str:
        if wanted:
            self._used.add(wanted)
            return wanted
        while self._released:
            ip = self._released.pop(0)
            if ip not in self._used:
                self._used.add(ip)
                return ip
        for host in self._hosts:
            ip = str(host)
            if ip not in self._used:
                self._used.add(ip)
                return ip
        raise RuntimeError(f"address pool {self.network} is exhausted")

    def release(self, ip: str) -> None:
        if ip in self._used:
            self._used.discard(ip)
            self._released.append(ip)


class Cluster:
    """An ApiServer wired with this cluster's allocators, nodes and controllers, plus its ticker."""

    def __init__(self, spec: ClusterSpec, controllers: bool = True, slb_url: str | None = None,
                 aws_url: str | None = None) -> None:
        self.spec = spec
        self.slb_url = slb_url  # the CLB emulator the ACK clusters' cloud-controller-manager talks to
        self.aws_url = aws_url  # the AWS endpoint the EKS cluster's load balancer controller talks to
        self.api = ApiServer(spec.name)
        self.service_ips = IpPool(spec.service_cidr, skip=0)
        self.pod_ips = IpPool(spec.pod_cidr)
        self.api.allocate_cluster_ip = self.service_ips.take
        self.api.service_cidr = lambda: spec.service_cidr
        self.api.cluster = self
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._create_nodes()
        self._create_kubernetes_service()
        if controllers:
            from sandbox.k8s.controllers import install

            install(self)

    def _create_nodes(self) -> None:
        nodes = self.api.registry.lookup("", "v1", "nodes")
        for node in self.spec.nodes:
            self.api.create(nodes, "", {
                "metadata": {"name": node.name, "labels": {
                    "kubernetes.io/hostname": node.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": node.zone, "topology.kubernetes.io/region": self.spec.region,
                    "node.kubernetes.io/instance-type": node.instance_type}},
                "spec": {},
                "status": {"addresses": [{"type": "InternalIP", "address": node.ip},
                                         {"type": "Hostname", "address": node.name}],
                           "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                           "message": "kubelet is posting ready status"}],
                           "nodeInfo": self._node_info(node)}})

    def _node_info(self, node: NodeSpec) -> dict:
        """Every field a kubelet reports (clients with strict models require them all)."""
        digest = hashlib.sha256(f"{self.spec.name}/{node.name}".encode()).hexdigest()
        return {"architecture": "amd64", "bootID": str(uuid.UUID(digest[:32])),
                "containerRuntimeVersion": "containerd://1.7.27", "kernelVersion": "6.1.128",
                "kubeProxyVersion": "", "kubeletVersion": "v1.36.2", "machineID": digest[32:64],
                "operatingSystem": "linux", "osImage": "Amazon Linux 2023" if self.spec.flavor == "eks"
                else "Alibaba Cloud Linux 3", "systemUUID": str(uuid.UUID(digest[:32][::-1]))}

    def _create_kubernetes_service(self) -> None:
        """default/kubernetes, the first address of the service range, as every cluster has."""
        self.api.create(self.api.registry.lookup("", "v1", "services"), "default", {
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
                     "sessionAffinity": "None", "type": "ClusterIP"}})

    def start_ticker(self, interval: float = 1.0) -> None:
        def run():
            while not self._stop.wait(interval):
                self.api.tick()

        self._ticker = threading.Thread(target=run, name=f"tick-{self.spec.name}", daemon=True)
        self._ticker.start()

    def settle(self, timeout: float) -> bool:
        """Wait until the controllers that work on threads of their own (the CCM, the load balancer controller)
        have nothing queued."""
        deadline = time.monotonic() + timeout
        workers = [w for w in (getattr(self, "ccm", None), getattr(self, "lbc", None)) if w is not None]
        return all(w.wait_idle(max(deadline - time.monotonic(), 0.0)) for w in workers)

    def stop(self) -> None:
        self._stop.set()
