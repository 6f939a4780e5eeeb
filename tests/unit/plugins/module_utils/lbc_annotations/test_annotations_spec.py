from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import build

ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/"
SG_A, SG_B = "sg-0123456789abcdef0", "sg-0fedcba9876543210"


def _ingress(**options) -> dict:
    return {"ingress": options}


def test_every_ingress_option_is_written_in_one_spelling():
    spec = build(
        _ingress(
            security_groups=[SG_B, "shop-alb-office", SG_B],
            manage_backend_security_group_rules=True,
            inbound_cidrs=["203.0.113.0/24", "10.0.0.1", "2001:DB8::/32", "10.0.0.0/8"],
            listen_ports=[{"HTTPS": 443}, {"HTTP": 80}],
            target_type="ip",
            security_group_prefix_lists=["pl-0123456789abcdef0", "pl-00000001"],
            ip_address_type="dualstack",
            scheme="internal",
        )
    )
    assert spec.wanted(spec.kinds[0]) == {
        ALB + "security-groups": f"{SG_B}, shop-alb-office",  # in order (the controller compares in order)
        ALB + "manage-backend-security-group-rules": "true",
        ALB + "inbound-cidrs": "10.0.0.0/8, 10.0.0.1/32, 203.0.113.0/24, 2001:db8::/32",
        ALB + "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
        ALB + "target-type": "ip",
        ALB + "security-group-prefix-lists": "pl-00000001, pl-0123456789abcdef0",
        ALB + "ip-address-type": "dualstack",
        ALB + "scheme": "internal",
    }
    assert [k.name for k in spec.kinds] == ["Ingress"] and spec.state == "merged"


def test_service_options_map_to_the_service_annotations():
    spec = build(
        {
            "service": {
                "load_balancer_source_ranges": ["198.51.100.0/24"],
                "nlb_target_type": "ip",
                "manage_backend_security_group_rules": False,
                "scheme": "internet-facing",
            }
        }
    )
    assert spec.desired["Service"] == {
        NLB + "load-balancer-source-ranges": "198.51.100.0/24",
        NLB + "aws-load-balancer-nlb-target-type": "ip",
        NLB + "aws-load-balancer-manage-backend-security-group-rules": "false",
        NLB + "aws-load-balancer-scheme": "internet-facing",
    }


def test_listen_ports_as_the_annotations_json():
    spec = build(_ingress(listen_ports='[{"HTTP": 80}, {"HTTPS": "443"}]'))
    assert spec.desired["Ingress"][ALB + "listen-ports"] == '[{"HTTP": 80}, {"HTTPS": 443}]'


@pytest.mark.parametrize(
    ("options", "path", "words"),
    [
        ({"security_groups": ["sg-0123456789ABCDEF0"]}, "ingress.security_groups[0]", "did you mean"),
        ({"security_groups": [SG_A, "sg-1234"]}, "ingress.security_groups[1]", "8 or 17"),
        ({"security_groups": ["pl-0123456789abcdef0"]}, "ingress.security_groups[0]", "security_group_prefix_lists"),
        ({"security_groups": ["a,b"]}, "ingress.security_groups[0]", "no comma"),
        ({"security_groups": [f"sg-{i:017x}" for i in range(6)]}, "ingress.security_groups", "at most 5"),
        ({"security_groups": []}, "ingress.security_groups", "is empty"),
        ({"security_group_prefix_lists": [SG_A]}, "ingress.security_group_prefix_lists[0]", "security_groups"),
        ({"inbound_cidrs": ["10.0.0.0/8", "10.0.0.5/24"]}, "ingress.inbound_cidrs[1]", "host bits"),
        ({"inbound_cidrs": ["10.0.0.0/33"]}, "ingress.inbound_cidrs[0]", "not a valid CIDR"),
        ({"inbound_cidrs": "10.0.0.0/8"}, "ingress.inbound_cidrs", "must be a list"),
        ({"listen_ports": [{"http": 80}]}, "ingress.listen_ports[0]", "did you mean HTTP"),
        ({"listen_ports": [{"HTTP": 0}]}, "ingress.listen_ports[0].HTTP", "1-65535"),
        ({"listen_ports": [{"HTTP": 80, "HTTPS": 443}]}, "ingress.listen_ports[0]", "one mapping"),
        ({"listen_ports": [{"HTTP": 8080}, {"HTTPS": 8080}]}, "ingress.listen_ports[1]", "HTTP and HTTPS"),
        ({"listen_ports": "[{HTTP: 80}]"}, "ingress.listen_ports", "not JSON"),
        ({"target_type": "IP"}, "ingress.target_type", "instance, ip"),
        ({"ip_address_type": "ipv6"}, "ingress.ip_address_type", "dualstack"),
        ({"scheme": "public"}, "ingress.scheme", "internet-facing"),
        ({"manage_backend_security_group_rules": "yes"}, "ingress.manage_backend_security_group_rules", "boolean"),
        ({"load_balancer_source_ranges": ["10.0.0.0/8"]}, "ingress.load_balancer_source_ranges", "not an option"),
    ],
)
def test_bad_values_name_the_option_path(options, path, words):
    with pytest.raises(InputError) as caught:
        build(_ingress(**options))
    assert caught.value.path == path and words in caught.value.message


def test_the_service_ip_address_type_has_no_dualstack_without_public_ipv4():
    with pytest.raises(InputError, match="service.ip_address_type"):
        build({"service": {"ip_address_type": "dualstack-without-public-ipv4"}})


def test_world_cidrs_are_flagged_in_any_spelling():
    spec = build(_ingress(inbound_cidrs=["0.0.0.0/0", "::0/0", "10.0.0.0/8"]))
    assert len(spec.warnings) == 2 and all("every address" in w for w in spec.warnings)
    assert "0.0.0.0/0" in spec.warnings[0] and "::/0" in spec.warnings[1]


@pytest.mark.parametrize("state", ["merged", "rendered"])
def test_nothing_asked_is_refused_unless_only_validating(state):
    with pytest.raises(InputError, match="needs at least one annotation"):
        build({"state": state, "ingress": {"scheme": None}})
    assert build({"validate_only": True}).kinds[0].name == "Ingress"


def test_deleted_names_the_annotations_without_checking_their_values():
    spec = build({"state": "deleted", "ingress": {"inbound_cidrs": [], "listen_ports": "anything"}})
    assert sorted(spec.desired["Ingress"]) == [ALB + "inbound-cidrs", ALB + "listen-ports"]
    assert [k.name for k in build({"state": "deleted"}).kinds] == ["Ingress", "Service"]


def test_selection_options():
    spec = build(
        {
            "validate_only": True,
            "namespaces": ["shop", "shop"],
            "names": ["web", "shop/admin"],
            "label_selector": {"match_labels": {"tier": "web"}},
            "controller": {"namespace": "kube-system", "name": "lbc"},
        }
    )
    assert spec.selection.namespaces == ("shop",)
    assert spec.selection.names == ((None, "web"), ("shop", "admin"))
    assert spec.selection.label_selector == {"matchLabels": {"tier": "web"}}
    assert spec.controller == ("kube-system", "lbc")


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"namespaces": []}, "namespaces"),
        ({"namespaces": ["Shop"]}, "namespaces[0]"),
        ({"names": ["web_1"]}, "names[0]"),
        ({"names": ["Bad/web"]}, "names[0]"),
        ({"label_selector": {"match_labels": {"tier": "a b"}}}, "label_selector.match_labels.tier"),
        ({"ingress_class": "ALB"}, "ingress_class"),
        ({"controller": {"namespace": "kube-system", "name": None}}, "controller.name"),
        ({"state": "gathered"}, "validate_only"),
    ],
)
def test_bad_selection_options(params, path):
    with pytest.raises(InputError) as caught:
        build(dict({"validate_only": True}, **params))
    assert caught.value.path == path


def test_values_are_compared_by_meaning():
    assert values.CIDRS.same("10.0.0.0/8,192.0.2.1/32", "192.0.2.1/32, 10.0.0.0/8")
    assert values.LISTEN_PORTS.same('[{"HTTPS":443},{"HTTP":80}]', '[{"HTTP": 80}, {"HTTPS": 443}]')
    assert values.BOOL.same("True", "true") and not values.BOOL.same("yes", "true")
    assert values.GROUPS.same("sg-1, sg-2", "sg-1,sg-2") and not values.GROUPS.same("sg-2, sg-1", "sg-1, sg-2")
    assert not values.CIDRS.same("10.0.0.0/8", None) and not values.CIDRS.same("10.0.0.5/8", "10.0.0.0/8")
