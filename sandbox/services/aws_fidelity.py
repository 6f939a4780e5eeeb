"""Corrections that make moto's EC2 and EKS behave like AWS where our modules depend on it.

Each patch is listed in docs/sandbox.md ("Known differences ... corrected by the sandbox").
"""

from __future__ import annotations

import hashlib

from moto.ec2.models import ec2_backends, security_groups
from moto.eks.models import EKSBackend

EKS_CONTROL_PLANE_ENIS = 2  # EKS places 2-4 cross-account ENIs in the cluster's subnets
_create_cluster = EKSBackend.create_cluster


def _identity(reference: dict | None, key: str):
    """A group source without its description (EC2 ignores it when matching rules)."""
    return (reference or {}).get(key)


def _rule_eq(self, other) -> bool:
    """EC2 matches a rule on protocol, ports and one source; the description is not part of it."""
    if self.ip_protocol != other.ip_protocol:
        return False
    for key in ("CidrIp", "CidrIpv6"):
        if key in self.ip_range and self.ip_range.get(key) != other.ip_range.get(key):
            return False
    if _identity(self.source_group, "GroupId") != _identity(other.source_group, "GroupId"):
        return False
    if self.prefix_list_id != other.prefix_list_id:  # moto stores the bare id here
        return False
    if self.ip_protocol != "-1" and (self.from_port, self.to_port) != (other.from_port, other.to_port):
        return False
    return True


def cluster_group_name(cluster_name: str) -> str:
    """``eks-cluster-sg-<name>-<numeric id>``; the id is derived from the name so the estate is reproducible."""
    digits = str(int(hashlib.sha256(cluster_name.encode()).hexdigest()[:8], 16)).zfill(10)[:10]
    return f"eks-cluster-sg-{cluster_name}-{digits}"


def _eks_networking(backend: EKSBackend, cluster) -> None:
    """What EKS does when it creates a cluster: the cluster security group (named, described and tagged as EKS
    does, with its self-referencing all-traffic rule and the default egress) and the control plane's ENIs
    (description ``Amazon EKS <name>``) in the first subnets of distinct zones, carrying the cluster group and
    the additional groups; ``resourcesVpcConfig`` then holds ``clusterSecurityGroupId`` and ``vpcId``."""
    config = cluster.resources_vpc_config
    subnet_ids = config.get("subnetIds") or []
    if not subnet_ids:
        return
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    subnets = [ec2.get_subnet(subnet_id) for subnet_id in subnet_ids]
    vpc_id = subnets[0].vpc_id
    group = ec2.create_security_group(
        cluster_group_name(cluster.name),
        "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as "
        "any managed workloads.",
        vpc_id,
        tags={"Name": cluster_group_name(cluster.name), f"kubernetes.io/cluster/{cluster.name}": "owned",
              "aws:eks:cluster-name": cluster.name})
    ec2.authorize_security_group_ingress(group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}])
    zones: set = set()
    for subnet in subnets:
        if subnet.availability_zone in zones or len(zones) == EKS_CONTROL_PLANE_ENIS:
            continue
        zones.add(subnet.availability_zone)
        ec2.create_network_interface(subnet, None, group_ids=[group.id] + list(config.get("securityGroupIds") or []),
                                     description=f"Amazon EKS {cluster.name}")
    config["clusterSecurityGroupId"] = group.id
    config["vpcId"] = vpc_id


def _create_cluster_with_networking(self, *args, **kwargs):
    cluster = _create_cluster(self, *args, **kwargs)
    _eks_networking(self, cluster)
    return cluster


def apply() -> None:
    """Match security-group rules on identity (moto 5 also compares source descriptions); EKS clusters get their
    cluster security group and control-plane ENIs."""
    security_groups.SecurityGroupRule.__eq__ = _rule_eq
    EKSBackend.create_cluster = _create_cluster_with_networking
