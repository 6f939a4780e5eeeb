"""Each mode rule with a failing and a passing case, and how a finding's severity is decided."""

from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import validation
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import SERVICE_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import plan_object
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.rules import check_subject

ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/"
SG = ALB + "security-groups"
MANAGE = ALB + "manage-backend-security-group-rules"
CIDRS = ALB + "inbound-cidrs"
PORTS = ALB + "listen-ports"
GROUP = ALB + "group.name"
DEFAULTS = ControllerFlags()
NO_BACKEND = ControllerFlags(enable_backend_security_group=False)


def _obj(name: str = "web", namespace: str = "shop", spec: dict | None = None) -> dict:
    return {"metadata": {"namespace": namespace, "name": name}, "spec": spec or {}}


def _rules(annotations: dict, involved=(), flags=DEFAULTS, kind=INGRESS_KIND, spec=None, audit=False):
    subject = validation.subject(kind, _obj(spec=spec), annotations, set(involved))
    return {(f.rule, f.severity) for f in check_subject(subject, flags, audit)}


def test_custom_groups_with_managed_backend_rules_need_the_backend_group():
    wanted = {SG: "sg-0123456789abcdef0", MANAGE: "true"}
    assert _rules(wanted, wanted, NO_BACKEND) == {("backend-security-group-required", "error")}
    assert _rules(wanted, wanted, DEFAULTS) == set()
    assert _rules({SG: "sg-0123456789abcdef0", MANAGE: "false"}, [SG, MANAGE], NO_BACKEND) == set()
    by_flag = ControllerFlags(enable_backend_security_group=False, enable_manage_backend_security_group_rules=True)
    assert _rules({SG: "sg-0123456789abcdef0"}, [SG], by_flag) == {("backend-security-group-required", "error")}
    assert _rules({SG: "sg-0123456789abcdef0"}, [SG], NO_BACKEND) == set()  # the flag's default is false


def test_the_backend_rule_is_skipped_offline():
    assert _rules({SG: "sg-0123456789abcdef0", MANAGE: "true"}, [SG], flags=None) == set()


def test_manage_backend_without_custom_groups_is_ignored():
    assert _rules({MANAGE: "true"}, [MANAGE]) == {("ignored-without-custom-groups", "error")}
    assert _rules({MANAGE: "true"}, []) == {("ignored-without-custom-groups", "warning")}  # already there
    assert _rules({MANAGE: "true", SG: "shop-alb-public"}, [MANAGE]) == set()


def test_inbound_cidrs_and_prefix_lists_are_ignored_with_custom_groups():
    assert _rules({SG: "shop-alb-public", CIDRS: "10.0.0.0/8"}, [CIDRS]) == {("ignored-with-custom-groups", "error")}
    assert _rules({SG: "shop-alb-public", ALB + "security-group-prefix-lists": "pl-00000001"}, [SG]) == {
        ("ignored-with-custom-groups", "error")
    }
    assert _rules({CIDRS: "10.0.0.0/8"}, [CIDRS]) == set()


def test_a_service_source_ranges_annotation_under_the_spec_field():
    spec = {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"], "ports": [{"port": 443}]}
    ranges = NLB + "load-balancer-source-ranges"
    found = _rules({ranges: "192.0.2.0/24"}, [ranges], kind=SERVICE_KIND, spec=spec)
    assert found == {("source-ranges-annotation-ignored", "error")}
    assert _rules({ranges: "192.0.2.0/24"}, [ranges], kind=SERVICE_KIND, spec={"ports": [{"port": 1}]}) == set()


def test_world_sources_on_an_internal_load_balancer():
    assert _rules({CIDRS: "0.0.0.0/0"}, [CIDRS]) == {("world-on-internal", "error")}  # internal is the default
    assert _rules({CIDRS: "0.0.0.0/0", ALB + "scheme": "internet-facing"}, [CIDRS]) == set()
    service = {NLB + "load-balancer-source-ranges": "::/0", NLB + "aws-load-balancer-ip-address-type": "dualstack"}
    assert _rules(service, [], kind=SERVICE_KIND) == {("world-on-internal", "warning")}


def test_ipv6_sources_need_dualstack():
    assert _rules({CIDRS: "2001:db8::/32"}, [CIDRS]) == {("ipv6-without-dualstack", "error")}
    assert _rules({CIDRS: "2001:db8::/32", ALB + "ip-address-type": "dualstack"}, [CIDRS]) == set()
    ranges = NLB + "load-balancer-source-ranges"
    assert _rules({ranges: "2001:db8::/32"}, [ranges], kind=SERVICE_KIND) == {("ipv6-without-dualstack", "error")}


def test_the_managed_frontend_group_rules_quota():
    sixty = ", ".join(f"10.0.{i}.0/24" for i in range(30))
    assert _rules({CIDRS: sixty, PORTS: '[{"HTTP": 80}, {"HTTPS": 443}]'}, [CIDRS]) == set()
    sixty_two = ", ".join(f"10.0.{i}.0/24" for i in range(31))
    assert _rules({CIDRS: sixty_two, PORTS: '[{"HTTP": 80}, {"HTTPS": 443}]'}, [CIDRS]) == {
        ("frontend-rules-quota", "error")
    }


def test_security_groups_per_load_balancer_count_the_backend_group():
    five = ", ".join(f"sg-{i:017x}" for i in range(5))
    four = ", ".join(f"sg-{i:017x}" for i in range(4))
    assert _rules({SG: five, MANAGE: "true"}, [SG]) == {("security-groups-per-load-balancer", "error")}
    assert _rules({SG: four, MANAGE: "true"}, [SG]) == set()
    assert _rules({SG: five}, [SG]) == set()


def test_values_the_controller_cannot_read():
    assert _rules({PORTS: "[{HTTP: 80}]"}, []) == {("unreadable-value", "warning")}
    assert _rules({ALB + "target-type": "IP"}, [ALB + "target-type"]) == {("unreadable-value", "error")}
    assert _rules({PORTS: '[{"HTTP": 80}]', ALB + "target-type": "ip"}, []) == set()


def test_audit_makes_every_finding_an_error():
    assert _rules({MANAGE: "true"}, [], audit=True) == {("ignored-without-custom-groups", "error")}


def _member(name: str, annotations: dict, namespace: str = "shop", wanted: dict | None = None) -> tuple:
    obj = {"metadata": {"namespace": namespace, "name": name, "annotations": annotations}, "spec": {}}
    return obj, plan_object(INGRESS_KIND, obj, wanted or {}, "merged", False)


def _groups(selected: list, peers: list, flags=DEFAULTS) -> list:
    found = validation.subjects([p for _o, p in selected], [o for o, _p in selected], peers)
    return validation.validate(found, flags, audit=False)


def test_members_of_an_ingress_group_in_other_namespaces_must_agree_on_security_groups():
    peer = {"metadata": {"namespace": "other", "name": "api", "annotations": {GROUP: "edge", SG: "sg-00000001"}}}
    selected = [_member("web", {GROUP: "edge"}, wanted={SG: "sg-00000002"})]
    (found,) = _groups(selected, [peer])
    assert (found.rule, found.severity, found.name) == ("ingress-group-conflict", "error", "web")
    assert "other/api" in found.message and "sg-00000001" in found.message
    agreeing = [_member("web", {GROUP: "edge"}, wanted={SG: "sg-00000001"})]
    assert _groups(agreeing, [peer]) == []


def test_a_member_without_the_annotation_disagrees_with_one_that_has_it():
    selected = [_member("web", {GROUP: "edge", SG: "sg-00000001"}), _member("api", {GROUP: "edge"})]
    found = _groups(selected, [])
    assert [(f.name, f.severity) for f in found] == [("web", "warning"), ("api", "warning")]


def test_manage_backend_agreement_uses_the_flag_default():
    custom = {GROUP: "edge", SG: "sg-00000001"}
    selected = [_member("web", dict(custom, **{MANAGE: "false"})), _member("api", custom)]
    assert _groups(selected, []) == []
    flagged = ControllerFlags(enable_manage_backend_security_group_rules=True)
    assert {(f.rule, f.severity) for f in _groups(selected, [], flagged)} == {("ingress-group-conflict", "warning")}


def test_one_listen_port_with_two_protocols_in_a_group():
    selected = [
        _member("web", {GROUP: "edge"}, wanted={PORTS: '[{"HTTPS": 8443}]'}),
        _member("api", {GROUP: "edge", PORTS: '[{"HTTP": 8443}]'}),
    ]
    found = _groups(selected, [])
    assert {(f.name, f.severity) for f in found} == {("web", "error"), ("api", "error")}
    assert "listen port 8443" in found[0].message


def test_custom_groups_of_another_member_make_inbound_cidrs_ignored():
    peer = {"metadata": {"namespace": "shop", "name": "api", "annotations": {GROUP: "edge", SG: "sg-00000001"}}}
    selected = [_member("web", {GROUP: "edge"}, wanted={CIDRS: "10.0.0.0/8"})]
    rules = {(f.name, f.rule) for f in _groups(selected, [peer])}
    assert ("web", "ignored-with-custom-groups") in rules


def test_offline_checks_the_wanted_annotations_alone():
    from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import build

    spec = build({"state": "rendered", "ingress": {"inbound_cidrs": ["0.0.0.0/0"], "scheme": "internal"}})
    assert [(f.rule, f.severity) for f in validation.offline(spec)] == [("world-on-internal", "error")]
    assert validation.failure(validation.offline(spec), []).endswith("Nothing was written")
