"""What the controller wants for each NLB Service (reference B.2-B.4, ``docs/guide/service/nlb.md``).

A Service is the controller's when it is ``type: LoadBalancer`` with ``spec.loadBalancerClass:
service.k8s.aws/nlb``, or annotated ``service.beta.kubernetes.io/aws-load-balancer-type: external`` (or the
legacy ``nlb-ip``). Per Service: one NLB (``aws-load-balancer-scheme``, default internal), one listener and
one target group per Service port (``aws-load-balancer-nlb-target-type``, default instance; ``nlb-ip`` means ip);

- security groups (feature gate NLBSecurityGroup, on): the ``aws-load-balancer-security-groups`` annotation, or
  a managed frontend group whose rules are the Service ports x ``spec.loadBalancerSourceRanges`` (else the
  ``load-balancer-source-ranges`` annotation, else 0.0.0.0/0, ::/0 too with dualstack) and the
  ``aws-load-balancer-security-group-prefix-lists``;
- node rules per port (the target group's protocol and port) from the backend group, when
  ``aws-load-balancer-manage-backend-security-group-rules`` is true (its default; with custom groups the
  flag's value);
- ``aws-load-balancer-disable-nlb-sg: "true"``: an NLB without security groups, whose node rules are the
  legacy CIDR rules: each port from the source ranges (default 0.0.0.0/0, the VPC's CIDR for internal NLBs).
"""

from __future__ import annotations

from sandbox.k8s.controllers.lbc import backends
from sandbox.k8s.controllers.lbc.model import SERVICE, Listener, Stack

NLB_CLASS = "service.k8s.aws/nlb"
PREFIX = "service.beta.kubernetes.io/aws-load-balancer-"
SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"
VPC_CIDR = "vpc"  # stands for the VPC's CIDR until the controller knows it


def _annotation(service: dict, key: str) -> str | None:
    return (service["metadata"].get("annotations") or {}).get(PREFIX + key)


def _split(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def of_controller(services: list[dict]) -> list[dict]:
    def wanted(service: dict) -> bool:
        spec = service.get("spec") or {}
        return spec.get("type") == "LoadBalancer" and not service["metadata"].get("deletionTimestamp") and (
            spec.get("loadBalancerClass") == NLB_CLASS or _annotation(service, "type") in ("external", "nlb-ip"))
    return [s for s in services if wanted(s)]


def _target_type(service: dict, flags) -> str:
    if _annotation(service, "type") == "nlb-ip":
        return "ip"
    return _annotation(service, "nlb-target-type") or flags.default_target_type


def _sources(stack: Stack, service: dict) -> None:
    ranges = list((service.get("spec") or {}).get("loadBalancerSourceRanges") or []) or _split(
        (service["metadata"].get("annotations") or {}).get(SOURCE_RANGES))
    stack.prefix_lists = sorted(set(_split(_annotation(service, "security-group-prefix-lists"))))
    dualstack = _annotation(service, "ip-address-type") == "dualstack"
    if not ranges and not stack.prefix_lists:
        ranges = ["0.0.0.0/0", "::/0"] if dualstack else ["0.0.0.0/0"]
    if not dualstack and any(":" in cidr for cidr in ranges):
        stack.errors.append("unsupported IPv6 source range on a non-dualstack load balancer")
    stack.cidrs = sorted({c for c in ranges if dualstack or ":" not in c})


def _frontend(stack: Stack, service: dict, flags) -> None:
    stack.security_groups = _annotation(service, "disable-nlb-sg") != "true"
    stack.custom_sgs = _split(_annotation(service, "security-groups")) or None
    manage = _annotation(service, "manage-backend-security-group-rules")
    if manage is None:
        manage = "true" if stack.custom_sgs is None or flags.manage_backend_rules else "false"
    stack.manage_backend = manage == "true"
    if stack.security_groups and stack.custom_sgs and stack.manage_backend and not flags.enable_backend_sg:
        stack.errors.append("backendSG feature is required to manage worker node SG rules when frontendSG "
                            "manually specified")


def _ports(stack: Stack, service: dict, cluster: dict, flags) -> None:
    target_type = _target_type(service, flags)
    for port in service["spec"].get("ports") or []:
        protocol = (port.get("protocol") or "TCP").upper()
        tg = backends.target_group(stack, service, port, protocol, target_type, cluster)
        if tg is None:
            continue
        stack.target_groups[tg.key] = tg
        stack.listeners.append(Listener(protocol, port["port"], [], tg.key))
        stack.listen_ports.append((protocol.lower(), port["port"]))
        if not stack.security_groups and stack.manage_backend:
            sources = stack.cidrs if (service["spec"].get("loadBalancerSourceRanges") or stack.scheme ==
                                      "internet-facing") else [VPC_CIDR]
            stack.cidr_node_rules |= {(protocol.lower(), tg.port, cidr) for cidr in sources}
        elif stack.manage_backend:
            stack.ports.add((protocol.lower(), tg.port))


def build(cluster: dict, flags) -> list[Stack]:
    """The NLB Services, each with what it wants or its errors (``cluster`` as for ``ingress_groups.build``)."""
    stacks = []
    for service in sorted(of_controller(list(cluster["services"].values())),
                          key=lambda s: (s["metadata"]["namespace"], s["metadata"]["name"])):
        meta = service["metadata"]
        stack = Stack(f"{meta['namespace']}/{meta['name']}", SERVICE, members=[service], uid=meta.get("uid", ""))
        stack.scheme = _annotation(service, "scheme") or "internal"
        stack.subnets = _split(_annotation(service, "subnets")) or None
        _frontend(stack, service, flags)
        _sources(stack, service)
        _ports(stack, service, cluster, flags)
        stacks.append(stack)
    return stacks
