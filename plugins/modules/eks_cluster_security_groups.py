#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_cluster_security_groups
short_description: The least-privilege security-group baseline of an EKS cluster and its node groups
version_added: 0.2.0
description:
  - Enforces, for one EKS cluster, the rules its control plane and nodes need between them - and nothing
    the world should not have - on the cluster security group and the node security groups, with the
    collection's rule engine (the state contract, ownership marker and protection of
    M(kubeguard.netsec.eks_lbc_security_groups)).
  - The cluster security group comes from EKS DescribeCluster (C(resourcesVpcConfig.clusterSecurityGroupId)),
    else from the tag C(aws:eks:cluster-name) EKS sets, or is given (O(cluster_security_group), which must be
    one of the cluster's control-plane groups). The node security groups are those the AWS Load Balancer
    Controller and the cloud provider pick on each running node's primary ENI - the only group, or the one
    tagged C(kubernetes.io/cluster/<cluster_name>) - or are given (O(node_security_groups)).
  - Exactly one group on each node's primary ENI must carry C(kubernetes.io/cluster/<cluster_name>) (the
    controller and the cloud provider fail otherwise); the module checks it before any write and, by default,
    fails naming the instances and groups (O(cluster_tag_check)).
  - "O(baseline=minimum) - what the EKS user guide requires between the control plane and the nodes:"
  - "C(cluster_ingress_nodes_443): on the cluster group, tcp 443 from the node groups - EKS user guide;
    terraform-aws-eks C(ingress_nodes_443)."
  - "C(node_ingress_cluster_kubelet): on the node groups, tcp 10250 from the cluster group - EKS user guide;
    terraform-aws-eks C(ingress_cluster_kubelet)."
  - "C(node_ingress_self_coredns_tcp) and C(node_ingress_self_coredns_udp): on the node groups, tcp and udp 53
    from the node groups - EKS user guide; terraform-aws-eks C(ingress_self_coredns_tcp/udp)."
  - "O(baseline=recommended) - terraform-aws-eks v21's node group defaults with
    C(node_security_group_enable_recommended_rules), on top of the minimum:"
  - "C(node_ingress_cluster_443): tcp 443 from the cluster group (terraform-aws-eks C(ingress_cluster_443));
    C(node_ingress_self_ephemeral): tcp 1025-65535 from the node groups (C(ingress_nodes_ephemeral));
    C(node_ingress_cluster_4443_webhook), C(_6443_), C(_8443_), C(_9443_) and C(_10251_webhook): those tcp
    ports from the cluster group (metrics-server, prometheus-adapter, Karpenter, the AWS Load Balancer
    Controller and NGINX webhooks) - terraform-aws-eks C(ingress_cluster_<port>_webhook)."
  - O(baseline=custom) - only the minimum rules (unless O(keep_required_rules=false)) and O(extra_rules).
  - "Egress, O(egress=all) - C(cluster_egress_all) and C(node_egress_all): all traffic to 0.0.0.0/0 (and ::/0
    on IPv6 clusters) from the cluster group (the EKS default) and the node groups (terraform-aws-eks
    C(egress_all))."
  - "Egress, O(egress=restricted) - every profile rule gets its mirror, C(<rule>.egress): the same protocol and
    ports as an outbound rule on the peer group to the group (nodes to the cluster group on 443, the cluster
    group to the nodes on 10250, nodes to nodes on 53, ...), which is what the EKS user guide lists when the
    default egress is removed; plus O(egress_extra) (VPC endpoints, registries). The all-traffic egress is
    then not desired, so O(state=overridden) revokes it."
  - O(nodeport_sources) opens the NodePort range (O(node_port_range)) on the node groups; none by default,
    because the AWS Load Balancer Controller writes its own restricted rules from its backend group.
    O(ssh) opens tcp 22. The world - 0.0.0.0/0 and ::/0 in any spelling, and CIDRs that together cover it -
    is refused on 22, 3389 and 10250 in every option, and on the NodePort range unless
    O(allow_public_node_ports).
  - Every rule it writes carries the marker C(kubeguard:<purpose>). Protected, whatever the state - EKS' own
    rules on the cluster group (all traffic from itself, and to itself), rules carrying the AWS Load Balancer
    Controller's label C(elbv2.k8s.aws/targetGroupBinding=shared), and rules matching O(protect); under
    O(state=overridden) also the rules this collection wrote for another purpose (C(kubeguard:<other>), such as
    M(kubeguard.netsec.eks_lbc_security_groups)' node rules), which that purpose removes. An O(unprotect) item
    releases the rules it matches. A desired rule that a protected rule already covers (the
    nodes carry the cluster group on managed node groups) is not written; RV(covered) lists it.
  - The rules the cluster needs (the minimum profile and their mirrors under restricted egress) are desired in
    every profile, so O(state=overridden) never revokes them and O(state=deleted) keeps them, unless
    O(keep_required_rules=false).
  - O(state=merged) adds what is missing; O(state=replaced) also revokes this collection's rules that are no
    longer desired; O(state=overridden) also revokes every other rule of the managed groups that is not
    protected (the world-open NodePort rule, SSH from anywhere, the default egress under restricted egress);
    O(state=deleted) revokes this collection's rules of the profile and options; O(state=gathered) reads the
    groups and the tag check; O(state=rendered) returns the rules between symbolic groups without any call.
  - Reads are few and filtered (DescribeCluster, the cluster's instances in its VPC, the groups by id), never
    region-wide; changes are make-before-break, one batched call per group, action and direction; quotas are
    checked before any write.
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  cluster_name:
    description: Name of the EKS cluster.
    type: str
    required: true
  cluster_security_group:
    description:
      - The cluster security group (C(sg-...)). Discovered when omitted; when given it must be the cluster's
        C(clusterSecurityGroupId) or one of its additional control-plane groups.
    type: str
  node_security_groups:
    description:
      - The node security groups. Discovered from the running nodes' primary ENIs when omitted.
    type: list
    elements: str
  baseline:
    description:
      - The rule table to enforce, see the description. (The option is not called C(profile) because
        O(profile) is the AWS credentials profile, as in every amazon.aws module.)
    type: str
    choices: [minimum, recommended, custom]
    default: minimum
  egress:
    description: V(all) keeps all outbound traffic; V(restricted) allows only what the profile needs and O(egress_extra).
    type: str
    choices: [all, restricted]
    default: all
  egress_extra:
    description:
      - With O(egress=restricted), more outbound rules, in the rule format of O(extra_rules) (C(direction) is
        always egress). On the node groups unless C(group) says otherwise. Typically 443 to the VPC endpoints'
        group and the S3 prefix list.
    type: list
    elements: dict
  extra_rules:
    description:
      - More rules, in the collection's rule format (C(proto), C(ports) or C(from_port)/C(to_port),
        C(icmp_type)/C(icmp_code), C(cidr_ip), C(cidr_ipv6), C(prefix_list_id), C(group_id), C(description)),
        plus C(group) - the group the rule goes on, V(nodes) (the default), V(cluster) or an C(sg-...) id in the
        cluster's VPC - and C(direction) (V(ingress), the default, or V(egress)).
      - V(cluster) and V(nodes) may stand in C(group_id) for the discovered groups.
    type: list
    elements: dict
  nodeport_sources:
    description:
      - Who may reach the NodePort range (tcp) on the node groups - security group ids, V(cluster), V(nodes),
        prefix list ids or CIDRs. None by default.
    type: list
    elements: str
    default: []
  node_port_range:
    description: The cluster's NodePort range (kube-apiserver C(--service-node-port-range)).
    type: str
    default: "30000-32767"
  allow_public_node_ports:
    description: Allow the world on the NodePort range.
    type: bool
    default: false
  ssh:
    description: Who may reach tcp 22 on the node groups - security group ids, prefix list ids or CIDRs (never the world).
    type: list
    elements: str
    default: []
  keep_required_rules:
    description:
      - Keep the rules the cluster needs (the minimum profile) in every profile and under O(state=deleted).
        V(false) lets O(baseline=custom) leave them out, O(state=overridden) revoke them and O(state=deleted)
        remove them.
    type: bool
    default: true
  protect:
    description:
      - More rules never to revoke - security group ids (rules from that group), V(cluster) or V(nodes), and
        rule patterns in the rule format (with an optional C(direction)), as in
        M(kubeguard.netsec.eks_lbc_security_groups).
    type: list
    elements: raw
  unprotect:
    description:
      - Releases protected rules - EKS' own rules, rules carrying the controller's label - so that
        O(state=overridden) may revoke them. Each item names the C(group) (V(cluster), V(nodes) or C(sg-...)),
        an optional C(direction) and a rule pattern in the rule format.
    type: list
    elements: dict
  cluster_tag_check:
    description: What a node ENI without exactly one cluster-tagged group does - V(fail) the run before any write, or V(warn).
    type: str
    choices: [fail, warn]
    default: fail
  purpose:
    description: The ownership marker's purpose; rules this module writes carry C(kubeguard:<purpose>).
    type: str
    default: eks-cluster-baseline
  quota:
    description: The account's quotas, checked before any write.
    type: dict
    suboptions:
      rules_per_group:
        description: Inbound or outbound rules per group and address family (quota L-0EA8095F).
        type: int
        default: 60
      rules_per_eni:
        description: Rules across the groups of one network interface.
        type: int
        default: 1000
notes:
  - Check mode makes no write call and returns the plan the real run would follow.
  - Inbound and outbound rules of the cluster group and the node groups are managed; other groups only get
    the rules O(extra_rules) puts on them.
  - The minimum profile leaves out the webhook ports and node-to-node traffic other than DNS; add the ones
    your add-ons need with O(extra_rules) (or use V(recommended)).
  - Failures are reported once, naming the option, the API call and the region and endpoint; what was
    already written is in RV(actions) and RV(api_calls).
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubeguard.netsec.aws_bounds
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Minimum baseline, adding what is missing
  kubeguard.netsec.eks_cluster_security_groups:
    cluster_name: demo-eks
    baseline: minimum

- name: Least privilege - minimum, restricted egress, nothing else left on the groups
  kubeguard.netsec.eks_cluster_security_groups:
    cluster_name: demo-eks
    baseline: minimum
    egress: restricted
    egress_extra:
      - description: HTTPS to the VPC endpoints (ECR, STS, EKS) and S3
        ports: ["443"]
        cidr_ip: [10.0.0.0/16]
    state: overridden

- name: terraform-aws-eks' recommended rules, NodePorts from an internal NLB's group, SSH from the bastion
  kubeguard.netsec.eks_cluster_security_groups:
    cluster_name: demo-eks
    baseline: recommended
    nodeport_sources: [sg-0123456789abcdef0]
    ssh: [10.0.96.10/32]
    extra_rules:
      - description: Istio sidecar injector webhook
        group: nodes
        ports: ["15017"]
        group_id: [cluster]

- name: Read the groups, their rules and the cluster-tag check
  kubeguard.netsec.eks_cluster_security_groups:
    cluster_name: demo-eks
    state: gathered
  register: baseline

- name: The rules of a profile, without any call
  kubeguard.netsec.eks_cluster_security_groups:
    cluster_name: demo-eks
    baseline: recommended
    egress: restricted
    state: rendered
"""

RETURN = r"""
cluster:
  description:
    - The cluster as read - C(name), C(vpc_id), C(ip_family), C(cluster_security_group),
      C(control_plane_security_groups) (the additional ones) and C(node_security_groups).
  returned: unless state is rendered
  type: dict
tag_check:
  description:
    - The cluster-tag check - C(tag), C(ok), C(problems) (per instance, the groups at fault), C(notes)
      (ENIs whose only group is untagged) and C(enis) (per node primary ENI, its C(groups), the C(tagged) ones
      and the C(chosen) node group).
  returned: unless state is rendered
  type: dict
security_groups:
  description: The groups managed, each with C(group_id), C(name) and C(role) (cluster, nodes, cluster+nodes, other).
  returned: unless state is rendered
  type: list
  elements: dict
rules:
  description:
    - Per group id and direction, the effective rules (after the run, or as planned in check mode), one per
      item in the rule format, each with C(why) - the profile rule it comes from and its source (EKS user
      guide, terraform-aws-eks), the option that asked for it, or why it is kept (protected, not ours).
  returned: unless state is rendered
  type: dict
  sample:
    sg-0123456789abcdef0:
      ingress:
        - proto: tcp
          ports: ["10250"]
          group_id: [sg-0fedcba9876543210]
          description: "Control plane to the kubelets kubeguard:eks-cluster-baseline"
          why: ["node_ingress_cluster_kubelet: Control plane to the kubelets (EKS user guide (security group
            requirements); terraform-aws-eks v21 ingress_cluster_kubelet)"]
      egress: []
gathered:
  description: With O(state=gathered), the rules as read, in the form of RV(rules).
  returned: when state is gathered
  type: dict
covered:
  description: Desired rules not written because a protected rule covers them, with C(group_id), C(rule) and C(covered_by).
  returned: unless state is gathered or rendered
  type: list
  elements: dict
plan:
  description: Per group id, what was (or in check mode would be) authorized, revoked and re-described.
  returned: unless state is gathered or rendered
  type: dict
actions:
  description: The writes made, in order, each C(action) and its C(params); after a failure part-way, exactly what was done.
  returned: when a write was made
  type: list
  elements: dict
replanned:
  description: Per group id, the second plan made after another writer changed the group under the run.
  returned: when another writer raced this run
  type: dict
warnings_found:
  description:
    - What stays open (the world on SSH, RDP, the kubelet or the NodePorts; all egress under restricted egress)
      and how to close it, tag-check notes, rules kept by state deleted, and what the engine kept.
  returned: always
  type: list
  elements: str
api_calls:
  description: API calls made by this run, reads and writes, per operation; on failure too.
  returned: always
  type: dict
rendered:
  description:
    - With O(state=rendered), the C(baseline), C(egress) and the C(rules), each with C(group) and C(group_id)
      sources as symbols (C(<cluster security group>), C(<node security group>)), C(direction) and C(why).
  returned: when state is rendered
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.run import execute
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.options import quota_option
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.options import state_option


def argument_spec() -> dict:
    return {
        "cluster_name": {"type": "str", "required": True},
        "cluster_security_group": {"type": "str"},
        "node_security_groups": {"type": "list", "elements": "str"},
        "baseline": {"type": "str", "choices": ["minimum", "recommended", "custom"], "default": "minimum"},
        "egress": {"type": "str", "choices": ["all", "restricted"], "default": "all"},
        "egress_extra": {"type": "list", "elements": "dict"},
        "extra_rules": {"type": "list", "elements": "dict"},
        "nodeport_sources": {"type": "list", "elements": "str", "default": []},
        "node_port_range": {"type": "str", "default": "30000-32767"},
        "allow_public_node_ports": {"type": "bool", "default": False},
        "ssh": {"type": "list", "elements": "str", "default": []},
        "keep_required_rules": {"type": "bool", "default": True},
        "protect": {"type": "list", "elements": "raw"},
        "unprotect": {"type": "list", "elements": "dict"},
        "cluster_tag_check": {"type": "str", "choices": ["fail", "warn"], "default": "fail"},
        "purpose": {"type": "str", "default": "eks-cluster-baseline"},
        "quota": quota_option(),
        "state": state_option(),
    }


def main() -> None:
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, execute)


if __name__ == "__main__":
    main()
