# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Per-group plans with the rule engine: the state contract, ownership, protection and quotas."""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NodePorts
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules


def current_rules(group: Optional[dict], account_id: Optional[str]) -> List[DescribedRule]:
    return from_ip_permissions(group.get("IpPermissions", []), "ingress", account_id) if group else []


def disowned_controller_rules(found: Topology, ids: Dict[str, Optional[str]], group_id: str) -> List[DescribedRule]:
    """Rules of a node group that carry the controller's label although no controller rule matches them
    (``controller.disowned``)."""
    if group_id not in found.node_group_ids:
        return []
    sources = [ids.get("backend"), found.backend_id] + [
        gid for gid, group in found.groups.items() if is_controller_managed_group(group.get("Tags"))
    ]
    return controller.disowned(current_rules(found.groups.get(group_id), found.account_id), sources)


def option_of(spec: Spec, found: Topology, ids: Dict[str, Optional[str]], group_id: str) -> str:
    """The option whose rules land on ``group_id``, for error messages."""
    for frontend in spec.frontends:
        if ids.get(frontend.key) == group_id:
            return frontend.path
    if group_id in found.node_group_ids:
        return "node_rules" if spec.node_rules else "node_security_group_rules"
    return "backend_security_group"


def eni_rule_counts(found: Topology, group_id: str) -> Dict[str, dict]:
    """{eni: {other group on it: its rule counts}} for the node ENIs that carry ``group_id``."""
    counts = {}
    for eni_id, groups in found.eni_groups.items():
        if group_id in groups:
            counts[eni_id] = {
                other: count_rules(current_rules(found.groups.get(other), found.account_id))
                for other in groups
                if other != group_id
            }
    return counts


def eks_baseline(spec: Spec, found: Topology) -> Tuple[ProtectPattern, ...]:
    """Under overridden (unless keep_eks_baseline is false): rules from the EKS cluster security group and
    node-to-node rules, which EKS needs between the control plane and the nodes."""
    if spec.state != "overridden" or not spec.keep_eks_baseline:
        return ()
    cluster = {
        group_id
        for group_id, group in found.groups.items()
        if tag_dict(group.get("Tags")).get("aws:eks:cluster-name") == spec.cluster
    }
    patterns = (("cluster security group", cluster), ("node to node", set(found.node_group_ids)))
    return tuple(
        ProtectPattern(
            f"the EKS baseline ({what}; keep_eks_baseline)",
            sources=frozenset(Source("group", group_id) for group_id in sorted(groups)),
        )
        for what, groups in patterns
        if groups
    )


def plan_groups(
    spec: Spec, found: Topology, ids: Dict[str, Optional[str]], desired: Dict[str, List[DescribedRule]]
) -> Dict[str, Plan]:
    plans = {}
    protect = spec.protect + eks_baseline(spec, found)
    for group_id, rules in sorted(desired.items()):
        group = found.groups.get(group_id)
        limits = QuotaLimits(
            rules_per_group=spec.limits.rules_per_group,
            rules_per_eni=spec.limits.rules_per_eni,
            eni_groups=eni_rule_counts(found, group_id),
        )
        try:
            plans[group_id] = plan(
                current_rules(group, found.account_id),
                rules,
                spec.state,
                spec.purpose,
                protect,
                group_id=group_id,
                group_tags=(group or {}).get("Tags"),
                directions=("ingress",),
                limits=limits,
                adopt=frozenset(e.rule for e in disowned_controller_rules(found, ids, group_id))
                if spec.adopt_disowned_controller_rules
                else frozenset(),
            )
        except QuotaError as exc:
            raise InputError(
                option_of(spec, found, ids, group_id),
                f"{exc} (quota.rules_per_group and "
                "quota.rules_per_eni raise the limits for "
                "accounts with higher quotas)",
            ) from exc
    return plans


def check_not_emptied(spec: Spec, found: Topology, plans: Dict[str, Plan], ports: NodePorts) -> None:
    """Refuse replaced/overridden when node_rules resolved to no port and the plan would revoke node rules:
    a wrong context or an empty list, not an intent (unless allow_empty)."""
    if spec.state not in ("replaced", "overridden") or spec.allow_empty or not spec.node_rules or not ports.empty:
        return
    revoking = {
        group_id: plans[group_id].revoke
        for group_id in found.node_group_ids
        if group_id in plans and plans[group_id].revoke
    }
    if not revoking:
        return
    count = sum(len(rules) for rules in revoking.values())
    why = "no port"
    if spec.node_rules.ports_from == "from_services":
        why = "from_services found no port in the cluster's Services and Ingresses"
        why += "".join(f"; {problem}" for problem in ports.unresolved)
    raise InputError(
        "node_rules",
        f"resolved to no port ({why}), and state {spec.state} would revoke {count} node "
        f"rule(s) on {', '.join(sorted(revoking))}. That is what a wrong Kubernetes context "
        "or an empty list does, so nothing was changed; set allow_empty: true if these "
        "rules must go",
    )
