# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The EC2 and EKS calls of the security-group modules, one method per API call, over the AWS backend.

Errors are :class:`ApiError` with the EC2 error code, so callers decide what an
``InvalidPermission.Duplicate`` or ``InvalidPermission.NotFound`` means for them.
"""

from __future__ import annotations

from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import AwsBackend

Filters = Dict[str, Iterable[str]]


def _filters(filters: Filters) -> List[dict]:
    return [{"Name": name, "Values": list(values)} for name, values in filters.items()]


def tag_list(tags: Dict[str, str]) -> List[dict]:
    """EC2's tag list form of a dict, sorted by key."""
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def create_group_params(name: str, description: str, vpc_id: str, tags: Dict[str, str]) -> dict:
    """The parameters of CreateSecurityGroup (sent by the run, shown by ``rendered``)."""
    return {
        "GroupName": name,
        "Description": description,
        "VpcId": vpc_id,
        "TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list(tags)}],
    }


class Ec2:
    """Security groups, instances and subnets; the cluster's VPC from EKS."""

    def __init__(self, backend: AwsBackend) -> None:
        self.backend = backend
        self.ec2 = backend.client("ec2")

    # reads

    def describe_security_groups(
        self, filters: Optional[Filters] = None, group_ids: Optional[Iterable[str]] = None
    ) -> List[dict]:
        params: dict = {}
        if filters:
            params["Filters"] = _filters(filters)
        if group_ids:
            params["GroupIds"] = list(group_ids)
        return self.ec2.paginate("describe_security_groups", "SecurityGroups", **params)

    def describe_instances(self, filters: Filters) -> List[dict]:
        reservations = self.ec2.paginate("describe_instances", "Reservations", Filters=_filters(filters))
        return [instance for reservation in reservations for instance in reservation["Instances"]]

    def describe_network_interfaces(self, filters: Filters) -> List[dict]:
        return self.ec2.paginate("describe_network_interfaces", "NetworkInterfaces", Filters=_filters(filters))

    def describe_subnets(self, subnet_ids: Iterable[str]) -> List[dict]:
        return self.ec2.paginate("describe_subnets", "Subnets", SubnetIds=list(subnet_ids))

    def cluster_vpc(self, cluster_name: str) -> Optional[str]:
        """The cluster's VPC from EKS DescribeCluster (through its subnets when the answer has no vpcId)."""
        answer = self.backend.client("eks").call("describe_cluster", name=cluster_name)
        config = answer["cluster"]["resourcesVpcConfig"]
        if config.get("vpcId"):
            return config["vpcId"]
        subnets = self.describe_subnets(config["subnetIds"]) if config.get("subnetIds") else []
        return subnets[0]["VpcId"] if subnets else None

    # writes

    def create_security_group(self, name: str, description: str, vpc_id: str, tags: Dict[str, str]) -> str:
        answer = self.ec2.call("create_security_group", **create_group_params(name, description, vpc_id, tags))
        return answer["GroupId"]

    def authorize(self, group_id: str, direction: str, ip_permissions: List[dict]) -> None:
        self.ec2.call(f"authorize_security_group_{direction}", GroupId=group_id, IpPermissions=ip_permissions)

    def revoke(self, group_id: str, direction: str, ip_permissions: List[dict]) -> None:
        self.ec2.call(f"revoke_security_group_{direction}", GroupId=group_id, IpPermissions=ip_permissions)

    def update_descriptions(self, group_id: str, direction: str, ip_permissions: List[dict]) -> None:
        self.ec2.call(
            f"update_security_group_rule_descriptions_{direction}", GroupId=group_id, IpPermissions=ip_permissions
        )

    def delete_security_group(self, group_id: str) -> None:
        self.ec2.call("delete_security_group", GroupId=group_id)
