# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security-group checks over what was read of the cluster's VPC (pure functions, no API call).

Rules are read with the rule engine's model (``sg.format.from_ip_permissions``): one source per rule, protocol
names and numbers unified, so ``6``/``tcp`` and a range covering a port are judged alike. "The world" is a CIDR
of prefix length 0 in either family. A rule that opens every port is reported once (KG-SG-002), not again
for each port it covers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import mentions_controller_label
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import count_rules

ADMIN_PORTS = ((22, "SSH"), (3389, "RDP"))
KUBELET_PORTS = (10250, 10255)
# Security Hub EC2.19's blocked ports (restricted-common-ports), the admin ports aside.
HIGH_RISK_PORTS = (
    20,
    21,
    23,
    25,
    110,
    135,
    143,
    445,
    1433,
    1434,
    3000,
    3306,
    4333,
    5000,
    5432,
    5500,
    5601,
    8080,
    8088,
    8888,
    9200,
    9300,
)


@dataclass
class VpcView:
    """What the checks read: every group and network interface of the cluster's VPC and the cluster's roles."""

    groups: Dict[str, dict]
    enis: List[dict]
    cluster_group_id: Optional[str] = None
    node_group_ids: Tuple[str, ...] = ()
    lb_group_ids: Tuple[str, ...] = ()  # groups load balancers carry (their ENIs are not always listed)
    account_id: Optional[str] = None
    vpc_id: Optional[str] = None
    prefix_list_sizes: Dict[str, int] = field(default_factory=dict)

    def rules(self, group_id: str) -> List[DescribedRule]:
        group = self.groups.get(group_id) or {}
        return from_ip_permissions(group.get("IpPermissions") or [], "ingress", self.account_id) + from_ip_permissions(
            group.get("IpPermissionsEgress") or [], "egress", self.account_id
        )

    def label(self, group_id: str) -> str:
        name = (self.groups.get(group_id) or {}).get("GroupName")
        return f"{group_id} ({name})" if name else group_id


def is_world(entry: DescribedRule) -> bool:
    source = entry.rule.source
    return source.kind in ("ipv4", "ipv6") and ipaddress.ip_network(source.value).prefixlen == 0


def _covers(entry: DescribedRule, port: int) -> bool:
    rule = entry.rule
    return rule.protocol == ALL_PROTOCOLS or (rule.has_port_range and rule.from_port <= port <= rule.to_port)


def _every_port(entry: DescribedRule) -> bool:
    rule = entry.rule
    return rule.protocol == ALL_PROTOCOLS or (rule.has_port_range and (rule.from_port, rule.to_port) == (0, 65535))


def _finding(kind: str, view: VpcView, group_id: str, entry: DescribedRule, **details: object) -> Finding:
    return Finding(kind, view.label(group_id), str(entry), details=dict(details, group_id=group_id))


def world_open(view: VpcView, node_ports: Tuple[int, int] = (30000, 32767)) -> List[Finding]:
    """KG-SG-001..005: inbound rules from the world on what must never face it."""
    found = []
    for group_id in sorted(view.groups):
        node = group_id in view.node_group_ids or group_id == view.cluster_group_id
        for entry in view.rules(group_id):
            if entry.rule.direction != "ingress" or not is_world(entry):
                continue
            if _every_port(entry):
                found.append(_finding("KG-SG-002", view, group_id, entry))
                continue
            found += [
                _finding("KG-SG-001", view, group_id, entry, port=port, service=name)
                for port, name in ADMIN_PORTS
                if _covers(entry, port)
            ]
            risky = [port for port in HIGH_RISK_PORTS if _covers(entry, port)]
            if risky:
                found.append(_finding("KG-SG-003", view, group_id, entry, ports=risky))
            if node and any(_covers(entry, port) for port in KUBELET_PORTS):
                found.append(_finding("KG-SG-005", view, group_id, entry))
            low, high = node_ports
            rule = entry.rule
            if node and rule.has_port_range and rule.from_port <= high and low <= rule.to_port:
                found.append(_finding("KG-SG-004", view, group_id, entry))
    return found


def open_egress(view: VpcView) -> List[Finding]:
    """KG-SG-006: all traffic out to the world from the cluster's own groups."""
    found = []
    for group_id in sorted({view.cluster_group_id, *view.node_group_ids} - {None}):
        for entry in view.rules(group_id):
            if entry.rule.direction == "egress" and is_world(entry) and _every_port(entry):
                found.append(_finding("KG-SG-006", view, group_id, entry))
    return found


def default_group_open(view: VpcView) -> List[Finding]:
    """KG-SG-007: the VPC's default group with any rule."""
    found = []
    for group_id, group in sorted(view.groups.items()):
        if group.get("GroupName") != "default":
            continue
        rules = view.rules(group_id)
        if rules:
            evidence = "; ".join(str(entry) for entry in rules[:5]) + ("; ..." if len(rules) > 5 else "")
            found.append(Finding("KG-SG-007", view.label(group_id), evidence, details={"rules": len(rules)}))
    return found


def unused_groups(view: VpcView) -> List[Finding]:
    """KG-SG-008: on no network interface, on no load balancer, named by no rule of another group."""
    used = {g["GroupId"] for eni in view.enis for g in eni.get("Groups") or []} | set(view.lb_group_ids)
    for group_id in view.groups:
        used |= {e.rule.source.value for e in view.rules(group_id) if e.rule.source.kind == "group"} - {group_id}
    return [
        Finding("KG-SG-008", view.label(group_id), "attached to nothing and referenced by no rule")
        for group_id, group in sorted(view.groups.items())
        if group_id not in used and group.get("GroupName") != "default"
    ]


def undescribed_rules(view: VpcView) -> List[Finding]:
    """KG-SG-009: rules of the cluster's groups without a description (EKS' own self rule and the rules of
    controller-managed frontend groups, which their owners write without one, aside)."""
    found = []
    for group_id in sorted({view.cluster_group_id, *view.node_group_ids} - {None}):
        for entry in view.rules(group_id):
            if entry.description or mentions_controller_label(entry.description):
                continue
            eks_own = group_id == view.cluster_group_id and entry.rule.source.value == group_id
            default_egress = is_world(entry) and entry.rule.direction == "egress"
            if entry.rule.protocol == ALL_PROTOCOLS and (eks_own or default_egress):
                continue  # EKS' self rule and the default egress AWS creates
            found.append(_finding("KG-SG-009", view, group_id, entry))
    return found


def quota_headroom(view: VpcView, share: float, per_group: int = 60, per_eni: int = 1000) -> List[Finding]:
    """KG-SG-010: rules per group, direction and family, and per network interface, over ``share`` of the quota."""
    counts = {
        group_id: count_rules(view.rules(group_id), _sizes(view, group_id))
        for group_id, group in view.groups.items()
        if not is_controller_managed_group(group.get("Tags"))
    }
    found = []
    for group_id, buckets in sorted(counts.items()):
        for (direction, family), count in sorted(buckets.items()):
            if count > share * per_group:
                evidence = f"{count} {direction} {family} rules of {per_group}"
                found.append(Finding("KG-SG-010", view.label(group_id), evidence, details={"count": count}))
    for eni in view.enis:
        total = sum(sum(counts.get(g["GroupId"], {}).values()) for g in eni.get("Groups") or [])
        if total > share * per_eni:
            evidence = f"{total} rules across the groups of the interface, of {per_eni}"
            found.append(Finding("KG-SG-010", eni["NetworkInterfaceId"], evidence, details={"count": total}))
    return found


def _sizes(view: VpcView, group_id: str) -> Dict[str, int]:
    """Prefix lists by max entries; one not read counts as one entry (the count is then a lower bound)."""
    lists = {e.rule.source.value for e in view.rules(group_id) if e.rule.source.kind == "prefix_list"}
    return {pl: view.prefix_list_sizes.get(pl, 1) for pl in lists}
