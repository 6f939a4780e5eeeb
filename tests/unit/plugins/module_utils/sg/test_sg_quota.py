# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the quota counting and check_quota()."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import render_calls
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import as_limits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import check_quota
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import prefix_list_weight

SG = "sg-0aaaaaaaaaaaaaaaa"
PEER = Source("group", "sg-0bbbbbbbbbbbbbbbb")
V6 = Source("ipv6", "2001:db8::/32")
PL = Source("prefix_list", "pl-63a5400a")
PL6 = Source("prefix_list", "pl-0123456789abcdef0")


def tcp(low, source=Source("ipv4", "10.0.0.0/8"), direction="ingress", description=None):
    return DescribedRule(Rule(direction, "tcp", low, low, source), description)


def counts(ingress4=0, ingress6=0, egress4=0, egress6=0):
    return {
        ("ingress", "ipv4"): ingress4,
        ("ingress", "ipv6"): ingress6,
        ("egress", "ipv4"): egress4,
        ("egress", "ipv6"): egress6,
    }


@pytest.mark.parametrize(
    "rules, sizes, expected",
    [
        ([], None, counts()),
        ([tcp(1), tcp(2), tcp(2)], None, counts(ingress4=2)),
        ([tcp(1, V6), tcp(2, direction="egress")], None, counts(ingress6=1, egress4=1)),
        ([tcp(1, PEER), tcp(2, PEER)], None, counts(ingress4=2, ingress6=2)),
        ([tcp(1, PL)], {"pl-63a5400a": 20}, counts(ingress4=20, ingress6=20)),
        ([tcp(1, PL), tcp(2, PL)], {"pl-63a5400a": (20, "ipv4")}, counts(ingress4=40)),
        ([tcp(1, PL6)], {"pl-0123456789abcdef0": {"MaxEntries": 5, "AddressFamily": "IPv6"}}, counts(ingress6=5)),
        ([tcp(1, PL6)], {"pl-0123456789abcdef0": {"max_entries": "7", "family": "ipv4"}}, counts(ingress4=7)),
    ],
)
def test_count_rules(rules, sizes, expected):
    assert count_rules(rules, sizes) == expected


@pytest.mark.parametrize(
    "sizes, error, message",
    [
        ({}, PlanError, "maximum number of entries of prefix list pl-63a5400a is not known"),
        ({"pl-63a5400a": 0}, InputError, "quota.prefix_list_sizes.pl-63a5400a: 0 max entries must be at least 1"),
        ({"pl-63a5400a": (5, "ipx")}, InputError, "family 'ipx' is not ipv4 or ipv6"),
        ({"pl-63a5400a": "many"}, InputError, "'many' is not an integer"),
    ],
)
def test_prefix_list_weight_refuses(sizes, error, message):
    with pytest.raises(error) as caught:
        prefix_list_weight("pl-63a5400a", sizes)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"rules_per_group": 0}, "quota.rules_per_group: 0 must be at least 1"),
        ({"rules_per_group": "sixty"}, "quota.rules_per_group: 'sixty' is not an integer"),
        ({"rules_per_group": 1001}, "quota.rules_per_group: 1001 is more than rules_per_eni (1000)"),
        ({"rules_per_eni": -5}, "quota.rules_per_eni: -5 must be at least 1"),
        ({"per_group": 5}, "quota.per_group: unknown option"),
        ({"eni_groups": [1]}, "quota.eni_groups: must be a mapping"),
    ],
)
def test_limits_are_validated(limits, message):
    with pytest.raises(InputError) as caught:
        as_limits(limits)
    assert str(caught.value) == message


def test_as_limits():
    assert as_limits(None) == QuotaLimits()
    assert as_limits({"rules_per_group": "100", "rules_per_eni": None}).rules_per_group == 100
    limits = QuotaLimits(rules_per_group=5)
    assert as_limits(limits) is limits
    with pytest.raises(PlanError):
        as_limits(60)


def full(count, source=Source("ipv4", "10.0.0.0/8"), start=1, direction="ingress", description=None):
    return [tcp(port, source, direction, description) for port in range(start, start + count)]


def test_at_the_quota_is_fine_one_over_fails_with_the_excess():
    current = full(58)
    ok = plan(current, full(2, start=100), "merged", "web", group_id=SG)
    assert check_quota(current, ok, None) is ok
    over = plan(current, full(5, start=100), "merged", "web", group_id=SG)
    with pytest.raises(QuotaError) as caught:
        check_quota(current, over, QuotaLimits())
    error = caught.value
    assert (error.resource, error.direction, error.family, error.excess) == (SG, "ingress", "ipv4", 3)
    assert str(error) == f"{SG}: ingress IPv4 rules would number 63, over the quota of 60 rules per security group by 3"


def test_families_and_directions_are_counted_separately():
    current = full(60) + full(59, V6) + full(60, direction="egress")
    result = plan(current, full(1, V6, start=1000), "merged", "web")
    assert check_quota(current, result) is result
    with pytest.raises(QuotaError, match="ingress IPv6 rules would number 61"):
        check_quota(current, plan(current, full(2, V6, start=1000), "merged", "web"))


def test_group_reference_counts_in_both_families():
    current = full(60, V6)
    with pytest.raises(QuotaError) as caught:
        check_quota(current, plan(current, full(1, PEER, start=2000), "merged", "web"))
    assert [(o.family, o.excess) for o in caught.value.overages] == [("ipv6", 1)]
    assert str(caught.value).startswith("security group: ingress IPv6")


def test_prefix_list_counts_at_max_entries():
    current = full(41)
    desired = [tcp(443, PL)]
    limits = QuotaLimits(prefix_list_sizes={"pl-63a5400a": (20, "ipv4")})
    with pytest.raises(QuotaError, match="would number 61"):
        check_quota(current, plan(current, desired, "merged", "web"), limits)
    assert check_quota(current[:-1], plan(current[:-1], desired, "merged", "web"), limits).authorize


def test_a_bucket_the_plan_does_not_add_to_is_not_blamed():
    current = full(80)
    result = plan(current, full(1, V6), "merged", "web")
    assert check_quota(current, result) is result
    assert check_quota(current, plan(current, full(3), "merged", "web")).changed is False


def test_revoke_first_when_authorize_first_would_cross_the_quota():
    current = full(60, description="kubeguard:web")
    desired = full(55, description="kubeguard:web") + full(5, start=100)
    result = plan(current, desired, "replaced", "web", group_id=SG, limits=QuotaLimits())
    assert result.revoke_first
    assert result.order == ("revoke", "authorize", "update_descriptions")
    assert [call["action"] for call in render_calls(result)] == [
        "RevokeSecurityGroupIngress",
        "AuthorizeSecurityGroupIngress",
    ]
    assert result.warnings[-1].startswith(
        f"{SG}: revoking 5 rule(s) before authorizing 5, because authorizing first would "
        "take ingress IPv4 rules to 65, over the per-group quota (60)"
    )
    assert check_quota(current, result) is result  # already reordered: not warned twice


def test_eni_limit_counts_the_other_groups():
    current = full(10)
    desired = full(5, start=100)
    result = plan(current, desired, "merged", "web", group_id=SG)
    # The group's own entry is replaced by its computed count; an int counts in every direction/family;
    # egress is over already but the plan adds no egress rule, so only ingress IPv4 is blamed.
    limits = QuotaLimits(
        eni_groups={"eni-0123": {SG: 999, "sg-other1": 500, "sg-other2": {"ingress/ipv4": 495, "egress/ipv4": 999}}}
    )
    with pytest.raises(QuotaError) as caught:
        check_quota(current, result, limits)
    assert str(caught.value) == (
        "eni-0123: ingress IPv4 rules would number 1010, over the per-interface limit of 1000 "
        "(rules of all its security groups) by 10"
    )
    assert caught.value.resource == "eni-0123" and caught.value.excess == 10
    fits = QuotaLimits(eni_groups={"eni-0123": {"sg-other1": 500, "sg-other2": {("ingress", "ipv4"): 485}}})
    assert check_quota(current, result, fits) is result


def test_eni_limit_can_force_revoke_first():
    current = full(10, description="kubeguard:web")
    desired = full(5, start=100)
    result = plan(current, desired, "overridden", "web", group_id=SG)
    limits = QuotaLimits(eni_groups={"eni-1": {"sg-other": counts(ingress4=990)}})
    reordered = check_quota(current, result, limits)
    assert reordered.revoke_first
    assert "over the per-interface limit on eni-1 (1000)" in reordered.warnings[-1]


def test_eni_counts_are_validated():
    result = plan(full(1), full(1, start=5), "merged", "web")
    with pytest.raises(InputError, match="quota.eni_groups.eni-1.sg-x: 'sideways/ipv4' is not a direction/family"):
        check_quota(full(1), result, QuotaLimits(eni_groups={"eni-1": {"sg-x": {"sideways/ipv4": 1}}}))
