from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import select
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import build


def _obj(name, namespace="shop", labels=None, annotations=None, spec=None):
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}, "annotations": annotations or {}},
        "spec": spec or {},
    }


def test_ingresses_of_the_class_by_name_or_legacy_annotation():
    found = select.handled(
        "Ingress",
        [
            _obj("a", spec={"ingressClassName": "alb"}),
            _obj("b", annotations={"kubernetes.io/ingress.class": "alb"}),
            _obj("c", spec={"ingressClassName": "nginx"}),
            _obj("d"),
        ],
        "alb",
    )
    assert [o["metadata"]["name"] for o in found] == ["a", "b"]


def test_services_the_controller_handles():
    lb = {"type": "LoadBalancer"}
    found = select.handled(
        "Service",
        [
            _obj("class", spec=dict(lb, loadBalancerClass="service.k8s.aws/nlb")),
            _obj("external", spec=lb, annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "external"}),
            _obj("nlb-ip", spec=lb, annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip"}),
            _obj("in-tree", spec=lb, annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}),
            _obj("node-port", spec={"type": "NodePort", "loadBalancerClass": "service.k8s.aws/nlb"}),
        ],
        "alb",
    )
    assert [o["metadata"]["name"] for o in found] == ["class", "external", "nlb-ip"]


def test_namespaces_names_and_label_selector():
    spec = build(
        {
            "validate_only": True,
            "namespaces": ["shop"],
            "names": ["web", "other/api", "shop/api"],
            "label_selector": {"match_expressions": [{"key": "tier", "operator": "In", "values": ["edge"]}]},
        }
    )
    objects = [
        _obj("web", labels={"tier": "edge"}),
        _obj("api", labels={"tier": "edge"}),
        _obj("db", labels={"tier": "edge"}),
        _obj("web", labels={"tier": "core"}),
        _obj("web", "other", labels={"tier": "edge"}),
    ]
    chosen = [o for o in objects if select.selected(spec.selection, o)]
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in chosen] == [("shop", "web"), ("shop", "api")]
    assert select.unmatched_names(spec.selection, chosen) == ["other/api"]
