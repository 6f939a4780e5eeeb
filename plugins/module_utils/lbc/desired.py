# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What should exist: the groups to create, the node ports, and every managed group's desired rules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.ports import compress

# (services, ingresses) of the given namespaces (all when empty)
ClusterReader = Callable[[Tuple[str, ...]], Tuple[List[dict], List[dict]]]


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


def groups_to_create(spec: Spec, found: Topology) -> List[NewGroup]:
    """Every group the run must create: the controller's backend group, and missing frontend groups."""
    create = []
    if spec.mode in ("auto", "hybrid") and not found.backend_id and not spec.backend_id:
        create.append(
            NewGroup(
                "backend",
                controller.backend_sg_name(spec.cluster),
                controller.BACKEND_SG_DESCRIPTION,
                controller.backend_sg_tags(spec.cluster),
            )
        )
    for frontend in spec.frontends:
        if frontend.key in found.frontend_ids:
            continue
        if frontend.id:
            raise InputError(f"{frontend.path}.id", f"{frontend.id} not found")
        tags = dict(
            frontend.tags, Name=frontend.name, **{MANAGED_BY_TAG: "kubeguard.netsec", CLUSTER_TAG: spec.cluster}
        )
        create.append(NewGroup(frontend.key, frontend.name, frontend.description, tags))
    return create


def node_ports(spec: Spec, read_cluster: ClusterReader) -> Tuple[List[str], List[str]]:
    """(ports or ranges to open on the nodes, what could not be resolved in the cluster's objects)."""
    rules = spec.node_rules
    if rules.ports_from != "from_services":
        return list(rules.ports or [NODEPORT_RANGE]), []
    services, ingresses = read_cluster(rules.namespaces)
    found, unresolved = service_ports.node_ports(services, ingresses, rules.ingress_class, rules.default_target_type)
    return [str(port["port"]) for port in found if port["protocol"] == "tcp"], unresolved


def _node_rules(spec: Spec, ids: Dict[str, Optional[str]], ports: List[str]) -> List[DescribedRule]:
    rules = spec.node_rules
    if not ports:
        return []
    if spec.mode == "custom":
        sources = sorted(ids[frontend.key] for frontend in spec.frontends)
    else:
        sources = [ids["backend"]]
    node = expand(
        [{"proto": "tcp", "ports": ports, "group_id": sources, "description": rules.description}],
        "ingress",
        path="node_rules",
    )
    cidrs = {"cidr_ip": [c for c in rules.cidrs if ":" not in c], "cidr_ipv6": [c for c in rules.cidrs if ":" in c]}
    cidrs = {key: value for key, value in cidrs.items() if value}
    if cidrs:
        node += expand([dict(proto="tcp", ports=ports, **cidrs)], "ingress", path="node_rules.cidrs")
    return compress(node, rules.port_compression, "node_rules.port_compression")


def desired_rules(
    spec: Spec, found: Topology, ids: Dict[str, Optional[str]], ports: List[str]
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
