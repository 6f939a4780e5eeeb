# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the module reports: the groups as read, the risks found, and what the controller needs."""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import current_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import WORLD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict

Ids = Dict[str, Optional[str]]


def security_groups(found: Topology, ids: Ids) -> List[dict]:
    """Every group read, with its role and inbound rules in the module's rule format."""
    return [
        {
            "group_id": group_id,
            "name": group.get("GroupName"),
            "tags": tag_dict(group.get("Tags")),
            "role": _role(group_id, found, ids),
            "rules": to_module_format(current_rules(group, found.account_id), "ingress"),
        }
        for group_id, group in sorted(found.groups.items())
    ]


def _role(group_id: str, found: Topology, ids: Ids) -> str:
    if group_id in found.node_group_ids:
        return "node"
    if group_id == ids.get("backend"):
        return "backend"
    if group_id in found.frontend_ids.values():
        return "frontend"
    tags = tag_dict(found.groups[group_id].get("Tags")) if group_id in found.groups else {}
    if is_controller_managed_group(tags):
        return "controller-frontend"
    if "aws:eks:cluster-name" in tags:
        return "eks-cluster"
    return "other"


def controller_warnings(found: Topology, ids: Ids) -> List[str]:
    """The seed 003 incident (hand-made rules carrying the controller's label, which it revokes) and
    node rules open to the world."""
    warnings = []
    expected_sources = {ids.get("backend"), found.backend_id} | {
        group_id for group_id, group in found.groups.items() if is_controller_managed_group(group.get("Tags"))
    }
    for group_id in found.node_group_ids:
        for entry in current_rules(found.groups.get(group_id), found.account_id):
            if is_controller_owned(entry.description) and entry.rule.source.value not in expected_sources:
                warnings.append(
                    f"{group_id}: {entry.rule} carries the controller label {CONTROLLER_LABEL} but no "
                    "controller rule matches it (its source is not the backend or a managed frontend "
                    "group): the controller will revoke it on its next reconcile"
                )
            if entry.rule.source.value in WORLD:
                warnings.append(f"{group_id}: {entry.rule} is open to the internet")
    return warnings


def controller_settings(spec: Spec, ids: Ids) -> dict:
    """The controller flags and Ingress annotations this mode needs."""
    if spec.mode == "auto":
        flags = ["--enable-backend-security-group=true"]
        if spec.backend_id:
            flags.append(f"--backend-security-group={ids['backend']}")
        return {"controller_flags": flags, "ingress_annotations": {}}
    hybrid = spec.mode == "hybrid"
    return {
        "controller_flags": [f"--enable-backend-security-group={'true' if hybrid else 'false'}"],
        "ingress_annotations": {
            "alb.ingress.kubernetes.io/security-groups": ",".join(ids[f.key] for f in spec.frontends),
            "alb.ingress.kubernetes.io/manage-backend-security-group-rules": "true" if hybrid else "false",
        },
    }
