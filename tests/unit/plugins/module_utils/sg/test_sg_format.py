# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of expand, from_ip_permissions, to_ip_permissions and to_module_format."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import parse_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import parse_sources
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source

SG = "sg-0123456789abcdef0"
SG2 = "sg-12345678"
ACCOUNT = "123456789012"
V4 = Source("ipv4", "10.0.0.0/8")
V6 = Source("ipv6", "2001:db8::/32")


def tcp(low, high=None, source=V4, direction="ingress"):
    return Rule(direction, "tcp", low, low if high is None else high, source)


def test_expand_is_the_cartesian_product_of_ports_and_sources():
    rules = expand(
        [
            {
                "proto": "tcp",
                "ports": ["80", "8000-8100"],
                "cidr_ip": ["10.0.0.0/8"],
                "cidr_ipv6": ["2001:db8::/32"],
                "description": "web",
            }
        ]
    )
    assert [str(entry) for entry in rules] == [
        "ingress tcp 80 from 10.0.0.0/8 (web)",
        "ingress tcp 80 from 2001:db8::/32 (web)",
        "ingress tcp 8000-8100 from 10.0.0.0/8 (web)",
        "ingress tcp 8000-8100 from 2001:db8::/32 (web)",
    ]
    assert [entry.origin for entry in rules] == ["rules[0]"] * 4


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"ports": [443], "cidr_ip": "10.0.0.0/8"}, [tcp(443)]),
        ({"proto": 6, "from_port": 80, "to_port": 90, "cidr_ip": ["10.0.0.0/8"]}, [tcp(80, 90)]),
        ({"proto": "udp", "from_port": "53", "cidr_ip": ["10.0.0.0/8"]}, [Rule("ingress", "udp", 53, 53, V4)]),
        ({"proto": "icmp", "cidr_ip": ["10.0.0.0/8"]}, [Rule("ingress", "icmp", -1, -1, V4)]),
        (
            {"proto": "icmp", "icmp_type": 3, "icmp_code": 4, "cidr_ip": ["10.0.0.0/8"]},
            [Rule("ingress", "icmp", 3, 4, V4)],
        ),
        ({"proto": 1, "icmp_type": 8, "cidr_ip": ["10.0.0.0/8"]}, [Rule("ingress", "icmp", 8, -1, V4)]),
        (
            {"proto": "icmpv6", "from_port": 128, "to_port": 0, "cidr_ipv6": ["2001:db8::/32"]},
            [Rule("ingress", "icmpv6", 128, 0, V6)],
        ),
        ({"proto": "all", "group_id": [SG2]}, [Rule("ingress", "-1", None, None, Source("group", SG2))]),
        (
            {"proto": "-1", "prefix_list_id": ["pl-63a5400a"]},
            [Rule("ingress", "-1", None, None, Source("prefix_list", "pl-63a5400a"))],
        ),
        ({"proto": 50, "cidr_ip": ["10.0.0.0/8"]}, [Rule("ingress", "50", None, None, V4)]),
        (
            {"ports": ["80"], "group_id": [f"{ACCOUNT}/{SG}"], "cidr_ip": None, "description": None},
            [tcp(80, source=Source("group", SG, ACCOUNT))],
        ),
    ],
)
def test_expand_forms(spec, expected):
    assert [entry.rule for entry in expand([spec])] == expected


def test_expand_keeps_the_group_owner_and_direction():
    entry = expand([{"ports": ["80"], "group_id": [f"{ACCOUNT}/{SG}"]}], direction="egress")[0]
    assert entry.rule.direction == "egress"
    assert entry.rule.source.owner == ACCOUNT


BAD_RULES = [
    ({"ports": ["80"], "cidr_ip": ["10.0.0.0/33"]}, "rules[0].cidr_ip[0]: 10.0.0.0/33 is not a valid CIDR"),
    (
        {"ports": ["80"], "cidr_ip": ["10.0.0.1/24"]},
        "rules[0].cidr_ip[0]: 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?",
    ),
    ({"ports": ["0-70000"], "cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports[0]: port 70000 is out of range 0-65535"),
    ({"from_port": 90, "to_port": 80, "cidr_ip": ["10.0.0.0/8"]}, "rules[0].to_port: 80 is lower than from_port 90"),
    (
        {"ports": ["90-80"], "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].ports[0]: 90-80 is not a valid port range: 90 is greater than 80",
    ),
    ({"proto": "tpc", "ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}, "rules[0].proto: unknown protocol 'tpc'"),
    ({"ports": ["80"], "group_id": ["sg-1234abc"]}, "rules[0].group_id[0]: sg-1234abc is not a security group id"),
    (
        {"ports": ["80"], "group_id": ["sg-0123456789abcdef"]},
        "rules[0].group_id[0]: sg-0123456789abcdef is not a security",
    ),
    ({"ports": ["80"], "prefix_list_id": ["pl-123"]}, "rules[0].prefix_list_id[0]: pl-123 is not a prefix list id"),
    ({"ports": ["80"], "prefix_list_id": [SG]}, "that is a security group id, put it in group_id"),
    ({"proto": "icmp", "icmp_code": 4, "cidr_ip": ["10.0.0.0/8"]}, "rules[0].icmp_code: needs icmp_type"),
    (
        {"proto": "icmp", "icmp_type": -1, "icmp_code": 4, "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].icmp_code: 4 needs a specific icmp_type",
    ),
    ({"proto": "icmp", "icmp_type": 300, "cidr_ip": ["10.0.0.0/8"]}, "rules[0].icmp_type: 300 is out of range -1-255"),
    ({"proto": "icmp", "ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports: is not valid with proto icmp"),
    (
        {"proto": "all", "ports": ["80"], "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].ports: is not valid with proto all: it has no ports (EC2 opens every port)",
    ),
    (
        {"proto": "-1", "from_port": 0, "to_port": 65535, "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].from_port: is not valid with proto all",
    ),
    ({"proto": 50, "ports": ["1"], "cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports: is not valid with proto 50"),
    (
        {"proto": "tcp", "icmp_type": 3, "ports": ["1"], "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].icmp_type: is only valid with proto icmp or icmpv6 (proto is tcp)",
    ),
    (
        {"ports": ["80"], "cidr_ip": ["2001:db8::/32"]},
        "rules[0].cidr_ip[0]: 2001:db8::/32 is an IPv6 CIDR; put it in cidr_ipv6",
    ),
    (
        {"ports": ["80"], "cidr_ipv6": ["10.0.0.0/8"]},
        "rules[0].cidr_ipv6[0]: 10.0.0.0/8 is an IPv4 CIDR; put it in cidr_ip",
    ),
    ({"ports": ["80"], "cidr_ip": []}, "rules[0].cidr_ip: is empty; give at least one of cidr_ip, cidr_ipv6"),
    ({"ports": ["80"]}, "rules[0]: has no source; give at least one of"),
    ({"ports": [], "cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports: is empty"),
    ({"cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports: proto tcp needs ports"),
    (
        {"ports": ["80"], "from_port": 80, "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].ports: give either ports or from_port/to_port",
    ),
    ({"to_port": 80, "cidr_ip": ["10.0.0.0/8"]}, "rules[0].to_port: needs from_port"),
    (
        {"from_port": -1, "to_port": -1, "cidr_ip": ["10.0.0.0/8"]},
        'rules[0].from_port: port -1 is out of range 0-65535; use ports: ["0-65535"] for every port',
    ),
    (
        {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"], "description": CONTROLLER_LABEL},
        "rules[0].description: contains the AWS Load Balancer Controller label",
    ),
    (
        {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"], "description": "<script>"},
        "rules[0].description: contains characters EC2 refuses",
    ),
    ({"ports": ["80"], "cidr": ["10.0.0.0/8"]}, "rules[0].cidr: unknown option; known options are proto, ports"),
    ({"ports": ["80"], "cidr_ip": {"a": 1}}, "rules[0].cidr_ip: must be a list, got dict"),
    ({"ports": ["80"], "group_id": ["my-group"]}, "rules[0].group_id[0]: my-group is not a security group id"),
    (
        {"proto": "icmp", "icmp_type": 3, "from_port": 3, "cidr_ip": ["10.0.0.0/8"]},
        "rules[0].icmp_type: give either icmp_type/icmp_code or from_port/to_port",
    ),
    ({"ports": ["80"], "from_port": "x", "cidr_ip": ["10.0.0.0/8"]}, "rules[0].ports: give either"),
    ({"from_port": "eighty", "cidr_ip": ["10.0.0.0/8"]}, "rules[0].from_port: 'eighty' is not an integer"),
]


@pytest.mark.parametrize("spec, message", BAD_RULES)
def test_expand_refuses_bad_input_naming_the_option_path(spec, message):
    good = {"ports": ["22"], "cidr_ip": ["10.0.0.0/8"]}
    with pytest.raises(InputError) as caught:
        expand([good, spec], path="rules")
    text = str(caught.value).replace("rules[1]", "rules[0]")
    assert message in text
    assert str(caught.value).startswith("rules[1]")


def test_there_are_at_least_fifteen_bad_input_cases():
    assert len(BAD_RULES) >= 15


@pytest.mark.parametrize(
    "rules, path, message",
    [
        ("tcp/80", "rules", "rules: must be a list of rules, got str"),
        (["tcp/80"], "rules", "rules[0]: must be a dict, got str"),
        ([{"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}], "frontend_security_groups[2].rules", None),
    ],
)
def test_expand_top_level(rules, path, message):
    if message is None:
        assert expand(rules, path=path)[0].origin == "frontend_security_groups[2].rules[0]"
        return
    with pytest.raises(InputError) as caught:
        expand(rules, path=path)
    assert str(caught.value) == message


def test_expand_none_and_bad_direction():
    assert expand(None) == []
    with pytest.raises(PlanError):
        expand([], direction="inbound")
    with pytest.raises(InputError, match="default_description: contains the AWS Load Balancer Controller label"):
        expand([], default_description=CONTROLLER_LABEL)


def test_expand_deduplicates_and_merges_descriptions():
    rules = expand(
        [
            {"ports": ["80", "80-80"], "cidr_ip": ["10.0.0.0/8", "10.0.0.0/8"]},
            {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"], "description": "web"},
            {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]},
        ]
    )
    assert rules == [DescribedRule(tcp(80), "web")]
    assert rules[0].origin == "rules[1]"


def test_expand_refuses_one_rule_with_two_descriptions():
    with pytest.raises(InputError) as caught:
        expand(
            [
                {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"], "description": "a"},
                {"ports": ["80", "81"], "cidr_ip": ["10.0.0.0/8"], "description": "b"},
            ]
        )
    assert str(caught.value) == (
        "rules[1].description: ingress tcp 80 from 10.0.0.0/8 is also listed by rules[0] with "
        "the description 'a'; EC2 keeps one description per rule"
    )


def test_expand_default_description_applies_only_without_description():
    rules = expand(
        [
            {"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]},
            {"ports": ["81"], "cidr_ip": ["10.0.0.0/8"], "description": "own"},
        ],
        default_description="dflt",
    )
    assert [entry.description for entry in rules] == ["dflt", "own"]


def test_parse_helpers_directly():
    assert parse_sources({"cidr_ip": None}, "p", required=False) == []
    assert parse_ports({"ports": 443}, "tcp", "p") == [(443, 443)]
    assert parse_ports({}, "-1", "p") == [(None, None)]


DESCRIBED_GROUP = {
    "GroupId": SG,
    "IpPermissions": [
        {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "web"}, {"CidrIp": "192.168.0.0/16"}],
            "Ipv6Ranges": [{"CidrIpv6": "2001:DB8::/32", "Description": ""}],
            "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "s3"}],
            "UserIdGroupPairs": [
                {"GroupId": SG2, "UserId": ACCOUNT, "Description": CONTROLLER_LABEL},
                {"GroupId": SG, "UserId": "210987654321", "VpcId": "vpc-1", "VpcPeeringConnectionId": "pcx-1"},
            ],
        },
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "58", "FromPort": 128, "ToPort": 0, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "50", "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
    ],
}


def test_from_ip_permissions_reads_every_source_kind():
    rules = from_ip_permissions(DESCRIBED_GROUP["IpPermissions"], "ingress", account_id=ACCOUNT)
    text = sorted(str(entry) for entry in rules)
    assert text == sorted(
        [
            "ingress tcp 80 from 10.0.0.0/8 (web)",
            "ingress tcp 80 from 192.168.0.0/16",
            "ingress tcp 80 from 2001:db8::/32",
            "ingress tcp 80 from pl-63a5400a (s3)",
            f"ingress tcp 80 from {SG2} ({CONTROLLER_LABEL})",
            f"ingress tcp 80 from 210987654321/{SG}",
            "ingress all from 0.0.0.0/0",
            "ingress icmp any type from 10.0.0.0/8",
            "ingress icmpv6 type 128 code 0 from ::/0",
            "ingress 50 from 10.1.0.0/16",
        ]
    )
    same_account = [entry for entry in rules if entry.rule.source.value == SG2][0]
    assert same_account.rule.source.owner is None
    assert [entry for entry in rules if entry.rule.source.kind == "ipv6" and entry.rule.protocol == "tcp"][
        0
    ].description is None


def test_from_ip_permissions_keeps_owner_without_account_id():
    rules = from_ip_permissions(DESCRIBED_GROUP["IpPermissions"][:1], "egress")
    owners = {entry.rule.source.value: entry.rule.source.owner for entry in rules if entry.rule.source.kind == "group"}
    assert owners == {SG2: ACCOUNT, SG: "210987654321"}
    assert all(entry.rule.direction == "egress" for entry in rules)


@pytest.mark.parametrize(
    "permissions, message",
    [
        (
            [{"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
            "IpPermissions[0]: tcp permission without FromPort/ToPort",
        ),
        ([{"IpProtocol": "gre", "IpRanges": []}], "IpPermissions[0].IpProtocol: unknown protocol 'gre'"),
        (
            [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "bogus"}]}],
            "IpPermissions[0].IpRanges[0].CidrIp: bogus is not a valid CIDR",
        ),
        (
            [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupName": "default"}]}],
            "IpPermissions[0].UserIdGroupPairs[0].GroupId: missing",
        ),
        (
            [{"IpProtocol": "icmp", "FromPort": -1, "ToPort": 3, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
            "IpPermissions[0]: an ICMP code needs a specific ICMP type",
        ),
    ],
)
def test_from_ip_permissions_refuses_malformed_data(permissions, message):
    with pytest.raises(InputError) as caught:
        from_ip_permissions(permissions, "ingress")
    assert str(caught.value).startswith(message)


def test_from_ip_permissions_normalises_host_bits_and_empty():
    rules = from_ip_permissions(
        [{"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.1/8"}]}], "ingress"
    )
    assert rules == [DescribedRule(tcp(22))]
    assert from_ip_permissions(None, "ingress") == []
    with pytest.raises(PlanError):
        from_ip_permissions([], "both")


def test_to_ip_permissions_batches_by_protocol_and_ports_with_descriptions_per_source():
    rules = [
        DescribedRule(tcp(80), "web"),
        DescribedRule(tcp(80, source=V6), None),
        DescribedRule(tcp(80, source=Source("group", SG, ACCOUNT)), "peer"),
        DescribedRule(tcp(80, source=Source("prefix_list", "pl-63a5400a")), "s3"),
        DescribedRule(tcp(443), "tls"),
        DescribedRule(Rule("ingress", "-1", None, None, V4)),
        DescribedRule(Rule("ingress", "icmp", 3, 4, V4)),
    ]
    assert to_ip_permissions(rules) == [
        {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "web"}],
            "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
            "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "s3"}],
            "UserIdGroupPairs": [{"GroupId": SG, "UserId": ACCOUNT, "Description": "peer"}],
        },
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "tls"}],
        },
        {"IpProtocol": "icmp", "FromPort": 3, "ToPort": 4, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
    ]
    assert to_ip_permissions(rules[:1], include_descriptions=False) == [
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ]
    assert to_ip_permissions([]) == []


def test_to_ip_permissions_refuses_mixed_directions():
    with pytest.raises(PlanError, match="both directions"):
        to_ip_permissions([tcp(80), tcp(80, direction="egress")])


def test_to_module_format_groups_ports_with_the_same_sources_and_description():
    rules = expand(
        [
            {"ports": ["80", "443"], "cidr_ip": ["10.0.0.0/8"], "group_id": [f"{ACCOUNT}/{SG}"], "description": "web"},
            {"ports": ["22"], "cidr_ip": ["10.0.0.0/8"]},
            {"proto": "icmp", "icmp_type": 3, "icmp_code": 4, "cidr_ipv6": ["::/0"]},
            {"proto": "icmp", "cidr_ip": ["10.0.0.0/8"]},
            {"proto": "icmpv6", "icmp_type": 128, "cidr_ipv6": ["::/0"]},
            {"proto": "all", "prefix_list_id": ["pl-63a5400a"], "description": "s3"},
            {"proto": "udp", "ports": ["53"], "cidr_ip": ["10.0.0.0/8"], "description": "web"},
        ]
    )
    assert to_module_format(rules) == [
        {"proto": "tcp", "ports": ["22"], "cidr_ip": ["10.0.0.0/8"]},
        {
            "proto": "tcp",
            "ports": ["80", "443"],
            "cidr_ip": ["10.0.0.0/8"],
            "group_id": [f"{ACCOUNT}/{SG}"],
            "description": "web",
        },
        {"proto": "udp", "ports": ["53"], "cidr_ip": ["10.0.0.0/8"], "description": "web"},
        {"proto": "icmp", "cidr_ip": ["10.0.0.0/8"]},
        {"proto": "icmp", "icmp_type": 3, "icmp_code": 4, "cidr_ipv6": ["::/0"]},
        {"proto": "icmpv6", "icmp_type": 128, "cidr_ipv6": ["::/0"]},
        {"proto": "all", "prefix_list_id": ["pl-63a5400a"], "description": "s3"},
    ]
    assert set(expand(to_module_format(rules))) == set(rules)


def test_to_module_format_direction_filter():
    rules = [DescribedRule(tcp(80)), DescribedRule(tcp(81, direction="egress"))]
    assert to_module_format(rules, "egress") == [{"proto": "tcp", "ports": ["81"], "cidr_ip": ["10.0.0.0/8"]}]
    assert to_module_format([], "ingress") == []
    with pytest.raises(PlanError):
        to_module_format(rules)
