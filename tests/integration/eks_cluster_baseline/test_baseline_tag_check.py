"""The exactly-one-cluster-tagged-group check on the nodes' primary ENIs: failing before any write, naming the
instances and groups, or warning when asked."""

from __future__ import annotations

import pytest

from baseline_support import CLUSTER, baseline, estate, rules_of  # noqa: F401

PARAMS = {"cluster_name": CLUSTER, "baseline": "recommended"}


@pytest.fixture
def node_eni(estate):
    """The first worker's primary ENI; its groups are put back afterwards."""
    instance = estate.seed["instances"][0]
    reservation = estate.ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    eni = next(i for i in reservation["NetworkInterfaces"] if i["Attachment"]["DeviceIndex"] == 0)
    groups = [group["GroupId"] for group in eni["Groups"]]

    def attach(*group_ids: str) -> None:
        estate.ec2.modify_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                                      Groups=list(group_ids))

    yield instance, eni["NetworkInterfaceId"], attach
    attach(*groups)
    estate.restore()


def test_two_tagged_groups_on_a_node_fail_before_any_write_naming_them(estate, baseline, node_eni):
    sg = estate.sg
    instance, eni, attach = node_eni
    attach(sg["node"], sg["cluster"])  # both carry kubernetes.io/cluster/demo-eks: the classic terraform mistake
    before = rules_of(estate, sg["node"])
    failed, check = baseline.play([{"params": PARAMS}, {"params": dict(PARAMS, state="gathered")}])
    assert failed.failed and failed.writes == 0, failed
    for text in (instance, eni, sg["node"], sg["cluster"], "kubernetes.io/cluster/demo-eks", "exactly one"):
        assert text in failed.msg, (text, failed.msg)
    assert "Traceback" not in failed.msg and "MODULE FAILURE" not in failed.msg
    assert rules_of(estate, sg["node"]) == before
    assert check.result["tag_check"]["ok"] is False
    assert check.result["tag_check"]["problems"] == [p for p in check.result["tag_check"]["problems"] if instance in p]


def test_warn_proceeds_with_the_groups_of_the_well_tagged_nodes(estate, baseline, node_eni):
    sg = estate.sg
    instance, _eni, attach = node_eni
    attach(sg["custom_public"], sg["custom_office"])  # several groups, none tagged
    run = baseline.run(dict(PARAMS, cluster_tag_check="warn"))
    assert not run.failed and run.changed, run
    assert any(instance in w and "none of its 2 groups" in w for w in run.result["warnings_found"]), run
    assert run.result["cluster"]["node_security_groups"] == [sg["node"]]  # from the other, well-tagged node


def test_one_tagged_group_among_others_is_fine_and_the_only_untagged_group_is_a_note(estate, baseline, node_eni):
    sg = estate.sg
    instance, _eni, attach = node_eni
    attach(sg["node"], sg["custom_office"])
    fine = baseline.run(dict(PARAMS, state="gathered"))
    assert fine.result["tag_check"]["ok"] is True and not fine.result["tag_check"]["notes"], fine
    attach(sg["custom_office"])
    noted = baseline.run(dict(PARAMS, state="gathered"))
    assert noted.result["tag_check"]["ok"] is True
    assert any(instance in note and "tag it" in note for note in noted.result["tag_check"]["notes"]), noted
    assert sorted(noted.result["cluster"]["node_security_groups"]) == sorted([sg["node"], sg["custom_office"]])
