# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What eks_cluster_security_groups returns: the groups, the effective rules with why each exists, the
cluster-tag check, and the warnings about what stays open."""

from __future__ import annotations

import ipaddress
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.desired import Desired
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import Estate
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.plan import current_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.plan import eks_patterns
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import ADMIN_PORTS
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.controller import cluster_tag_key
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import has_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import protection_reason


def cluster(spec: Spec, estate: Estate) -> dict:
    return {
        "name": spec.cluster,
        "vpc_id": estate.vpc_id,
        "ip_family": estate.ip_family,
        "cluster_security_group": estate.cluster_group_id,
        "control_plane_security_groups": list(estate.control_plane_group_ids),
        "node_security_groups": list(estate.node_group_ids),
    }


def security_groups(estate: Estate, group_ids: List[str]) -> List[dict]:
    return [
        {"group_id": group_id, "name": estate.name(group_id), "role": estate.role(group_id)}
        for group_id in sorted(group_ids)
    ]


def tag_check(spec: Spec, estate: Estate) -> dict:
    problems = [
        f"instance {eni['instance_id']} (primary ENI {eni['eni_id']}): {eni['problem']}"
        for eni in estate.tag_problems()
    ]
    return {
        "tag": cluster_tag_key(spec.cluster),
        "ok": not problems,
        "problems": problems,
        "notes": [f"instance {eni['instance_id']}: {eni['note']}" for eni in estate.enis if eni["note"]],
        "enis": [{key: value for key, value in eni.items() if key not in ("problem", "note")} for eni in estate.enis],
    }


def tag_failure(check: dict) -> str:
    return (
        f"exactly one security group on each node's primary ENI must carry {check['tag']} (the AWS Load Balancer "
        f"Controller and the cloud provider fail otherwise): {'; '.join(check['problems'])}. Nothing was changed; "
        "fix the tags (or set cluster_tag_check: warn)"
    )


def why(
    spec: Spec, estate: Estate, desired: Optional[Desired], group_id: str, entry: DescribedRule, protect: tuple
) -> List[str]:
    """Why ``entry`` is on the group: its profile row or option, its protection (``protect``: the parsed
    ``protect`` patterns), or that it is someone else's."""
    if desired is not None and (group_id, entry.rule) in desired.why:
        return desired.why[(group_id, entry.rule)]
    reason = protection_reason(entry, protect + eks_patterns(estate, group_id))
    if reason:
        return [f"protected: {reason}"]
    if has_marker(entry.description, spec.purpose):
        return [f"written by this collection (kubeguard:{spec.purpose}) and no longer desired"]
    if spec.state == "gathered":
        return [f"not in the {spec.profile} baseline or the options"]
    return [f"not written by this collection and not in the {spec.profile} baseline; kept by state {spec.state}"]


def effective_rules(
    spec: Spec, estate: Estate, desired: Optional[Desired], rules: Dict[str, List[DescribedRule]]
) -> Dict[str, dict]:
    """Per group and direction, one item per rule in the module format, with ``why``."""
    protect = spec.protect_patterns(estate.ids())  # parsed once, not per rule
    result = {}
    for group_id, entries in sorted(rules.items()):
        per_direction: Dict[str, list] = {direction: [] for direction in DIRECTIONS}
        for entry in sorted(entries, key=lambda item: item.sort_key()):
            item = to_module_format([entry], entry.rule.direction)[0]
            item["why"] = why(spec, estate, desired, group_id, entry, protect)
            per_direction[entry.rule.direction].append(item)
        result[group_id] = per_direction
    return result


def read_rules(estate: Estate, group_ids: List[str]) -> Dict[str, List[DescribedRule]]:
    return {group_id: current_rules(estate.groups.get(group_id), estate.account_id) for group_id in group_ids}


def _is_world(entry: DescribedRule) -> bool:
    source = entry.rule.source
    return source.kind in ("ipv4", "ipv6") and ipaddress.ip_network(source.value).prefixlen == 0


def _exposes(entry: DescribedRule, low: int, high: int) -> bool:
    rule = entry.rule
    if rule.protocol == ALL_PROTOCOLS:
        return True
    return rule.has_port_range and rule.from_port <= high and low <= rule.to_port


def open_warnings(spec: Spec, estate: Estate, rules: Dict[str, List[DescribedRule]]) -> List[str]:
    """What stays open to the world on SSH, RDP, the kubelet or the NodePorts, and world egress that
    ``egress: restricted`` asked to remove, with the way to remove it."""
    low, high = spec.node_port_range
    exposed = list(ADMIN_PORTS) + [(low, high, "the NodePort range")]
    fix = "state overridden revokes it" if spec.state != "overridden" else "it is protected; unprotect releases it"
    warnings = []
    for group_id, entries in sorted(rules.items()):
        for entry in entries:
            if not _is_world(entry):
                continue
            if entry.rule.direction == "ingress":
                what = [name for start, end, name in exposed if _exposes(entry, start, end)]
                if what and not (spec.allow_public_node_ports and what == ["the NodePort range"]):
                    warnings.append(f"{group_id} still opens {', '.join(what)} to the world: {entry}; {fix}")
            elif spec.egress == "restricted":
                warnings.append(f"{group_id} still lets everything out ({entry}) although egress is restricted; {fix}")
    return warnings


def egress_warnings(spec: Spec) -> List[str]:
    if spec.egress != "restricted" or any(option.path.startswith("egress_extra") for option in spec.rule_options):
        return []
    return [
        "egress: restricted without egress_extra: the nodes reach nothing outside the cluster's groups - no "
        "image registry (ECR), S3, STS or EKS endpoint - unless egress_extra opens 443 to their VPC endpoints "
        "(their security group or prefix lists); nodes that cannot pull images or register fail"
    ]
