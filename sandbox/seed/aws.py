"""The "before" estate of the EKS cluster ``demo-eks`` (us-east-1), as a busy platform team leaves it.

What it creates (docs/sandbox.md has the table):
- a VPC with two private and two public subnets, tagged for EKS and the load balancer controller;
- the EKS cluster (DescribeCluster); creating it makes, as EKS does, the cluster security group (named and
  tagged as EKS names and tags it, with its self-referencing rule) and two control-plane ENIs carrying it
  (``sandbox/services/aws_fidelity.py``); the seed adds the rule self-managed nodes need, 443 from the node
  group;
- the node security group (tagged ``kubernetes.io/cluster/demo-eks=owned``) with the usual node
  baseline and a hand-added rule that opens the whole NodePort range to 0.0.0.0/0;
- two worker instances whose primary ENI carries only the node security group;
- two hand-made frontend groups (``shop-alb-public``, ``shop-alb-office``) that the Ingresses with
  custom ``security-groups`` annotations name;
- routing and ACLs: an internet gateway, a public route table (0.0.0.0/0 -> igw) for the public subnets and
  a private one (local only) for the private subnets; the default network ACL (allow all) everywhere but
  private-b, whose ACL ``demo-eks-private-b`` denies inbound tcp 32050 (the NodePort of the ALB's ``/api/*``
  target group) at rule 90 before allowing everything at 100: a hardening attempt that cuts the api
  targets in private-b off from the ALB (docs/sandbox.md, "The AWS reachability oracle").

What the load balancer controller owns is not written here: `sandbox seed` runs the simulated controller once
after the Kubernetes side exists, and it makes the shared backend group, the managed frontend groups of
shop/storefront (80 and 443 from 0.0.0.0/0) and shop/catalog (80), its labelled node rule (tcp 30080-32050 from
the backend group) and the four ALBs with their target groups; ``controller_ids`` then records their ids.
"""

from __future__ import annotations

import boto3
from botocore.config import Config

from sandbox import config
from sandbox.seed import lbc_names

CLUSTER = config.EKS_CLUSTER
VPC_NAME = f"{CLUSTER}-vpc"
NODE_PORTS = (30080, 32050)  # the NodePorts of the two Ingress backends behind the ALB
PUBLIC_NODEPORT_RULE_DESCRIPTION = "temp: open nodeports for ALB debugging (ops ticket 4411)"
# Hand-made frontend groups that Ingresses shop/admin and shop/partner-api name in
# alb.ingress.kubernetes.io/security-groups (the controller resolves names by tag:Name + vpc-id).
CUSTOM_FRONTEND_GROUPS = ("shop-alb-public", "shop-alb-office")
OFFICE_CIDR = "203.0.113.0/24"
PRIVATE_B_ACL_DENY_RULE = 90  # the custom ACL of private-b denies the api NodePort (NODE_PORTS[1]) inbound


def clients(endpoint_url: str) -> dict:
    session = boto3.session.Session(aws_access_key_id=config.AWS_ACCESS_KEY_ID,
                                    aws_secret_access_key=config.AWS_SECRET_ACCESS_KEY,
                                    region_name=config.AWS_REGION)
    cfg = Config(retries={"mode": "standard", "max_attempts": 10})
    return {name: session.client(name, endpoint_url=endpoint_url, config=cfg) for name in ("ec2", "eks", "elbv2")}


def _tags(resource_type: str, tags: dict[str, str]) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _sg_pair(group_id: str) -> dict:
    return {"UserIdGroupPairs": [{"GroupId": group_id}]}


def _perm(protocol: str, from_port: int, to_port: int, source: dict, description: str = "") -> dict:
    """One IpPermission with a single source; the description goes on that source."""
    source = {key: [dict(item, **({"Description": description} if description else {})) for item in items]
              for key, items in source.items()}
    return {"IpProtocol": protocol, "FromPort": from_port, "ToPort": to_port, **source}


def find_existing(ec2) -> str | None:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [VPC_NAME]}])["Vpcs"]
    return vpcs[0]["VpcId"] if vpcs else None


def seed(endpoint_url: str) -> dict:
    """Create the estate; refuse to create it twice. Returns the ids of what was made."""
    aws = clients(endpoint_url)
    ec2 = aws["ec2"]
    existing = find_existing(ec2)
    if existing:
        raise RuntimeError(f"the AWS estate is already seeded (VPC {existing}); run `python -m sandbox reset` first")
    ids: dict = {"cluster_name": CLUSTER, "region": config.AWS_REGION}

    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=_tags("vpc", {
        "Name": VPC_NAME, f"kubernetes.io/cluster/{CLUSTER}": "shared"}))["Vpc"]["VpcId"]
    ids["vpc_id"] = vpc_id
    subnets = {}
    for name, cidr, zone, role in (
        ("private-a", "10.0.0.0/19", "us-east-1a", "kubernetes.io/role/internal-elb"),
        ("private-b", "10.0.32.0/19", "us-east-1b", "kubernetes.io/role/internal-elb"),
        ("public-a", "10.0.96.0/22", "us-east-1a", "kubernetes.io/role/elb"),
        ("public-b", "10.0.100.0/22", "us-east-1b", "kubernetes.io/role/elb"),
    ):
        subnets[name] = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone,
                                          TagSpecifications=_tags("subnet", {
                                              "Name": f"{CLUSTER}-{name}", role: "1",
                                              f"kubernetes.io/cluster/{CLUSTER}": "shared"}))["Subnet"]["SubnetId"]
    ids["subnets"] = subnets
    ids.update(_network(ec2, vpc_id, subnets))

    def group(name: str, description: str, tags: dict[str, str]) -> str:
        return ec2.create_security_group(GroupName=name, Description=description, VpcId=vpc_id,
                                         TagSpecifications=_tags("security-group", {"Name": name, **tags}))["GroupId"]

    aws["eks"].create_cluster(
        name=CLUSTER, version="1.31", roleArn=f"arn:aws:iam::{config.AWS_ACCOUNT_ID}:role/{CLUSTER}-cluster",
        resourcesVpcConfig={"subnetIds": list(subnets.values()), "securityGroupIds": [],
                            "endpointPublicAccess": True, "endpointPrivateAccess": True},
        kubernetesNetworkConfig={"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"},
        tags={"team": "platform"})
    cluster_sg = aws["eks"].describe_cluster(name=CLUSTER)["cluster"]["resourcesVpcConfig"]["clusterSecurityGroupId"]
    ids["control_plane_enis"] = [eni["NetworkInterfaceId"] for eni in ec2.describe_network_interfaces(Filters=[
        {"Name": "description", "Values": [f"Amazon EKS {CLUSTER}"]}])["NetworkInterfaces"]]
    node_sg = group(f"{CLUSTER}-node", "EKS node shared security group",
                    {f"kubernetes.io/cluster/{CLUSTER}": "owned"})
    public_sg = group(CUSTOM_FRONTEND_GROUPS[0], "ALB frontend for shop admin and partner APIs (public)", {})
    office_sg = group(CUSTOM_FRONTEND_GROUPS[1], "ALB frontend for shop admin (office only)", {})
    ids["security_groups"] = {"cluster": cluster_sg, "node": node_sg, "custom_public": public_sg,
                              "custom_office": office_sg}

    ec2.authorize_security_group_ingress(GroupId=node_sg, IpPermissions=[
        _perm("tcp", 443, 443, _sg_pair(cluster_sg), "Cluster API to node groups"),
        _perm("tcp", 10250, 10250, _sg_pair(cluster_sg), "Cluster API to node kubelets"),
        _perm("tcp", 53, 53, _sg_pair(node_sg), "Node to node CoreDNS"),
        _perm("udp", 53, 53, _sg_pair(node_sg), "Node to node CoreDNS UDP"),
        _perm("tcp", 1025, 65535, _sg_pair(node_sg), "Node to node ingress on ephemeral ports"),
        _perm("tcp", 9443, 9443, _sg_pair(cluster_sg), "Cluster API to node 9443/tcp webhook"),
        _perm("tcp", 30000, 32767, {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, PUBLIC_NODEPORT_RULE_DESCRIPTION),
    ])
    ec2.authorize_security_group_ingress(GroupId=cluster_sg, IpPermissions=[
        _perm("tcp", 443, 443, _sg_pair(node_sg), "Allow nodes to communicate with the cluster API Server")])
    ec2.authorize_security_group_ingress(GroupId=public_sg, IpPermissions=[
        _perm("tcp", 443, 443, {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "HTTPS from anywhere")])
    ec2.authorize_security_group_ingress(GroupId=office_sg, IpPermissions=[
        _perm("tcp", 443, 443, {"IpRanges": [{"CidrIp": OFFICE_CIDR}]}, "HTTPS from the office")])

    ids["instances"] = _workers(ec2, subnets, node_sg)
    return ids


def _network(ec2, vpc_id: str, subnets: dict) -> dict:
    """Internet gateway, route tables and the one custom network ACL; returns their ids."""
    igw = ec2.create_internet_gateway(TagSpecifications=_tags("internet-gateway", {"Name": f"{CLUSTER}-igw"}))
    igw_id = igw["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    tables = {}
    for role in ("public", "private"):
        tables[role] = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_tags("route-table", {
            "Name": f"{CLUSTER}-{role}"}))["RouteTable"]["RouteTableId"]
        for zone in ("a", "b"):
            ec2.associate_route_table(RouteTableId=tables[role], SubnetId=subnets[f"{role}-{zone}"])
    ec2.create_route(RouteTableId=tables["public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    default_acl = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                     {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
    acl = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=_tags("network-acl", {
        "Name": f"{CLUSTER}-private-b"}))["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=PRIVATE_B_ACL_DENY_RULE, Protocol="6",
                                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": NODE_PORTS[1], "To": NODE_PORTS[1]})
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                     Egress=egress, CidrBlock="0.0.0.0/0")
    association = next(a for a in default_acl["Associations"] if a["SubnetId"] == subnets["private-b"])
    ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)
    return {"internet_gateway": igw_id, "route_tables": tables,
            "network_acls": {"default": default_acl["NetworkAclId"], "private_b": acl}}


def _workers(ec2, subnets: dict, node_sg: str) -> list[str]:
    image = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-*"]}]
                                )["Images"][0]["ImageId"]
    instance_ids = []
    for index, subnet in enumerate((subnets["private-a"], subnets["private-b"])):
        instance = ec2.run_instances(
            ImageId=image, InstanceType="m5.large", MinCount=1, MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [node_sg]}],
            TagSpecifications=_tags("instance", {
                "Name": f"{CLUSTER}-default-node-{index}", "eks:cluster-name": CLUSTER,
                "eks:nodegroup-name": "default", f"kubernetes.io/cluster/{CLUSTER}": "owned"}))["Instances"][0]
        instance_ids.append(instance["InstanceId"])
    return instance_ids


def controller_ids(endpoint_url: str, ids: dict) -> dict:
    """Add what the load balancer controller made to the seed's ids: the backend and managed frontend groups
    (``security_groups.backend``, ``frontend_storefront``, ``frontend_catalog``) and shop/storefront's ALB
    (``load_balancer``: arn, DNS name, target groups by NodePort)."""
    aws = clients(endpoint_url)
    groups = aws["ec2"].describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [ids["vpc_id"]]}, {"Name": "tag:elbv2.k8s.aws/cluster", "Values": [CLUSTER]}])
    for group in groups["SecurityGroups"]:
        tags = {t["Key"]: t["Value"] for t in group.get("Tags") or []}
        if tags.get("elbv2.k8s.aws/resource") == "backend-sg":
            ids["security_groups"]["backend"] = group["GroupId"]
        elif tags.get("ingress.k8s.aws/resource") == "ManagedLBSecurityGroup":
            ids["security_groups"]["frontend_" + tags["ingress.k8s.aws/stack"].split("/")[1]] = group["GroupId"]
    elbv2 = aws["elbv2"]
    name = lbc_names.load_balancer_name(CLUSTER, "shop/storefront", False, "internet-facing")
    lb = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]
    target_groups = elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    ids["load_balancer"] = {"arn": lb["LoadBalancerArn"], "dns_name": lb["DNSName"],
                            "target_groups": {str(tg["Port"]): tg["TargetGroupArn"] for tg in target_groups}}
    return ids
