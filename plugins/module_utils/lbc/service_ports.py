# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which ports the load balancers reach on the nodes, from the cluster's Services and Ingresses.

As the AWS Load Balancer Controller's restricted rules would open them: instance targets need the
NodePort, IP targets the pod's target port (numeric targetPorts only: a named one is reported as
unresolved), plus a numeric health-check port other than ``traffic-port``; the health check of a UDP
target group uses TCP on the traffic port. A load balancer with frontend groups of its own and no
``manage-backend-security-group-rules: "true"`` gets neither the backend group nor node rules from the
controller: its ports are reported with those groups (``frontend_groups``). No API calls here: callers
pass what they read.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Dict
from typing import Iterator
from typing import List
from typing import Optional
from typing import Tuple

INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/aws-load-balancer-"
NLB_CLASS = "service.k8s.aws/nlb"


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _annotations(obj: dict) -> dict:
    return _meta(obj).get("annotations") or {}


def _is_alb_ingress(ingress: dict, ingress_class: str) -> bool:
    spec = ingress.get("spec") or {}
    return spec.get("ingressClassName", _annotations(ingress).get(INGRESS_CLASS_ANNOTATION)) == ingress_class


def _service_port(service: dict, wanted: dict) -> Optional[dict]:
    """The Service port an Ingress backend names (by number or by name)."""
    for port in (service.get("spec") or {}).get("ports") or []:
        if ("number" in wanted and port.get("port") == wanted["number"]) or (
            "name" in wanted and port.get("name") == wanted["name"]
        ):
            return port
    return None


def _numeric_port(value: Any) -> Optional[int]:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _backends(ingress: dict) -> Iterator[dict]:
    spec = ingress.get("spec") or {}
    if spec.get("defaultBackend"):
        yield spec["defaultBackend"]
    for rule in spec.get("rules") or []:
        for path in ((rule.get("http") or {}).get("paths")) or []:
            if path.get("backend"):
                yield path["backend"]


class _Needs:
    """The ports found so far (the first object that needs a port names the reason) and what is unresolved."""

    def __init__(self) -> None:
        self.found: Dict[tuple, dict] = {}
        self.unresolved: List[str] = []
        self.frontends: Optional[Tuple[str, ...]] = None  # the load balancer's own groups, for the object at hand

    def need(self, protocol: str, port: Optional[int], target_type: str, reason: str) -> None:
        key = (protocol, port, self.frontends)
        if port is not None and key not in self.found:
            self.found[key] = {
                "protocol": protocol,
                "port": port,
                "target_type": target_type,
                "reason": reason,
                "frontend_groups": list(self.frontends) if self.frontends else None,
            }

    def target_port(self, service_port: dict, target_type: str, where: str) -> Optional[int]:
        if target_type == "instance":
            node_port = service_port.get("nodePort")
            if node_port is None:
                self.unresolved.append(f"{where}: the Service port has no nodePort (type ClusterIP?)")
            return node_port
        number = _numeric_port(service_port.get("targetPort", service_port.get("port")))
        if number is None:
            self.unresolved.append(
                f"{where}: named targetPort {service_port.get('targetPort')!r} needs the pods' container ports"
            )
        return number


def own_frontends(annotations: dict, prefix: str) -> Optional[Tuple[str, ...]]:
    """The frontend groups (ids or Name tags) of a load balancer whose node rules the controller does not write:
    ``<prefix>security-groups`` given and ``<prefix>manage-backend-security-group-rules`` not "true" (the
    controller's flag defaults to false). None when the backend group serves it."""
    groups = tuple(ref.strip() for ref in (annotations.get(prefix + "security-groups") or "").split(",") if ref.strip())
    if not groups or str(annotations.get(prefix + "manage-backend-security-group-rules", "")).lower() == "true":
        return None
    return groups


def _ingress_ports(needs: _Needs, ingress: dict, services: Dict[tuple, dict], default_target_type: str) -> None:
    meta, annotations = _meta(ingress), _annotations(ingress)
    namespace = meta.get("namespace")
    needs.frontends = own_frontends(annotations, ALB)
    for backend in _backends(ingress):
        ref = backend.get("service")
        if not ref:
            continue
        service = services.get((namespace, ref.get("name")))
        where = f"Ingress {namespace}/{meta.get('name')} -> Service {namespace}/{ref.get('name')}"
        if service is None:
            needs.unresolved.append(f"{where}: Service not found")
            continue
        svc_annotations = _annotations(service)
        target_type = svc_annotations.get(
            ALB + "target-type", annotations.get(ALB + "target-type", default_target_type)
        )
        port = _service_port(service, ref.get("port") or {})
        if port is None:
            needs.unresolved.append(f"{where}: port {json.dumps(ref.get('port'))} not found")
            continue
        needs.need("tcp", needs.target_port(port, target_type, where), target_type, f"{where}:{port.get('port')}")
        health = svc_annotations.get(ALB + "healthcheck-port", annotations.get(ALB + "healthcheck-port"))
        if health not in (None, "traffic-port"):
            needs.need("tcp", _numeric_port(health), target_type, f"{where} health check")


def _is_nlb(service: dict) -> bool:
    spec, annotations = service.get("spec") or {}, _annotations(service)
    return spec.get("type") == "LoadBalancer" and (
        spec.get("loadBalancerClass") == NLB_CLASS or annotations.get(NLB + "type") in ("external", "nlb-ip")
    )


def _service_ports(needs: _Needs, service: dict) -> None:
    meta, annotations = _meta(service), _annotations(service)
    where = f"Service {meta.get('namespace')}/{meta.get('name')}"
    needs.frontends = own_frontends(annotations, NLB)
    default = "ip" if annotations.get(NLB + "type") == "nlb-ip" else "instance"
    target_type = annotations.get(NLB + "nlb-target-type", default)
    for port in (service.get("spec") or {}).get("ports") or []:
        number = needs.target_port(port, target_type, where)
        protocol = (port.get("protocol") or "TCP").lower()
        needs.need(protocol, number, target_type, f"{where}:{port.get('port')}")
        if protocol == "udp":  # the health check of a UDP target group uses TCP on the traffic port
            needs.need("tcp", number, target_type, f"{where}:{port.get('port')} health check")
    health = annotations.get(NLB + "healthcheck-port")
    if health not in (None, "traffic-port"):
        needs.need("tcp", _numeric_port(health), target_type, f"{where} health check")


def node_ports(
    services: List[dict], ingresses: List[dict], ingress_class: str = "alb", default_target_type: str = "instance"
) -> Tuple[List[dict], List[str]]:
    """(ports, unresolved): a sorted list of ``{protocol, port, target_type, reason, frontend_groups}``, one per
    (protocol, port, frontend groups), where ``reason`` names the first object that needs it (``Ingress shop/web
    -> Service shop/web:80``) and ``frontend_groups`` is None when the backend group serves it; and the objects
    whose ports could not be resolved, with why."""
    by_name = {(_meta(service).get("namespace"), _meta(service).get("name")): service for service in services}
    needs = _Needs()
    for ingress in ingresses:
        if _is_alb_ingress(ingress, ingress_class):
            _ingress_ports(needs, ingress, by_name, default_target_type)
    for service in services:
        if _is_nlb(service):
            _service_ports(needs, service)
    ordered = sorted(
        needs.found.values(), key=lambda port: (port["protocol"], port["port"], port["frontend_groups"] or [])
    )
    return ordered, needs.unresolved
