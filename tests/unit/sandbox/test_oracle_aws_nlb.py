"""The AWS reachability oracle on Services (NLBs) and on load balancers found through a Kubernetes status.

The estate is built here with boto3 on moto (in-process, over HTTP), independent of the seed: a VPC with a
public and a private subnet in each of two zones, an internet gateway for the public ones, a worker in each
private subnet carrying the node group, and the NLB of Service shop/ledger (TCP 80 -> NodePort 31000 on both
workers) with a frontend group open on 80 and the backend group, which the node group admits on NodePorts, as
the load balancer controller leaves them.
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from sandbox import cli
from sandbox.oracle import reach_aws
from sandbox.seed import aws as seed_aws

CLUSTER = "demo-eks"
SERVICE = f"{CLUSTER}/shop/ledger"
CLIENT = "203.0.113.9"
NODE_PORT = 31000


def _tags(kind: str, tags: dict) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def _perm(protocol: str, low: int, high: int, cidr: str | None = None, group: str | None = None) -> dict:
    source = {"IpRanges": [{"CidrIp": cidr}]} if cidr else {"UserIdGroupPairs": [{"GroupId": group}]}
    return {"IpProtocol": protocol, "FromPort": low, "ToPort": high, **source}


def _network(ec2) -> dict:
    """VPC, subnets (public-a/b, private-a/b), an internet gateway and the public route table."""
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = {name: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone, TagSpecifications=_tags(
        "subnet", {"Name": f"{CLUSTER}-{name}"}))["Subnet"]["SubnetId"]
               for name, cidr, zone in (("public-a", "10.1.0.0/24", "us-east-1a"),
                                        ("public-b", "10.1.1.0/24", "us-east-1b"),
                                        ("private-a", "10.1.10.0/24", "us-east-1a"),
                                        ("private-b", "10.1.11.0/24", "us-east-1b"))}
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for zone in "ab":
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[f"public-{zone}"])
    return {"vpc": vpc, "subnets": subnets}


def _groups(ec2, vpc: str) -> dict:
    """The NLB's frontend group, the controller's backend group and the node group (NodePorts from backend)."""
    def group(name: str, tags: dict) -> str:
        return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc,
                                         TagSpecifications=_tags("security-group", tags))["GroupId"]

    groups = {"frontend": group("k8s-shop-ledger", {"service.k8s.aws/stack": "shop/ledger"}),
              "backend": group("k8s-traffic-demoeks", {"elbv2.k8s.aws/resource": "backend-sg"}),
              "node": group("demo-eks-node", {f"kubernetes.io/cluster/{CLUSTER}": "owned"})}
    ec2.authorize_security_group_ingress(GroupId=groups["frontend"], IpPermissions=[_perm("tcp", 80, 80, "0.0.0.0/0")])
    ec2.authorize_security_group_ingress(GroupId=groups["node"], IpPermissions=[
        _perm("tcp", 30000, 32767, group=groups["backend"])])
    return groups


def _workers(ec2, subnets: dict, node_group: str) -> dict:
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    workers = {}
    for zone in "ab":
        interface = {"DeviceIndex": 0, "SubnetId": subnets[f"private-{zone}"], "Groups": [node_group]}
        workers[zone] = ec2.run_instances(ImageId=image, InstanceType="m5.large", MinCount=1, MaxCount=1,
                                          NetworkInterfaces=[interface])["Instances"][0]["InstanceId"]
    return workers


def _nlb(elbv2, estate: dict, name: str, zones: str, groups: list[str], workers: list[str]) -> dict:
    """An internet-facing NLB tagged as the controller tags Service shop/<name>: TCP 80 -> instance targets."""
    tags = [{"Key": "elbv2.k8s.aws/cluster", "Value": CLUSTER},
            {"Key": "service.k8s.aws/stack", "Value": f"shop/{name}"},
            {"Key": "service.k8s.aws/resource", "Value": "LoadBalancer"}]
    lb = elbv2.create_load_balancer(Name=f"k8s-shop-{name}", Type="network", Scheme="internet-facing",
                                    Subnets=[estate["subnets"][f"public-{z}"] for z in zones], SecurityGroups=groups,
                                    Tags=tags)["LoadBalancers"][0]
    group = elbv2.create_target_group(Name=f"k8s-shop-{name}-tg", Protocol="TCP", Port=NODE_PORT, VpcId=estate["vpc"],
                                      TargetType="instance")["TargetGroups"][0]
    elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": i} for i in workers])
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="TCP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    return lb


def _alb(elbv2, estate: dict, stack: str, groups: list[str]) -> dict:
    """An ALB of the explicit IngressGroup ``stack``: HTTP 80 -> NodePort 30080 on both workers."""
    tags = [{"Key": "elbv2.k8s.aws/cluster", "Value": CLUSTER}, {"Key": "ingress.k8s.aws/stack", "Value": stack}]
    lb = elbv2.create_load_balancer(Name=f"k8s-{stack}", Scheme="internet-facing", SecurityGroups=groups,
                                    Subnets=[estate["subnets"]["public-a"], estate["subnets"]["public-b"]],
                                    Tags=tags)["LoadBalancers"][0]
    group = elbv2.create_target_group(Name=f"k8s-{stack}-tg", Protocol="HTTP", Port=30080, VpcId=estate["vpc"],
                                      TargetType="instance")["TargetGroups"][0]
    elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"],
                           Targets=[{"Id": i} for i in estate["workers"].values()])
    elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    return lb


@pytest.fixture
def aws(moto):
    """The estate of this module; a dict of ids with ``url``, ``ec2``, ``elbv2`` and the ledger NLB."""
    clients = seed_aws.clients(moto.url)
    estate = _network(clients["ec2"])
    estate["groups"] = _groups(clients["ec2"], estate["vpc"])
    estate["workers"] = _workers(clients["ec2"], estate["subnets"], estate["groups"]["node"])
    estate["nlb"] = _nlb(clients["elbv2"], estate, "ledger", "ab",
                         [estate["groups"]["frontend"], estate["groups"]["backend"]], list(estate["workers"].values()))
    return dict(estate, url=moto.url, ec2=clients["ec2"], elbv2=clients["elbv2"])


@pytest.fixture
def kube():
    """A tiny Kubernetes API: GET of the paths put in the yielded dict returns their object, anything else 404."""
    objects: dict[str, dict] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the name http.server calls
            found = objects.get(self.path)
            body = json.dumps(found or {"kind": "Status", "code": 404}).encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", objects
    server.shutdown()
    server.server_close()


def _ingress(name: str, group: str, hostname: str | None) -> dict:
    status = {"loadBalancer": {"ingress": [{"hostname": hostname}]}} if hostname else {"loadBalancer": {}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "status": status,
            "metadata": {"namespace": "shop", "name": name, "annotations": {
                "alb.ingress.kubernetes.io/group.name": group}}}


def _hops(verdict, where: str) -> list[str]:
    return [hop.what for hop in verdict.hops if hop.where == where]


def test_a_client_reaches_the_services_nlb_through_its_groups_and_the_backend_rule(aws):
    verdict = reach_aws(aws["url"], CLIENT, SERVICE, 80, target_kind="service")
    assert verdict.reachable, verdict.trace()
    assert verdict.path == "nlb"
    assert list(dict.fromkeys(hop.where for hop in verdict.hops)) == [
        "client", "load balancer", "listener", "cross-zone", "attachment", "security group", "network ACL", "route"]
    assert "found by its tags elbv2.k8s.aws/cluster=demo-eks, service.k8s.aws/stack=shop/ledger" in \
        _hops(verdict, "load balancer")[0]
    assert any("cross-zone load balancing off" in what for what in _hops(verdict, "load balancer"))
    front = [what for what in _hops(verdict, "security group") if what.startswith(CLIENT)]
    assert front and all(f"{aws['groups']['frontend']} " in what and "tcp 80-80 from 0.0.0.0/0" in what
                         for what in front)
    back = [what for what in _hops(verdict, "security group") if f":{NODE_PORT}" in what]
    assert len(back) == 2 and all(f"from {aws['groups']['backend']}" in what for what in back)
    # cross-zone off: each node serves only the worker of its own zone
    assert sorted(_hops(verdict, "cross-zone")) == sorted(
        f"k8s-shop-ledger-tg: {aws['workers'][z]} in us-east-1{z} is served by k8s-shop-ledger@public-{z} only"
        for z in "ab")


def test_b_a_node_group_without_the_backend_rule_stops_the_nlb_at_the_security_group_hop(aws):
    aws["ec2"].revoke_security_group_ingress(GroupId=aws["groups"]["node"], IpPermissions=[
        _perm("tcp", 30000, 32767, group=aws["groups"]["backend"])])
    verdict = reach_aws(aws["url"], CLIENT, SERVICE, 80, target_kind="service")
    assert not verdict.reachable
    assert verdict.decided_by.startswith("security group: target group k8s-shop-ledger-tg:"), verdict.trace()
    assert f"no inbound rule of {aws['groups']['node']} " in verdict.decided_by


def test_c_a_udp_question_to_a_tcp_listener_is_stopped_at_the_listener(aws):
    verdict = reach_aws(aws["url"], CLIENT, SERVICE, 80, "udp", target_kind="service")
    assert not verdict.reachable and verdict.path == "none"
    assert verdict.decided_by == "listener: k8s-shop-ledger listens on TCP:80, which does not carry udp"
    assert not _hops(verdict, "security group") and not _hops(verdict, "attachment")


def test_d_without_cross_zone_a_node_does_not_reach_a_target_in_another_zone(aws):
    # the NLB has a node in zone a only; its one target is the worker in zone b
    lb = _nlb(aws["elbv2"], aws, "zonal", "a", [aws["groups"]["frontend"], aws["groups"]["backend"]],
              [aws["workers"]["b"]])
    verdict = reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/zonal", 80, target_kind="service")
    assert not verdict.reachable
    assert verdict.decided_by.startswith("cross-zone: k8s-shop-zonal-tg:"), verdict.trace()
    assert aws["workers"]["b"] in verdict.decided_by and "us-east-1b" in verdict.decided_by
    aws["elbv2"].modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
        {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}])
    verdict = reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/zonal", 80, target_kind="service")
    assert verdict.reachable, verdict.trace()
    assert any("cross-zone load balancing on" in what for what in _hops(verdict, "load balancer"))
    assert not _hops(verdict, "cross-zone")


def test_e_an_nlb_without_groups_needs_the_node_group_to_admit_the_client_address(aws):
    _nlb(aws["elbv2"], aws, "open", "ab", [], list(aws["workers"].values()))
    target = f"{CLUSTER}/shop/open"
    verdict = reach_aws(aws["url"], CLIENT, target, 80, target_kind="service")
    assert not verdict.reachable
    assert any("no frontend check" in what for what in _hops(verdict, "attachment")), verdict.trace()
    # the node rule names the backend group, which an NLB without groups cannot carry
    assert verdict.decided_by.startswith("attachment: target group k8s-shop-open-tg:"), verdict.trace()
    assert aws["groups"]["backend"] in verdict.decided_by
    # the NLB's own subnets do not help: instance targets see the client's address (client IP preservation)
    aws["ec2"].revoke_security_group_ingress(GroupId=aws["groups"]["node"], IpPermissions=[
        _perm("tcp", 30000, 32767, group=aws["groups"]["backend"])])
    for cidr in ("10.1.0.0/24", "10.1.1.0/24"):
        aws["ec2"].authorize_security_group_ingress(GroupId=aws["groups"]["node"], IpPermissions=[
            _perm("tcp", NODE_PORT, NODE_PORT, cidr)])
    verdict = reach_aws(aws["url"], CLIENT, target, 80, target_kind="service")
    assert not verdict.reachable
    assert verdict.decided_by.startswith("security group: target group k8s-shop-open-tg:"), verdict.trace()
    assert "from 203.0.113.9/32 (the client's, preserved by k8s-shop-open@public-" in verdict.decided_by
    aws["ec2"].authorize_security_group_ingress(GroupId=aws["groups"]["node"], IpPermissions=[
        _perm("tcp", NODE_PORT, NODE_PORT, "203.0.113.0/24")])
    verdict = reach_aws(aws["url"], CLIENT, target, 80, target_kind="service")
    assert verdict.reachable, verdict.trace()
    assert any("has no security groups, nothing filters here" in what for what in _hops(verdict, "security group"))


def test_f_an_ingress_of_an_explicit_group_is_found_by_the_hostname_in_its_status(aws, kube):
    url, objects = kube
    frontend = aws["ec2"].create_security_group(GroupName="k8s-web", Description="web", VpcId=aws["vpc"])["GroupId"]
    aws["ec2"].authorize_security_group_ingress(GroupId=frontend, IpPermissions=[_perm("tcp", 80, 80, "0.0.0.0/0")])
    alb = _alb(aws["elbv2"], aws, "web", [frontend, aws["groups"]["backend"]])
    objects["/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web-a"] = _ingress("web-a", "web", alb["DNSName"])
    with pytest.raises(ValueError, match="ingress.k8s.aws/stack=shop/web-a"):
        reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/web-a", 80)  # the tags name the group, not the Ingress
    verdict = reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/web-a", 80, kube_endpoint=url)
    assert verdict.reachable and verdict.path == "alb", verdict.trace()
    assert _hops(verdict, "load balancer")[0] == (
        f"k8s-web found by the status of Ingress shop/web-a: status.loadBalancer.ingress hostname {alb['DNSName']} "
        f"is its DNSName (IngressGroup web)")
    service = {"kind": "Service", "status": {"loadBalancer": {"ingress": [{"hostname": aws["nlb"]["DNSName"]}]}}}
    objects["/api/v1/namespaces/shop/services/ledger"] = service
    verdict = reach_aws(aws["url"], CLIENT, SERVICE, 80, target_kind="service", kube_endpoint=url)
    assert verdict.reachable and verdict.path == "nlb", verdict.trace()
    assert "found by the status of Service shop/ledger" in _hops(verdict, "load balancer")[0]


def test_g_an_ingress_without_an_address_in_its_status_is_a_clear_error(aws, kube):
    url, objects = kube
    objects["/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web-b"] = _ingress("web-b", "web", None)
    with pytest.raises(ValueError, match="no load balancer address in the status of Ingress shop/web-b"):
        reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/web-b", 80, kube_endpoint=url)
    with pytest.raises(ValueError, match="no Service shop/missing"):
        reach_aws(aws["url"], CLIENT, f"{CLUSTER}/shop/missing", 80, target_kind="service", kube_endpoint=url)
    with pytest.raises(ValueError, match="target_kind"):
        reach_aws(aws["url"], CLIENT, SERVICE, 80, target_kind="gateway")


def test_cli_asks_the_aws_oracle_about_a_services_nlb_with_the_clusters_kubernetes_api(monkeypatch):
    args = cli.parser().parse_args(["reach", "--from-cidr", CLIENT, "--to-service", SERVICE, "--port", "80"])
    assert cli.reach_question(args) == (CLIENT, SERVICE, "tcp")
    args = cli.parser().parse_args(["reach", "--from-pod", "a/b/c", "--to-service", "a/b/d", "--port", "80"])
    assert cli.reach_question(args) is None
    asked = {}

    class Admin:
        def health(self):
            return {"endpoints": {"aws": "http://aws", f"k8s:{CLUSTER}": "http://kube"}}

    def fake_reach_aws(*args, **kwargs):
        asked.update(args=args, kwargs=kwargs)
        return type("V", (), {"reachable": True, "trace": lambda self: "ok"})()

    monkeypatch.setattr(cli, "_client", Admin)
    monkeypatch.setattr("sandbox.oracle.reach_aws", fake_reach_aws)
    assert cli.main(["reach", "--from-sg", "sg-1", "--to-service", SERVICE, "--port", "80", "--protocol", "UDP"]) == 0
    assert asked == {"args": ("http://aws", "sg-1", SERVICE, 80, "udp"),
                     "kwargs": {"target_kind": "service", "kube_endpoint": "http://kube"}}


def test_h_the_seeded_storefront_is_found_through_the_emulated_clusters_status(eks):
    verdict = reach_aws(eks.url, CLIENT, f"{CLUSTER}/shop/storefront", 80, kube_endpoint=eks.kube.server)
    assert verdict.reachable and verdict.path == "alb", verdict.trace()
    assert _hops(verdict, "load balancer")[0].endswith(
        f"found by the status of Ingress shop/storefront: status.loadBalancer.ingress hostname "
        f"{eks.ids['load_balancer']['dns_name']} is its DNSName")


def test_i_a_service_the_controller_gave_an_nlb_is_judged_through_its_status(eks):
    eks.kube.request("POST", "api/v1/namespaces/shop/services", {
        "metadata": {"name": "ledger", "annotations": {
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}},
        "spec": {"type": "LoadBalancer", "loadBalancerClass": "service.k8s.aws/nlb",
                 "selector": {"app.kubernetes.io/name": "api"}, "loadBalancerSourceRanges": ["203.0.113.0/24"],
                 "ports": [{"port": 5432, "targetPort": 8000, "nodePort": 32600, "protocol": "TCP"}]}})
    assert eks.sync()["errors"] == []
    verdict = reach_aws(eks.url, CLIENT, SERVICE, 5432, target_kind="service", kube_endpoint=eks.kube.server)
    assert verdict.reachable and verdict.path == "nlb", verdict.trace()
    assert "found by the status of Service shop/ledger" in _hops(verdict, "load balancer")[0]
    verdict = reach_aws(eks.url, "198.51.100.7", SERVICE, 5432, target_kind="service", kube_endpoint=eks.kube.server)
    assert not verdict.reachable and verdict.decided_by.startswith("security group:"), verdict.trace()

