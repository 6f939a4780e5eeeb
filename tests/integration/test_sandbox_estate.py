"""The seeded 'before' estate matches what EKS and the load balancer controller would have left."""

import hashlib
import json
import pathlib
import urllib.request

from conftest import run_cli

CLUSTER = "demo-eks"


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def rules_of(group):
    """(protocol, from, to, source, description) per source of each inbound permission."""
    out = set()
    for perm in group["IpPermissions"]:
        key = (perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"))
        for pair in perm["UserIdGroupPairs"]:
            out.add(key + (pair["GroupId"], pair.get("Description", "")))
        for cidr in perm["IpRanges"]:
            out.add(key + (cidr["CidrIp"], cidr.get("Description", "")))
    return out


def test_backend_group_has_the_controllers_exact_name_and_tags(seeded, aws):
    ec2 = aws("ec2")
    expected_name = "k8s-traffic-demoeks-" + hashlib.sha256(CLUSTER.encode()).hexdigest()[:10]
    found = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [seeded["vpc_id"]]},
        {"Name": "tag:elbv2.k8s.aws/cluster", "Values": [CLUSTER]},
        {"Name": "tag:elbv2.k8s.aws/resource", "Values": ["backend-sg"]}])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [seeded["security_groups"]["backend"]]
    backend = found[0]
    assert backend["GroupName"] == expected_name
    assert backend["Description"] == "[k8s] Shared Backend SecurityGroup for LoadBalancer"
    assert tags(backend) == {"elbv2.k8s.aws/cluster": CLUSTER, "elbv2.k8s.aws/resource": "backend-sg"}
    assert backend["IpPermissions"] == []


def test_node_group_rules_tags_and_enis(seeded, aws):
    ec2 = aws("ec2")
    sgs = seeded["security_groups"]
    node = ec2.describe_security_groups(GroupIds=[sgs["node"]])["SecurityGroups"][0]
    assert tags(node)[f"kubernetes.io/cluster/{CLUSTER}"] == "owned"
    rules = rules_of(node)
    assert ("tcp", 30080, 32050, sgs["backend"], "elbv2.k8s.aws/targetGroupBinding=shared") in rules
    public = [r for r in rules if r[3] == "0.0.0.0/0"]
    assert [(r[0], r[1], r[2]) for r in public] == [("tcp", 30000, 32767)]
    assert "kubeguard:" not in public[0][4]  # hand-made: no collection marker
    assert ("tcp", 10250, 10250, sgs["cluster"], "Cluster API to node kubelets") in rules

    enis = ec2.describe_network_interfaces(Filters=[
        {"Name": "attachment.instance-id", "Values": seeded["instances"]}])["NetworkInterfaces"]
    assert len(enis) == 2
    for eni in enis:
        assert eni["Attachment"]["DeviceIndex"] == 0
        assert [g["GroupId"] for g in eni["Groups"]] == [sgs["node"]]


def test_exactly_one_group_on_the_node_enis_carries_the_cluster_tag(seeded, aws):
    ec2 = aws("ec2")
    tagged = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [seeded["vpc_id"]]},
        {"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{CLUSTER}"]}])["SecurityGroups"]
    # the cluster group and the node group are both tagged, as on a real cluster, but only one is on the nodes
    assert {g["GroupId"] for g in tagged} == {seeded["security_groups"]["cluster"], seeded["security_groups"]["node"]}


def test_cluster_group_is_named_and_tagged_like_eks(seeded, aws):
    group = aws("ec2").describe_security_groups(GroupIds=[seeded["security_groups"]["cluster"]])["SecurityGroups"][0]
    assert group["GroupName"].startswith(f"eks-cluster-sg-{CLUSTER}-")
    assert tags(group) == {"Name": group["GroupName"], f"kubernetes.io/cluster/{CLUSTER}": "owned",
                           "aws:eks:cluster-name": CLUSTER}
    assert rules_of(group) == {("-1", None, None, group["GroupId"], ""),
                               ("tcp", 443, 443, seeded["security_groups"]["node"],
                                "Allow nodes to communicate with the cluster API Server")}
    config = aws("eks").describe_cluster(name=CLUSTER)["cluster"]["resourcesVpcConfig"]
    assert config["clusterSecurityGroupId"] == group["GroupId"] and config["vpcId"] == seeded["vpc_id"]


def test_managed_frontend_group_is_open_to_the_world_on_80_and_443(seeded, aws):
    group = aws("ec2").describe_security_groups(
        GroupIds=[seeded["security_groups"]["frontend_storefront"]])["SecurityGroups"][0]
    assert tags(group)["ingress.k8s.aws/resource"] == "ManagedLBSecurityGroup"
    assert tags(group)["ingress.k8s.aws/stack"] == "shop/storefront"
    assert group["Description"] == "[k8s] Managed SecurityGroup for LoadBalancer"
    assert rules_of(group) == {("tcp", 80, 80, "0.0.0.0/0", ""), ("tcp", 443, 443, "0.0.0.0/0", "")}


def test_eks_cluster_and_alb_are_described(seeded, aws):
    cluster = aws("eks").describe_cluster(name=CLUSTER)["cluster"]
    assert sorted(cluster["resourcesVpcConfig"]["subnetIds"]) == sorted(seeded["subnets"].values())
    lb = aws("elbv2").describe_load_balancers(LoadBalancerArns=[seeded["load_balancer"]["arn"]])["LoadBalancers"][0]
    assert sorted(lb["SecurityGroups"]) == sorted([seeded["security_groups"]["frontend_storefront"],
                                                   seeded["security_groups"]["backend"]])
    ports = sorted(tg["Port"] for tg in aws("elbv2").describe_target_groups(
        LoadBalancerArn=seeded["load_balancer"]["arn"])["TargetGroups"])
    assert ports == [30080, 32050]


def test_the_controller_made_an_alb_per_ingress_and_wrote_its_address_back(sandbox_env, seeded, aws):
    """The seed ran the simulated controller once: each Ingress's status names its own ALB."""
    url = json.loads((pathlib.Path(sandbox_env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "endpoints.json").read_text())
    with urllib.request.urlopen(url["k8s:demo-eks"] + "/apis/networking.k8s.io/v1/namespaces/shop/ingresses",
                                timeout=10) as answer:
        ingresses = json.load(answer)["items"]
    addresses = {i["metadata"]["name"]: i["status"]["loadBalancer"]["ingress"][0]["hostname"] for i in ingresses}
    lbs = {lb["DNSName"]: lb for lb in aws("elbv2").describe_load_balancers()["LoadBalancers"]}
    assert sorted(addresses) == ["admin", "catalog", "partner-api", "storefront"]
    assert all(lbs[address]["Type"] == "application" for address in addresses.values())
    assert len(set(addresses.values())) == 4 and addresses["storefront"] == seeded["load_balancer"]["dns_name"]


def test_seed_refuses_to_run_twice_and_leaves_counters_clean(sandbox_env, seeded, admin):
    assert admin.calls()["totals"] == {"reads": 0, "writes": 0, "faults": 0}
    again = run_cli("seed", env=sandbox_env, check=False)
    assert again.returncode == 1
    assert "already seeded" in again.stderr


def test_custom_frontend_groups_resolve_by_name_tag_like_the_controller(seeded, aws):
    """Ingresses shop/admin and shop/partner-api name these groups; the controller looks them up by tag:Name."""
    ec2 = aws("ec2")
    for name, key in (("shop-alb-public", "custom_public"), ("shop-alb-office", "custom_office")):
        found = ec2.describe_security_groups(Filters=[{"Name": "tag:Name", "Values": [name]},
                                                      {"Name": "vpc-id", "Values": [seeded["vpc_id"]]}])
        assert [g["GroupId"] for g in found["SecurityGroups"]] == [seeded["security_groups"][key]]
    catalog = ec2.describe_security_groups(GroupIds=[seeded["security_groups"]["frontend_catalog"]])
    assert tags(catalog["SecurityGroups"][0])["ingress.k8s.aws/stack"] == "shop/catalog"
