"""The demo-eks estate as the load balancer controller's unit tests drive it: moto, the emulated cluster and its
controller (fixture ``eks`` in conftest.py)."""

from __future__ import annotations

import boto3

from sandbox import config
from sandbox.k8s.cluster import Cluster
from sandbox.k8s_client import KubeClient


class Eks:
    def __init__(self, url: str, cluster: Cluster, kube: KubeClient, ids: dict, ledger) -> None:
        self.cluster, self.kube, self.ids, self.ledger, self.url = cluster, kube, ids, ledger, url
        self.ec2 = boto3.client("ec2", endpoint_url=url, region_name=config.AWS_REGION,
                                aws_access_key_id="testing", aws_secret_access_key="testing")
        self.sg = ids["security_groups"]

    def sync(self) -> dict:
        return self.cluster.lbc.sync()

    def rules(self, group_id: str) -> dict:
        """{(protocol, from, to, source): description}."""
        group = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        found = {}
        for perm in group["IpPermissions"]:
            for pair in perm.get("UserIdGroupPairs", []):
                found[(perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"), pair["GroupId"])] = \
                    pair.get("Description", "")
            for cidr in perm.get("IpRanges", []):
                found[(perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"), cidr["CidrIp"])] = \
                    cidr.get("Description", "")
        return found

    def controller_args(self, *extra: str) -> None:
        """Change the controller Deployment's flags and roll its pods, as a Helm upgrade does."""
        path = "apis/apps/v1/namespaces/kube-system/deployments/aws-load-balancer-controller"
        deployment = self.kube.request("GET", path)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["args"] = [a for a in container["args"] if a.split("=")[0] not in {e.split("=")[0] for e in extra}]
        container["args"] += list(extra)
        self.kube.request("PUT", path, deployment)
        self.cluster.api.tick()
        for _ in range(20):
            self.cluster.api.tick()

    def ingress(self, namespace: str, name: str, annotations: dict, service: str = "storefront", port: int = 80,
                ingress_class: str = "alb") -> None:
        self.kube.request("POST", f"apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses", {
            "metadata": {"name": name, "annotations": annotations},
            "spec": {"ingressClassName": ingress_class, "defaultBackend": {
                "service": {"name": service, "port": {"number": port}}}}})
