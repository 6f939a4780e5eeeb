"""The patch of one object and its single retry after a 409 (the controller's status writes move the
resourceVersion without touching annotations)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import plan_object
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.write import write_one

CIDRS = "alb.ingress.kubernetes.io/inbound-cidrs"
WANTED = {CIDRS: "10.0.0.0/8"}


class FakeBackend:
    where = "API server https://127.0.0.1 (context demo-eks)"


class FakeKube:
    """Answers a patch with 409 while ``conflicts`` is positive; ``stored`` is what a get returns."""

    def __init__(self, stored: dict, conflicts: int) -> None:
        self.backend = FakeBackend()
        self.stored = stored
        self.conflicts = conflicts
        self.patches = []

    def merge_patch(self, kind, api_version, name, patch, namespace):
        self.patches.append(copy.deepcopy(patch))
        if self.conflicts:
            self.conflicts -= 1
            raise ApiError("patch Ingress", "the object has been modified", status=409)
        return {"metadata": dict(self.stored["metadata"], annotations=dict(patch["metadata"]["annotations"]))}

    def get(self, kind, api_version, name, namespace):
        return copy.deepcopy(self.stored)


def _obj(rv: str, annotations: dict | None = None) -> dict:
    return {"metadata": {"namespace": "shop", "name": "web", "resourceVersion": rv, "annotations": annotations or {}}}


def _replan(obj):
    return plan_object(INGRESS_KIND, obj, WANTED, "merged", False)


def test_a_status_write_in_between_is_retried_once_with_the_new_resource_version():
    kube = FakeKube(_obj("8"), conflicts=1)
    answered = write_one(kube, _replan(_obj("7")), _replan)
    assert [p["metadata"]["resourceVersion"] for p in kube.patches] == ["7", "8"]
    assert answered["metadata"]["annotations"][CIDRS] == "10.0.0.0/8"


def test_annotations_changed_in_between_stop_the_run():
    kube = FakeKube(_obj("8", {CIDRS: "192.0.2.0/24"}), conflicts=1)  # someone else set it meanwhile
    with pytest.raises(OperationError, match="changed by someone else"):
        write_one(kube, _replan(_obj("7")), _replan)
    assert len(kube.patches) == 1


def test_two_conflicts_in_a_row_stop_the_run():
    kube = FakeKube(_obj("8"), conflicts=2)
    with pytest.raises(OperationError, match="409 twice"):
        write_one(kube, _replan(_obj("7")), _replan)


def test_other_errors_are_not_retried():
    class Forbidden(FakeKube):
        def merge_patch(self, *args):
            raise ApiError("patch Ingress", "forbidden", status=403)

    with pytest.raises(ApiError, match="forbidden"):
        write_one(Forbidden(_obj("8"), 0), _replan(_obj("7")), _replan)
