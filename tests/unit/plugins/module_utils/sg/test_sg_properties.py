# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Property tests (hypothesis) of the rule engine: round trips, compression, plans, quotas."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import has_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_protocol
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import protection_reason
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import compress
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import check_quota
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules

ACCOUNT = "123456789012"
SG = "sg-0123456789abcdef0"
SG2 = "sg-12345678"
PURPOSE = "web"
SETTINGS = settings(max_examples=150, deadline=None)

SOURCE_POOL = [
    Source("ipv4", "10.0.0.0/8"),
    Source("ipv4", "192.168.1.0/24"),
    Source("ipv4", "0.0.0.0/0"),
    Source("ipv6", "2001:db8::/32"),
    Source("ipv6", "::/0"),
    Source("prefix_list", "pl-63a5400a"),
    Source("group", SG),
    Source("group", SG2, ACCOUNT),
]
DESCRIPTION_ALPHABET = "abcXYZ019 ._-:/()#,@[]+=&;{}!$*"
descriptions = st.one_of(
    st.none(), st.text(DESCRIPTION_ALPHABET, min_size=1, max_size=24).filter(lambda text: text.strip() != "")
)
ports = st.one_of(st.integers(0, 40), st.sampled_from([1023, 1024, 65534, 65535]))
directions = st.sampled_from(["ingress", "egress"])


@st.composite
def port_range(draw):
    low, high = sorted((draw(ports), draw(ports)))
    return low, high


@st.composite
def rules(draw, direction=None, protocols=("tcp", "udp", "icmp", "icmpv6", "-1", "50")):
    protocol = draw(st.sampled_from(protocols))
    if protocol in ("tcp", "udp"):
        low, high = draw(port_range())
    elif protocol in ("icmp", "icmpv6"):
        low = draw(st.integers(-1, 255))
        high = -1 if low == -1 else draw(st.integers(-1, 255))
    else:
        low = high = None
    return Rule(direction or draw(directions), protocol, low, high, draw(st.sampled_from(SOURCE_POOL)))


def is_protected(entry, patterns):
    return protection_reason(entry, patterns) is not None


def unique_by_rule(entries):
    seen = {}
    for entry in entries:
        seen.setdefault(entry.rule, entry)
    return list(seen.values())


def described_rules(direction=None, description_strategy=descriptions, **kwargs):
    entry = st.builds(DescribedRule, rules(direction, **kwargs), description_strategy)
    return st.lists(entry, max_size=25).map(unique_by_rule)


def full_identity(entries):
    """Identity plus what identity leaves out: the group owner and the description."""
    return sorted(((entry.rule.sort_key(), entry.rule.source.owner, entry.description) for entry in entries), key=repr)


@st.composite
def module_rules(draw):
    """A valid rule in the module input format."""
    proto = draw(st.sampled_from(["tcp", "udp", "6", 17, "icmp", "icmpv6", "1", "all", "-1", "50", 132]))
    protocol = normalise_protocol(proto, "proto")
    spec = {"proto": proto}
    if protocol in ("tcp", "udp"):
        ranges = draw(st.lists(port_range(), min_size=1, max_size=4))
        if len(ranges) == 1 and draw(st.booleans()):
            spec["from_port"], spec["to_port"] = ranges[0]
        else:
            spec["ports"] = [
                str(low) if low == high and draw(st.booleans()) else f"{low}-{high}" for low, high in ranges
            ]
    elif protocol in ("icmp", "icmpv6"):
        icmp_type = draw(st.integers(-1, 255))
        if icmp_type != -1 or draw(st.booleans()):
            spec["icmp_type"] = icmp_type
            if icmp_type != -1 and draw(st.booleans()):
                spec["icmp_code"] = draw(st.integers(-1, 255))
    sources = draw(st.lists(st.sampled_from(SOURCE_POOL), min_size=1, max_size=4))
    for option, kind in (
        ("cidr_ip", "ipv4"),
        ("cidr_ipv6", "ipv6"),
        ("prefix_list_id", "prefix_list"),
        ("group_id", "group"),
    ):
        values = [str(source) for source in sources if source.kind == kind]
        if values:
            spec[option] = values
    return spec


@SETTINGS
@given(st.lists(module_rules(), max_size=8), directions, descriptions)
def test_expand_to_ip_permissions_from_ip_permissions_round_trip(specs, direction, description):
    expanded = expand(specs, direction, default_description=description)
    payload = to_ip_permissions(expanded)
    back = from_ip_permissions(payload, direction)
    assert full_identity(back) == full_identity(expanded)
    # batched: one permission per protocol and port range
    assert len(payload) == len({(entry.rule.protocol, entry.rule.from_port, entry.rule.to_port) for entry in expanded})


@SETTINGS
@given(directions, st.data())
def test_to_module_format_expand_round_trip(direction, data):
    entries = data.draw(described_rules(direction))
    spec = to_module_format(entries)
    assert full_identity(expand(spec, direction)) == full_identity(entries)
    assert len(spec) <= len(entries)


def covered(entries):
    """Ports covered per (direction, protocol, source, description)."""
    result = {}
    for entry in entries:
        rule = entry.rule
        result.setdefault((rule.direction, rule.protocol, rule.source, entry.description), set()).update(
            range(rule.from_port, rule.to_port + 1)
        )
    return result


# Few keys (direction, protocol, source, description) and mostly narrow ranges, so that the ranges
# of one key overlap, touch and miss each other by one port.
NARROW_RANGE = st.builds(
    lambda low, width: (low, min(low + width, 65535)),
    st.one_of(st.integers(0, 30), st.integers(65530, 65535)),
    st.integers(0, 3),
)
WIDE_RANGE = st.lists(st.integers(0, 40), min_size=2, max_size=2).map(sorted).map(tuple)
PORT_RULES = st.lists(
    st.builds(
        DescribedRule,
        st.builds(
            lambda protocol, ports_, source: Rule("ingress", protocol, ports_[0], ports_[1], source),
            st.sampled_from(["tcp", "udp"]),
            st.one_of(NARROW_RANGE, NARROW_RANGE, WIDE_RANGE),
            st.sampled_from(SOURCE_POOL[:2]),
        ),
        st.sampled_from([None, "a"]),
    ),
    max_size=25,
).map(unique_by_rule)


@SETTINGS
@given(PORT_RULES)
def test_compress_adjacent_covers_exactly_the_input_ports(entries):
    merged = compress(entries, "adjacent")
    assert covered(merged) == covered(entries)
    assert len(merged) <= len(entries)
    by_key = {}
    for entry in merged:
        by_key.setdefault((entry.rule.direction, entry.rule.protocol, entry.rule.source, entry.description), []).append(
            entry.rule
        )
    for key_rules in by_key.values():
        key_rules.sort(key=lambda rule: rule.from_port)
        for before, after in zip(key_rules, key_rules[1:]):
            assert before.to_port + 1 < after.from_port  # neither overlapping nor touching: fully merged


@SETTINGS
@given(PORT_RULES)
def test_compress_span_covers_min_to_max_and_exact_changes_nothing(entries):
    spans = compress(entries, "span")
    wanted = {key: (min(ports), max(ports)) for key, ports in covered(entries).items()}
    assert {
        (entry.rule.direction, entry.rule.protocol, entry.rule.source, entry.description): (
            entry.rule.from_port,
            entry.rule.to_port,
        )
        for entry in spans
    } == wanted
    assert len(spans) == len(wanted)
    assert set(compress(entries, "exact")) == set(entries)


@SETTINGS
@given(st.data())
def test_compress_never_touches_other_protocols(data):
    entries = data.draw(described_rules(protocols=("icmp", "icmpv6", "-1", "50")))
    for mode in ("exact", "adjacent", "span"):
        assert set(compress(entries, mode)) == set(entries)


CURRENT_DESCRIPTIONS = st.sampled_from(
    [
        None,
        "hand made",
        f"kubeguard:{PURPOSE}",
        f"office kubeguard:{PURPOSE}",
        "kubeguard:other",
        f"kubeguard:{PURPOSE}x",
        CONTROLLER_LABEL,
        f"{CONTROLLER_LABEL} kubeguard:{PURPOSE}",
        f"kubeguard:{PURPOSE},{CONTROLLER_LABEL}",
    ]
)
PROTECT_POOL = [SG, {"ports": ["0-20"]}, {"cidr_ip": ["10.0.0.0/8"]}, {"direction": "egress"}, {"proto": "icmp"}]
PROTECT = st.lists(st.sampled_from(PROTECT_POOL), max_size=3)


def protected_oracle(entry, protect):
    """Protection computed independently of the engine, for the PROTECT_POOL entries."""
    rule = entry.rule
    if CONTROLLER_LABEL.lower() in (entry.description or "").lower():
        return True
    checks = {
        SG: lambda: rule.source.kind == "group" and rule.source.value == SG,
        "ports": lambda: rule.protocol in ("tcp", "udp") and rule.to_port <= 20,
        "cidr_ip": lambda: rule.source == Source("ipv4", "10.0.0.0/8"),
        "direction": lambda: rule.direction == "egress",
        "proto": lambda: rule.protocol == "icmp",
    }
    return any(checks[item if isinstance(item, str) else list(item)[0]]() for item in protect)


def _other_purpose_only(description):
    """Written by this collection for another purpose only (kept by overridden)."""
    purposes = re.findall(r"(?<![^\s,;])kubeguard:([A-Za-z0-9][A-Za-z0-9._/-]*)(?![^\s,;])", description or "")
    return bool(purposes) and PURPOSE not in purposes


STATES = st.sampled_from(["merged", "replaced", "overridden", "deleted"])


@st.composite
def plan_case(draw):
    current = draw(described_rules(description_strategy=CURRENT_DESCRIPTIONS))
    # desired: some current rules (with or without a new description) and some new ones
    reused = draw(st.lists(st.sampled_from(current), max_size=6)) if current else []
    desired = [DescribedRule(entry.rule, draw(descriptions)) for entry in reused] + draw(described_rules())
    return current, unique_by_rule(desired), draw(PROTECT), draw(STATES)


@SETTINGS
@given(plan_case())
def test_plan_never_revokes_what_it_must_not(case):
    current, desired, protect, state = case
    result = plan(current, desired, state, PURPOSE, protect)
    patterns = parse_protect(protect)
    current_rules = {entry.rule for entry in current}
    for entry in current:
        assert is_protected(entry, patterns) == protected_oracle(entry, protect)
    for entry in result.revoke:
        assert entry in current
        assert not protected_oracle(entry, protect), f"{state} revoked protected {entry}"
        if state == "replaced":
            assert has_marker(entry.description, PURPOSE), f"replaced revoked unowned {entry}"
    if state == "merged":
        assert result.revoke == ()
    if state == "overridden":
        desired_rules = {entry.rule for entry in desired}
        expected = {
            entry
            for entry in current
            if entry.rule not in desired_rules
            and not protected_oracle(entry, protect)
            and not _other_purpose_only(entry.description)
        }
        assert set(result.revoke) == expected
    for entry in result.authorize:
        assert entry.rule not in current_rules
        assert has_marker(entry.description, PURPOSE)
    for entry in result.update_descriptions + result.authorize:
        assert CONTROLLER_LABEL.lower() not in (entry.description or "").lower()
    for old in result.replaced_descriptions:
        assert not protected_oracle(old, protect)
        assert has_marker(old.description, PURPOSE), f"{state} took over unowned {old}"
    for entry in result.unowned_satisfying:
        assert entry in current and not has_marker(entry.description, PURPOSE)
    # the plan partitions what was read
    assert sorted(result.before(), key=repr) == sorted(current, key=repr)
    after = {entry.rule for entry in result.after()}
    assert len(after) == len(result.after())
    if state != "deleted":
        assert {entry.rule for entry in desired} <= after


@SETTINGS
@given(plan_case(), st.integers(1, 12))
def test_quota_check_either_fails_or_the_end_state_fits(case, limit):
    current, desired, _protect, state = case
    current = [entry for entry in current if entry.rule.source.kind != "prefix_list"]
    desired = [entry for entry in desired if entry.rule.source.kind != "prefix_list"]
    result = plan(current, desired, state, PURPOSE)
    limits = QuotaLimits(rules_per_group=limit)
    added = count_rules(result.authorize)
    final_rules = {entry.rule for entry in current} - {entry.rule for entry in result.revoke}
    final = count_rules([DescribedRule(rule) for rule in final_rules] + list(result.authorize))
    try:
        checked = check_quota(current, result, limits)
    except QuotaError as error:
        assert all(overage.count > limit for overage in error.overages)
        assert any(added[bucket] and final[bucket] > limit for bucket in final)
        return
    assert not any(added[bucket] and final[bucket] > limit for bucket in final)
    peak = count_rules(list(current) + list(result.authorize))
    assert checked.revoke_first == any(added[bucket] and peak[bucket] > limit for bucket in peak)
