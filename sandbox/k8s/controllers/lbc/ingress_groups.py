"""What the controller wants for each IngressGroup's ALB (reference B.2-B.4), from the Ingresses of its class and
the Services they send to.

- members: Ingresses whose ``spec.ingressClassName`` (or legacy ``kubernetes.io/ingress.class``) is the
  controller's class, grouped by ``alb.ingress.kubernetes.io/group.name`` (explicit) or alone (implicit,
  ``namespace/name``);
- frontend: the ``security-groups`` annotation (ids or Name tags), which must be identical on every member, or
  else a managed group with rules from ``listen-ports`` (default HTTP 80) x ``inbound-cidrs`` and
  ``security-group-prefix-lists`` (with neither, 0.0.0.0/0, and ::/0 only with ``ip-address-type: dualstack``);
- node rules: with a managed frontend always (source: the backend group, or the frontend itself when the
  backend group is disabled); with custom frontends only when ``manage-backend-security-group-rules`` (default
  the flag) is true, which needs the backend group;
- ports: per backend Service port, the NodePort (target-type instance) or the pod's target port (ip), plus a
  numeric ``healthcheck-port``;
- the ALB: ``scheme`` (default internal) and ``subnets`` agreed by the members, one listener per listen port
  whose rules follow the members' hosts and paths, one target group per backend Service port.
Conflicts and impossible settings become errors, which the controller reports as Events on every member.
"""

from __future__ import annotations

import json

from sandbox.k8s.controllers.lbc import backends
from sandbox.k8s.controllers.lbc.model import INGRESS, Listener, Stack

PREFIX = "alb.ingress.kubernetes.io/"
TRUE = ("true", "True")


def _annotation(ingress: dict, key: str) -> str | None:
    return (ingress["metadata"].get("annotations") or {}).get(PREFIX + key)


def of_class(ingresses: list[dict], ingress_class: str) -> list[dict]:
    def wanted(ingress: dict) -> bool:
        legacy = (ingress["metadata"].get("annotations") or {}).get("kubernetes.io/ingress.class")
        return (ingress.get("spec") or {}).get("ingressClassName", legacy) == ingress_class
    return [i for i in ingresses if wanted(i) and not i["metadata"].get("deletionTimestamp")]


def _agreed(group: Stack, key: str, default: str | None) -> str | None:
    values = {(_annotation(m, key) or default) for m in group.members}
    if len(values) > 1:
        group.errors.append(f"conflicting {key}: {sorted(v or '' for v in values)}")
        return None
    return values.pop()


def _split(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _listen_ports(group: Stack) -> list[tuple[str, int]]:
    """``[(HTTP|HTTPS, port)]`` merged over the members; one port with two protocols is a conflict."""
    found: dict[int, str] = {}
    for member in group.members:
        text = _annotation(member, "listen-ports") or '[{"HTTP": 80}]'
        try:
            pairs = [(str(protocol).upper(), int(port)) for item in json.loads(text) for protocol, port in item.items()]
        except (ValueError, TypeError, AttributeError):
            group.errors.append(f"failed to parse listen-ports {text!r} on {member['metadata']['name']}")
            continue
        for protocol, port in pairs:
            if found.setdefault(port, protocol) != protocol:
                group.errors.append(f"conflicting protocol for listen port {port}: {found[port]} and {protocol}")
    return sorted((protocol, port) for port, protocol in found.items())


def _sources(group: Stack) -> None:
    cidrs, prefix_lists = set(), set()
    for member in group.members:
        cidrs |= set(_split(_annotation(member, "inbound-cidrs")))
        prefix_lists |= set(_split(_annotation(member, "security-group-prefix-lists")))
    dualstack = any(_annotation(m, "ip-address-type") == "dualstack" for m in group.members)
    if not cidrs and not prefix_lists:
        cidrs = {"0.0.0.0/0", "::/0"} if dualstack else {"0.0.0.0/0"}
    group.cidrs = sorted(c for c in cidrs if dualstack or ":" not in c)
    group.prefix_lists = sorted(prefix_lists)


def _paths(ingress: dict) -> list[tuple[list, dict]]:
    """(listener rule conditions, backend service) for each path of each rule, in order."""
    found = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        host = [{"Field": "host-header", "HostHeaderConfig": {"Values": [rule["host"]]}}] if rule.get("host") else []
        for path in ((rule.get("http") or {}).get("paths") or []):
            service = (path.get("backend") or {}).get("service")
            if not service:
                continue
            value, kind = path.get("path") or "/", path.get("pathType", "ImplementationSpecific")
            values = ["/*"] if kind == "Prefix" and value == "/" else \
                [value.rstrip("/"), value.rstrip("/") + "/*"] if kind == "Prefix" else [value]
            found.append((host + [{"Field": "path-pattern", "PathPatternConfig": {"Values": values}}], service))
    return found


def _target_group(group: Stack, ingress: dict, backend: dict, cluster: dict, default_target_type: str) -> str | None:
    namespace = ingress["metadata"]["namespace"]
    service = cluster["services"].get((namespace, backend.get("name")))
    if service is None:
        group.errors.append(f"service {namespace}/{backend.get('name')} not found")
        return None
    wanted = backend.get("port") or {}
    ref = wanted.get("number") if wanted.get("number") is not None else wanted.get("name")
    port = backends.find_port(service, ref)
    if port is None:
        group.errors.append(f"unable to find port {wanted} on service {namespace}/{backend.get('name')}")
        return None
    target_type = _annotation(ingress, "target-type") or default_target_type
    tg = backends.target_group(group, service, port, "HTTP", target_type, cluster, service_port=str(ref))
    if tg is None:
        return None
    group.target_groups.setdefault(tg.key, tg)
    group.ports.add(("tcp", tg.port))
    return tg.key


def _routes(group: Stack, cluster: dict, default_target_type: str) -> None:
    rules, default = [], None
    for member in group.members:
        spec_default = ((member.get("spec") or {}).get("defaultBackend") or {}).get("service")
        if spec_default and default is None:
            default = _target_group(group, member, spec_default, cluster, default_target_type)
        for conditions, service in _paths(member):
            key = _target_group(group, member, service, cluster, default_target_type)
            if key:
                rules.append((conditions, key))
        health = _annotation(member, "healthcheck-port")
        if health and health.isdigit():
            group.ports.add(("tcp", int(health)))
    group.listeners = [Listener(protocol, port, list(rules), default) for protocol, port in group.listen_ports]


def _frontend(group: Stack, flags) -> None:
    custom = _agreed(group, "security-groups", None)
    group.custom_sgs = _split(custom) or None
    default = "true" if flags.manage_backend_rules else "false"
    manage = _agreed(group, "manage-backend-security-group-rules", default)
    group.manage_backend = group.custom_sgs is None or manage in TRUE
    if group.custom_sgs is not None and group.manage_backend and not flags.enable_backend_sg:
        group.errors.append("backendSG feature is required to manage worker node SG rules when frontendSG "
                            "manually specified")


def build(cluster: dict, flags) -> list[Stack]:
    """The IngressGroups of the controller's class, each with what it wants or its errors. ``cluster`` holds
    ``ingresses``, ``services`` ({(namespace, name): Service}), ``pods`` and ``nodes``."""
    groups: dict[str, Stack] = {}
    for ingress in sorted(of_class(cluster["ingresses"], flags.ingress_class),
                          key=lambda i: (i["metadata"]["namespace"], i["metadata"]["name"])):
        name = _annotation(ingress, "group.name")
        key = name or f"{ingress['metadata']['namespace']}/{ingress['metadata']['name']}"
        groups.setdefault(key, Stack(key, INGRESS, bool(name))).members.append(ingress)
    for group in groups.values():
        _frontend(group, flags)
        group.scheme = _agreed(group, "scheme", "internal") or "internal"
        group.subnets = _split(_agreed(group, "subnets", None)) or None
        group.listen_ports = _listen_ports(group)
        _sources(group)
        _routes(group, cluster, flags.default_target_type)
    return list(groups.values())
