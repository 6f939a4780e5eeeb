import pytest

from sandbox.proxy.adapter import CONFLICT, READ, SERVER_ERROR, THROTTLE, WRITE, Call
from sandbox.proxy.faults import FaultPlan, FaultPlanError

DESCRIBE = Call("ec2", "DescribeSecurityGroups", READ)
AUTHORIZE = Call("ec2", "AuthorizeSecurityGroupIngress", WRITE)
ALL = (THROTTLE, SERVER_ERROR, CONFLICT)


def outcomes(plan, call, n, supported=ALL):
    return [plan.decide(call, supported).fault for _ in range(n)]


def test_no_rules_means_no_faults():
    plan = FaultPlan()
    assert set(outcomes(plan, DESCRIBE, 200)) == {None}


def test_same_seed_same_sequence_and_other_seed_differs():
    rules = [{"throttle": 0.3}]
    first, second, third = FaultPlan(), FaultPlan(), FaultPlan()
    first.configure(rules, seed=42)
    second.configure(rules, seed=42)
    third.configure(rules, seed=43)
    a, b, c = (outcomes(p, DESCRIBE, 300) for p in (first, second, third))
    assert a == b
    assert a != c


def test_rate_is_respected_statistically():
    plan = FaultPlan()
    plan.configure([{"throttle": 0.3}], seed=1)
    throttled = outcomes(plan, DESCRIBE, 5000).count(THROTTLE)
    assert 1350 < throttled < 1650  # 30 % of 5000, +- about 7 standard deviations


def test_rates_partition_one_draw_between_kinds():
    plan = FaultPlan()
    plan.configure([{"throttle": 0.2, "server_error": 0.2, "conflict": 0.2}], seed=3)
    results = outcomes(plan, DESCRIBE, 3000)
    for kind in ALL:
        assert 450 < results.count(kind) < 750
    assert 1000 < results.count(None) < 1400


def test_unsupported_kinds_are_never_injected():
    plan = FaultPlan()
    plan.configure([{"conflict": 1.0}], seed=0)
    assert set(outcomes(plan, DESCRIBE, 50, supported=(THROTTLE, SERVER_ERROR))) == {None}


def test_filters_on_service_action_and_kind_first_match_wins():
    plan = FaultPlan()
    plan.configure([
        {"service": "ec2", "action": "Describe*", "kind": "read", "server_error": 1.0},
        {"service": "*", "throttle": 1.0},
    ], seed=0)
    assert plan.decide(DESCRIBE, ALL).fault == SERVER_ERROR
    assert plan.decide(AUTHORIZE, ALL).fault == THROTTLE
    assert plan.decide(Call("k8s:demo-eks", "list pods", READ), ALL).fault == THROTTLE


def test_kind_filter_spares_other_kind():
    plan = FaultPlan()
    plan.configure([{"kind": "write", "throttle": 1.0}], seed=0)
    assert plan.decide(DESCRIBE, ALL).fault is None
    assert plan.decide(AUTHORIZE, ALL).fault == THROTTLE


def test_latency_applies_to_matching_calls_only():
    plan = FaultPlan()
    plan.configure([{"service": "eks", "latency_ms": 25}], seed=0)
    assert plan.decide(Call("eks", "DescribeCluster", READ), ALL).latency_ms == 25
    assert plan.decide(DESCRIBE, ALL).latency_ms == 0


@pytest.mark.parametrize("rule, message", [
    ({"throttle": 1.5}, "between 0 and 1"),
    ({"throttle": -0.1}, "between 0 and 1"),
    ({"throttle": 0.6, "server_error": 0.6}, "more than 1"),
    ({"kind": "delete"}, "read, write or any"),
    ({"latency_ms": -5}, "non-negative"),
    ({"rate": 0.3}, "unknown fault rule keys"),
])
def test_bad_plans_are_rejected_and_leave_the_old_plan(rule, message):
    plan = FaultPlan()
    plan.configure([{"throttle": 1.0}], seed=9)
    with pytest.raises(FaultPlanError, match=message):
        plan.configure([rule], seed=1)
    assert plan.describe()["seed"] == 9
    assert plan.decide(DESCRIBE, ALL).fault == THROTTLE


def test_clear_removes_rules():
    plan = FaultPlan()
    plan.configure([{"throttle": 1.0}], seed=5)
    plan.clear()
    assert plan.describe() == {"seed": 0, "rules": []}
    assert plan.decide(DESCRIBE, ALL).fault is None
