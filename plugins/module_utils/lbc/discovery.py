# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What exists: the cluster's VPC, node groups, the controller's backend group and the frontend groups.

Reads are few and filtered, never region-wide: the cluster's running instances (node ENIs and the
VPC, unless both are given; EKS DescribeCluster when no node runs), then one DescribeSecurityGroups
in the VPC for every group tagged for the cluster, the controller or this collection (one OR filter
on tag keys), plus lookups by id or name only for what that did not find.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import controller
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict

MANAGED_BY_TAG = "kubeguard.netsec/managed-by"
CLUSTER_TAG = "kubeguard.netsec/cluster"


@dataclass
class Topology:
    """What discovery found (and the run then completes with the groups it creates)."""

    vpc_id: Optional[str] = None
    node_group_ids: List[str] = field(default_factory=list)
    backend_id: Optional[str] = None
    frontend_ids: Dict[str, str] = field(default_factory=dict)
    groups: Dict[str, dict] = field(default_factory=dict)
    eni_groups: Dict[str, List[str]] = field(default_factory=dict)
    account_id: Optional[str] = None
    instance_ids: Optional[List[str]] = None  # the cluster's running instances, when they were read

    def ids(self) -> Dict[str, Optional[str]]:
        """``{"backend": id, <frontend key>: id, ...}``: every managed group by the key the spec uses."""
        return dict(self.frontend_ids, backend=self.backend_id)


def discover(ec2: Ec2, spec: Spec) -> Topology:
    found = Topology(vpc_id=spec.vpc_id)
    instances = []
    if not (spec.node_group_id and found.vpc_id):
        instances = cluster_instances(ec2, spec)
        found.instance_ids = [instance["InstanceId"] for instance in instances]
        found.vpc_id = found.vpc_id or _cluster_vpc(ec2, spec, instances)
    _read_tagged_groups(ec2, spec, found)
    _resolve_nodes(found, spec, instances)
    others = sorted({g for groups in found.eni_groups.values() for g in groups} - set(found.groups))
    if others:  # the other groups on the node ENIs count against the 1000 rules per ENI
        _remember(found, ec2.describe_security_groups(group_ids=others))
    _resolve_backend(found, spec)
    _resolve_frontends(ec2, found, spec)
    _resolve_missing(ec2, found, spec)
    return found


def cluster_instances(ec2: Ec2, spec: Spec) -> List[dict]:
    """The cluster's running instances (tagged kubernetes.io/cluster/<name>, as EKS tags its nodes)."""
    return ec2.describe_instances(
        {"tag-key": [controller.cluster_tag_key(spec.cluster)], "instance-state-name": ["running"]}
    )


def _cluster_vpc(ec2: Ec2, spec: Spec, instances: List[dict]) -> str:
    vpcs = sorted({instance["VpcId"] for instance in instances if instance.get("VpcId")})
    if not vpcs:  # no node running yet: ask EKS
        cluster_vpc = ec2.cluster_vpc(spec.cluster)
        vpcs = [cluster_vpc] if cluster_vpc else []
    if len(vpcs) != 1:
        raise InputError(
            "vpc_id", f"found the cluster's nodes in {len(vpcs)} VPC(s) ({', '.join(vpcs) or 'none'}); give vpc_id"
        )
    return vpcs[0]


def _remember(found: Topology, groups: List[dict]) -> None:
    for group in groups:
        found.groups[group["GroupId"]] = group


def _read_tagged_groups(ec2: Ec2, spec: Spec, found: Topology) -> None:
    keys = [controller.cluster_tag_key(spec.cluster), "elbv2.k8s.aws/cluster", CLUSTER_TAG]
    for group in ec2.describe_security_groups({"vpc-id": [found.vpc_id], "tag-key": keys}):
        tags = tag_dict(group.get("Tags"))
        if (
            tags.get("elbv2.k8s.aws/cluster", spec.cluster) != spec.cluster
            and tags.get(CLUSTER_TAG, spec.cluster) != spec.cluster
        ):
            continue  # another cluster's controller groups in the same VPC
        found.groups[group["GroupId"]] = group
        found.account_id = found.account_id or group.get("OwnerId")


def referenced_groups(spec: Spec) -> List[Tuple[str, str]]:
    """(group id, option path) of every group the options name: adopted groups and rule sources."""
    refs = [(spec.node_group_id, "node_security_group"), (spec.backend_id, "backend_security_group")]
    refs += [(frontend.id, f"{frontend.path}.id") for frontend in spec.frontends]
    refs += [
        (entry.rule.source.value, f"{entry.origin}.group_id")
        for entry in spec.node_baseline
        if entry.rule.source.kind == "group" and not entry.rule.source.owner
    ]
    refs += [
        (source.value, pattern.origin)
        for pattern in spec.protect
        for source in pattern.sources or ()
        if source.kind == "group" and not source.owner
    ]
    return [(group_id, path) for group_id, path in refs if group_id]


def _resolve_missing(ec2: Ec2, found: Topology, spec: Spec) -> None:
    """Every group the options name must exist (adopted ones in the cluster's VPC) before the first write;
    one read finds those the tag filter did not return."""
    refs = referenced_groups(spec)
    missing = sorted({group_id for group_id, _path in refs if group_id not in found.groups})
    if not missing:
        return
    existing = {group["GroupId"]: group for group in ec2.describe_security_groups({"group-id": missing})}
    adopted = {spec.node_group_id, spec.backend_id} | {frontend.id for frontend in spec.frontends}
    for group_id, path in refs:
        group = found.groups.get(group_id) or existing.get(group_id)
        if group is None:
            raise InputError(path, f"security group {group_id} does not exist")
        if group_id in adopted and group.get("VpcId") not in (None, found.vpc_id):
            raise InputError(
                path, f"security group {group_id} is in {group['VpcId']}, not in the cluster's VPC {found.vpc_id}"
            )
    _remember(found, [group for group_id, group in existing.items() if group_id in adopted])
    _resolve_backend(found, spec)
    _resolve_frontends(ec2, found, spec, lookup_names=False)


def _resolve_nodes(found: Topology, spec: Spec, instances: List[dict]) -> None:
    if spec.node_group_id:
        found.node_group_ids = [spec.node_group_id]
        return
    group_tags = {group_id: tag_dict(group.get("Tags")) for group_id, group in found.groups.items()}
    ids: List[str] = []
    for instance in instances:
        for eni in instance.get("NetworkInterfaces", []):
            if eni.get("Attachment", {}).get("DeviceIndex") != 0:
                continue
            eni_groups = [group["GroupId"] for group in eni.get("Groups", [])]
            found.eni_groups[eni["NetworkInterfaceId"]] = eni_groups
            chosen = controller.endpoint_group(eni["NetworkInterfaceId"], eni_groups, group_tags, spec.cluster)
            if chosen not in ids:
                ids.append(chosen)
    if not ids:
        raise InputError(
            "node_security_group",
            f"no running instance tagged {controller.cluster_tag_key(spec.cluster)}: give node_security_group",
        )
    found.node_group_ids = sorted(ids)


def _resolve_backend(found: Topology, spec: Spec) -> None:
    """The controller's backend group; in custom mode too, to recognise the controller's own rules."""
    if spec.backend_id:
        found.backend_id = spec.backend_id if spec.backend_id in found.groups else None
        return
    wanted = controller.backend_sg_tags(spec.cluster)
    matches = [
        group_id
        for group_id, group in sorted(found.groups.items())
        if all(tag_dict(group.get("Tags")).get(key) == value for key, value in wanted.items())
    ]
    found.backend_id = matches[0] if matches else None  # the controller takes the first match too


def _resolve_frontends(ec2: Ec2, found: Topology, spec: Spec, lookup_names: bool = True) -> None:
    by_name = {group.get("GroupName"): group_id for group_id, group in found.groups.items()}
    unnamed = []
    for frontend in spec.frontends:
        if frontend.id:
            if frontend.id in found.groups:
                found.frontend_ids[frontend.key] = frontend.id
        elif frontend.name in by_name:
            found.frontend_ids[frontend.key] = by_name[frontend.name]
        else:
            unnamed.append(frontend.name)
    if unnamed and lookup_names:
        for group in ec2.describe_security_groups({"vpc-id": [found.vpc_id], "group-name": unnamed}):
            found.groups[group["GroupId"]] = group
            found.frontend_ids[group["GroupName"]] = group["GroupId"]
