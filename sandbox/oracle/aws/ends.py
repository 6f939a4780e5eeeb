"""The ends of a leg as EC2 shows them: the client, a target of a target group, an instance or an ENI address.

An ENI end carries the ENI's groups, subnet and private address (an instance is its primary ENI, device
index 0; a pod IP is the ENI holding it as a secondary address). A CIDR client lies inside a subnet of a VPC
or outside every VPC (the internet); a security-group client is something carrying the group: the first ENI
that does, or, when none does, an end with no address that only group references and 0.0.0.0/0 match.
"""

from __future__ import annotations

import ipaddress

from sandbox.oracle.aws.hops import End
from sandbox.oracle.aws.state import AwsState


def eni_end(state: AwsState, eni: dict, label: str) -> End:
    public = bool((eni.get("Association") or {}).get("PublicIp"))
    return End(label, ipaddress.ip_network(eni["PrivateIpAddress"]), tuple(g["GroupId"] for g in eni["Groups"]),
               eni["SubnetId"], eni["VpcId"], public)


def source_end(state: AwsState, source: str) -> End:
    """The client: a security group, an instance, or a CIDR (inside a subnet of a VPC, or outside every VPC)."""
    if source.startswith("sg-"):
        if source not in state.groups:
            raise ValueError(f"no security group {source}")
        carriers = state.enis_with_group(source)
        if carriers:
            return eni_end(state, carriers[0], f"{source} on {carriers[0]['NetworkInterfaceId']}")
        return End(source, None, (source,), None, state.groups[source]["VpcId"])
    if source.startswith("i-"):
        return eni_end(state, state.primary_eni(source), source)
    network = ipaddress.ip_network(source, strict=False)
    vpc = state.vpc_of_network(network)
    if vpc is None and any(network.overlaps(cidr) for cidr in state.vpcs.values()):
        raise ValueError(f"{source} straddles a VPC's CIDR")
    subnet = state.subnet_containing(network) if vpc else None
    if vpc and subnet is None:
        raise ValueError(f"{source} is inside VPC {vpc} but in none of its subnets")
    return End(str(network), network, (), subnet, vpc)


def target_end(state: AwsState, group: dict, target: dict) -> End:
    """A registered target: an instance (its primary ENI) or, for ``ip`` target groups, the ENI holding it."""
    if group["TargetType"] == "instance":
        return eni_end(state, state.primary_eni(target["Id"]), target["Id"])
    eni = state.eni_holding(target["Id"])
    if eni is None:
        raise ValueError(f"no network interface holds target address {target['Id']}")
    return eni_end(state, eni, target["Id"])


def direct_end(state: AwsState, target: str) -> End:
    """A target asked for directly: an instance (i-...) or an address held by an ENI (a pod IP)."""
    if target.startswith("i-"):
        return eni_end(state, state.primary_eni(target), target)
    eni = state.eni_holding(target)
    if eni is None:
        raise ValueError(f"no network interface holds {target}")
    owner = (eni.get("Attachment") or {}).get("InstanceId")
    return eni_end(state, eni, f"{target} on {owner or eni['NetworkInterfaceId']}")
