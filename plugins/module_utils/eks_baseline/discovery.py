# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the cluster is made of, read in four filtered calls and never region-wide.

1. EKS DescribeCluster: the VPC, the cluster security group (``resourcesVpcConfig.clusterSecurityGroupId``),
   the additional control-plane groups and the IP family. A cluster EKS does not know is a wrong account,
   region or name: the run stops before any write.
2. The cluster security group when DescribeCluster has none (clusters made before EKS had one, emulators): the
   group EKS tags ``aws:eks:cluster-name=<name>`` in the cluster's VPC.
3. The running instances tagged ``kubernetes.io/cluster/<name>`` in the VPC (the nodes), whose primary ENI
   (device index 0) says which groups the nodes carry.
4. One DescribeSecurityGroups by id for the cluster group, every group on the node ENIs, the given node groups
   and every group a rule option names.

The node groups are the groups the AWS Load Balancer Controller and the cloud provider pick on each primary
ENI: the only group, or the one carrying the cluster tag. ``tag_check`` lists the ENIs where that choice fails
(more than one tagged group, or several groups and none tagged) and the ENIs whose only group is untagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import CLUSTER
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import NODES
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Ids
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.controller import cluster_tag_key
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import parse_sources
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict


@dataclass
class Estate:
    """What discovery found."""

    vpc_id: str
    cluster_group_id: str
    control_plane_group_ids: Tuple[str, ...]
    ip_family: str
    node_group_ids: Tuple[str, ...] = ()
    groups: Dict[str, dict] = field(default_factory=dict)
    enis: List[dict] = field(default_factory=list)  # {instance_id, eni_id, groups, tagged, chosen, problem}
    account_id: Optional[str] = None

    def ids(self) -> Ids:
        return {CLUSTER: (self.cluster_group_id,), NODES: self.node_group_ids}

    def role(self, group_id: str) -> str:
        roles = [role for role, ids in self.ids().items() if group_id in ids]
        return "+".join(roles) if roles else "other"

    def name(self, group_id: str) -> Optional[str]:
        return (self.groups.get(group_id) or {}).get("GroupName")

    def tag_problems(self) -> List[dict]:
        return [eni for eni in self.enis if eni["problem"]]


def discover(ec2: Ec2, spec: Spec) -> Estate:
    config, network = _describe_cluster(ec2, spec)
    vpc_id = config.get("vpcId") or _vpc_of_subnets(ec2, config)
    estate = Estate(
        vpc_id=vpc_id,
        cluster_group_id=_cluster_group(ec2, spec, config, vpc_id),
        control_plane_group_ids=tuple(config.get("securityGroupIds") or ()),
        ip_family=(network.get("ipFamily") or "ipv4").lower(),
    )
    instances = ec2.describe_instances(
        {"tag-key": [cluster_tag_key(spec.cluster)], "instance-state-name": ["running"], "vpc-id": [vpc_id]}
    )
    eni_groups = [
        (instance["InstanceId"], eni["NetworkInterfaceId"], [g["GroupId"] for g in eni.get("Groups", [])])
        for instance in instances
        for eni in instance.get("NetworkInterfaces", [])
        if (eni.get("Attachment") or {}).get("DeviceIndex") == 0
    ]
    wanted = {estate.cluster_group_id, *spec.node_group_ids, *referenced_groups(spec)}
    wanted |= {group_id for _instance, _eni, groups in eni_groups for group_id in groups}
    for group in ec2.describe_security_groups({"group-id": sorted(wanted)}):  # by filter: a missing id is no error
        estate.groups[group["GroupId"]] = group
        estate.account_id = estate.account_id or group.get("OwnerId")
    _check_groups(spec, estate)
    estate.enis = [_eni_choice(spec, estate, *item) for item in eni_groups]
    estate.node_group_ids = spec.node_group_ids or tuple(
        sorted({eni["chosen"] for eni in estate.enis if eni["chosen"]})
    )
    if not estate.node_group_ids and not estate.tag_problems():
        raise InputError(
            "node_security_groups",
            f"no running instance tagged {cluster_tag_key(spec.cluster)} in {vpc_id}: give node_security_groups",
        )
    return estate


def _describe_cluster(ec2: Ec2, spec: Spec) -> Tuple[dict, dict]:
    try:
        answer = ec2.backend.client("eks").call("describe_cluster", name=spec.cluster)
    except ApiError as exc:
        if exc.code == "ResourceNotFoundException":
            raise InputError(
                "cluster_name",
                f"EKS has no cluster named {spec.cluster} here ({exc.where or 'this region'}): a wrong name, "
                "region or account; nothing was changed",
            ) from exc
        raise
    cluster = answer["cluster"]
    return cluster.get("resourcesVpcConfig") or {}, cluster.get("kubernetesNetworkConfig") or {}


def _vpc_of_subnets(ec2: Ec2, config: dict) -> str:
    subnets = ec2.describe_subnets(config["subnetIds"]) if config.get("subnetIds") else []
    if not subnets:
        raise InputError("cluster_name", "DescribeCluster names no VPC and no subnet for the cluster")
    return subnets[0]["VpcId"]


def _cluster_group(ec2: Ec2, spec: Spec, config: dict, vpc_id: str) -> str:
    """The cluster security group: DescribeCluster's, or the one EKS tags; a given one must be among them."""
    known = config.get("clusterSecurityGroupId")
    if not known:
        tagged = ec2.describe_security_groups({"vpc-id": [vpc_id], "tag:aws:eks:cluster-name": [spec.cluster]})
        owned = [g["GroupId"] for g in tagged if tag_dict(g.get("Tags")).get(cluster_tag_key(spec.cluster))]
        known = owned[0] if len(owned) == 1 else None
    control_plane = {known, *(config.get("securityGroupIds") or ())} - {None}
    if spec.cluster_group_id:
        if spec.cluster_group_id not in control_plane:
            raise InputError(
                "cluster_security_group",
                f"{spec.cluster_group_id} is not a control-plane group of {spec.cluster} "
                f"({', '.join(sorted(control_plane)) or 'EKS names none'}): a wrong cluster or group",
            )
        return spec.cluster_group_id
    if not known:
        raise InputError(
            "cluster_security_group",
            f"EKS names no cluster security group for {spec.cluster} and no single group in {vpc_id} carries "
            f"aws:eks:cluster-name={spec.cluster}: give cluster_security_group",
        )
    return known


def referenced_groups(spec: Spec) -> List[str]:
    """Every group id the rule options name: as the group a rule goes on, or as a source."""
    found = [option.group for option in spec.rule_options + spec.unprotect if option.group.startswith("sg-")]
    for option in spec.rule_options:
        refs = option.rule.get("group_id") or []
        refs = refs if isinstance(refs, list) else [refs]
        rule = dict(option.rule, group_id=[ref for ref in refs if ref not in (CLUSTER, NODES)])
        if rule["group_id"]:
            found += [s.value for s in parse_sources(rule, option.path, required=False) if s.kind == "group"]
    return found


def _check_groups(spec: Spec, estate: Estate) -> None:
    """Every group the options name exists; the groups the module writes are in the cluster's VPC."""
    named = [(group_id, "node_security_groups") for group_id in spec.node_group_ids]
    named += [(option.group, f"{option.path}.group") for option in spec.rule_options if option.group.startswith("sg-")]
    named += [(group_id, "rule options") for group_id in referenced_groups(spec)]
    for group_id, path in named:
        group = estate.groups.get(group_id)
        if group is None:
            raise InputError(path, f"security group {group_id} does not exist")
        if not path.endswith("rule options") and group.get("VpcId") != estate.vpc_id:
            raise InputError(path, f"{group_id} is in {group.get('VpcId')}, not in the cluster's VPC {estate.vpc_id}")


def _eni_choice(spec: Spec, estate: Estate, instance_id: str, eni_id: str, groups: List[str]) -> dict:
    key = cluster_tag_key(spec.cluster)
    tagged = [g for g in groups if key in tag_dict((estate.groups.get(g) or {}).get("Tags"))]
    chosen, problem, note = None, None, None
    if len(tagged) == 1:
        chosen = tagged[0]
    elif len(tagged) > 1:
        problem = f"{len(tagged)} groups carry {key}: {', '.join(_named(estate, tagged))}"
    elif len(groups) == 1:
        chosen = groups[0]
        note = f"its only group {_named(estate, groups)[0]} does not carry {key}; tag it"
    else:
        problem = f"none of its {len(groups)} groups ({', '.join(_named(estate, groups))}) carries {key}"
    return {
        "instance_id": instance_id,
        "eni_id": eni_id,
        "groups": groups,
        "tagged": tagged,
        "chosen": chosen,
        "problem": problem,
        "note": note,
    }


def _named(estate: Estate, group_ids: List[str]) -> List[str]:
    return [f"{group_id} ({estate.name(group_id)})" if estate.name(group_id) else group_id for group_id in group_ids]
