"""The simulated controller's load balancers (reference B.2-B.4): an ALB per IngressGroup and an NLB per Service,
with their security groups, target groups, targets, listeners and ``status.loadBalancer``; what goes away is
collected; it syncs by itself when it watches."""

from __future__ import annotations

import boto3
from eks_estate import Eks

from sandbox import config
from sandbox.seed import lbc_names

LABEL = lbc_names.TGB_RULE_DESCRIPTION
NLB = "service.k8s.aws/nlb"


def _elbv2(eks: Eks):
    return boto3.client("elbv2", endpoint_url=eks.url, region_name=config.AWS_REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _lb(eks: Eks, stack: str, prefix: str = "ingress.k8s.aws") -> dict | None:
    elbv2 = _elbv2(eks)
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    for described in elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"] for lb in lbs] or ["x"]
                                         )["TagDescriptions"] if lbs else []:
        tags = {t["Key"]: t["Value"] for t in described["Tags"]}
        if tags.get(f"{prefix}/stack") == stack and tags.get(f"{prefix}/resource") == "LoadBalancer":
            return next(lb for lb in lbs if lb["LoadBalancerArn"] == described["ResourceArn"])
    return None


def _status(eks: Eks, path: str) -> list:
    return ((eks.kube.request("GET", path).get("status") or {}).get("loadBalancer") or {}).get("ingress") or []


def _writes(eks: Eks) -> int:
    services = eks.ledger.snapshot()["services"]
    return sum(services.get(name, {}).get("writes", 0) for name in ("ec2:lbc", "elbv2:lbc"))


def _nlb_service(eks: Eks, name: str, node_port: int, annotations: dict | None = None, **spec) -> str:
    path = "api/v1/namespaces/shop/services"
    eks.kube.request("POST", path, {
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": dict({"type": "LoadBalancer", "loadBalancerClass": NLB, "selector": {"app.kubernetes.io/name": "api"},
                      "ports": [{"port": 5432, "targetPort": 8000, "nodePort": node_port, "protocol": "TCP"}]},
                     **spec)})
    return f"{path}/{name}"


def test_the_seed_has_an_alb_per_ingress_with_the_controllers_groups_listeners_and_targets(eks: Eks):
    elbv2, sg = _elbv2(eks), eks.sg
    storefront = _lb(eks, "shop/storefront")
    assert storefront["LoadBalancerName"] == lbc_names.load_balancer_name("demo-eks", "shop/storefront", False,
                                                                          "internet-facing")
    assert storefront["Scheme"] == "internet-facing" and storefront["Type"] == "application"
    assert sorted(storefront["SecurityGroups"]) == sorted([sg["frontend_storefront"], sg["backend"]])
    assert {z["SubnetId"] for z in storefront["AvailabilityZones"]} == {eks.ids["subnets"]["public-a"],
                                                                         eks.ids["subnets"]["public-b"]}
    assert sorted(_lb(eks, "shop/admin")["SecurityGroups"]) == sorted([sg["custom_public"], sg["custom_office"]])
    listeners = elbv2.describe_listeners(LoadBalancerArn=storefront["LoadBalancerArn"])["Listeners"]
    assert sorted((item["Protocol"], item["Port"]) for item in listeners) == [("HTTP", 80), ("HTTPS", 443)]
    tgs = eks.ids["load_balancer"]["target_groups"]
    rules = [r for r in elbv2.describe_rules(ListenerArn=listeners[0]["ListenerArn"])["Rules"] if not r["IsDefault"]]
    forwards = [(r["Priority"], r["Actions"][0]["TargetGroupArn"]) for r in sorted(rules, key=lambda r: r["Priority"])]
    assert forwards == [("1", tgs["32050"]), ("2", tgs["30080"])]  # /api before /, as the Ingress lists them
    health = elbv2.describe_target_health(TargetGroupArn=tgs["32050"])["TargetHealthDescriptions"]
    assert sorted((h["Target"]["Id"], h["Target"]["Port"]) for h in health) == sorted(
        (instance, 32050) for instance in eks.ids["instances"])
    assert _status(eks, "apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront") == [
        {"hostname": storefront["DNSName"]}]


def test_a_sync_of_an_unchanged_estate_writes_nothing(eks: Eks):
    done = eks.sync()
    assert done["load_balancers"] == [] and done["created"] == done["deleted"] == [], done
    assert _writes(eks) == 0


def test_an_nlb_service_gets_its_managed_group_node_rule_nlb_and_status(eks: Eks):
    path = _nlb_service(eks, "ledger", 32600, {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
                        loadBalancerSourceRanges=["10.0.0.0/16"])
    done = eks.sync()
    assert done["errors"] == [], done
    uid = eks.kube.request("GET", path)["metadata"]["uid"]
    (group,) = eks.ec2.describe_security_groups(Filters=[
        {"Name": "tag:service.k8s.aws/stack", "Values": ["shop/ledger"]}])["SecurityGroups"]
    assert group["GroupName"] == lbc_names.service_managed_sg_name("demo-eks", "shop", "ledger", uid)
    assert eks.rules(group["GroupId"]) == {("tcp", 5432, 5432, "10.0.0.0/16"): ""}
    node = eks.rules(eks.sg["node"])
    assert node.get(("tcp", 30080, 32600, eks.sg["backend"])) == LABEL  # the span now reaches the NLB's NodePort
    assert ("tcp", 30080, 32050, eks.sg["backend"]) not in node
    nlb = _lb(eks, "shop/ledger", "service.k8s.aws")
    assert nlb["Type"] == "network" and nlb["Scheme"] == "internal"
    assert sorted(nlb["SecurityGroups"]) == sorted([group["GroupId"], eks.sg["backend"]])
    (listener,) = _elbv2(eks).describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("TCP", 5432)
    assert _status(eks, path) == [{"hostname": nlb["DNSName"]}]


def test_an_nlb_without_security_groups_gets_the_legacy_cidr_node_rule(eks: Eks):
    _nlb_service(eks, "legacy", 32610, {"service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg": "true"})
    eks.sync()
    assert "SecurityGroups" not in _lb(eks, "shop/legacy", "service.k8s.aws") or not \
        _lb(eks, "shop/legacy", "service.k8s.aws")["SecurityGroups"]
    assert eks.rules(eks.sg["node"]).get(("tcp", 32610, 32610, "10.0.0.0/16")) == LABEL  # internal: the VPC


def test_a_deleted_ingress_loses_its_alb_target_groups_and_managed_group(eks: Eks):
    catalog = _lb(eks, "shop/catalog")
    eks.kube.request("DELETE", "apis/networking.k8s.io/v1/namespaces/shop/ingresses/catalog")
    done = eks.sync()
    assert _lb(eks, "shop/catalog") is None and eks.sg["frontend_catalog"] in done["deleted"], done
    left = [tg["LoadBalancerArns"] for tg in _elbv2(eks).describe_target_groups()["TargetGroups"]]
    assert all(catalog["LoadBalancerArn"] not in arns for arns in left) and len(left) == 4  # storefront 2, admin, partner
    catalog_sg = {"Name": "group-id", "Values": [eks.sg["frontend_catalog"]]}
    assert not eks.ec2.describe_security_groups(Filters=[catalog_sg])["SecurityGroups"]
    assert eks.rules(eks.sg["node"]).get(("tcp", 30080, 32050, eks.sg["backend"])) == LABEL  # storefront still


def test_changed_paths_and_target_type_rewrite_rules_and_replace_the_target_group(eks: Eks):
    path = "apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront"
    eks.kube.request("PATCH", path, {"metadata": {"annotations": {"alb.ingress.kubernetes.io/target-type": "ip"}}},
                     content_type="application/merge-patch+json")
    done = eks.sync()
    assert done["errors"] == [], done
    elbv2 = _elbv2(eks)
    arns = {tg["TargetGroupArn"]: tg for tg in elbv2.describe_target_groups()["TargetGroups"]}
    assert not set(eks.ids["load_balancer"]["target_groups"].values()) & set(arns)  # the instance groups are gone
    lb = _lb(eks, "shop/storefront")
    mine = [tg for tg in arns.values() if lb["LoadBalancerArn"] in tg["LoadBalancerArns"]]
    assert {(tg["TargetType"], tg["Port"]) for tg in mine} == {("ip", 8000), ("ip", 8080)}  # the pods' named ports
    pods = [p for p in eks.kube.request("GET", "api/v1/namespaces/shop/pods")["items"]
            if p["metadata"]["labels"].get("app.kubernetes.io/name") == "api"]
    api = next(tg for tg in mine if tg["Port"] == 8000)
    health = elbv2.describe_target_health(TargetGroupArn=api["TargetGroupArn"])["TargetHealthDescriptions"]
    assert sorted(h["Target"]["Id"] for h in health) == sorted(p["status"]["podIP"] for p in pods)
    node = eks.rules(eks.sg["node"])  # ip targets: pod ports from the backend group, catalog's NodePorts too
    assert node.get(("tcp", 8000, 30443, eks.sg["backend"])) == LABEL


def test_a_scheme_change_replaces_the_load_balancer(eks: Eks):
    before = _lb(eks, "shop/catalog")
    eks.kube.request("PATCH", "apis/networking.k8s.io/v1/namespaces/shop/ingresses/catalog", {"metadata": {
        "annotations": {"alb.ingress.kubernetes.io/scheme": "internal"}}}, content_type="application/merge-patch+json")
    eks.sync()
    after = _lb(eks, "shop/catalog")
    assert after["Scheme"] == "internal" and after["LoadBalancerArn"] != before["LoadBalancerArn"]
    assert {z["SubnetId"] for z in after["AvailabilityZones"]} == {eks.ids["subnets"]["private-a"],
                                                                    eks.ids["subnets"]["private-b"]}


def test_watching_it_syncs_on_a_change_by_itself(eks: Eks):
    eks.cluster.lbc.watch = True
    _nlb_service(eks, "watched", 32620)
    assert eks.cluster.lbc.wait_idle(30)
    assert _lb(eks, "shop/watched", "service.k8s.aws") is not None
    eks.ledger.reset()
    eks.kube.request("PATCH", "api/v1/namespaces/shop/services/watched", {"metadata": {"labels": {"x": "y"}}},
                     content_type="application/merge-patch+json")
    assert eks.cluster.lbc.wait_idle(30)
    assert _writes(eks) == 0  # a change that changes nothing on AWS writes nothing, and its status write wakes nothing
