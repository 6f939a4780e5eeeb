"""Call counting and combining the counters of several backends."""

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter


def test_counts_split_reads_and_writes_and_combine():
    aws, kube = CallCounter(), CallCounter()
    aws.add("DescribeInstances", False)
    aws.add("AuthorizeSecurityGroupIngress", True)
    kube.add("list Service", False)
    kube.add("list Service", False)
    total = CallCounter.combined([aws, kube]).as_dict()
    assert total == {
        "reads": 3,
        "writes": 1,
        "by_operation": {"AuthorizeSecurityGroupIngress": 1, "DescribeInstances": 1, "list Service": 2},
    }
    assert CallCounter.combined([]).as_dict() == {"reads": 0, "writes": 0, "by_operation": {}}
