# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""netsec_audit's options, validated before any API call."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.profiles import PROFILES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.profiles import Profile
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import _cluster_name
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range

FAIL_ON = ("never", "error") + SEVERITIES
FORMATS = ("json", "sarif", "html", "markdown")
# MySQL, PostgreSQL, SQL Server, Oracle, MongoDB, Redis, Memcached, Cassandra, Elasticsearch
DATABASE_PORTS = (3306, 5432, 1433, 1521, 27017, 6379, 11211, 9042, 9200)
ACK_ONLY = ("cluster_id", "client_clusters")
EKS_ONLY = ("node_security_groups",)


@dataclass(frozen=True)
class ClientCluster:
    """An application cluster whose pods use the audited cluster's databases (KG-ACK-004, KG-ACK-005)."""

    name: str
    cluster_id: Optional[str]
    kubernetes: Dict[str, Any]


@dataclass(frozen=True)
class AuditSpec:
    target: str
    cluster: str
    profile: Profile
    fail_on: str
    skip: Tuple[str, ...]
    output: Dict[str, str]
    node_port_range: Tuple[int, int]
    node_group_ids: Tuple[str, ...]
    exempt_namespaces: Tuple[str, ...] = ()
    cluster_id: Optional[str] = None
    clients: Tuple[ClientCluster, ...] = ()
    environment_label: str = "env"
    database_ports: Tuple[int, ...] = DATABASE_PORTS

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "AuditSpec":
        skip = tuple(params.get("skip") or ())
        for index, kind_id in enumerate(skip):
            if kind_id not in CATALOG:
                raise InputError(f"skip[{index}]", f"{kind_id!r} is no finding id; known ids: {', '.join(CATALOG)}")
        _check_target_options(params)
        return cls(
            target=params["target"],
            cluster=_cluster_name(params.get("cluster_name")),
            profile=PROFILES[params["environment"]],
            fail_on=params.get("fail_on") or "never",
            skip=skip,
            output=_output(params.get("output") or {}),
            node_port_range=parse_port_range(params.get("node_port_range") or "30000-32767", "node_port_range"),
            node_group_ids=tuple(params.get("node_security_groups") or ()),
            exempt_namespaces=tuple(params.get("exempt_namespaces") or ()),
            cluster_id=params.get("cluster_id") or None,
            clients=_clients(params.get("client_clusters") or [], params.get("cluster_name")),
            environment_label=_label(params.get("environment_label") or "env"),
            database_ports=_ports(params.get("database_ports")),
        )


def _check_target_options(params: Dict[str, Any]) -> None:
    unused = ACK_ONLY if params["target"] == "eks" else EKS_ONLY
    for name in unused:
        if params.get(name):
            raise InputError(name, f"is not an option of target {params['target']}")


def _clients(items: List[Dict[str, Any]], audited: Any) -> Tuple[ClientCluster, ...]:
    result, seen = [], {audited}
    for index, item in enumerate(items):
        name = item.get("name")
        if not name or name in seen:
            what = "is empty" if not name else f"{name!r} is the audited cluster or listed twice"
            raise InputError(f"client_clusters[{index}].name", what)
        seen.add(name)
        result.append(ClientCluster(name, item.get("cluster_id") or None, item.get("kubernetes") or {}))
    return tuple(result)


def _label(key: str) -> str:
    problem = selectors.label_key_problem(key)
    if problem:
        raise InputError("environment_label", problem)
    return key


def _ports(value: Optional[List[int]]) -> Tuple[int, ...]:
    if value is None:
        return DATABASE_PORTS
    if not value:
        raise InputError("database_ports", "is empty: no Service would be judged a database")
    for index, port in enumerate(value):
        if not 1 <= port <= 65535:
            raise InputError(f"database_ports[{index}]", f"{port} is not a port (1-65535)")
    return tuple(value)


def _output(option: Dict[str, Optional[str]]) -> Dict[str, str]:
    """The report files: absolute paths in existing directories, one file per format."""
    paths = {}
    for name in FORMATS:
        value = option.get(name)
        if not value:
            continue
        path = os.path.abspath(os.path.expanduser(value))
        if os.path.isdir(path):
            raise InputError(f"output.{name}", f"{value} is a directory; give a file path")
        if not os.path.isdir(os.path.dirname(path)):
            raise InputError(f"output.{name}", f"the directory of {value} does not exist")
        if path in paths.values():
            raise InputError(f"output.{name}", f"{value} is also the path of another report")
        paths[name] = path
    return paths
