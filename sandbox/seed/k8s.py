"""The Kubernetes "before" estates of the three emulated clusters, written over HTTP like any client.

- ``demo-eks``: nodes whose ``spec.providerID`` names the AWS seed's worker instances; the AWS Load
  Balancer Controller (two replicas, no ``--enable-backend-security-group``
  flag), IngressClass ``alb``; namespace ``shop`` with six NodePort Services (30080 and 32050 are the
  target groups of the AWS seed's storefront ALB) and four ALB Ingresses, two of them with custom
  frontend security groups and no ``manage-backend-security-group-rules`` annotation.
- ``ack-app`` (seed 004, application cluster): the Terway addon with trunking off
  (``eni-config``, ``terway-eniip``, ``terway-controlplane`` ready, ``addon.network.token``, the
  PodNetworking and PodENI CRDs), the UAT Deployment ``abc-185-7db8e/abc-ba7b5`` on shared-pool IPs
  and, in the same pod subnet, its production twin ``abc-185-prod/abc-ba7b5``.
- ``ack-db`` (seed 004, UAT database cluster): the same addon, MySQL behind the internal CLB Service
  ``abc-185-mysql-svc`` (CCM annotations reusing the CLB of ``sandbox.seed.alibaba``; the simulated
  CCM writes its status), and a DBA tools Deployment ``dba-tools/mysql-admin`` in another namespace.

Manifests live in ``manifests/``; what depends on the cluster (eni_conf from the cluster's vSwitches,
the token expiry, the CRDs) is built here. ``seed(endpoints)`` refuses to run twice.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import pathlib
import time

import yaml

from sandbox import config
from sandbox.k8s_client import KubeClient
from sandbox.k8s import crds
from sandbox.k8s.cluster import CLUSTERS
from sandbox.seed.alibaba import DB_LB_VSWITCH
from sandbox.seed.aws import CUSTOM_FRONTEND_GROUPS  # the Name tags shop/admin and shop/partner-api use

MANIFESTS = pathlib.Path(__file__).resolve().parent / "manifests"
EKS = config.EKS_CLUSTER
APP, DB = "ack-app", "ack-db"
UAT_NAMESPACE = "abc-185-7db8e"
UAT_NODE_POOL = {"nodeGroup": "share-pod-uat-49db4"}
SECURITY_GROUPS = {APP: "sg-bp1app0k8s0node00001", DB: "sg-bp1db00k8s0node00001"}
TOKEN_LIFETIME = datetime.timedelta(days=7)  # the real one is refreshed every 30 min; nothing refreshes ours
COREDNS_IMAGES = {EKS: "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.2",
                  APP: "registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/coredns:v1.11.3.2-f57ea7ed6-aliyun",
                  DB: "registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/coredns:v1.11.3.2-f57ea7ed6-aliyun"}

def _load(name: str, replacements: dict[str, str] | None = None) -> list[dict]:
    text = (MANIFESTS / name).read_text(encoding="utf-8")
    for key, value in (replacements or {}).items():
        text = text.replace(key, value)
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _apply(client: KubeClient, docs: list[dict]) -> list[str]:
    created = []
    for doc in docs:
        client.create(doc)
        namespace = doc["metadata"].get("namespace")
        created.append(f"{doc['kind']}/{namespace + '/' if namespace else ''}{doc['metadata']['name']}")
    return created


def _spec(name: str):
    return next(spec for spec in CLUSTERS if spec.name == name)


def cluster_id(name: str) -> str:
    """An ACK cluster id (``c`` + 32 hex), stable per cluster name."""
    return "c" + hashlib.sha256(f"ack/{name}".encode()).hexdigest()[:32]


def eni_conf(name: str) -> dict:
    """eni_conf as an ACK managed cluster has it before Trunk ENI: no enable_eni_trunking, no credential_path."""
    spec = _spec(name)
    vswitches: dict[str, list[str]] = {}
    for vsw, facts in sorted(spec.vswitches.items()):
        vswitches.setdefault(facts["zone"], []).append(vsw)
    return {"version": "1", "max_pool_size": 5, "min_pool_size": 0, "ip_stack": "ipv4",
            "vswitches": vswitches, "eni_tags": {"ack.aliyun.com": cluster_id(name)},
            "service_cidr": spec.service_cidr, "security_group": SECURITY_GROUPS[name],
            "vswitch_selection_policy": "ordered"}


def _fake_ciphertext(label: str) -> str:
    """Base64 that looks like AES-CBC output (IV + blocks) and decrypts to nothing: never a real secret."""
    blob = b"".join(hashlib.sha256(f"sandbox/{label}/{i}".encode()).digest() for i in range(2))
    return base64.b64encode(blob[:48]).decode()


def terway_objects(name: str) -> list[dict]:
    """The cluster-dependent part of the Terway addon."""
    spec = _spec(name)
    cni = {"cniVersion": "0.4.0", "name": "terway", "eniip_virtual_type": "Veth", "type": "terway"}
    expiration = (datetime.datetime.now(datetime.timezone.utc) + TOKEN_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    token = {"access.key.id": _fake_ciphertext(f"{name}/akid"), "access.key.secret": _fake_ciphertext(f"{name}/aks"),
             "security.token": _fake_ciphertext(f"{name}/sts"), "expiration": expiration,
             "keyring": hashlib.sha256(f"sandbox/{name}/keyring".encode()).hexdigest()[:32]}
    ctrl = {"leaseLockName": "terway-controller-lock", "leaseLockNamespace": "kube-system",
            "controllerNamespace": "kube-system", "controllerName": "terway-controlplane", "webhookPort": 4443,
            "certDir": "/var/run/webhook-cert", "regionID": spec.region, "clusterID": cluster_id(name),
            "ipStack": "ipv4", "enableTrunk": True, "centralizedIPAM": False,
            "credentialPath": "/var/addon/token-config",
            "controllers": ["pod-eni", "pod", "pod-networking", "node"]}
    return [*crds.crd_manifests(), {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "eni-config", "namespace": "kube-system"},
        "data": {"eni_conf": json.dumps(eni_conf(name), indent=2) + "\n", "10-terway.conf": json.dumps(cni) + "\n",
                 "disable_network_policy": "false", "in_cluster_loadbalance": "true"},
    }, {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "terway-controlplane", "namespace": "kube-system"},
        "data": {"ctrl-config.yaml": yaml.safe_dump(ctrl, sort_keys=False)},
    }, {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "addon.network.token", "namespace": "kube-system"},
        "data": {"addon.token.config": base64.b64encode(json.dumps(token).encode()).decode()},
    }]


def _label_nodes(client: KubeClient, labels: dict) -> list[str]:
    nodes = client.request("GET", "api/v1/nodes")["items"]
    for node in nodes:
        client.request("PATCH", f"api/v1/nodes/{node['metadata']['name']}", {"metadata": {"labels": labels}},
                       content_type="application/merge-patch+json", query={"fieldManager": "kubeguard-seed"})
    return [n["metadata"]["name"] for n in nodes]


def _bind_nodes_to_instances(client: KubeClient, instances: list[str]) -> dict:
    """Each demo-eks node's spec.providerID names its EC2 worker (aws:///<zone>/<instance id>), as the AWS
    cloud provider sets it: the nodes and the AWS seed's workers are listed in the same zone order."""
    nodes = next(spec for spec in CLUSTERS if spec.name == EKS).nodes
    provider_ids = {}
    for node, instance in zip(nodes, instances):
        provider_ids[node.name] = f"aws:///{node.zone}/{instance}"
        client.request("PATCH", f"api/v1/nodes/{node.name}", {"spec": {"providerID": provider_ids[node.name]}},
                       content_type="application/merge-patch+json")
    return provider_ids


def seed_demo_eks(client: KubeClient, aws_ids: dict | None = None) -> dict:
    vpc_id = (aws_ids or {}).get("vpc_id", "vpc-unknown")
    docs = _load("demo-eks.yaml", {"__VPC_ID__": vpc_id, "__CUSTOM_SG_PUBLIC__": CUSTOM_FRONTEND_GROUPS[0],
                                   "__CUSTOM_SG_OFFICE__": CUSTOM_FRONTEND_GROUPS[1]})
    created = _apply(client, docs)
    provider_ids = _bind_nodes_to_instances(client, (aws_ids or {}).get("instances") or [])
    services = {d["metadata"]["name"]: d["spec"]["ports"][0]["nodePort"] for d in docs if d["kind"] == "Service"}
    ingresses = {d["metadata"]["name"]: d["metadata"]["annotations"].get("alb.ingress.kubernetes.io/security-groups")
                 for d in docs if d["kind"] == "Ingress"}
    return {"objects": created, "namespace": "shop", "node_ports": services, "provider_ids": provider_ids,
            "ingresses": sorted(ingresses), "custom_sg_ingresses": sorted(k for k, v in ingresses.items() if v),
            "custom_frontend_sgs": list(CUSTOM_FRONTEND_GROUPS), "controller": "kube-system/aws-load-balancer-controller"}


def _seed_terway(client: KubeClient, name: str) -> list[str]:
    created = _apply(client, terway_objects(name))
    return created + _apply(client, _load("ack-terway.yaml"))


def seed_ack_app(client: KubeClient) -> dict:
    created = _seed_terway(client, APP)
    nodes = _label_nodes(client, UAT_NODE_POOL)
    created += _apply(client, _load("ack-app.yaml"))
    return {"objects": created, "namespace": UAT_NAMESPACE, "deployment": "abc-ba7b5", "uat_nodes": nodes,
            "cluster_id": cluster_id(APP), "vswitches": sorted(_spec(APP).vswitches),
            "security_group": SECURITY_GROUPS[APP]}


def _wait_for_load_balancer(client: KubeClient, path: str, timeout: float = 30.0) -> dict:
    """The simulated CCM writes the Service status on its own thread: wait (bounded) until it has."""
    deadline = time.monotonic() + timeout
    while True:
        service = client.request("GET", path)
        if (service.get("status") or {}).get("loadBalancer", {}).get("ingress"):
            return service
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path}: the cloud-controller-manager wrote no load balancer status in {timeout:.0f} s")
        time.sleep(0.1)


def seed_ack_db(client: KubeClient, alibaba_ids: dict | None = None) -> dict:
    lb_id = (alibaba_ids or {}).get("db_load_balancer_id", "lb-not-seeded")
    created = _seed_terway(client, DB)
    created += _apply(client, _load("ack-db.yaml", {"__LB_ID__": lb_id, "__LB_VSWITCH__": DB_LB_VSWITCH}))
    path = f"api/v1/namespaces/{UAT_NAMESPACE}/services/abc-185-mysql-svc"
    ingress = _wait_for_load_balancer(client, path)["status"]["loadBalancer"]["ingress"] if alibaba_ids else []
    return {"objects": created, "namespace": UAT_NAMESPACE, "statefulset": "abc-185-mysql",
            "service": "abc-185-mysql-svc", "load_balancer_id": lb_id,
            "load_balancer_ip": ingress[0].get("ip") if ingress else None,
            "cluster_id": cluster_id(DB), "vswitches": sorted(_spec(DB).vswitches),
            "security_group": SECURITY_GROUPS[DB]}


def _seed_cluster_dns(client: KubeClient, name: str) -> list[str]:
    return _apply(client, _load("cluster-dns.yaml", {"__IMAGE__": COREDNS_IMAGES[name]}))


def seed(endpoints: dict, aws_ids: dict | None = None, alibaba_ids: dict | None = None) -> dict:
    """Seed every emulated cluster found in ``endpoints`` (``k8s:<name>`` -> URL); returns what was made.
    Without ``alibaba_ids`` (no CLB emulator) ack-db's Service names no seeded CLB and gets no status."""
    clients = {name: KubeClient(endpoints[f"k8s:{name}"]) for name in (EKS, APP, DB) if f"k8s:{name}" in endpoints}
    markers = {EKS: ("Namespace", "shop"), APP: ("ConfigMap", "eni-config"), DB: ("ConfigMap", "eni-config")}
    for name, client in clients.items():
        kind, marker = markers[name]
        if client.exists(kind, marker, "kube-system"):
            raise RuntimeError(f"the Kubernetes estate of {name} is already seeded ({kind} {marker}); "
                               f"run `python -m sandbox reset` first")
    result = {}
    dns = {name: _seed_cluster_dns(client, name) for name, client in clients.items()}
    if EKS in clients:
        result[EKS] = seed_demo_eks(clients[EKS], aws_ids)
    if APP in clients:
        result[APP] = seed_ack_app(clients[APP])
    if DB in clients:
        result[DB] = seed_ack_db(clients[DB], alibaba_ids)
    for name, created in dns.items():
        result[name]["objects"] = created + result[name]["objects"]
    return result
