# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every kind of finding the audit reports: stable ids, titles, default severities, the fix, the crosswalk.

Ids never change meaning; a kind that is retired keeps its id unused. The crosswalk names the closest check of
each tool (docs/reference: style-tooling-audit.md part 3); ``seen_by`` says which of Prowler, Checkov, kubescape
and AWS Security Hub can see the finding at all - a tool that checks only that something exists, or that a
rule is open to 0.0.0.0/0 on any port, is listed when it would flag the same resource.
"""

from __future__ import annotations

from typing import Dict
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind

SG = "security-groups"
LBC = "load-balancer-controller"
K8S = "kubernetes"
ACK = "ack"

_KINDS: Tuple[Kind, ...] = (
    Kind(
        "KG-SG-001",
        "Remote administration open to the internet",
        "critical",
        SG,
        "An inbound rule admits SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0 (a range or protocol all included).",
        "kubeguard.netsec.eks_cluster_security_groups (ssh: the CIDRs that need it; state: overridden)",
        {
            "securityhub": "EC2.13, EC2.14, EC2.53, EC2.54",
            "cis": "AWS Foundations 3.0 5.2, 5.3",
            "prowler": "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22, _3389",
            "checkov": "CKV_AWS_24, CKV_AWS_25",
        },
        ("prowler", "checkov", "securityhub"),
    ),
    Kind(
        "KG-SG-002",
        "Every port open to the internet",
        "critical",
        SG,
        "An inbound rule admits all traffic (protocol all, or tcp/udp 0-65535) from 0.0.0.0/0 or ::/0.",
        "kubeguard.netsec.eks_cluster_security_groups (state: overridden) or eks_lbc_security_groups",
        {
            "securityhub": "EC2.18, EC2.19",
            "prowler": "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
            "checkov": "CKV_AWS_277",
        },
        ("prowler", "checkov", "securityhub"),
    ),
    Kind(
        "KG-SG-003",
        "High-risk service port open to the internet",
        "high",
        SG,
        "An inbound rule admits a database, cache, search or file-transfer port (Security Hub EC2.19's list) "
        "from 0.0.0.0/0 or ::/0.",
        "kubeguard.netsec.eks_cluster_security_groups (extra_rules from the clients' CIDRs; state: overridden)",
        {
            "securityhub": "EC2.19",
            "prowler": "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
        },
        ("prowler", "securityhub"),
    ),
    Kind(
        "KG-SG-004",
        "NodePort range open to the internet on a node group",
        "high",
        SG,
        "A node security group admits NodePorts (30000-32767) from 0.0.0.0/0 or ::/0: every NodePort Service "
        "is reachable without its load balancer and its rules.",
        "kubeguard.netsec.eks_cluster_security_groups (nodeport_sources) and eks_lbc_security_groups "
        "(node_rules from the load balancers' groups)",
        {"securityhub": "EC2.18", "prowler": "ec2_securitygroup_allow_ingress_from_internet_to_any_port"},
        ("prowler", "securityhub"),
    ),
    Kind(
        "KG-SG-005",
        "Kubelet API open to the internet on a node group",
        "critical",
        SG,
        "A node security group admits the kubelet (10250, or the read-only 10255) from 0.0.0.0/0 or ::/0.",
        "kubeguard.netsec.eks_cluster_security_groups (baseline: minimum; state: overridden)",
        {"securityhub": "EC2.18", "prowler": "ec2_securitygroup_allow_ingress_from_internet_to_any_port"},
        ("prowler", "securityhub"),
    ),
    Kind(
        "KG-SG-006",
        "Unrestricted egress on a node group",
        "medium",
        SG,
        "A node or cluster security group lets all traffic out to 0.0.0.0/0 or ::/0 where the environment "
        "profile restricts egress.",
        "kubeguard.netsec.eks_cluster_security_groups (egress: restricted, egress_extra; state: overridden)",
        {"checkov": "CKV_AWS_382"},
        ("checkov",),
    ),
    Kind(
        "KG-SG-007",
        "VPC default security group not closed",
        "high",
        SG,
        "The default security group of the cluster's VPC has inbound or outbound rules; anything launched "
        "without a group gets them.",
        "Revoke its rules (amazon.aws.ec2_security_group with rules: [] and rules_egress: [])",
        {
            "securityhub": "EC2.2",
            "cis": "AWS Foundations 3.0 5.4",
            "prowler": "ec2_securitygroup_default_restrict_traffic",
            "checkov": "CKV2_AWS_12",
        },
        ("prowler", "checkov", "securityhub"),
    ),
    Kind(
        "KG-SG-008",
        "Unused security group",
        "low",
        SG,
        "A security group of the cluster's VPC is attached to no network interface and referenced by no rule.",
        "Delete it, or eks_lbc_security_groups state: deleted for the groups this collection created",
        {"securityhub": "EC2.22", "prowler": "ec2_securitygroup_not_used", "checkov": "CKV2_AWS_5"},
        ("prowler", "checkov", "securityhub"),
    ),
    Kind(
        "KG-SG-009",
        "Rule without a description",
        "low",
        SG,
        "A rule of a cluster's group carries no description: nobody can tell why it exists or who owns it.",
        "Describe it (amazon.aws.ec2_security_group rule_desc, or EC2 UpdateSecurityGroupRuleDescriptions); the "
        "rules this collection writes always carry one (kubeguard:<purpose>)",
        {"checkov": "CKV_AWS_23"},
        ("checkov",),
    ),
    Kind(
        "KG-SG-010",
        "Security group rule quota nearly used up",
        "medium",
        SG,
        "A group's inbound or outbound rules of one address family, or the rules of all groups on one network "
        "interface, use more than the profile's share of the quota (60 per group and family, 1,000 per "
        "interface); the load balancer controller then fails to add node rules.",
        "Fewer, broader rules (eks_lbc_security_groups node_rules.port_compression) or a quota increase",
        {"prowler": "ec2_securitygroup_with_many_ingress_egress_rules"},
        ("prowler",),
    ),
    Kind(
        "KG-SG-011",
        "Node network interface without exactly one cluster-tagged group",
        "high",
        SG,
        "A node's primary network interface carries several groups and not exactly one of them is tagged "
        "kubernetes.io/cluster/<name>: the load balancer controller and the cloud provider cannot pick the "
        "group for node rules and fail.",
        "Tag one group (kubeguard.netsec.eks_cluster_security_groups reports the check in tag_check)",
        {},
        (),
    ),
    Kind(
        "KG-LBC-001",
        "Hand-made rule carrying the load balancer controller's label",
        "high",
        LBC,
        "A node rule carries elbv2.k8s.aws/targetGroupBinding=shared although the controller does not write it: "
        "the controller revokes it on its next reconcile, and the traffic it admitted stops (seed 003).",
        "kubeguard.netsec.eks_lbc_security_groups (adopt_disowned_controller_rules, or the rule in "
        "node_security_group_rules)",
        {},
        (),
    ),
)

_KINDS += (
    Kind(
        "KG-LBC-002",
        "Controller node rules broader than the load balancers need",
        "medium",
        LBC,
        "The controller opens one rule per protocol and source spanning the lowest to the highest port its "
        "target groups use; NodePorts far apart open every port between them to the load balancers' group.",
        "kubeguard.netsec.eks_lbc_security_groups (mode: custom, node_rules.ports_from: from_services, "
        "port_compression: exact) with the controller's backend rules off",
        {},
        (),
    ),
    Kind(
        "KG-LBC-003",
        "Load balancer annotations the controller ignores or refuses",
        "medium",
        LBC,
        "An Ingress or Service annotation that the controller's flags make it ignore or refuse (custom frontend "
        "groups without the backend group, inbound CIDRs on custom groups, the world on an internal load "
        "balancer, unreadable values...): what the annotation seems to say is not what is enforced.",
        "kubeguard.netsec.eks_lbc_annotations (validate_only lists the same problems) and eks_lbc_controller",
        {},
        (),
    ),
    Kind(
        "KG-LBC-004",
        "IngressGroup members disagree",
        "high",
        LBC,
        "Members of one IngressGroup set different security groups, inbound CIDRs, scheme or protocols on one "
        "port: the controller builds nothing for the whole group until they agree.",
        "kubeguard.netsec.eks_lbc_annotations (one value for every member of the group)",
        {},
        (),
    ),
    Kind(
        "KG-K8S-001",
        "Namespace without a working default-deny",
        "high",
        K8S,
        "No NetworkPolicy selects every pod of the namespace for the direction, or one that does is undone by a "
        "policy allowing every peer on every port; egress counts where the environment restricts it. Having "
        "a policy is not enough.",
        "kubeguard.netsec.k8s_network_policies (default_deny, state: overridden)",
        {"kubescape": "C-0206, C-0260", "cis": "EKS 4.3.2", "kube_bench": "4.3.2"},
        ("kubescape",),
    ),
    Kind(
        "KG-K8S-002",
        "Allow-all construct in a NetworkPolicy",
        "medium",
        K8S,
        "A rule without peers, a namespaceSelector {} or an ipBlock of the whole internet without except lets "
        "every source or destination through.",
        "kubeguard.netsec.k8s_network_policies (precise peers; it warns about these constructs)",
        {},
        (),
    ),
    Kind(
        "KG-K8S-003",
        "Pods selected by no NetworkPolicy",
        "medium",
        K8S,
        "Running pods of an audited namespace that no policy of the namespace selects: nothing filters their "
        "traffic in either direction.",
        "kubeguard.netsec.k8s_network_policies (default_deny)",
        {"kubescape": "C-0260", "checkov": "CKV2_K8S_6"},
        ("kubescape", "checkov"),
    ),
    Kind(
        "KG-K8S-004",
        "NetworkPolicies not enforced",
        "high",
        K8S,
        "No policy engine enforces NetworkPolicies in the cluster (Terway with disable_network_policy, the "
        "Amazon VPC CNI without its network policy agent, no Calico or Cilium): every policy is decoration. "
        "Unknown engines are reported at medium.",
        "Enable the engine: the vpc-cni add-on's enableNetworkPolicy on EKS, Terway's NetworkPolicy on ACK "
        "(kubeguard.netsec.ack_fixed_pod_ip's preflight checks it)",
        {"kubescape": "C-0205, C-0230", "cis": "EKS 4.3.1", "prowler": "cs_kubernetes_network_policy_enabled (ACK)"},
        ("kubescape", "prowler"),
    ),
    Kind(
        "KG-K8S-005",
        "Egress denied without a DNS exception",
        "medium",
        K8S,
        "Every pod's egress is denied and no policy selecting every pod allows port 53/UDP: name resolution "
        "fails, and teams then open egress wide to fix it.",
        "kubeguard.netsec.k8s_network_policies (allow_dns)",
        {},
        (),
    ),
)

_KINDS += (
    Kind(
        "KG-ACK-001",
        "CLB whitelist and NetworkPolicy disagree",
        "high",
        ACK,
        "The whitelist bound to a database listener and the NetworkPolicy ipBlocks admitting clients to the "
        "database's pods on that port name different networks: the two layers built from the same fixed_ips have "
        "drifted, and one of them admits what the other refuses (or no policy mirrors the whitelist at all).",
        "kubeguard.netsec.ack_slb_acl (entries) and kubeguard.netsec.k8s_network_policies (allow_from_ips), both "
        "from the registered fixed_ips of kubeguard.netsec.ack_fixed_pod_ip (role ack_fixed_ip_whitelist)",
        {},
        (),
    ),
    Kind(
        "KG-ACK-002",
        "Database load balancer without a working whitelist",
        "critical",
        ACK,
        "The CLB listener in front of a database Service has access control off, a blacklist, or a whitelist "
        "with no entry (an empty whitelist admits every source): every client that routes to the CLB reaches "
        "the database.",
        "kubeguard.netsec.ack_slb_acl (entries, listeners; state: replaced)",
        {},
        (),
    ),
    Kind(
        "KG-ACK-003",
        "Database Service without the hostname annotation",
        "high",
        ACK,
        "A LoadBalancer Service of a database port has no service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
        "hostname: kube-proxy answers its CLB address inside the cluster, so the cluster's own pods reach the "
        "database without passing the CLB and its ACL.",
        "kubeguard.netsec.ack_slb_acl (service.hostname)",
        {},
        (),
    ),
    Kind(
        "KG-ACK-004",
        "Fixed-IP workload whose pods got pool IPs",
        "high",
        ACK,
        "A running pod selected by a Fixed PodNetworking holds a shared-pool IP, another PodNetworking's IP, or "
        "an IP its PodENI does not reserve: the whitelists built from fixed_ips miss it, or admit an address "
        "another pod will get.",
        "kubeguard.netsec.ack_fixed_pod_ip (delete the pods so that Terway's webhook assigns them; its "
        "fixed_ips and errors say which)",
        {},
        (),
    ),
    Kind(
        "KG-ACK-005",
        "An environment reaches another environment's database",
        "critical",
        ACK,
        "Running pods of one environment (the namespace label, env by default) reach a database Service of "
        "another environment: through the CLB, its access control and the database pods' NetworkPolicies "
        "admit their addresses; inside the database's cluster, kube-proxy and the NetworkPolicies do.",
        "kubeguard.netsec.ack_slb_acl (a whitelist of the environment's fixed_ips, service.hostname) and "
        "kubeguard.netsec.k8s_network_policies (default_deny, allow_from_ips, isolate_environments)",
        {},
        (),
    ),
)

CATALOG: Dict[str, Kind] = {kind.id: kind for kind in _KINDS}


def kinds() -> Tuple[Kind, ...]:
    return _KINDS
