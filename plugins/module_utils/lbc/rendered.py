# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""``state: rendered``: offline, the calls that would create the groups and authorize every rule."""

from __future__ import annotations

from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import create_group_params
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NewGroup
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NodePorts
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import backend_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import frontend_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import node_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import placeholder_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import render_calls


def _create_call(group: NewGroup, vpc_id: str, placeholder: str) -> dict:
    return {
        "action": "CreateSecurityGroup",
        "placeholder_id": placeholder,
        "params": create_group_params(group.name, group.description, vpc_id, group.tags),
    }


def rendered(spec: Spec) -> List[dict]:
    """The calls on empty groups, with placeholder ids for groups that would be created."""
    if spec.node_rules and spec.node_rules.ports_from == "from_services":
        raise InputError(
            "node_rules.ports_from",
            "state rendered works offline and cannot read the cluster's "
            "Services; use ports_from: ports or nodeport_range",
        )
    found = Topology(node_group_ids=[spec.node_group_id or "<node-security-group>"])
    ids = {"backend": spec.backend_id or placeholder_id("backend")}
    calls = []
    if spec.mode != "custom" and not spec.backend_id:
        calls.append(_create_call(backend_group(spec), "<vpc-id>", ids["backend"]))
    for frontend in spec.frontends:
        ids[frontend.key] = frontend.id or placeholder_id(frontend.name)
        if not frontend.id:
            calls.append(_create_call(frontend_group(spec, frontend), spec.vpc_id or "<vpc-id>", ids[frontend.key]))
    ports = node_ports(spec, None, None) if spec.node_rules else NodePorts(())
    for group_id, rules in sorted(desired_rules(spec, found, ids, ports).items()):
        calls += render_calls(plan([], rules, "merged", spec.purpose, group_id=group_id, directions=("ingress",)))
    return calls
