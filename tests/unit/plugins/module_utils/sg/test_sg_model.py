# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the rule model, the normalisers and the description helpers."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import KubeguardError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaOverage
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import build_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_purpose
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import controller_labels
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import described
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import has_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import marker_purposes
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import mentions_controller_label
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_protocol
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import unique_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import with_marker

CIDR = Source("ipv4", "10.0.0.0/8")
SG = "sg-0123456789abcdef0"


def test_rule_input_error_text_is_path_colon_message():
    error = InputError("rules[3].cidr", "10.0.0.0/33 is not a valid CIDR")
    assert str(error) == "rules[3].cidr: 10.0.0.0/33 is not a valid CIDR"
    assert (error.path, error.message) == ("rules[3].cidr", "10.0.0.0/33 is not a valid CIDR")
    assert isinstance(error, KubeguardError)
    assert issubclass(PlanError, KubeguardError) and issubclass(QuotaError, KubeguardError)


def test_quota_error_names_group_direction_family_and_excess():
    error = QuotaError(
        [
            QuotaOverage("group", SG, "ingress", "ipv6", 75, 60),
            QuotaOverage("eni", "eni-1", "egress", "ipv4", 1003, 1000),
        ]
    )
    assert (error.resource, error.direction, error.family, error.excess) == (SG, "ingress", "ipv6", 15)
    text = str(error)
    assert f"{SG}: ingress IPv6 rules would number 75, over the quota of 60 rules per security group by 15" in text
    assert "eni-1: egress IPv4 rules would number 1003, over the per-interface limit of 1000" in text
    assert text.endswith("by 3")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("tcp", "tcp"),
        ("TCP", "tcp"),
        (6, "tcp"),
        ("6", "tcp"),
        ("udp", "udp"),
        (17, "udp"),
        ("icmp", "icmp"),
        ("1", "icmp"),
        ("icmpv6", "icmpv6"),
        (58, "icmpv6"),
        ("all", "-1"),
        ("ALL", "-1"),
        ("-1", "-1"),
        (-1, "-1"),
        (50, "50"),
        ("050", "50"),
        ("0", "0"),
        (255, "255"),
        (" tcp ", "tcp"),
    ],
)
def test_normalise_protocol(value, expected):
    assert normalise_protocol(value, "proto") == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("tcpp", "unknown protocol 'tcpp'"),
        ("256", "protocol number 256 is out of range 0-255"),
        (None, "None is not a protocol"),
        (True, "True is not a protocol"),
        ("-2", "unknown protocol '-2'"),
        ("esp", "unknown protocol 'esp'"),
    ],
)
def test_normalise_protocol_refuses(value, message):
    with pytest.raises(InputError) as caught:
        normalise_protocol(value, "rules[0].proto")
    assert str(caught.value).startswith("rules[0].proto: " + message)


@pytest.mark.parametrize(
    "value, expected",
    [
        (80, (80, 80)),
        ("80", (80, 80)),
        ("8000-8100", (8000, 8100)),
        (" 1 - 2 ", (1, 2)),
        ("0-65535", (0, 65535)),
        ("443-443", (443, 443)),
        (0, (0, 0)),
    ],
)
def test_parse_port_range(value, expected):
    assert parse_port_range(value, "ports[0]") == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("0-70000", "port 70000 is out of range 0-65535"),
        (70000, "port 70000 is out of range 0-65535"),
        ("8100-8000", "8100-8000 is not a valid port range: 8100 is greater than 8000"),
        ("80,443", "'80,443' is not a port or port range"),
        ("-1", "'-1' is not a port or port range"),
        ("http", "'http' is not a port or port range"),
        (True, "True is not a port or port range"),
        (8.5, "8.5 is not a port or port range"),
    ],
)
def test_parse_port_range_refuses(value, message):
    with pytest.raises(InputError) as caught:
        parse_port_range(value, "rules[1].ports[0]")
    assert str(caught.value).startswith("rules[1].ports[0]: " + message)


def test_port_range_hints():
    with pytest.raises(InputError, match="list each port or range as its own item"):
        parse_port_range("80,443", "p")
    with pytest.raises(InputError, match='use "0-65535" for every port'):
        parse_port_range("-1", "p")


@pytest.mark.parametrize(
    "value, family, expected",
    [
        ("10.0.0.0/8", "ipv4", "10.0.0.0/8"),
        (" 192.168.1.0/24 ", "ipv4", "192.168.1.0/24"),
        ("10.0.0.1", "ipv4", "10.0.0.1/32"),
        ("0.0.0.0/0", "ipv4", "0.0.0.0/0"),
        ("2001:DB8::/32", "ipv6", "2001:db8::/32"),
        ("2001:db8:0:0::/64", "ipv6", "2001:db8::/64"),
        ("::/0", "ipv6", "::/0"),
    ],
)
def test_normalise_cidr(value, family, expected):
    assert normalise_cidr(value, family, "cidr") == expected


@pytest.mark.parametrize(
    "value, family, message",
    [
        ("10.0.0.0/33", "ipv4", "10.0.0.0/33 is not a valid CIDR"),
        ("10.0.0.1/24", "ipv4", "10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?"),
        ("2001:db8::1/32", "ipv6", "2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?"),
        ("2001:db8::/32", "ipv4", "2001:db8::/32 is an IPv6 CIDR, expected IPv4"),
        ("10.0.0.0/8", "ipv6", "10.0.0.0/8 is an IPv4 CIDR, expected IPv6"),
        ("300.1.1.0/24", "ipv4", "300.1.1.0/24 is not a valid CIDR"),
        ("", "ipv4", "'' is not a CIDR"),
        (None, "ipv4", "None is not a CIDR"),
    ],
)
def test_normalise_cidr_refuses(value, family, message):
    with pytest.raises(InputError) as caught:
        normalise_cidr(value, family, "rules[0].cidr")
    assert str(caught.value) == "rules[0].cidr: " + message


def test_normalise_cidr_lenient_and_option_hint():
    assert normalise_cidr("10.0.0.1/24", "ipv4", "x", strict=False) == "10.0.0.0/24"
    with pytest.raises(InputError, match="put it in cidr_ipv6"):
        normalise_cidr("::/0", "ipv4", "x", other_option="cidr_ipv6")


@pytest.mark.parametrize(
    "value, owner, group",
    [
        ("sg-12345678", None, "sg-12345678"),
        (SG, None, SG),
        (f"123456789012/{SG}", "123456789012", SG),
        (f" amazon-elb/{SG} ", "amazon-elb", SG),
    ],
)
def test_parse_group_id(value, owner, group):
    source = parse_group_id(value, "g")
    assert (source.kind, source.value, source.owner) == ("group", group, owner)


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "sg-1234567",
            "sg-1234567 is not a security group id (expected sg- and 8 or 17 lowercase hex digits); it has 7 hex",
        ),
        ("sg-0123456789abcdef", "it has 16 hex digits"),
        ("SG-12345678", "did you mean sg-12345678?"),
        ("sg-0123456789ABCDEF0", "did you mean sg-0123456789abcdef0?"),
        ("sg-1234567g", "it has characters that are not hex digits"),
        ("sgr-0123456789abcdef0", "sgr- is a security group rule id"),
        ("pl-12345678", "that is a prefix list id, put it in prefix_list_id"),
        ("web-servers", "web-servers is not a security group id"),
        ("12345/sg-12345678", "account id '12345' is not 12 digits"),
        (f"123456789012/{SG}/name", "group names are not accepted"),
        ("", "'' is not a security group id"),
        (12345678, "12345678 is not a security group id"),
    ],
)
def test_parse_group_id_refuses(value, message):
    with pytest.raises(InputError) as caught:
        parse_group_id(value, "rules[0].group_id[0]")
    assert str(caught.value).startswith("rules[0].group_id[0]: ")
    assert message in str(caught.value)


def test_parse_prefix_list_id():
    assert parse_prefix_list_id(" pl-63a5400a ", "p") == Source("prefix_list", "pl-63a5400a")
    for value, message in [
        ("pl-63a5400", "is not a prefix list id"),
        ("PL-63A5400A", "did you mean pl-63a5400a?"),
        (SG, "that is a security group id, put it in group_id"),
        (None, "None is not a prefix list id"),
    ]:
        with pytest.raises(InputError) as caught:
            parse_prefix_list_id(value, "rules[0].prefix_list_id[0]")
        assert str(caught.value).startswith("rules[0].prefix_list_id[0]: ") and message in str(caught.value)


def test_rule_identity_ignores_description_and_group_owner():
    plain = Rule("ingress", "tcp", 80, 80, Source("group", SG))
    owned = Rule("ingress", "tcp", 80, 80, Source("group", SG, "123456789012"))
    assert plain == owned and hash(plain) == hash(owned)
    assert len({DescribedRule(plain, "a").rule, DescribedRule(owned, "b").rule}) == 1
    assert DescribedRule(plain, "a") != DescribedRule(plain, "b")
    assert DescribedRule(plain, "a", "rules[0]") == DescribedRule(plain, "a", "rules[9]")
    assert str(owned) == f"ingress tcp 80 from 123456789012/{SG}"


@pytest.mark.parametrize(
    "args",
    [
        ("inbound", "tcp", 80, 80, CIDR),
        ("ingress", "6", 80, 80, CIDR),
        ("ingress", "all", None, None, CIDR),
        ("ingress", "tcp", None, None, CIDR),
        ("ingress", "tcp", 90, 80, CIDR),
        ("ingress", "udp", 0, 65536, CIDR),
        ("ingress", "tcp", True, 80, CIDR),
        ("ingress", "icmp", -1, 3, CIDR),
        ("ingress", "icmp", 256, -1, CIDR),
        ("ingress", "-1", 0, 65535, CIDR),
        ("ingress", "50", 1, 1, CIDR),
        ("ingress", "256", None, None, CIDR),
        ("ingress", "tcp", 80, 80, "10.0.0.0/8"),
    ],
)
def test_rule_refuses_non_canonical_values(args):
    with pytest.raises(ValueError):
        Rule(*args)


def test_source_refuses_unknown_kind_and_empty_value():
    with pytest.raises(ValueError):
        Source("cidr", "10.0.0.0/8")
    with pytest.raises(ValueError):
        Source("ipv4", "")


def test_rule_text_and_family():
    assert str(Rule("egress", "-1", None, None, Source("ipv6", "::/0"))) == "egress all to ::/0"
    assert str(Rule("ingress", "icmp", 3, 4, CIDR)) == "ingress icmp type 3 code 4 from 10.0.0.0/8"
    assert str(Rule("ingress", "icmpv6", -1, -1, CIDR)) == "ingress icmpv6 any type from 10.0.0.0/8"
    assert str(Rule("ingress", "icmp", 8, -1, CIDR)) == "ingress icmp type 8 from 10.0.0.0/8"
    assert str(Rule("ingress", "tcp", 1, 2, CIDR)) == "ingress tcp 1-2 from 10.0.0.0/8"
    assert Rule("ingress", "50", None, None, Source("ipv6", "::/0")).family == "ipv6"
    assert Rule("ingress", "tcp", 1, 1, Source("group", SG)).family is None
    assert str(DescribedRule(Rule("ingress", "tcp", 1, 1, CIDR), "x")) == "ingress tcp 1 from 10.0.0.0/8 (x)"


def test_described_and_unique_rules():
    rule = Rule("ingress", "tcp", 80, 80, CIDR)
    assert described(rule) == DescribedRule(rule)
    with pytest.raises(PlanError):
        described("tcp/80")
    assert unique_rules([rule, DescribedRule(rule, "x"), DescribedRule(rule, None)]) == [DescribedRule(rule, "x")]
    with pytest.raises(PlanError, match="listed twice with different descriptions"):
        unique_rules([DescribedRule(rule, "x"), DescribedRule(rule, "y")])


@pytest.mark.parametrize(
    "description, labels",
    [
        (CONTROLLER_LABEL, {"elbv2.k8s.aws/targetGroupBinding": "shared"}),
        ("a=b,c=d", {"a": "b", "c": "d"}),
        ("note elbv2.k8s.aws/targetGroupBinding=shared", {"elbv2.k8s.aws/targetGroupBinding": "shared"}),
        # The controller's regex wants "," or the end after the value: followed by a space it is no label.
        ("elbv2.k8s.aws/targetGroupBinding=shared kubeguard:web", {}),
        ("kubeguard:web", {}),
        (None, {}),
        ("a=1,a=2", {"a": "2"}),
    ],
)
def test_controller_labels_use_the_controller_regex(description, labels):
    assert controller_labels(description) == labels
    assert is_controller_owned(description) == (labels.get("elbv2.k8s.aws/targetGroupBinding") == "shared")


@pytest.mark.parametrize(
    "description, mentioned",
    [
        (CONTROLLER_LABEL, True),
        ("elbv2.k8s.aws/targetGroupBinding=shared kubeguard:web", True),
        ("ELBV2.K8S.AWS/TARGETGROUPBINDING=SHARED", True),
        ("elbv2.k8s.aws/targetGroupBinding=other", False),
        ("", False),
        (None, False),
    ],
)
def test_mentions_controller_label_is_broader_than_the_controller(description, mentioned):
    assert mentions_controller_label(description) is mentioned


def test_markers():
    assert build_marker("web") == "kubeguard:web"
    assert marker_purposes("office kubeguard:web, kubeguard:node-ports") == ["web", "node-ports"]
    assert has_marker("kubeguard:web", "web")
    assert not has_marker("kubeguard:webapp", "web")
    assert not has_marker("xkubeguard:web", "web")
    assert not has_marker(None, "web")
    assert with_marker(None, "web") == "kubeguard:web"
    assert with_marker("office", "web") == "office kubeguard:web"
    assert with_marker("office kubeguard:web", "web") == "office kubeguard:web"
    for purpose in ("", "-web", "a:b", "x" * 64, None, "with space"):
        with pytest.raises(InputError):
            check_purpose(purpose)


def test_with_marker_refuses_too_long_and_controller_label():
    with pytest.raises(InputError, match="with the ownership marker 'kubeguard:web' appended; EC2 allows 255"):
        with_marker("x" * 250, "web", "rules[0].description")
    with pytest.raises(InputError, match="never written"):
        with_marker(CONTROLLER_LABEL + ",", "web")


@pytest.mark.parametrize(
    "description, message",
    [
        ("x" * 256, "is 256 characters long; EC2 allows 255"),
        ("caf\u00e9 <b>", "contains characters EC2 refuses in rule descriptions: '<>\u00e9'"),
        (CONTROLLER_LABEL, "contains the AWS Load Balancer Controller label elbv2.k8s.aws/targetGroupBinding=shared"),
        ("mine elbv2.k8s.aws/targetGroupBinding=shared,", "contains the AWS Load Balancer Controller label"),
        (42, "42 is not a string"),
    ],
)
def test_check_description_refuses(description, message):
    with pytest.raises(InputError) as caught:
        check_description(description, "rules[0].description")
    assert str(caught.value).startswith("rules[0].description: ")
    assert message in str(caught.value)


def test_check_description_accepts_ec2_characters():
    text = "a-z A-Z 0-9 ._-:/()#,@[]+=&;{}!$*"
    assert check_description(text, "d") == text
    assert check_description("", "d") is None
    assert check_description(None, "d") is None
