# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of port compression."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import compress
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import merge_ranges
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import span_range

BACKEND = Source("group", "sg-0123456789abcdef0")
V4 = Source("ipv4", "10.0.0.0/8")


def port_count(ranges) -> int:
    """How many ports the ranges cover (overlaps counted once)."""
    return sum(high - low + 1 for low, high in merge_ranges(ranges))


def ranges_of(rules):
    return [(rule.from_port, rule.to_port) for rule in rules]


@pytest.mark.parametrize(
    "ranges, merged",
    [
        ([], []),
        ([(80, 80)], [(80, 80)]),
        ([(80, 80), (81, 81)], [(80, 81)]),
        ([(81, 90), (80, 80)], [(80, 90)]),
        ([(80, 80), (82, 82)], [(80, 80), (82, 82)]),
        ([(1, 10), (5, 6)], [(1, 10)]),
        ([(1, 10), (5, 20), (22, 30)], [(1, 20), (22, 30)]),
        ([(0, 0), (65535, 65535), (1, 65534)], [(0, 65535)]),
    ],
)
def test_merge_ranges(ranges, merged):
    assert merge_ranges(ranges) == merged


def test_span_range_and_port_count():
    assert span_range([(30080, 30080), (32050, 32050)]) == (30080, 32050)
    assert port_count([(30080, 30080), (32050, 32050)]) == 2
    assert port_count([(1, 10), (5, 20)]) == 20
    assert port_count([]) == 0


NODE_PORTS = [Rule("ingress", "tcp", port, port, BACKEND) for port in (30080, 30081, 30082, 31000, 32050)]


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("exact", [(30080, 30080), (30081, 30081), (30082, 30082), (31000, 31000), (32050, 32050)]),
        ("adjacent", [(30080, 30082), (31000, 31000), (32050, 32050)]),
        ("span", [(30080, 32050)]),
    ],
)
def test_compress_modes(mode, expected):
    result = compress(list(reversed(NODE_PORTS)), mode)
    assert ranges_of(result) == expected
    assert all(isinstance(rule, Rule) for rule in result)


def test_exact_never_splits_a_range_nor_merges():
    rules = [Rule("ingress", "tcp", 8000, 8100, V4), Rule("ingress", "tcp", 8101, 8101, V4)]
    assert ranges_of(compress(rules, "exact")) == [(8000, 8100), (8101, 8101)]
    assert ranges_of(compress(rules + rules, "exact")) == [(8000, 8100), (8101, 8101)]


def test_compress_keeps_protocols_sources_directions_and_descriptions_apart():
    rules = [
        DescribedRule(Rule("ingress", "tcp", 80, 80, V4), "a"),
        DescribedRule(Rule("ingress", "tcp", 81, 81, V4), "b"),
        DescribedRule(Rule("ingress", "udp", 82, 82, V4), "a"),
        DescribedRule(Rule("egress", "tcp", 83, 83, V4), "a"),
        DescribedRule(Rule("ingress", "tcp", 84, 84, BACKEND), "a"),
        DescribedRule(Rule("ingress", "tcp", 85, 85, V4), "a"),
    ]
    adjacent = compress(rules, "adjacent")
    assert len(adjacent) == 6
    span = compress(rules, "span")
    assert [str(entry) for entry in span] == [
        "ingress tcp 80-85 from 10.0.0.0/8 (a)",
        "ingress tcp 81 from 10.0.0.0/8 (b)",
        "ingress tcp 84 from sg-0123456789abcdef0 (a)",
        "ingress udp 82 from 10.0.0.0/8 (a)",
        "egress tcp 83 to 10.0.0.0/8 (a)",
    ]


def test_compress_passes_non_port_protocols_through():
    rules = [
        Rule("ingress", "icmp", 3, 4, V4),
        Rule("ingress", "icmp", 3, 5, V4),
        Rule("ingress", "-1", None, None, V4),
        Rule("ingress", "50", None, None, V4),
    ]
    for mode in ("adjacent", "span"):
        assert sorted(compress(rules, mode), key=lambda rule: rule.sort_key()) == sorted(
            rules, key=lambda rule: rule.sort_key()
        )


def test_compress_keeps_origins_of_merged_rules():
    rules = expand([{"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}, {"ports": ["81"], "cidr_ip": ["10.0.0.0/8"]}])
    merged = compress(rules, "adjacent")
    assert [(entry.rule.from_port, entry.rule.to_port, entry.origin) for entry in merged] == [
        (80, 81, "rules[0], rules[1]")
    ]


def test_compress_refuses_unknown_mode_and_accepts_empty():
    with pytest.raises(InputError) as caught:
        compress(NODE_PORTS, "minmax")
    assert str(caught.value) == "port_compression: 'minmax' is not one of exact, adjacent, span"
    assert compress([], "span") == []
