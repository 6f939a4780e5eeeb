from sandbox.cli import calls_table
from sandbox.proxy.adapter import READ, WRITE, Call
from sandbox.proxy.ledger import CallLedger


def test_table_lists_each_action_with_faults_and_totals():
    ledger = CallLedger()
    ledger.record(Call("ec2", "DescribeSecurityGroups", READ))
    ledger.record(Call("ec2", "DescribeSecurityGroups", READ), "RequestLimitExceeded")
    ledger.record(Call("ec2", "AuthorizeSecurityGroupIngress", WRITE))
    lines = calls_table(ledger.snapshot()).splitlines()
    assert lines[0].split() == ["service", "action", "kind", "calls", "faults"]
    assert lines[1].split() == ["ec2", "AuthorizeSecurityGroupIngress", "write", "1", "-"]
    assert lines[2].split() == ["ec2", "DescribeSecurityGroups", "read", "2", "RequestLimitExceeded=1"]
    assert lines[3].split() == ["total", "2", "reads,", "1", "writes", "1"]


def test_empty_table_still_has_totals():
    lines = calls_table(CallLedger().snapshot()).splitlines()
    assert len(lines) == 2 and lines[1].split()[0] == "total"
