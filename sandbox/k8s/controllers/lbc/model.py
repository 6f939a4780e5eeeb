"""What the controller wants for one load balancer: an IngressGroup's ALB or a Service's NLB (a "stack", as the
controller's tracking tags call it), built by ``ingress_groups`` and ``services`` and reconciled by
``controller`` (security groups) and ``load_balancers`` (ELBv2).
"""

from __future__ import annotations

import dataclasses

INGRESS = "ingress"
SERVICE = "service"


@dataclasses.dataclass
class TargetGroup:
    """One target group: a backend Service port, on the NodePort (instance) or the pods' port (ip)."""

    namespace: str
    service: str
    service_port: str  # the Service port as the backend names it (number or name)
    protocol: str  # HTTP | TCP | UDP
    port: int  # the target group's port: NodePort or pod port
    target_type: str  # instance | ip
    targets: tuple = ()  # ((id, port), ...)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.service}:{self.service_port}"


@dataclasses.dataclass
class Listener:
    protocol: str  # HTTP | HTTPS | TCP | UDP
    port: int
    rules: list = dataclasses.field(default_factory=list)  # [(conditions, target group key)] in priority order
    default: str | None = None  # target group key of the default action; None: fixed 404


@dataclasses.dataclass
class Stack:
    id: str  # "namespace/name" (an Ingress alone or a Service) or the IngressGroup's name
    kind: str = INGRESS
    explicit: bool = False
    members: list = dataclasses.field(default_factory=list)  # the Ingresses, or the one Service
    scheme: str = "internal"
    subnets: list | None = None  # ids or Name tags from the annotation; None: discovered by role tags
    custom_sgs: list | None = None  # frontend groups named by annotation (ids or Name tags)
    security_groups: bool = True  # False: an NLB without security groups (disable-nlb-sg)
    manage_backend: bool = False
    listen_ports: list = dataclasses.field(default_factory=list)  # [(protocol, port)] on the managed frontend
    cidrs: list = dataclasses.field(default_factory=list)
    prefix_lists: list = dataclasses.field(default_factory=list)
    ports: set = dataclasses.field(default_factory=set)  # node ports wanted: {(protocol, port)}
    cidr_node_rules: set = dataclasses.field(default_factory=set)  # SG-less NLB: {(protocol, port, cidr)}
    listeners: list = dataclasses.field(default_factory=list)
    target_groups: dict = dataclasses.field(default_factory=dict)  # key -> TargetGroup
    uid: str = ""  # the Service's uid (its managed group's name hashes it)
    errors: list = dataclasses.field(default_factory=list)

    @property
    def lb_type(self) -> str:
        return "application" if self.kind == INGRESS else "network"

    @property
    def tag_prefix(self) -> str:
        return "ingress.k8s.aws" if self.kind == INGRESS else "service.k8s.aws"

    @property
    def api_version_kind(self) -> tuple[str, str]:
        return ("networking.k8s.io/v1", "Ingress") if self.kind == INGRESS else ("v1", "Service")
