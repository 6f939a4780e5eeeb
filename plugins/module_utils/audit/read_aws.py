# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the audit reads of an EKS cluster's AWS side, all filtered to the cluster and its VPC.

eks_cluster_security_groups' discovery (DescribeCluster, the cluster's instances, their groups) gives the
cluster group, the node groups and the cluster-tag check; then every group and network interface of the VPC
(for the default group, unused groups and per-interface quotas) and the load balancers' groups (a load
balancer's interfaces are not always listed as carrying them).
"""

from __future__ import annotations

from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import discover
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec


def read_eks(ec2: Ec2, spec: AuditSpec) -> Tuple[VpcView, List[dict]]:
    """(the VPC as the checks see it, the node interfaces with the cluster-tag verdict)."""
    baseline = Spec.from_params(
        {
            "cluster_name": spec.cluster,
            "state": "gathered",
            "purpose": "eks-cluster-baseline",
            "baseline": "minimum",
            "egress": "all",
            "node_security_groups": list(spec.node_group_ids),
        }
    )
    estate = discover(ec2, baseline)
    vpc = {"vpc-id": [estate.vpc_id]}
    groups = {group["GroupId"]: group for group in ec2.describe_security_groups(vpc)}
    enis = ec2.describe_network_interfaces(vpc)
    balancers = ec2.backend.client("elbv2").paginate("describe_load_balancers", "LoadBalancers")
    lb_groups = {g for lb in balancers if lb.get("VpcId") == estate.vpc_id for g in lb.get("SecurityGroups") or []}
    view = VpcView(
        groups=groups,
        enis=enis,
        cluster_group_id=estate.cluster_group_id,
        node_group_ids=estate.node_group_ids,
        lb_group_ids=tuple(sorted(lb_groups)),
        account_id=estate.account_id,
        vpc_id=estate.vpc_id,
    )
    return view, estate.enis
