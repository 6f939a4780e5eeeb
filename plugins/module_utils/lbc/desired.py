# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What should exist: the groups to create, the node ports, and every managed group's desired rules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from dataclasses import field
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import service_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import CLUSTER_TAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import MANAGED_BY_TAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import NODEPORT_RANGE
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Frontend
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import compress

# (services, ingresses) of the given namespaces (all when empty)
ClusterReader = Callable[[Tuple[str, ...]], Tuple[List[dict], List[dict]]]
# security group ids or Name tags -> (their ids, the ones not found)
GroupResolver = Callable[[Tuple[str, ...]], Tuple[Tuple[str, ...], List[str]]]


@dataclass(frozen=True)
class NewGroup:
    """A group the run creates: ``key`` is how the spec refers to it (``backend`` or a frontend key)."""

    key: str
    name: str
    description: str
    tags: Dict[str, str]


def placeholder_id(name: str) -> str:
    """A well-formed id for a group check mode would create (it does not exist)."""
    return "sg-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:17]


def backend_group(spec: Spec) -> NewGroup:
    """The controller's shared backend group, named and tagged as the controller would create it."""
    return NewGroup(
        "backend",
        controller.backend_sg_name(spec.cluster),
        controller.BACKEND_SG_DESCRIPTION,
        controller.backend_sg_tags(spec.cluster),
    )


def frontend_group(spec: Spec, frontend: Frontend) -> NewGroup:
    """A frontend group created by name, tagged as this collection's for the cluster."""
    tags = dict(frontend.tags, Name=frontend.name, **{MANAGED_BY_TAG: "kubeguard.netsec", CLUSTER_TAG: spec.cluster})
    return NewGroup(frontend.key, frontend.name, frontend.description, tags)


def groups_to_create(spec: Spec, found: Topology) -> List[NewGroup]:
    """Every group the run must create: the controller's backend group, and missing frontend groups."""
    create = []
    if spec.mode in ("auto", "hybrid") and not found.backend_id and not spec.backend_id:
        create.append(backend_group(spec))
    for frontend in spec.frontends:
        if frontend.key in found.frontend_ids:
            continue
        if frontend.id:
            raise InputError(f"{frontend.path}.id", f"{frontend.id} not found")
        create.append(frontend_group(spec, frontend))
    return create


@dataclass(frozen=True)
class NodePorts:
    """The ports load balancers reach on the nodes, by where the traffic comes from."""

    ports: Tuple[str, ...]  # from the default sources: the backend group, or mode custom's frontend groups
    own_frontends: Dict[Tuple[str, ...], Tuple[str, ...]] = field(default_factory=dict)  # their group ids -> ports
    served_by_own_frontends: Tuple[dict, ...] = ()  # the objects behind own_frontends, for the report
    unresolved: Tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.ports and not self.own_frontends

    def all_ports(self) -> List[str]:
        return sorted({*self.ports, *(port for ports in self.own_frontends.values() for port in ports)}, key=_first)


def _first(port: str) -> int:
    return int(port.split("-")[0])


def node_ports(spec: Spec, read_cluster: Optional[ClusterReader], resolve: Optional[GroupResolver]) -> NodePorts:
    """The node ports of the options, or of the cluster's Services and Ingresses (``from_services``, the only
    case that uses ``read_cluster`` and ``resolve``); load balancers with frontend groups of their own are reached
    from those groups (``resolve`` turns their ids and Name tags into ids)."""
    rules = spec.node_rules
    if rules.ports_from != "from_services":
        return NodePorts(tuple(rules.ports or [NODEPORT_RANGE]))
    services, ingresses = read_cluster(rules.namespaces)
    found, unresolved = service_ports.node_ports(services, ingresses, rules.ingress_class, rules.default_target_type)
    tcp = [port for port in found if port["protocol"] == "tcp"]
    own: Dict[Tuple[str, ...], List[str]] = {}
    served = []
    for port in (port for port in tcp if port["frontend_groups"]):
        ids, missing = resolve(tuple(port["frontend_groups"]))
        if missing:
            unresolved.append(f"{port['reason']}: frontend group(s) {', '.join(missing)} not found in the VPC")
            continue
        own.setdefault(ids, []).append(str(port["port"]))
        served.append({"object": port["reason"], "port": port["port"], "frontend_groups": list(ids)})
    defaults = tuple(str(port["port"]) for port in tcp if not port["frontend_groups"])
    return NodePorts(defaults, {ids: tuple(ports) for ids, ports in own.items()}, tuple(served), tuple(unresolved))


def _node_rules(spec: Spec, ids: Dict[str, Optional[str]], ports: NodePorts) -> List[DescribedRule]:
    rules = spec.node_rules
    if ports.empty:
        return []
    if spec.mode == "custom":
        sources = sorted(ids[frontend.key] for frontend in spec.frontends)
    else:
        sources = [ids["backend"]]
    wanted = [{"proto": "tcp", "ports": list(ports.ports), "group_id": sources}] if ports.ports else []
    wanted += [
        {"proto": "tcp", "ports": list(own), "group_id": list(groups)}
        for groups, own in sorted(ports.own_frontends.items())
    ]
    cidrs = {"cidr_ip": [c for c in rules.cidrs if ":" not in c], "cidr_ipv6": [c for c in rules.cidrs if ":" in c]}
    cidrs = {key: value for key, value in cidrs.items() if value}
    if cidrs:
        wanted.append(dict(proto="tcp", ports=ports.all_ports(), **cidrs))
    node = expand([dict(rule, description=rules.description) for rule in wanted], "ingress", path="node_rules")
    return compress(node, rules.port_compression, "node_rules.port_compression")


def desired_rules(
    spec: Spec, found: Topology, ids: Dict[str, Optional[str]], ports: NodePorts
) -> Dict[str, List[DescribedRule]]:
    """group id -> desired DescribedRules (ingress) for every group this run manages."""
    desired: Dict[str, List[DescribedRule]] = {}
    for frontend in spec.frontends:
        desired.setdefault(ids[frontend.key], []).extend(frontend.rules)
    node = _node_rules(spec, ids, ports) if spec.node_rules else []
    if spec.node_rules or spec.node_baseline:
        for group_id in found.node_group_ids:
            desired.setdefault(group_id, []).extend(node + list(spec.node_baseline))
    if spec.mode in ("auto", "hybrid") and spec.state in ("replaced", "overridden") and ids.get("backend"):
        desired.setdefault(ids["backend"], [])  # the controller puts no inbound rule on its backend group
    return desired
