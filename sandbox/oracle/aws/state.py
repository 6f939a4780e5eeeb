"""The AWS network state one question needs, read once over HTTP with boto3 (never from moto's models).

What is read: the VPCs, subnets, security groups, network interfaces, network ACLs, route tables and
internet gateways of EC2, and the load balancers, their tags, listeners, listener rules, target groups and
registered targets of ELBv2, with the attributes of NLBs and their target groups (cross-zone load balancing,
client IP preservation). Lookups follow EC2's own rules:

- a subnet without an explicit route-table association uses its VPC's main route table;
- every subnet is associated with exactly one network ACL (the VPC's default one unless replaced);
- an instance's security groups, for traffic to it, are those of the ENI the traffic reaches: the primary
  ENI (device index 0) for an instance target, the ENI holding the address for an IP target.
"""

from __future__ import annotations

import ipaddress

import boto3
from botocore.config import Config

from sandbox import config


def _clients(endpoint: str) -> tuple:
    session = boto3.session.Session(aws_access_key_id=config.ORACLE_ACCESS_KEY_ID,
                                    aws_secret_access_key=config.AWS_SECRET_ACCESS_KEY,
                                    region_name=config.AWS_REGION)
    cfg = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)
    return session.client("ec2", endpoint_url=endpoint, config=cfg), \
        session.client("elbv2", endpoint_url=endpoint, config=cfg)


def _tags(items: list[dict] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in items or []}


def _forwarded(actions: list[dict] | None) -> list[str]:
    """The target group ARNs the forward actions send to, in order, once each."""
    arns = [arn for action in actions or [] for arn in [action.get("TargetGroupArn")] + [
        tg["TargetGroupArn"] for tg in (action.get("ForwardConfig") or {}).get("TargetGroups") or []]]
    return list(dict.fromkeys(a for a in arns if a))


def _condition_values(condition: dict) -> list[str]:
    """The values of a listener rule condition, given flat (``Values``) or in its ``...Config``."""
    values = list(condition.get("Values") or [])
    for key, config in condition.items():
        if key.endswith("Config") and isinstance(config, dict):
            values += config.get("Values") or []
    return list(dict.fromkeys(values))


class AwsState:
    """A snapshot of EC2 and ELBv2 as describe calls show them; ELBv2 details are read on demand."""

    def __init__(self, endpoint: str):
        self.ec2, self.elbv2 = _clients(endpoint)
        ec2 = self.ec2
        self.vpcs = {v["VpcId"]: ipaddress.ip_network(v["CidrBlock"]) for v in ec2.describe_vpcs()["Vpcs"]}
        self.subnets = {s["SubnetId"]: s for s in ec2.describe_subnets()["Subnets"]}
        self.groups = {g["GroupId"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
        self.enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
        self.nacls = ec2.describe_network_acls()["NetworkAcls"]
        self.route_tables = ec2.describe_route_tables()["RouteTables"]
        self.igws = ec2.describe_internet_gateways()["InternetGateways"]
        self.instances = {i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"]
                          for i in r["Instances"]}
        self._load_balancers: list[dict] | None = None

    # --- EC2 ---------------------------------------------------------------------------------------------
    def subnet_name(self, subnet_id: str | None) -> str:
        if subnet_id is None:
            return "outside the VPC"
        name = _tags(self.subnets[subnet_id].get("Tags")).get("Name")
        return f"{subnet_id} ({name})" if name else subnet_id

    def short_subnet(self, subnet_id: str | None) -> str:
        """The subnet's Name tag without the cluster prefix, e.g. ``public-a``, else its id."""
        if subnet_id is None:
            return "outside the VPC"
        name = _tags(self.subnets[subnet_id].get("Tags")).get("Name", subnet_id)
        return name.removeprefix(f"{config.EKS_CLUSTER}-")

    def subnet_zone(self, subnet_id: str | None) -> str | None:
        return self.subnets[subnet_id]["AvailabilityZone"] if subnet_id else None

    def subnet_cidr(self, subnet_id: str) -> ipaddress.IPv4Network:
        return ipaddress.ip_network(self.subnets[subnet_id]["CidrBlock"])

    def subnet_containing(self, network) -> str | None:
        """The subnet whose CIDR holds every address of ``network``, if any."""
        for subnet_id, subnet in self.subnets.items():
            if network.subnet_of(ipaddress.ip_network(subnet["CidrBlock"])):
                return subnet_id
        return None

    def vpc_of_network(self, network) -> str | None:
        return next((vpc for vpc, cidr in self.vpcs.items() if network.subnet_of(cidr)), None)

    def group_label(self, group_id: str) -> str:
        group = self.groups.get(group_id)
        return f"{group_id} ({group['GroupName']})" if group else f"{group_id} (unknown)"

    def group_tags(self, group_id: str) -> dict[str, str]:
        return _tags(self.groups.get(group_id, {}).get("Tags"))

    def primary_eni(self, instance_id: str) -> dict:
        instance = self.instances.get(instance_id)
        if instance is None:
            raise ValueError(f"no instance {instance_id}")
        enis = instance.get("NetworkInterfaces") or []
        primary = next((e for e in enis if e["Attachment"]["DeviceIndex"] == 0), None)
        if primary is None:
            raise ValueError(f"instance {instance_id} has no primary network interface")
        return primary

    def eni_holding(self, address: str) -> dict | None:
        """The ENI with ``address`` as its primary or a secondary private address (VPC CNI pod IPs)."""
        for eni in self.enis:
            if any(item["PrivateIpAddress"] == address for item in eni.get("PrivateIpAddresses") or []):
                return eni
        return None

    def enis_with_group(self, group_id: str) -> list[dict]:
        return [e for e in self.enis if any(g["GroupId"] == group_id for g in e.get("Groups") or [])]

    def nacl_of(self, subnet_id: str) -> dict:
        for nacl in self.nacls:
            if any(a.get("SubnetId") == subnet_id for a in nacl.get("Associations") or []):
                return nacl
        vpc = self.subnets[subnet_id]["VpcId"]
        return next(n for n in self.nacls if n["VpcId"] == vpc and n.get("IsDefault"))

    def route_table_of(self, subnet_id: str) -> tuple[dict, bool]:
        """The subnet's route table, and whether it is the VPC's main one (no explicit association)."""
        for table in self.route_tables:
            if any(a.get("SubnetId") == subnet_id for a in table.get("Associations") or []):
                return table, False
        vpc = self.subnets[subnet_id]["VpcId"]
        main = next(t for t in self.route_tables if t["VpcId"] == vpc
                    and any(a.get("Main") for a in t.get("Associations") or []))
        return main, True

    def igw_attached(self, igw_id: str, vpc_id: str) -> bool:
        return any(igw["InternetGatewayId"] == igw_id and any(
            a.get("VpcId") == vpc_id and a.get("State", "available") in ("available", "attached")
            for a in igw.get("Attachments") or []) for igw in self.igws)

    # --- ELBv2 -------------------------------------------------------------------------------------------
    def load_balancers(self) -> list[dict]:
        """Every load balancer (ALB and NLB), read once."""
        if self._load_balancers is None:
            pages = self.elbv2.get_paginator("describe_load_balancers").paginate()
            self._load_balancers = [lb for page in pages for lb in page["LoadBalancers"]]
        return self._load_balancers

    def load_balancer_tags(self, lb_arn: str) -> dict[str, str]:
        return _tags(self.elbv2.describe_tags(ResourceArns=[lb_arn])["TagDescriptions"][0]["Tags"])

    def load_balancer_tagged(self, cluster: str, key: str, stack: str) -> tuple[dict, dict[str, str]]:
        """The load balancer (and its tags) the controller tagged ``elbv2.k8s.aws/cluster=cluster`` and
        ``key=stack``: ``ingress.k8s.aws/stack`` for an ALB, ``service.k8s.aws/stack`` for an NLB."""
        lbs = self.load_balancers()
        for start in range(0, len(lbs), 20):
            batch = {lb["LoadBalancerArn"]: lb for lb in lbs[start:start + 20]}
            for described in self.elbv2.describe_tags(ResourceArns=list(batch))["TagDescriptions"]:
                tags = _tags(described["Tags"])
                if tags.get(key) == stack and tags.get("elbv2.k8s.aws/cluster") == cluster:
                    return batch[described["ResourceArn"]], tags
        raise ValueError(f"no load balancer tagged elbv2.k8s.aws/cluster={cluster}, {key}={stack}")

    def load_balancer_by_dns(self, hostname: str) -> dict | None:
        """The load balancer whose DNSName is ``hostname`` (case and a trailing dot do not matter)."""
        wanted = hostname.lower().rstrip(".")
        return next((lb for lb in self.load_balancers() if lb.get("DNSName", "").lower().rstrip(".") == wanted),
                    None)

    def load_balancer_attribute(self, lb_arn: str, key: str) -> str | None:
        attributes = self.elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb_arn)["Attributes"]
        return next((item["Value"] for item in attributes if item["Key"] == key), None)

    def target_group_attributes(self, arn: str) -> dict[str, str]:
        attributes = self.elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        return {item["Key"]: item["Value"] for item in attributes}

    def listener(self, lb_arn: str, port: int) -> dict | None:
        listeners = self.elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]
        return next((item for item in listeners if item["Port"] == port), None)

    def forwarded_target_groups(self, listener: dict) -> list[tuple[str, str]]:
        """(target group ARN, which rule) for every forward action of the listener, default first."""
        found: list[tuple[str, str]] = []
        rules = self.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        for rule in sorted(rules, key=lambda r: (not r.get("IsDefault"), r.get("Priority", ""))):
            label = "default" if rule.get("IsDefault") else f"rule {rule['Priority']} " + " ".join(
                v for c in rule.get("Conditions") or [] for v in _condition_values(c))
            found += [(arn, label) for arn in _forwarded(rule.get("Actions")) if arn not in dict(found)]
        return found

    def default_target_groups(self, listener: dict) -> list[tuple[str, str]]:
        """(target group ARN, "default") for the listener's default forward action: an NLB listener has no
        rules."""
        return [(arn, "default") for arn in _forwarded(listener.get("DefaultActions"))]

    def target_group(self, arn: str) -> tuple[dict, list[dict]]:
        group = self.elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
        targets = self.elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        return group, [item["Target"] for item in targets]
