"""At scale and against the controller's flags, on demo-eks with the controller scaled to zero (the simulated
controller then builds no load balancer for the objects made here; the module reads the flags from the
Deployment, which keeps them):

- 200 Ingresses and their 200 NLB Services annotated in one task (one patch each), a second run writing
  nothing; reads are one list per kind;
- validate_only listing every problem of a prepared namespace at once, and mode rules failing then passing on
  the live flags and IngressGroup members outside the selection.
"""

from __future__ import annotations

import pytest

from annotations_support import (  # noqa: F401 - fixtures
    ALB, NLB, AnnotationsPlayer, Estate, estate, ingress, player, service,
)

COUNT = 200
SG = "sg-0123456789abcdef0"
NO_BACKEND = "--enable-backend-security-group=false"


@pytest.fixture(scope="module", autouse=True)
def quiet_controller(estate: Estate):
    estate.stop_controller()


def _bulk(**extra) -> dict:
    return dict({"context": "demo-eks", "namespaces": ["bulk"]}, **extra)


def test_two_hundred_ingresses_and_their_services_in_one_task(player: AnnotationsPlayer, estate: Estate):
    estate.namespace("bulk")
    objects = [service("bulk", f"web-{i:03}", nlb=True) for i in range(COUNT)]
    estate.create_all(objects + [ingress("bulk", f"web-{i:03}") for i in range(COUNT)])
    wanted = {"ingress": {"inbound_cidrs": ["10.0.0.0/8", "203.0.113.0/24"], "listen_ports": [{"HTTPS": 443}],
                          "scheme": "internet-facing"},
              "service": {"load_balancer_source_ranges": ["203.0.113.0/24"], "nlb_target_type": "ip"}}
    first, second = player.play([{"params": _bulk(**wanted)}, {"params": _bulk(**wanted)}])
    assert first.k8s_writes == {"patch ingresses": COUNT, "patch services": COUNT}, first
    assert first.result["summary"]["selected"] == 2 * COUNT and first.result["summary"]["changed"] == 2 * COUNT
    reads = first.calls("k8s:demo-eks", "read")
    assert reads["list ingresses"] == 1 and reads["list services"] == 1 and "get ingresses" not in reads
    assert not second.changed and second.k8s_writes == {}, second
    stored = estate.all_annotations("bulk")
    assert len(stored) == COUNT and all(a[ALB + "inbound-cidrs"] == "10.0.0.0/8, 203.0.113.0/24" for a in
                                        stored.values())
    assert all(a[ALB + "listen-ports"] == '[{"HTTPS": 443}]' for a in stored.values())
    services = estate.all_annotations("bulk", kind="Service")
    assert all(a[NLB + "aws-load-balancer-nlb-target-type"] == "ip" for a in services.values())


PREPARED = {  # name: (annotations someone else set, the rule they break)
    "custom-managed": ({ALB + "security-groups": SG, ALB + "manage-backend-security-group-rules": "true"},
                       "backend-security-group-required"),
    "auto-managed": ({ALB + "manage-backend-security-group-rules": "true"}, "ignored-without-custom-groups"),
    "custom-cidrs": ({ALB + "security-groups": SG, ALB + "inbound-cidrs": "10.0.0.0/8"}, "ignored-with-custom-groups"),
    "internal-world": ({ALB + "inbound-cidrs": "0.0.0.0/0"}, "world-on-internal"),
    "v6": ({ALB + "inbound-cidrs": "2001:db8::/32"}, "ipv6-without-dualstack"),
    "bad-ports": ({ALB + "listen-ports": "[{HTTP: 80}]"}, "unreadable-value"),
    "many-cidrs": ({ALB + "inbound-cidrs": ", ".join(f"10.1.{i}.0/24" for i in range(61))}, "frontend-rules-quota"),
    "many-groups": ({ALB + "security-groups": ", ".join(f"group-{i}" for i in range(6))},
                    "security-groups-per-load-balancer"),
    "edge-a": ({ALB + "group.name": "edge", ALB + "security-groups": "shop-alb-public"}, "ingress-group-conflict"),
    "clean": ({}, None),
}


def _prepare(estate: Estate) -> None:
    estate.controller_args([a for a in estate.current_args() if "backend-security-group" not in a] + [NO_BACKEND])
    for namespace in ("audit", "audit-b"):
        estate.namespace(namespace)
    objects = [ingress("audit", name, annotations, service="backend") for name, (annotations, _r) in PREPARED.items()]
    objects.append(ingress("audit-b", "edge-b", {ALB + "group.name": "edge", ALB + "security-groups": "shop-alb-office"},
                           service="backend"))
    ranges = {NLB + "load-balancer-source-ranges": "192.0.2.0/24"}
    objects.append(service("audit", "svc-ranges", nlb=True, annotations=ranges, source_ranges=["10.0.0.0/8"]))
    estate.create_all(objects + [service("audit", "backend")])


def test_validate_only_lists_every_problem_and_rules_fail_then_pass(player: AnnotationsPlayer, estate: Estate):
    _prepare(estate)
    clean = {"context": "demo-eks", "namespaces": ["audit"], "names": ["clean"]}
    edge_a = {"context": "demo-eks", "namespaces": ["audit"], "names": ["edge-a"], "force": True}
    hybrid = {"security_groups": ["shop-alb-public"], "manage_backend_security_group_rules": True}
    audit, backend_off, fine, conflict, agreed = player.play([
        {"params": {"context": "demo-eks", "namespaces": ["audit", "audit-b"], "validate_only": True}},
        {"params": dict(clean, ingress=hybrid)},
        {"params": dict(clean, ingress={"inbound_cidrs": ["10.0.0.0/8"]}, validate_only=True)},
        {"params": dict(edge_a, ingress={"security_groups": [SG]})},
        {"params": dict(edge_a, ingress={"security_groups": ["shop-alb-office"]})},
    ])
    assert audit.failed and audit.k8s_writes == {}, audit
    found = {(p["namespace"], p["name"], p["rule"]) for p in audit.result["problems"]}
    expected = {("audit", name, rule) for name, (_a, rule) in PREPARED.items() if rule}
    expected |= {("audit-b", "edge-b", "ingress-group-conflict"), ("audit", "svc-ranges",
                                                                   "source-ranges-annotation-ignored")}
    assert found == expected, audit
    assert all(p["severity"] == "error" for p in audit.result["problems"])
    assert f"{len(expected)} problem(s)" in audit.msg and "Nothing was written" in audit.msg
    assert backend_off.failed and backend_off.k8s_writes == {}, backend_off
    assert [p["rule"] for p in backend_off.result["problems"]] == ["backend-security-group-required"]
    assert not fine.failed and not fine.changed and fine.k8s_writes == {}, fine
    assert fine.result["summary"]["changed"] == 1 and fine.result["objects"][0]["changed"]
    assert conflict.failed and conflict.k8s_writes == {}, conflict
    assert "audit-b/edge-b" in conflict.msg and "ingress-group-conflict" in conflict.msg
    assert agreed.k8s_writes == {"patch ingresses": 1} and agreed.result["problems"] == [], agreed
    estate.controller_args([a for a in estate.current_args() if a != NO_BACKEND])
    (hybrid_now,) = player.play([{"params": dict(clean, ingress=hybrid)}])
    assert hybrid_now.k8s_writes == {"patch ingresses": 1} and hybrid_now.result["problems"] == [], hybrid_now
