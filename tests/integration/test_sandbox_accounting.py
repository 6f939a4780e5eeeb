"""Call accounting and fault injection on the live sandbox, seen from real boto3 clients."""

import time

import botocore.exceptions
import pytest

from conftest import run_cli


def test_counts_equal_the_calls_made_exactly_when_faults_are_off(fresh, aws):
    ec2, eks, elbv2 = aws("ec2"), aws("eks"), aws("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    for _ in range(7):
        ec2.describe_security_groups()
    for _ in range(3):
        ec2.describe_vpcs(VpcIds=[vpc])
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "1"}])
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "b", "Value": "2"}])
    eks.list_clusters()
    elbv2.describe_load_balancers()

    snap = fresh.calls()
    assert snap["totals"] == {"reads": 12, "writes": 3, "faults": 0}
    assert snap["services"]["ec2"]["actions"] == {
        "CreateVpc": {"kind": "write", "calls": 1, "faults": {}},
        "CreateTags": {"kind": "write", "calls": 2, "faults": {}},
        "DescribeSecurityGroups": {"kind": "read", "calls": 7, "faults": {}},
        "DescribeVpcs": {"kind": "read", "calls": 3, "faults": {}},
    }
    assert snap["services"]["eks"]["actions"] == {"ListClusters": {"kind": "read", "calls": 1, "faults": {}}}
    assert snap["services"]["elbv2"]["actions"] == {
        "DescribeLoadBalancers": {"kind": "read", "calls": 1, "faults": {}}}


@pytest.mark.slow
def test_boto3_standard_retries_ride_out_30_percent_throttling(fresh, aws):
    fresh.set_faults([{"service": "ec2", "throttle": 0.3}], seed=20261122)
    ec2 = aws("ec2", max_attempts=10)
    retries = 0
    for _ in range(100):
        response = ec2.describe_security_groups()
        retries += response["ResponseMetadata"]["RetryAttempts"]

    snap = fresh.calls()
    ec2_calls = snap["services"]["ec2"]
    injected = ec2_calls["faults"].get("RequestLimitExceeded", 0)
    assert set(ec2_calls["faults"]) == {"RequestLimitExceeded"}
    assert injected == retries  # every injected throttle cost exactly one retry, nothing else failed
    assert 10 < injected < 80  # about 30 % of the attempts, not none and not all
    assert ec2_calls["actions"]["DescribeSecurityGroups"]["calls"] == 100 + injected
    assert snap["totals"]["faults"] == injected


def test_server_errors_exhaust_retries_and_are_counted_per_attempt(fresh, aws):
    fresh.set_faults([{"service": "eks", "server_error": 1.0}], seed=1)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        aws("eks", total_max_attempts=3).list_clusters()
    assert caught.value.response["Error"]["Code"] == "ServerException"
    assert fresh.calls()["services"]["eks"] == {
        "reads": 3, "writes": 0, "faults": {"ServerException": 3},
        "actions": {"ListClusters": {"kind": "read", "calls": 3, "faults": {"ServerException": 3}}}}


def test_latency_is_added_only_to_matching_calls(fresh, aws):
    ec2 = aws("ec2")
    fresh.set_faults([{"service": "ec2", "action": "DescribeVpcs", "latency_ms": 400}])
    started = time.monotonic()
    ec2.describe_vpcs()
    slow = time.monotonic() - started
    started = time.monotonic()
    ec2.describe_subnets()
    fast = time.monotonic() - started
    assert slow >= 0.4
    assert fast < 0.4


def test_write_only_faults_spare_reads(fresh, aws):
    fresh.set_faults([{"kind": "write", "throttle": 1.0}])
    ec2 = aws("ec2", total_max_attempts=2)
    ec2.describe_vpcs()
    with pytest.raises(botocore.exceptions.ClientError, match="RequestLimitExceeded"):
        ec2.create_vpc(CidrBlock="10.8.0.0/16")
    snap = fresh.calls()["services"]["ec2"]
    assert snap["actions"]["DescribeVpcs"]["faults"] == {}
    assert snap["actions"]["CreateVpc"] == {"kind": "write", "calls": 2, "faults": {"RequestLimitExceeded": 2}}


def test_cli_sets_shows_and_clears_faults(sandbox_env, fresh):
    run_cli("faults", "set", "--throttle", "0.25", "--service", "ec2", "--seed", "3", env=sandbox_env)
    assert fresh.faults()["rules"][0]["throttle"] == 0.25
    bad = run_cli("faults", "set", "--throttle", "2", env=sandbox_env, check=False)
    assert bad.returncode == 1 and "between 0 and 1" in bad.stderr
    assert fresh.faults()["seed"] == 3  # the bad plan did not replace the good one
    run_cli("faults", "clear", env=sandbox_env)
    assert fresh.faults() == {"seed": 0, "rules": []}


def test_calls_reset_returns_the_old_counts(sandbox_env, fresh, aws):
    aws("ec2").describe_vpcs()
    before = fresh.reset_calls()
    assert before["totals"]["reads"] == 1
    assert fresh.calls()["totals"] == {"reads": 0, "writes": 0, "faults": 0}
