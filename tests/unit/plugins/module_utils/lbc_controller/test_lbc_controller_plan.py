"""The edit of the controller's args: only the flags asked for, canonical form, ownership and give-back."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import managed_of
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import set_flag

HELM = ["--cluster-name=demo-eks", "--ingress-class=alb", "--aws-region", "us-east-1", "--aws-vpc-id=vpc-1"]


def test_both_spellings_are_read_and_one_canonical_form_is_written_in_place():
    args = ["--aws-region", "us-east-1", "--enable-backend-security-group", "-v", "2"]
    assert flags.values(args) == {"aws-region": "us-east-1", "enable-backend-security-group": "true", "v": "2"}
    assert set_flag(args, "aws-region", "eu-west-1") == [
        "--aws-region=eu-west-1",
        "--enable-backend-security-group",
        "-v",
        "2",
    ]
    assert set_flag(args, "enable-backend-security-group", "false")[2] == "--enable-backend-security-group=false"


def test_a_repeated_flag_is_written_where_its_last_occurrence_was_and_the_others_go():
    args = ["--sync-period=1h", "--cluster-name=a", "--sync-period", "2h", "--x=y"]
    assert set_flag(args, "sync-period", "10h") == ["--cluster-name=a", "--sync-period=10h", "--x=y"]
    assert set_flag(args, "sync-period", None) == ["--cluster-name=a", "--x=y"]


def test_merged_adds_at_the_end_keeps_the_rest_and_records_what_was_there():
    result = plan(HELM, {}, {"enable-backend-security-group": "false", "sync-period": "1h"}, "merged")
    assert list(result.args_after) == HELM + ["--enable-backend-security-group=false", "--sync-period=1h"]
    assert result.managed_after == {
        "enable-backend-security-group": {"previous": None, "set": "false"},
        "sync-period": {"previous": None, "set": "1h"},
    }
    assert result.restarts_pods and result.changed


def test_a_value_someone_else_set_is_refused_unless_forced_then_given_back_on_delete():
    args = HELM + ["--enable-backend-security-group=true"]
    with pytest.raises(PlanError, match="set by someone else"):
        plan(args, {}, {"enable-backend-security-group": "false"}, "merged")
    forced = plan(args, {}, {"enable-backend-security-group": "false"}, "merged", force=True)
    assert forced.managed_after["enable-backend-security-group"]["previous"] == "true"
    back = plan(forced.args_after, forced.managed_after, {}, "deleted")
    assert list(back.args_after) == args and back.managed_after == {}


def test_a_wrong_cluster_name_reads_as_a_wrong_context():
    with pytest.raises(PlanError, match="is the kubeconfig context the cluster you meant"):
        plan(HELM, {}, {"cluster-name": "prod-eks"}, "merged")


def test_an_equal_value_is_not_taken_over_and_booleans_compare_as_booleans():
    args = HELM + ["--enable-backend-security-group"]
    result = plan(args, {}, {"enable-backend-security-group": "true", "cluster-name": "demo-eks"}, "merged")
    assert not result.changed and set(result.satisfied) == {"enable-backend-security-group", "cluster-name"}


def test_replaced_gives_back_what_is_no_longer_asked_for_and_deleted_leaves_foreign_flags():
    first = plan(HELM, {}, {"sync-period": "1h", "default-target-type": "ip"}, "merged")
    replaced = plan(first.args_after, first.managed_after, {"sync-period": "1h"}, "replaced")
    assert "--default-target-type=ip" not in replaced.args_after and set(replaced.managed_after) == {"sync-period"}
    deleted = plan(replaced.args_after, replaced.managed_after, {"sync-period": "", "cluster-name": ""}, "deleted")
    assert list(deleted.args_after) == HELM and deleted.left_alone == ("cluster-name",)


def test_a_flag_of_ours_changed_by_someone_since_is_theirs_again():
    first = plan(HELM, {}, {"sync-period": "1h"}, "merged")
    edited = set_flag(first.args_after, "sync-period", "5m")
    with pytest.raises(PlanError, match="changed by someone else since"):
        plan(edited, first.managed_after, {}, "deleted")
    with pytest.raises(PlanError, match="changed by someone else since"):
        plan(edited, first.managed_after, {"sync-period": "2h"}, "merged")
    assert list(plan(edited, first.managed_after, {}, "deleted", force=True).args_after) == HELM


def test_every_conflict_is_listed_at_once():
    args = HELM + ["--default-target-type=instance"]
    with pytest.raises(PlanError) as error:
        plan(args, {}, {"cluster-name": "other", "default-target-type": "ip"}, "merged")
    assert "--cluster-name" in str(error.value) and "--default-target-type" in str(error.value)


@pytest.mark.parametrize("text", ["not json", '["a"]', '{"x": "previous only"}', '{"x": {"set": 1}}'])
def test_a_damaged_ownership_record_is_an_error_not_a_guess(text):
    with pytest.raises(PlanError, match="managed-flags"):
        managed_of({"metadata": {"annotations": {"netsec.kubeguard.io/managed-flags": text}}})


def test_the_deployment_is_chosen_only_when_there_is_exactly_one():
    one = {"metadata": {"name": "a", "namespace": "kube-system"}}
    assert flags.choose_deployment([one], "x") is one
    with pytest.raises(PlanError, match="no Deployment labelled"):
        flags.choose_deployment([], "x")
    with pytest.raises(PlanError, match="2 Deployments"):
        flags.choose_deployment([one, {"metadata": {"name": "b", "namespace": "lbc"}}], "x")
