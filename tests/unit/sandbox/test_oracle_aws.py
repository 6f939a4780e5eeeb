"""The AWS reachability oracle on the seeded demo-eks estate (moto in-process, over HTTP), one test per hop kind."""

from __future__ import annotations


import pytest

from sandbox import cli
from sandbox.oracle import reach_aws
from sandbox.seed import aws as seed_aws

INGRESS = "demo-eks/shop/storefront"
CLIENT = "203.0.113.9"


@pytest.fixture
def aws(eks):
    """moto and demo-eks seeded as `sandbox seed` does, the load balancer controller run once (it makes the ALB);
    yields (url, ids, boto3 clients)."""
    yield eks.url, eks.ids, seed_aws.clients(eks.url)


def _kinds(verdict) -> list[str]:
    """The hop kinds in order of first appearance."""
    return list(dict.fromkeys(hop.where for hop in verdict.hops))


def _blocked(verdict, where: str) -> list[str]:
    return [hop.what for hop in verdict.hops if hop.where == where and hop.what.startswith("BLOCKED")]


def test_a_public_client_reaches_the_storefront_ingress_in_troubleshooting_order(aws):
    url, ids, _ = aws
    verdict = reach_aws(url, CLIENT, INGRESS, 80)
    assert verdict.reachable, verdict.trace()
    assert verdict.path == "alb"
    assert _kinds(verdict) == ["client", "load balancer", "listener", "attachment", "security group", "network ACL",
                               "route"]
    front = [hop.what for hop in verdict.hops if hop.where == "security group" and hop.what.startswith(CLIENT)]
    assert front and all(f"{ids['security_groups']['frontend_storefront']} " in what and "tcp 80-80 from 0.0.0.0/0"
                         in what for what in front)
    routes = [hop.what for hop in verdict.hops if hop.where == "route" and hop.what.startswith(CLIENT)]
    assert routes and all(f"0.0.0.0/0 -> {ids['internet_gateway']}" in what for what in routes)
    # the seeded ACL of private-b cuts that worker off the api target group, the other worker still serves it
    cut = _blocked(verdict, "network ACL")
    assert cut and all(ids["instances"][1] in what and ":32050" in what for what in cut)


def test_b_load_balancer_without_its_frontend_group_is_stopped_at_the_attachment(aws):
    url, ids, clients = aws
    groups = ids["security_groups"]
    clients["elbv2"].set_security_groups(LoadBalancerArn=ids["load_balancer"]["arn"],
                                         SecurityGroups=[groups["backend"]])
    verdict = reach_aws(url, CLIENT, INGRESS, 80)
    assert not verdict.reachable
    assert verdict.decided_by.startswith("attachment:"), verdict.trace()
    assert f"{groups['frontend_storefront']} " in verdict.decided_by and "is not attached" in verdict.decided_by
    assert "security group" not in _kinds(verdict)


def test_c_missing_frontend_rule_is_named_at_the_security_group_hop(aws):
    url, ids, clients = aws
    frontend = ids["security_groups"]["frontend_storefront"]
    clients["ec2"].revoke_security_group_ingress(GroupId=frontend, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    verdict = reach_aws(url, CLIENT, INGRESS, 80)
    assert not verdict.reachable
    assert verdict.decided_by.startswith("security group:"), verdict.trace()
    assert "no inbound rule of" in verdict.decided_by and frontend in verdict.decided_by
    assert "tcp/80 from 203.0.113.9/32" in verdict.decided_by


def test_d_seeded_acl_of_private_b_denies_the_api_nodeport_at_rule_90(aws):
    url, ids, _ = aws
    verdict = reach_aws(url, ids["security_groups"]["backend"], ids["instances"][1], 32050)
    assert not verdict.reachable
    assert verdict.path == "instance"
    assert verdict.decided_by.startswith("network ACL:"), verdict.trace()
    assert ids["network_acls"]["private_b"] in verdict.decided_by and "rule 90 denies" in verdict.decided_by
    assert reach_aws(url, ids["security_groups"]["backend"], ids["instances"][1], 30080).reachable
    assert reach_aws(url, ids["security_groups"]["backend"], ids["instances"][0], 32050).reachable


def test_e_public_subnets_without_the_internet_route_are_stopped_at_the_route_hop(aws):
    url, ids, clients = aws
    clients["ec2"].delete_route(RouteTableId=ids["route_tables"]["public"], DestinationCidrBlock="0.0.0.0/0")
    verdict = reach_aws(url, CLIENT, INGRESS, 80)
    assert not verdict.reachable
    assert verdict.decided_by.startswith("route:"), verdict.trace()
    assert ids["route_tables"]["public"] in verdict.decided_by and "no route to 203.0.113.9/32" in verdict.decided_by
    assert reach_aws(url, "10.0.0.4", INGRESS, 80).reachable  # inside the VPC the local route still serves


def test_cli_parses_the_aws_form_and_keeps_the_kubernetes_form():
    args = cli.parser().parse_args(["reach", "--from-cidr", CLIENT, "--to-ingress", INGRESS, "--port", "80"])
    assert cli.reach_question(args) == (CLIENT, INGRESS, "tcp")
    args = cli.parser().parse_args(["reach", "--from-sg", "sg-1", "--to-ip", "10.0.32.4", "--port", "32050"])
    assert cli.reach_question(args) == ("sg-1", "10.0.32.4", "tcp")
    args = cli.parser().parse_args(["reach", "--from-pod", "a/b/c", "--to-service", "a/b/d", "--port", "80"])
    assert cli.reach_question(args) is None
    with pytest.raises(ValueError, match="do not mix"):
        cli.reach_question(cli.parser().parse_args(["reach", "--from-pod", "a/b/c", "--to-instance", "i-1",
                                                    "--port", "80"]))
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["reach", "--from-cidr", CLIENT, "--from-sg", "sg-1", "--to-ip", "10.0.0.4",
                                 "--port", "80"])
    assert cli.main(["reach", "--from-instance", "i-1", "--to-pod", "a/b/c", "--port", "80"]) == 1


def _address(clients, eni_id: str) -> str:
    return clients["ec2"].describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0][
        "PrivateIpAddress"]


def test_eks_made_the_cluster_group_and_the_control_plane_enis_as_eks_does(aws):
    url, ids, clients = aws
    config = clients["eks"].describe_cluster(name="demo-eks")["cluster"]["resourcesVpcConfig"]
    assert config["clusterSecurityGroupId"] == ids["security_groups"]["cluster"] and config["vpcId"] == ids["vpc_id"]
    group = clients["ec2"].describe_security_groups(GroupIds=[config["clusterSecurityGroupId"]])["SecurityGroups"][0]
    assert group["GroupName"].startswith("eks-cluster-sg-demo-eks-")
    assert {t["Key"]: t["Value"] for t in group["Tags"]}["aws:eks:cluster-name"] == "demo-eks"
    enis = clients["ec2"].describe_network_interfaces(NetworkInterfaceIds=ids["control_plane_enis"])[
        "NetworkInterfaces"]
    assert sorted(eni["SubnetId"] for eni in enis) == sorted([ids["subnets"]["private-a"], ids["subnets"]["private-b"]])
    assert all([g["GroupId"] for g in eni["Groups"]] == [group["GroupId"]] for eni in enis)


def test_h_a_sender_without_an_outbound_rule_is_stopped_at_the_security_group(aws):
    url, ids, clients = aws
    node, worker = ids["security_groups"]["node"], ids["instances"][0]
    api = _address(clients, ids["control_plane_enis"][0])
    assert reach_aws(url, worker, api, 443).reachable  # the seed: the cluster group admits 443 from the nodes
    clients["ec2"].revoke_security_group_egress(GroupId=node, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    verdict = reach_aws(url, worker, api, 443)
    assert not verdict.reachable and verdict.decided_by.startswith("security group:"), verdict.trace()
    assert f"no outbound rule of {node}" in verdict.decided_by
    clients["ec2"].authorize_security_group_egress(GroupId=node, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "UserIdGroupPairs": [{"GroupId": ids["security_groups"]["cluster"]}]}])
    verdict = reach_aws(url, worker, api, 443)
    assert verdict.reachable and "lets it out: tcp 443-443 to" in verdict.trace(), verdict.trace()
    other = ids["instances"][1]  # the other worker admits DNS from the node group, which may now send only 443
    verdict = reach_aws(url, worker, other, 53, "udp")
    assert not verdict.reachable and "no outbound rule" in verdict.decided_by, verdict.trace()
