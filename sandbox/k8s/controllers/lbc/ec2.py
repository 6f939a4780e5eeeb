"""The controller's EC2 calls, over HTTP to the sandbox's AWS endpoint with its own key (accounted as
``ec2:lbc``), and security-group rules as the controller sees them.

A rule's identity is protocol, port range and one source (a group, a CIDR, an IPv6 CIDR or a prefix list);
the description is not part of it (reference B.3, ``HashCode``). EC2's grouped IpPermissions are expanded to
one source per rule; the description is kept beside the identity, for the ownership label.
"""

from __future__ import annotations

import dataclasses

import boto3
from botocore.config import Config

from sandbox import config

LABEL = "elbv2.k8s.aws/targetGroupBinding=shared"


@dataclasses.dataclass(frozen=True)
class Rule:
    protocol: str
    from_port: int
    to_port: int
    kind: str  # group | cidr | cidr6 | prefix-list
    source: str

    def permission(self, description: str = "") -> dict:
        item: dict = {"Description": description} if description else {}
        key, field = {"group": ("UserIdGroupPairs", "GroupId"), "cidr": ("IpRanges", "CidrIp"),
                      "cidr6": ("Ipv6Ranges", "CidrIpv6"), "prefix-list": ("PrefixListIds", "PrefixListId")}[self.kind]
        return {"IpProtocol": self.protocol, "FromPort": self.from_port, "ToPort": self.to_port,
                key: [dict(item, **{field: self.source})]}


def rules_of(group: dict) -> dict[Rule, str]:
    """``{rule: description}`` of a group's ingress permissions, one source each."""
    found: dict[Rule, str] = {}
    for perm in group.get("IpPermissions") or []:
        protocol = perm.get("IpProtocol", "-1")
        low, high = perm.get("FromPort", 0), perm.get("ToPort", 65535)
        low, high = (0, 65535) if protocol == "-1" else (low, high)
        for key, field, kind in (("UserIdGroupPairs", "GroupId", "group"), ("IpRanges", "CidrIp", "cidr"),
                                 ("Ipv6Ranges", "CidrIpv6", "cidr6"), ("PrefixListIds", "PrefixListId", "prefix-list")):
            for source in perm.get(key) or []:
                found[Rule(protocol, low, high, kind, source[field])] = source.get("Description") or ""
    return found


def labelled(description: str) -> bool:
    """The controller's ownership test: the description holds the pair ``elbv2.k8s.aws/targetGroupBinding=shared``
    among its ``key=value`` items (separated by commas)."""
    return LABEL in [part.strip() for part in description.split(",")]


def client(aws_url: str):
    session = boto3.session.Session(aws_access_key_id=config.LBC_ACCESS_KEY_ID,
                                    aws_secret_access_key=config.AWS_SECRET_ACCESS_KEY, region_name=config.AWS_REGION)
    return session.client("ec2", endpoint_url=aws_url, config=Config(retries={"max_attempts": 2},
                                                                      connect_timeout=5, read_timeout=30))


def tag_dict(resource: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def groups(ec2, vpc_id: str, **filters: str) -> list[dict]:
    wanted = [{"Name": "vpc-id", "Values": [vpc_id]}]
    wanted += [{"Name": f"tag:{key}", "Values": [value]} for key, value in filters.items()]
    return ec2.describe_security_groups(Filters=wanted)["SecurityGroups"]


def create_group(ec2, vpc_id: str, name: str, description: str, tags: dict[str, str]) -> str:
    return ec2.create_security_group(GroupName=name, Description=description, VpcId=vpc_id, TagSpecifications=[
        {"ResourceType": "security-group", "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}]
    )["GroupId"]


def apply(ec2, group_id: str, grant: list, revoke: list, description: str = "") -> None:
    """Authorize then revoke (the controller's order), one call each."""
    if grant:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[r.permission(description) for r in grant])
    if revoke:
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[r.permission() for r in revoke])
