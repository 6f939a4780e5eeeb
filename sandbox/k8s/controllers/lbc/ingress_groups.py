"""What the controller wants for each IngressGroup (reference B.2-B.4), from the Ingresses of its class and the
Services they send to.

- members: Ingresses whose ``spec.ingressClassName`` (or legacy ``kubernetes.io/ingress.class``) is the
  controller's class, grouped by ``alb.ingress.kubernetes.io/group.name`` (explicit) or alone (implicit,
  ``namespace/name``);
- frontend: the ``security-groups`` annotation (ids or Name tags), which must be identical on every member, or
  else a managed group with rules from ``listen-ports`` (default HTTP 80) x ``inbound-cidrs`` (default
  0.0.0.0/0, and ::/0 only with ``ip-address-type: dualstack``);
- node rules: with a managed frontend always (source: the backend group, or the frontend itself when the
  backend group is disabled); with custom frontends only when ``manage-backend-security-group-rules`` (default
  the flag) is true, which needs the backend group;
- ports: per backend Service port, the NodePort (target-type instance) or the pod's target port (ip), plus a
  numeric ``healthcheck-port``.
Conflicts and impossible settings become errors, which the controller reports as Events on every member.
"""

from __future__ import annotations

import dataclasses
import json

PREFIX = "alb.ingress.kubernetes.io/"
TRUE = ("true", "True")


@dataclasses.dataclass
class Group:
    id: str  # "namespace/name" (implicit) or the group name (explicit)
    explicit: bool
    members: list = dataclasses.field(default_factory=list)
    custom_sgs: list | None = None
    manage_backend: bool = False
    listen_ports: list = dataclasses.field(default_factory=list)  # [port]
    cidrs: list = dataclasses.field(default_factory=list)
    ports: set = dataclasses.field(default_factory=set)  # node ports wanted: {("tcp", port)}
    errors: list = dataclasses.field(default_factory=list)


def _annotation(ingress: dict, key: str) -> str | None:
    return (ingress["metadata"].get("annotations") or {}).get(PREFIX + key)


def of_class(ingresses: list[dict], ingress_class: str) -> list[dict]:
    def wanted(ingress: dict) -> bool:
        legacy = (ingress["metadata"].get("annotations") or {}).get("kubernetes.io/ingress.class")
        return (ingress.get("spec") or {}).get("ingressClassName", legacy) == ingress_class
    return [i for i in ingresses if wanted(i) and not i["metadata"].get("deletionTimestamp")]


def _agreed(group: Group, key: str, default: str | None) -> str | None:
    values = {(_annotation(m, key) or default) for m in group.members}
    if len(values) > 1:
        group.errors.append(f"conflicting {key}: {sorted(v or '' for v in values)}")
        return None
    return values.pop()


def _listen_ports(group: Group) -> list[int]:
    ports = set()
    for member in group.members:
        text = _annotation(member, "listen-ports") or '[{"HTTP": 80}]'
        try:
            ports |= {int(port) for item in json.loads(text) for port in item.values()}
        except (ValueError, TypeError, AttributeError):
            group.errors.append(f"failed to parse listen-ports {text!r} on {member['metadata']['name']}")
    return sorted(ports)


def _cidrs(group: Group) -> list[str]:
    cidrs: set[str] = set()
    for member in group.members:
        cidrs |= {c.strip() for c in (_annotation(member, "inbound-cidrs") or "").split(",") if c.strip()}
    dualstack = any(_annotation(m, "ip-address-type") == "dualstack" for m in group.members)
    if not cidrs:
        cidrs = {"0.0.0.0/0", "::/0"} if dualstack else {"0.0.0.0/0"}
    return sorted(c for c in cidrs if dualstack or ":" not in c)


def _backends(ingress: dict) -> list[dict]:
    spec = ingress.get("spec") or {}
    found = [spec["defaultBackend"]["service"]] if (spec.get("defaultBackend") or {}).get("service") else []
    for rule in spec.get("rules") or []:
        for path in ((rule.get("http") or {}).get("paths") or []):
            if (path.get("backend") or {}).get("service"):
                found.append(path["backend"]["service"])
    return found


def _service_port(group: Group, ingress: dict, backend: dict, services: dict, target_type: str) -> int | None:
    namespace = ingress["metadata"]["namespace"]
    service = services.get((namespace, backend.get("name")))
    if service is None:
        group.errors.append(f"service {namespace}/{backend.get('name')} not found")
        return None
    wanted = backend.get("port") or {}
    port = next((p for p in service["spec"].get("ports") or [] if p.get("port") == wanted.get("number")
                 or (wanted.get("name") and p.get("name") == wanted.get("name"))), None)
    if port is None:
        group.errors.append(f"unable to find port {wanted} on service {namespace}/{backend.get('name')}")
        return None
    if target_type == "ip":
        target = port.get("targetPort", port["port"])
        return target if isinstance(target, int) else None  # a named port: not modelled
    if not port.get("nodePort"):
        group.errors.append(f"{namespace}/{backend.get('name')}: service type must be NodePort or LoadBalancer "
                            f"for target-type instance")
        return None
    return port["nodePort"]


def _ports(group: Group, services: dict, default_target_type: str) -> None:
    for member in group.members:
        target_type = _annotation(member, "target-type") or default_target_type
        for backend in _backends(member):
            port = _service_port(group, member, backend, services, target_type)
            if port is not None:
                group.ports.add(("tcp", port))
        health = _annotation(member, "healthcheck-port")
        if health and health.isdigit():
            group.ports.add(("tcp", int(health)))


def build(ingresses: list[dict], services: dict, flags) -> list[Group]:
    """The IngressGroups of the controller's class, each with what it wants or its errors."""
    groups: dict[str, Group] = {}
    for ingress in sorted(of_class(ingresses, flags.ingress_class), key=lambda i: (i["metadata"]["namespace"],
                                                                                   i["metadata"]["name"])):
        name = _annotation(ingress, "group.name")
        key = name or f"{ingress['metadata']['namespace']}/{ingress['metadata']['name']}"
        groups.setdefault(key, Group(key, bool(name))).members.append(ingress)
    for group in groups.values():
        custom = _agreed(group, "security-groups", None)
        group.custom_sgs = [s.strip() for s in custom.split(",") if s.strip()] if custom else None
        default = "true" if flags.manage_backend_rules else "false"
        manage = _agreed(group, "manage-backend-security-group-rules", default)
        group.manage_backend = group.custom_sgs is None or manage in TRUE
        if group.custom_sgs is not None and group.manage_backend and not flags.enable_backend_sg:
            group.errors.append("backendSG feature is required to manage worker node SG rules when frontendSG "
                                "manually specified")
        group.listen_ports = _listen_ports(group)
        group.cidrs = _cidrs(group)
        _ports(group, services, flags.default_target_type)
    return list(groups.values())
