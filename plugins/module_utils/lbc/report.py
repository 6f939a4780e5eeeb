# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the module reports: the groups as read, the risks found, and what the controller needs."""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NodePorts
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import current_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import disowned_controller_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import is_world
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
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
    for group_id in found.node_group_ids:
        for entry in disowned_controller_rules(found, ids, group_id):
            warnings.append(
                f"{group_id}: {entry.rule} carries the controller label {CONTROLLER_LABEL} but no "
                "controller rule matches it (its source is not the backend or a managed frontend "
                "group): the controller will revoke it on its next reconcile (adopt_disowned_controller_rules "
                "keeps it as this collection's rule when it is desired)"
            )
        for entry in current_rules(found.groups.get(group_id), found.account_id):
            if entry.rule.source.kind in ("ipv4", "ipv6") and is_world(entry.rule.source.value):
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


def rules_of(plans: Dict[str, Plan], side: str) -> Dict[str, List[dict]]:
    """Per group, the inbound rules before or after its plan, in the rule format (for ``--diff``)."""
    return {
        group_id: to_module_format(getattr(group_plan, side)(), "ingress") for group_id, group_plan in plans.items()
    }


def shared_with_controller(plans: Dict[str, Plan]) -> List[dict]:
    """Desired rules that exist only as the controller's own rule (its label in the description): EC2 keeps one
    copy of a rule, and the controller revokes it when its load balancers no longer need it."""
    shared = []
    for group_id, group_plan in sorted(plans.items()):
        for entry in group_plan.unowned_satisfying:
            if is_controller_owned(entry.description):
                shared.append(
                    {
                        "group_id": group_id,
                        "rule": to_module_format([entry], "ingress")[0],
                        "meaning": CONTROLLER_SHARED_MEANING,
                        "to_keep_one_of_your_own": KEEP_YOUR_OWN,
                    }
                )
    return shared


CONTROLLER_SHARED_MEANING = (
    "this rule exists only as the AWS Load Balancer Controller's own rule: EC2 holds one copy "
    "of a rule, so it cannot also carry this collection's marker, and the controller revokes "
    "it when its load balancers no longer need it (until the next run of this module adds it "
    "back)"
)
KEEP_YOUR_OWN = (
    "make the desired rule differ from the controller's: port_compression exact or adjacent instead of "
    "the controller's min-max span, or another source (node_rules.cidrs, mode custom's frontend groups); "
    "or leave the node rules to the controller (mode hybrid)"
)


def served_by_own_frontends(ports: NodePorts, warnings: List[str]) -> List[dict]:
    """The load balancers the backend group does not serve (frontend groups of their own, no
    manage-backend-security-group-rules): the controller writes no node rule for them, so their ports are
    opened from their own groups. Each is also a warning."""
    for entry in ports.served_by_own_frontends:
        warnings.append(
            f"{entry['object']} (port {entry['port']}): its load balancer has frontend groups of its own "
            f"({', '.join(entry['frontend_groups'])}) and no manage-backend-security-group-rules, so the "
            "controller neither attaches the backend group nor writes node rules for it; the node port "
            "is opened from those groups"
        )
    return list(ports.served_by_own_frontends)
