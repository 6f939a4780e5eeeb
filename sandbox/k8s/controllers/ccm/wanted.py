"""The CCM's Service annotations (``service.beta.kubernetes.io/alibaba-cloud-loadbalancer-<x>``, with the
legacy ``alicloud-loadbalancer-<x>`` prefix still honoured), read and checked as the real CCM does:
values are case-sensitive, ``acl-status: on`` needs ``acl-id`` and ``acl-type``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

PREFIX = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
LEGACY_PREFIX = "service.beta.kubernetes.io/alicloud-loadbalancer-"
HASH_LABEL = "service.beta.kubernetes.io/hash"
LB_ID_LABEL = "service.k8s.alibaba/loadbalancer-id"
DEFAULTS = {"address-type": "internet", "spec": "slb.s1.small", "delete-protection": "on",
            "modification-protection": "ConsoleProtection"}


@dataclasses.dataclass(frozen=True)
class Wanted:
    """What one Service asks of its load balancer."""

    reuse_id: str
    force_override: bool
    address_type: str
    vswitch_id: str
    spec: str
    delete_protection: str
    acl_status: str  # on | off
    acl_id: str
    acl_type: str
    hostname: str
    protocol_ports: dict  # port -> http | https, from protocol-port
    cert_id: str

    @property
    def acl_annotated(self) -> bool:
        return self.acl_status == "on" or bool(self.acl_id or self.acl_type)


def get(annotations: dict, name: str) -> str:
    for prefix in (PREFIX, LEGACY_PREFIX):
        if prefix + name in annotations:
            return annotations[prefix + name]
    return DEFAULTS.get(name, "")


def _protocol_ports(text: str) -> dict:
    result = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        protocol, _, port = item.partition(":")
        if protocol not in ("http", "https", "tcp", "udp") or not port.isdigit():
            raise ValueError(f"protocol-port {item!r} is not <http|https|tcp|udp>:<port>")
        result[int(port)] = protocol
    return result


def read(service: dict) -> Wanted:
    """The Service's wishes, or ValueError with the message the CCM puts in its Warning event."""
    annotations = service["metadata"].get("annotations") or {}
    values = {name: get(annotations, name) for name in (
        "id", "force-override-listeners", "address-type", "vswitch-id", "spec", "delete-protection", "acl-status",
        "acl-id", "acl-type", "hostname", "protocol-port", "cert-id")}
    for name, allowed in (("address-type", ("internet", "intranet")), ("delete-protection", ("on", "off")),
                          ("acl-status", ("", "on", "off")), ("acl-type", ("", "white", "black"))):
        if values[name] not in allowed:
            raise ValueError(f"annotation {PREFIX}{name}: {values[name]!r} is not one of "
                             f"{', '.join(repr(a) for a in allowed if a)} (values are case-sensitive)")
    if values["acl-status"] == "on" and not (values["acl-id"] and values["acl-type"]):
        raise ValueError(f"annotation {PREFIX}acl-status is on: {PREFIX}acl-id and {PREFIX}acl-type are required")
    if values["address-type"] == "intranet" and not values["id"] and not values["vswitch-id"]:
        raise ValueError(f"an intranet load balancer needs {PREFIX}vswitch-id in the sandbox")
    return Wanted(values["id"], values["force-override-listeners"] == "true", values["address-type"],
                  values["vswitch-id"], values["spec"], values["delete-protection"], values["acl-status"] or "off",
                  values["acl-id"], values["acl-type"], values["hostname"], _protocol_ports(values["protocol-port"]),
                  values["cert-id"])


def service_hash(service: dict) -> str:
    """What the CCM compares to decide whether the listeners need a sync: annotations and spec."""
    annotations = {k: v for k, v in (service["metadata"].get("annotations") or {}).items()
                   if k.startswith((PREFIX, LEGACY_PREFIX))}
    spec = service.get("spec") or {}
    payload = json.dumps({"annotations": annotations, "ports": spec.get("ports"), "type": spec.get("type")},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:40]
