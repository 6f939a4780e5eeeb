"""The simulated AWS Load Balancer Controller against the reference's facts (B.1-B.4), on moto and the demo-eks
emulator served in-process; seed 003's incident reproduced."""

from __future__ import annotations

from eks_estate import Eks

from sandbox import config
from sandbox.seed import lbc_names

LABEL = lbc_names.TGB_RULE_DESCRIPTION


def test_the_seeded_estate_is_what_the_controller_wants(eks: Eks):
    before = {name: eks.rules(group) for name, group in eks.sg.items()}
    done = eks.sync()
    assert done["running"] and done["errors"] == [] and done["authorized"] == done["revoked"] == [], done
    assert {name: eks.rules(group) for name, group in eks.sg.items()} == before
    node = eks.rules(eks.sg["node"])
    assert node[("tcp", 30080, 32050, eks.sg["backend"])] == LABEL  # min-max of 30080 (storefront), 30180, 32050
    services = eks.ledger.snapshot()["services"]
    assert "ec2:lbc" in services and services["ec2:lbc"]["writes"] == 0  # its calls are accounted apart


def test_seed_003_a_hand_made_rule_with_the_label_is_revoked_one_without_survives(eks: Eks):
    office = "198.51.100.0/24"
    eks.ec2.authorize_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
         "IpRanges": [{"CidrIp": office, "Description": LABEL}]},
        {"IpProtocol": "tcp", "FromPort": 9443, "ToPort": 9443,
         "IpRanges": [{"CidrIp": office, "Description": "partner webhook, ops ticket 5120"}]}])
    done = eks.sync()
    node = eks.rules(eks.sg["node"])
    assert ("tcp", 8443, 8443, office) not in node and ("tcp", 9443, 9443, office) in node
    (revoked,) = done["revoked"]
    assert revoked[0] == eks.sg["node"] and "8443" in revoked[1] and office in revoked[1], done
    assert ("tcp", 30000, 32767, "0.0.0.0/0") in node  # the unlabelled world-open rule is not its business


def _service(eks: Eks, name: str, node_port: int) -> None:
    eks.kube.request("POST", "api/v1/namespaces/shop/services", {
        "metadata": {"name": name}, "spec": {"type": "NodePort", "selector": {"app": name},
                                             "ports": [{"port": 80, "targetPort": 8080, "nodePort": node_port}]}})


def test_auto_mode_makes_the_controllers_frontend_group_and_revokes_hand_rules_on_it(eks: Eks):
    _service(eks, "orders", 32700)
    eks.ingress("shop", "orders", {"alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]',
                                   "alb.ingress.kubernetes.io/inbound-cidrs": "10.1.0.0/16, 2001:db8::/32"},
                service="orders")
    done = eks.sync()
    (created,) = done["created"]
    group = eks.ec2.describe_security_groups(GroupIds=[created])["SecurityGroups"][0]
    assert group["GroupName"] == lbc_names.ingress_managed_sg_name("demo-eks", "shop", "orders")
    assert group["Description"] == lbc_names.MANAGED_SG_DESCRIPTION
    assert {t["Key"]: t["Value"] for t in group["Tags"]} == lbc_names.ingress_managed_sg_tags(
        "demo-eks", config.AWS_REGION, "shop", "orders")
    assert eks.rules(created) == {("tcp", 443, 443, "10.1.0.0/16"): ""}  # no ::/0 or IPv6 without dualstack
    node = eks.rules(eks.sg["node"])
    assert ("tcp", 30080, 32700, eks.sg["backend"]) in node and ("tcp", 30080, 32050, eks.sg["backend"]) not in node
    eks.ec2.authorize_security_group_ingress(GroupId=created, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}])
    eks.sync()
    assert eks.rules(created) == {("tcp", 443, 443, "10.1.0.0/16"): ""}  # selector "everything" on its own group
    assert eks.sync()["authorized"] == []


def test_disabling_restricted_rules_gives_0_to_65535_once_the_pods_roll(eks: Eks):
    eks.controller_args("--disable-restricted-sg-rules=true")
    done = eks.sync()
    node = eks.rules(eks.sg["node"])
    assert node.get(("tcp", 0, 65535, eks.sg["backend"])) == LABEL, done
    assert ("tcp", 30080, 32050, eks.sg["backend"]) not in node


def test_custom_frontends_get_node_rules_only_with_manage_backend(eks: Eks):
    _service(eks, "reports", 32700)
    custom = {"alb.ingress.kubernetes.io/security-groups": "shop-alb-office"}
    eks.ingress("shop", "reports", custom, service="reports")
    eks.sync()
    assert ("tcp", 30080, 32050, eks.sg["backend"]) in eks.rules(eks.sg["node"])  # custom: no node rule
    path = "apis/networking.k8s.io/v1/namespaces/shop/ingresses/reports"
    eks.kube.request("PATCH", path, {"metadata": {"annotations": {
        "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true"}}},
        content_type="application/merge-patch+json")
    eks.sync()
    assert ("tcp", 30080, 32700, eks.sg["backend"]) in eks.rules(eks.sg["node"])  # hybrid: it manages them
    eks.controller_args("--enable-backend-security-group=false")
    done = eks.sync()
    assert any("backendSG feature is required" in e for e in done["errors"]), done


def test_an_ingress_group_whose_members_disagree_is_an_event_on_each_member(eks: Eks):
    for name, group in (("one", "shop-alb-office"), ("two", "shop-alb-public")):
        eks.ingress("shop", name, {"alb.ingress.kubernetes.io/group.name": "shared",
                                   "alb.ingress.kubernetes.io/security-groups": group})
    done = eks.sync()
    assert any(e.startswith("shared: conflicting security-groups") for e in done["errors"]), done
    found = eks.kube.request("GET", "api/v1/namespaces/shop/events")["items"]
    warned = {e["involvedObject"]["name"] for e in found if e["reason"] == "FailedBuildModel"
              and "conflicting security-groups" in e["message"]}
    assert warned == {"one", "two"}


def test_an_identical_unlabelled_rule_satisfies_the_controller(eks: Eks):
    rule = {"IpProtocol": "tcp", "FromPort": 30080, "ToPort": 32050,
            "UserIdGroupPairs": [{"GroupId": eks.sg["backend"]}]}
    eks.ec2.revoke_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[rule])
    eks.ec2.authorize_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[
        dict(rule, UserIdGroupPairs=[{"GroupId": eks.sg["backend"], "Description": "kubeguard:lbc"}])])
    done = eks.sync()
    assert done["authorized"] == [] and done["revoked"] == [], done
    assert eks.rules(eks.sg["node"])[("tcp", 30080, 32050, eks.sg["backend"])] == "kubeguard:lbc"


def test_the_backend_groups_tags_are_made_exactly_the_controllers(eks: Eks):
    eks.ec2.create_tags(Resources=[eks.sg["backend"]], Tags=[{"Key": "team", "Value": "platform"}])
    eks.sync()
    group = eks.ec2.describe_security_groups(GroupIds=[eks.sg["backend"]])["SecurityGroups"][0]
    assert {t["Key"]: t["Value"] for t in group["Tags"]} == lbc_names.backend_sg_tags("demo-eks")


def test_seed_003_the_oracle_sees_the_incident(eks: Eks):
    """Once the world-open NodePort rule is gone, admin's NodePort is opened by hand from its own ALB group with
    the controller's label: the office reaches Ingress shop/admin through its ALB until the controller's next
    sync revokes the rule (seed 003's CloudTrail RevokeSecurityGroupIngress)."""
    from sandbox.oracle import reach_aws

    office = eks.sg["custom_office"]
    eks.ec2.revoke_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[  # the hardening of the day
        {"IpProtocol": "tcp", "FromPort": 30000, "ToPort": 32767, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    eks.ec2.authorize_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 31080, "ToPort": 31080,
         "UserIdGroupPairs": [{"GroupId": office, "Description": LABEL}]}])
    before = reach_aws(eks.url, "203.0.113.9", "demo-eks/shop/admin", 443)
    assert before.reachable and before.path == "alb", before.trace()
    eks.sync()
    after = reach_aws(eks.url, "203.0.113.9", "demo-eks/shop/admin", 443)
    assert not after.reachable, after.trace()
    assert ":31080" in after.decided_by and "(shop-alb-office))" in after.decided_by, after.trace()  # nothing
    # on the node group admits a group the ALB carries any more


def test_while_a_group_fails_to_build_node_rules_are_only_authorized(eks: Eks):
    hand_made = {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
                 "IpRanges": [{"CidrIp": "198.51.100.0/24", "Description": LABEL}]}
    eks.ec2.authorize_security_group_ingress(GroupId=eks.sg["node"], IpPermissions=[hand_made])
    eks.ingress("shop", "broken", {}, service="no-such-service")
    done = eks.sync()
    assert any("service shop/no-such-service not found" in e for e in done["errors"]) and done["revoked"] == []
    assert ("tcp", 8443, 8443, "198.51.100.0/24") in eks.rules(eks.sg["node"])
    eks.kube.request("DELETE", "apis/networking.k8s.io/v1/namespaces/shop/ingresses/broken")
    assert len(eks.sync()["revoked"]) == 1
