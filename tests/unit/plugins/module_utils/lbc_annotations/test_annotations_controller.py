from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import validation
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import plan_object


def _deployment(*args: str) -> dict:
    container = {"name": "aws-load-balancer-controller", "args": list(args)}
    return {
        "metadata": {"namespace": "kube-system", "name": "aws-load-balancer-controller"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }


class FakeKube:
    class backend:  # noqa: N801 - stands for the KubeBackend
        where = "API server https://127.0.0.1 (context demo-eks)"

    def __init__(self, listed: list) -> None:
        self.listed = listed
        self.calls = []

    def list(self, kind, api_version, namespace=None, label_selector=None):
        self.calls.append(("list", kind, namespace, label_selector))
        return self.listed

    def get(self, kind, api_version, name, namespace=None):
        self.calls.append(("get", kind, namespace, name))
        return next((d for d in self.listed if d["metadata"]["name"] == name), None)


def test_the_flags_of_the_only_labelled_deployment_in_the_cluster():
    kube = FakeKube([_deployment("--cluster-name=demo-eks", "--enable-backend-security-group=false")])
    flags, shown = controller.read(kube, None)
    assert not flags.enable_backend_security_group and shown["name"] == "aws-load-balancer-controller"
    assert kube.calls == [("list", "Deployment", None, "app.kubernetes.io/name=aws-load-balancer-controller")]


def test_no_controller_fails_naming_the_option_unless_not_required():
    with pytest.raises(PlanError, match="controller option"):
        controller.read(FakeKube([]), None)
    flags, shown = controller.read(FakeKube([]), None, required=False)
    assert flags is None and "no Deployment labelled" in shown["not_found"]
    with pytest.raises(InputError, match="no Deployment kube-system/lbc"):
        controller.read(FakeKube([]), ("kube-system", "lbc"))


def test_a_scheme_change_warns_that_the_load_balancer_is_replaced():
    obj = {"metadata": {"namespace": "shop", "name": "web", "annotations": {}}}
    key = "alb.ingress.kubernetes.io/scheme"
    changed = plan_object(INGRESS_KIND, obj, {key: "internet-facing"}, "merged", False)
    assert "replaces the load balancer" in validation.replacements([changed])[0]
    same = plan_object(INGRESS_KIND, obj, {key: "internal"}, "merged", False)  # internal is the default
    assert validation.replacements([same]) == []
