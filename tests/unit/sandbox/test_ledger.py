import threading

from sandbox.proxy.adapter import READ, WRITE, Call
from sandbox.proxy.ledger import CallLedger

DESCRIBE = Call("ec2", "DescribeSecurityGroups", READ)
AUTHORIZE = Call("ec2", "AuthorizeSecurityGroupIngress", WRITE)


def test_counts_reads_writes_and_faults_per_service_and_action():
    ledger = CallLedger()
    ledger.record(DESCRIBE)
    ledger.record(DESCRIBE, "RequestLimitExceeded")
    ledger.record(AUTHORIZE)
    ledger.record(Call("eks", "DescribeCluster", READ))
    snap = ledger.snapshot()
    assert snap["totals"] == {"reads": 3, "writes": 1, "faults": 1}
    ec2 = snap["services"]["ec2"]
    assert (ec2["reads"], ec2["writes"]) == (2, 1)
    assert ec2["faults"] == {"RequestLimitExceeded": 1}
    assert ec2["actions"]["DescribeSecurityGroups"] == {
        "kind": "read", "calls": 2, "faults": {"RequestLimitExceeded": 1}}
    assert ec2["actions"]["AuthorizeSecurityGroupIngress"] == {"kind": "write", "calls": 1, "faults": {}}
    assert snap["services"]["eks"]["reads"] == 1


def test_reset_clears_everything():
    ledger = CallLedger()
    ledger.record(AUTHORIZE, "InternalError")
    ledger.reset()
    assert ledger.snapshot() == {"totals": {"reads": 0, "writes": 0, "faults": 0}, "services": {}}


def test_concurrent_records_are_not_lost():
    ledger = CallLedger()

    def hammer():
        for _ in range(500):
            ledger.record(DESCRIBE)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.snapshot()["services"]["ec2"]["actions"]["DescribeSecurityGroups"]["calls"] == 4000


def test_the_journal_keeps_arrival_order_and_resets():
    from sandbox.proxy.adapter import Call

    ledger = CallLedger()
    ledger.record(Call("slb", "AddAccessControlListEntry", "write"))
    ledger.record(Call("slb", "RemoveAccessControlListEntry", "write"), "Throttling")
    assert [(c["seq"], c["action"], c["fault"]) for c in ledger.journal()] == [
        (1, "AddAccessControlListEntry", None), (2, "RemoveAccessControlListEntry", "Throttling")]
    ledger.reset()
    assert ledger.journal() == []
