# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EKS-specific checks over the security groups: the cluster tag on the nodes' interfaces (KG-SG-011) and the
load balancer controller's label on rules it does not write (KG-LBC-001)."""

from __future__ import annotations

from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict


def cluster_tag(view: VpcView, enis: List[dict]) -> List[Finding]:
    """KG-SG-011 from eks_cluster_security_groups' discovery (its ``enis``: instance, groups, tagged, problem)."""
    return [
        Finding(
            "KG-SG-011",
            f"{eni['instance_id']} ({eni['eni_id']})",
            eni["problem"],
            details={"groups": eni["groups"], "tagged": eni["tagged"]},
        )
        for eni in enis
        if eni["problem"]
    ]


def backend_group(view: VpcView, cluster: str) -> Optional[str]:
    """The controller's backend group, found by its tags as the controller finds it (first match)."""
    wanted = controller.backend_sg_tags(cluster)
    matches = [
        group_id
        for group_id, group in sorted(view.groups.items())
        if all(tag_dict(group.get("Tags")).get(key) == value for key, value in wanted.items())
    ]
    return matches[0] if matches else None


def disowned_controller_rules(view: VpcView, cluster: str) -> List[Finding]:
    """KG-LBC-001: node rules carrying the controller's label that the controller does not write."""
    sources = [backend_group(view, cluster)] + [
        group_id for group_id, group in view.groups.items() if is_controller_managed_group(group.get("Tags"))
    ]
    found = []
    for group_id in view.node_group_ids:
        for entry in controller.disowned([e for e in view.rules(group_id) if e.rule.direction == "ingress"], sources):
            found.append(Finding("KG-LBC-001", view.label(group_id), str(entry), details={"group_id": group_id}))
    return found
