# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of ownership, protection, plan() and render_calls()."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import protection_reason
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import render_calls

NODE_SG = "sg-0aaaaaaaaaaaaaaaa"
BACKEND = "sg-0bbbbbbbbbbbbbbbb"
CLUSTER = "sg-0cccccccccccccccc"
BACKEND_SOURCE = Source("group", BACKEND)
V4 = Source("ipv4", "10.0.0.0/8")
ANY = Source("ipv4", "0.0.0.0/0")


def is_protected(entry, patterns):
    return protection_reason(entry, patterns) is not None


def tcp(low, high=None, source=V4, direction="ingress"):
    return Rule(direction, "tcp", low, low if high is None else high, source)


CONTROLLER_RULE = DescribedRule(tcp(30000, 32767, BACKEND_SOURCE), CONTROLLER_LABEL)
OWNED_PUBLIC = DescribedRule(tcp(30080, source=ANY), "kubeguard:nodeports")
OTHER_PURPOSE = DescribedRule(tcp(22), "kubeguard:ssh")
HAND_MADE = DescribedRule(tcp(443), "ops ticket 123")
NO_DESCRIPTION = DescribedRule(tcp(10250, source=Source("group", CLUSTER)))
DEFAULT_EGRESS = DescribedRule(Rule("egress", "-1", None, None, ANY))
CURRENT = [CONTROLLER_RULE, OWNED_PUBLIC, OTHER_PURPOSE, HAND_MADE, NO_DESCRIPTION, DEFAULT_EGRESS]
DESIRED = expand([{"ports": ["30080", "30081"], "group_id": [BACKEND]}])


def rules_of(entries):
    return sorted((entry.rule for entry in entries), key=lambda rule: rule.sort_key())


def make(state, desired=None, **kwargs):
    kwargs.setdefault("group_id", NODE_SG)
    kwargs.setdefault("directions", ("ingress",))
    return plan(CURRENT, DESIRED if desired is None else desired, state, "nodeports", **kwargs)


def test_merged_authorizes_missing_with_marker_and_never_revokes():
    result = make("merged")
    assert [str(entry) for entry in result.authorize] == [
        f"ingress tcp 30080 from {BACKEND} (kubeguard:nodeports)",
        f"ingress tcp 30081 from {BACKEND} (kubeguard:nodeports)",
    ]
    assert result.revoke == () and result.update_descriptions == () and result.protected_kept == ()
    assert set(result.unchanged) == set(CURRENT) - {DEFAULT_EGRESS}
    assert result.changed and result.order == ("authorize", "update_descriptions", "revoke")


def test_replaced_revokes_only_owned_extras():
    result = make("replaced")
    assert result.revoke == (OWNED_PUBLIC,)
    assert set(result.unchanged) == {CONTROLLER_RULE, OTHER_PURPOSE, HAND_MADE, NO_DESCRIPTION}
    assert result.protected_kept == ()


def test_overridden_revokes_everything_not_desired_except_protected():
    result = make("overridden", protect=[CLUSTER])
    assert set(result.revoke) == {OWNED_PUBLIC, HAND_MADE}
    # another purpose's rule is that purpose's to remove: two modules composed on one group would fight
    assert set(result.protected_kept) == {CONTROLLER_RULE, NO_DESCRIPTION, OTHER_PURPOSE}
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith(f"{NODE_SG}: kept 3 protected rule(s) that state overridden would remove: ")
    assert f"carries the controller label {CONTROLLER_LABEL}" in warning and "matches protect[0]" in warning
    assert "was written by this collection for kubeguard:ssh (that purpose removes it)" in warning
    assert DEFAULT_EGRESS not in result.before() and DEFAULT_EGRESS not in result.revoke


def test_unprotect_releases_another_purposes_rule_and_replaced_never_touches_it():
    released = make("overridden", unprotect=parse_protect([{"ports": ["22"]}]))
    assert OTHER_PURPOSE in released.revoke
    assert OTHER_PURPOSE not in make("replaced").revoke


def test_overridden_over_both_directions_revokes_default_egress():
    result = make("overridden", directions=("ingress", "egress"))
    assert DEFAULT_EGRESS in result.revoke


@pytest.mark.parametrize(
    "desired, expected_revoke, expected_kept",
    [
        ([], {OWNED_PUBLIC}, set()),
        (expand([{"ports": ["443", "8443"], "cidr_ip": ["10.0.0.0/8"]}]), set(), set()),  # listed but not ours: kept
        (expand([{"ports": ["30000-32767"], "group_id": [BACKEND]}]), set(), {CONTROLLER_RULE}),
    ],
)
def test_deleted(desired, expected_revoke, expected_kept):
    result = make("deleted", desired=desired)
    assert set(result.revoke) == expected_revoke
    assert set(result.protected_kept) == expected_kept
    assert result.authorize == ()
    assert set(result.before()) == set(CURRENT) - {DEFAULT_EGRESS}


def test_deleted_never_revokes_a_listed_rule_without_our_marker():
    result = make("deleted", desired=expand([{"ports": ["443", "8443"], "cidr_ip": ["10.0.0.0/8"]}]))
    assert HAND_MADE in result.unchanged and HAND_MADE not in result.revoke
    assert any("without the kubeguard:" in w and "not ours" in w for w in result.warnings)


def test_deleted_with_empty_list_keeps_owned_but_protected():
    protected_owned = DescribedRule(tcp(9000), "kubeguard:nodeports")
    result = plan([protected_owned, OWNED_PUBLIC], [], "deleted", "nodeports", protect=[{"ports": ["9000"]}])
    assert result.revoke == (OWNED_PUBLIC,)
    assert result.protected_kept == (protected_owned,)


def test_no_op_is_unchanged():
    current = [DescribedRule(entry.rule, "kubeguard:nodeports") for entry in DESIRED]
    for state in ("merged", "replaced", "overridden"):
        result = plan(current, DESIRED, state, "nodeports")
        assert not result.changed
        assert set(result.unchanged) == set(current)
        assert result.before() == result.after()


def test_description_updates_only_when_desired_has_one():
    current = [
        DescribedRule(tcp(80), "old kubeguard:web"),
        DescribedRule(tcp(81), "hand made"),
        DescribedRule(tcp(82)),
        DescribedRule(tcp(83), "kubeguard:web"),
    ]
    desired = expand(
        [
            {"ports": ["80", "81", "82"], "cidr_ip": ["10.0.0.0/8"], "description": "new"},
            {"ports": ["83"], "cidr_ip": ["10.0.0.0/8"]},
        ]
    )
    result = plan(current, desired, "merged", "web")
    assert [str(entry) for entry in result.update_descriptions] == [
        "ingress tcp 80 from 10.0.0.0/8 (new kubeguard:web)"
    ]
    assert result.replaced_descriptions == (current[0],)
    # 81 and 82 were not written by this collection: they satisfy the desired rules as they are, never taken over
    assert set(result.unchanged) == set(current[1:]) and set(result.unowned_satisfying) == set(current[1:3])
    assert result.authorize == ()


def test_an_unowned_rule_equal_to_a_desired_one_is_never_taken_over_so_replaced_never_revokes_it():
    hand_made = DescribedRule(Rule("ingress", "tcp", 30000, 32767, Source("group", BACKEND)), "method 1 by ops")
    desired = expand([{"ports": ["30000-32767"], "group_id": [BACKEND], "description": "node ports"}])
    merged = plan([hand_made], desired, "merged", "lbc")
    assert not merged.changed and merged.unowned_satisfying == (hand_made,)
    assert merged.to_dict()["unowned_satisfying"]["ingress"][0]["description"] == "method 1 by ops"
    replaced = plan([hand_made], [], "replaced", "lbc")
    deleted = plan([hand_made], desired, "deleted", "lbc")
    assert replaced.revoke == () and deleted.revoke == ()


def test_description_of_unowned_rule_is_left_alone_without_desired_description():
    current = [DescribedRule(tcp(80), "hand made")]
    result = plan(current, expand([{"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}]), "replaced", "web")
    assert not result.changed and result.unchanged == tuple(current)


def test_protected_rule_is_never_redescribed_and_the_controller_copy_is_warned_about():
    desired = expand([{"ports": ["30000-32767"], "group_id": [BACKEND], "description": "node ports"}])
    result = make("merged", desired=desired)
    assert result.update_descriptions == ()
    assert result.unowned_satisfying == (CONTROLLER_RULE,) and CONTROLLER_RULE in result.unchanged
    assert any("exists only as the AWS Load Balancer Controller's rule" in warning for warning in result.warnings)


def test_a_protected_rule_of_our_own_keeps_its_description():
    ours = DescribedRule(tcp(443), "old kubeguard:web")
    desired = expand([{"ports": ["443"], "cidr_ip": ["10.0.0.0/8"], "description": "new"}])
    result = plan([ours], desired, "merged", "web", protect=[{"ports": ["443"]}])
    assert result.update_descriptions == () and result.protected_kept == (ours,)
    assert any("its description stays" in warning for warning in result.warnings)


def test_plan_refuses_writing_the_controller_label():
    desired = [DescribedRule(tcp(80), CONTROLLER_LABEL, "rules[4]")]
    with pytest.raises(InputError) as caught:
        plan([], desired, "merged", "web")
    assert str(caught.value).startswith("rules[4].description: contains the AWS Load Balancer Controller label")
    # deleting by a rule spec that carries it is fine: nothing is written
    assert plan([], desired, "deleted", "web").revoke == ()


def test_marker_that_does_not_fit_is_refused():
    desired = [DescribedRule(tcp(80), "x" * 250, "rules[0]")]
    with pytest.raises(InputError, match=r"^rules\[0\]\.description: is 270 characters long with the ownership marker"):
        plan([], desired, "merged", "nodeports")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"state": "gathered"}, "state 'gathered' has no plan"),
        ({"purpose": "bad purpose"}, "purpose: 'bad purpose' is not a valid purpose"),
        ({"directions": ("inbound",)}, "directions must be a non-empty subset"),
        ({"directions": ()}, "directions must be a non-empty subset"),
        (
            {"desired": expand([{"ports": ["1"], "cidr_ip": ["10.0.0.0/8"]}], "egress")},
            "is outside the managed directions",
        ),
        (
            {"desired": [DescribedRule(tcp(1), "a"), DescribedRule(tcp(1), "b")]},
            "listed twice with different descriptions",
        ),
        ({"protect": "sg-12345678"}, "protect: must be a list"),
    ],
)
def test_plan_refuses_bad_arguments(kwargs, message):
    arguments = {
        "current": CURRENT,
        "desired": DESIRED,
        "state": "merged",
        "purpose": "nodeports",
        "directions": ("ingress",),
    }
    arguments.update(kwargs)
    with pytest.raises((PlanError, InputError)) as caught:
        plan(**arguments)
    assert message in str(caught.value)


def test_controller_managed_frontend_group():
    tags = [
        {"Key": "ingress.k8s.aws/resource", "Value": "ManagedLBSecurityGroup"},
        {"Key": "elbv2.k8s.aws/cluster", "Value": "c"},
    ]
    assert is_controller_managed_group(tags)
    assert is_controller_managed_group({"service.k8s.aws/resource": "ManagedLBSecurityGroup"})
    assert not is_controller_managed_group({"elbv2.k8s.aws/resource": "backend-sg"})
    assert not is_controller_managed_group(None)
    current = [DescribedRule(tcp(443, source=ANY))]
    result = plan(current, [], "overridden", "web", group_tags=tags)
    assert result.revoke == () and result.protected_kept == tuple(current)
    with pytest.raises(PlanError, match="managed by the AWS Load Balancer Controller"):
        plan(current, expand([{"ports": ["80"], "cidr_ip": ["10.0.0.0/8"]}]), "merged", "web", group_tags=tags)


@pytest.mark.parametrize(
    "entry, protected",
    [
        ({"ports": ["30000-32767"]}, [CONTROLLER_RULE, OWNED_PUBLIC]),
        ({"proto": "tcp", "ports": ["22"], "direction": "ingress"}, [CONTROLLER_RULE, OTHER_PURPOSE]),
        ({"cidr_ip": ["10.0.0.0/8"]}, [CONTROLLER_RULE, OTHER_PURPOSE, HAND_MADE]),
        ({"direction": "egress"}, [CONTROLLER_RULE, DEFAULT_EGRESS]),
        ({"proto": "all", "cidr_ip": ["0.0.0.0/0"]}, [CONTROLLER_RULE, DEFAULT_EGRESS]),
        (CLUSTER, [CONTROLLER_RULE, NO_DESCRIPTION]),
        (f"123456789012/{BACKEND}", [CONTROLLER_RULE]),
    ],
)
def test_protect_patterns(entry, protected):
    patterns = parse_protect([entry])
    assert [rule for rule in CURRENT if is_protected(rule, patterns)] == protected


def test_protect_icmp_patterns():
    patterns = parse_protect([{"proto": "icmp", "icmp_type": 3}])
    assert is_protected(Rule("ingress", "icmp", 3, 4, V4), patterns)
    assert not is_protected(Rule("ingress", "icmp", 8, 0, V4), patterns)
    assert not is_protected(Rule("ingress", "icmpv6", 3, 4, V4), patterns)
    any_icmp = parse_protect([{"proto": "icmp"}])
    assert is_protected(Rule("ingress", "icmp", 8, 0, V4), any_icmp)
    ports_only = parse_protect([{"ports": ["0-65535"]}])
    assert not is_protected(Rule("ingress", "-1", None, None, V4), ports_only)
    assert protection_reason(Rule("ingress", "tcp", 5, 5, V4), ports_only) == "matches protect[0]"


@pytest.mark.parametrize(
    "protect, message",
    [
        ([{}], "protect[0]: is empty, which would protect every rule"),
        ([{"description": "x"}], "protect[0].description: unknown option"),
        ([{"direction": "in"}], "protect[0].direction: 'in' is not one of ingress, egress"),
        ([{"icmp_type": 3}], "protect[0].proto: is needed with icmp_type/icmp_code"),
        (["sg-123"], "protect[0]: sg-123 is not a security group id"),
        ([42], "protect[0]: must be a security group id or a rule pattern (dict), got int"),
        ([{"ports": ["1-70000"]}], "protect[0].ports[0]: port 70000 is out of range"),
    ],
)
def test_parse_protect_refuses(protect, message):
    with pytest.raises(InputError) as caught:
        parse_protect(protect)
    assert str(caught.value).startswith(message)


def test_parse_protect_accepts_patterns_and_none():
    pattern = ProtectPattern("mine", protocol="udp")
    assert parse_protect([pattern]) == (pattern,)
    assert parse_protect(None) == ()


def test_is_owned():
    assert is_owned(OWNED_PUBLIC, "nodeports")
    assert not is_owned(OTHER_PURPOSE, "nodeports")
    assert not is_owned(NO_DESCRIPTION, "nodeports")


def test_render_calls_make_before_break():
    result = make("replaced")
    calls = render_calls(result)
    assert [call["action"] for call in calls] == ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"]
    assert calls[0]["params"] == {
        "GroupId": NODE_SG,
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 30080,
                "ToPort": 30080,
                "UserIdGroupPairs": [{"GroupId": BACKEND, "Description": "kubeguard:nodeports"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 30081,
                "ToPort": 30081,
                "UserIdGroupPairs": [{"GroupId": BACKEND, "Description": "kubeguard:nodeports"}],
            },
        ],
    }
    assert calls[1]["params"] == {
        "GroupId": NODE_SG,
        "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 30080, "ToPort": 30080, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    }


def test_render_calls_with_descriptions_and_egress():
    current = [DescribedRule(tcp(80, direction="egress"), "old kubeguard:web")]
    desired = expand([{"ports": ["80"], "cidr_ip": ["10.0.0.0/8"], "description": "new"}], "egress")
    calls = render_calls(plan(current, desired, "merged", "web"), "sg-12345678")
    assert calls == [
        {
            "action": "UpdateSecurityGroupRuleDescriptionsEgress",
            "params": {
                "GroupId": "sg-12345678",
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 80,
                        "ToPort": 80,
                        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "new kubeguard:web"}],
                    }
                ],
            },
        }
    ]
    with pytest.raises(PlanError, match="needs a group id"):
        render_calls(plan(current, desired, "merged", "web"))


def test_plan_with_limits_runs_the_quota_check():
    current = [DescribedRule(tcp(port)) for port in range(1, 60)]
    desired = expand([{"ports": ["1000", "1001"], "cidr_ip": ["10.0.0.0/8"]}])
    with pytest.raises(QuotaError, match="over the quota of 60 rules per security group by 1"):
        plan(current, desired, "merged", "web", group_id=NODE_SG, limits={})
    assert plan(current, desired, "merged", "web", limits={"rules_per_group": 61}).authorize


def test_plan_to_dict_and_before_after():
    result = make("replaced")
    data = result.to_dict()
    assert data["group_id"] == NODE_SG and data["state"] == "replaced" and data["changed"] is True
    assert data["order"] == ["authorize", "update_descriptions", "revoke"]
    assert data["authorize"] == {
        "ingress": [
            {"proto": "tcp", "ports": ["30080", "30081"], "group_id": [BACKEND], "description": "kubeguard:nodeports"}
        ]
    }
    assert data["revoke"] == {
        "ingress": [
            {"proto": "tcp", "ports": ["30080"], "cidr_ip": ["0.0.0.0/0"], "description": "kubeguard:nodeports"}
        ]
    }
    assert OWNED_PUBLIC in result.before() and OWNED_PUBLIC not in result.after()
    assert set(rules_of(result.after())) == set(rules_of(CURRENT[:5] + DESIRED)) - {OWNED_PUBLIC.rule}


def test_plan_reads_from_ip_permissions_with_the_controller_rule():
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": 30000,
            "ToPort": 32767,
            "UserIdGroupPairs": [{"GroupId": BACKEND, "UserId": "123456789012", "Description": CONTROLLER_LABEL}],
        }
    ]
    current = from_ip_permissions(permissions, "ingress", "123456789012")
    result = plan(current, [], "overridden", "nodeports", directions=("ingress",))
    assert result.revoke == () and len(result.protected_kept) == 1


def test_a_disowned_controller_labelled_rule_is_adopted_in_place_only_when_asked():
    """Seed 003: a hand-made rule carrying the controller label, equal to a desired rule. Left as it is (and
    warned about) by default; with ``adopt`` re-described with our marker - one update call, no revoke."""
    office = Source("group", "sg-0ddddddddddddddd1")
    hand_made = DescribedRule(tcp(31080, source=office), CONTROLLER_LABEL)
    desired = [DescribedRule(tcp(31080, source=office))]
    left = plan([hand_made], desired, "overridden", "lbc")
    assert left.update_descriptions == () and left.unowned_satisfying == (hand_made,)
    adopted = plan([hand_made], desired, "overridden", "lbc", adopt=frozenset({hand_made.rule}))
    (update,) = adopted.update_descriptions
    assert update.description == "kubeguard:lbc" and CONTROLLER_LABEL not in update.description
    assert adopted.authorize == () and adopted.revoke == () and adopted.unowned_satisfying == ()
    assert [call["action"] for call in render_calls(adopted, NODE_SG)] == ["UpdateSecurityGroupRuleDescriptionsIngress"]
    assert any("adopted as this collection's rule" in warning for warning in adopted.warnings)
