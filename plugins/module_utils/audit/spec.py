# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""netsec_audit's options, validated before any API call."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.profiles import PROFILES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.profiles import Profile
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import _cluster_name
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range

FAIL_ON = ("never", "error") + SEVERITIES
FORMATS = ("json", "sarif", "html", "markdown")


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

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "AuditSpec":
        skip = tuple(params.get("skip") or ())
        for index, kind_id in enumerate(skip):
            if kind_id not in CATALOG:
                raise InputError(f"skip[{index}]", f"{kind_id!r} is no finding id; known ids: {', '.join(CATALOG)}")
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
        )


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
