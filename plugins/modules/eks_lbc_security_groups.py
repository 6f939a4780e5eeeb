#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_lbc_security_groups
short_description: Security groups of an EKS cluster for the AWS Load Balancer Controller, safely
version_added: 0.1.0
description:
  - Manages, for one EKS cluster, the security groups that the AWS Load Balancer Controller's
    security-group mode needs, and the rules that let load balancers reach the nodes.
  - O(mode=auto) lets the controller create the frontend groups; the module ensures the shared
    backend group exists with the controller's exact name and tags (or adopts
    O(backend_security_group)), and can write node rules of its own from the backend group.
  - O(mode=hybrid) manages custom frontend groups (created or adopted); the controller keeps
    managing the node rules from its backend group.
  - O(mode=custom) manages everything, the frontend groups and the node rules from them; the
    controller must not manage backend rules (the module returns the annotation that says so).
  - Rules it writes carry the description marker C(kubeguard:<purpose>). Rules whose description
    carries the controller label C(elbv2.k8s.aws/targetGroupBinding=shared), rules on
    controller-managed frontend groups, and rules matching O(protect) are never revoked, even with
    O(state=overridden). O(state=overridden) also keeps the rules this collection wrote for another purpose
    (C(kubeguard:<other purpose>), for example M(kubeguard.netsec.eks_cluster_security_groups)' rules on the
    node group) - that purpose removes them. It never writes a description containing the controller label.
  - A rule that exists without the marker is never taken over - not even re-described - when it
    equals a desired rule; it satisfies it as it is, so O(state=replaced) and O(state=deleted) never
    revoke it; RV(plan) lists it under C(unowned_satisfying), and RV(shared_with_controller) says what
    it means when it is the controller's own rule.
  - O(state=deleted) removes the listed rules that carry the marker; with nothing listed (no
    O(node_rules), O(node_security_group_rules) or O(frontend_security_groups)) it removes every rule
    this collection wrote for the cluster, then deletes the groups it created when nothing uses them
    any more (no network interface, no rule of another group).
  - Under O(state=overridden) the rules EKS needs between the control plane and the nodes are kept
    (O(keep_eks_baseline)); an empty desired set under O(state=replaced) or O(state=overridden) is
    refused (O(allow_empty)).
  - With O(node_rules.ports_from=from_services) the Kubernetes cluster read must be the named EKS
    cluster - its nodes must be the cluster's instances (their C(spec.providerID)) - or the run fails
    before any write.
  - Every group the options name (adopted groups, rule sources, O(protect)) must exist before the first
    write; every option is validated before the first write; quota limits are checked before writing.
    Changes are make-before-break (new rules are authorized before old ones are revoked).
  - Reads are few and filtered, never region-wide; RV(api_calls) reports the calls made.
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  cluster_name:
    description: Name of the EKS cluster (the controller's C(--cluster-name)).
    type: str
    required: true
  mode:
    description: The controller's security-group mode, see the description.
    type: str
    required: true
    choices: [auto, hybrid, custom]
  vpc_id:
    description:
      - VPC of the cluster. When omitted, it is taken from the cluster's running instances
        (tagged C(kubernetes.io/cluster/<cluster_name>)), or from EKS DescribeCluster when no node
        is running.
    type: str
  backend_security_group:
    description:
      - Id of an existing group to use as the controller's backend group (its
        C(--backend-security-group) flag). Not with O(mode=custom).
      - When omitted in modes V(auto) and V(hybrid), the group tagged C(elbv2.k8s.aws/cluster=<cluster>)
        and C(elbv2.k8s.aws/resource=backend-sg) is used, or created with the controller's name
        C(k8s-traffic-<alphanumeric cluster name>-<sha256[:10]>).
    type: str
  frontend_security_groups:
    description:
      - The custom frontend groups (modes V(hybrid) and V(custom)); created when missing
        (found by name in the VPC) or adopted by id.
    type: list
    elements: dict
    suboptions:
      name:
        description: Group name; also its C(Name) tag when the module creates it.
        type: str
      id:
        description: Id of an existing group to adopt.
        type: str
      description:
        description: Group description, used when the group is created (EC2 cannot change it later).
        type: str
      listen_ports:
        description: Ports the load balancer listens on (C(80), C(443), or ranges like C(8000-8100)).
        type: list
        elements: str
      inbound_cidrs:
        description: IPv4 CIDRs allowed to reach the listeners.
        type: list
        elements: str
      inbound_ipv6_cidrs:
        description: IPv6 CIDRs allowed to reach the listeners; needs O(frontend_security_groups[].dualstack).
        type: list
        elements: str
      prefix_lists:
        description: Managed prefix list ids (C(pl-...)) allowed to reach the listeners.
        type: list
        elements: str
      dualstack:
        description: The load balancer is dual-stack (C(alb.ingress.kubernetes.io/ip-address-type=dualstack)).
        type: bool
        default: false
      rule_description:
        description: Description of the listener rules (the C(kubeguard:<purpose>) marker is appended).
        type: str
      tags:
        description: Tags of a group the module creates.
        type: dict
  node_security_group:
    description:
      - Id of the node group that receives the node rules. When omitted it is discovered like the
        controller does it, per node ENI (primary ENI of each running instance tagged
        C(kubernetes.io/cluster/<cluster_name>)) - its only group, or else the one group tagged
        C(kubernetes.io/cluster/<cluster_name>); the controller's "expected exactly one" error otherwise.
    type: str
  node_rules:
    description:
      - Which ports the load balancers may reach on the nodes; the source is the backend group
        (modes V(auto)) or the frontend groups (mode V(custom)). Not with O(mode=hybrid), where the
        controller writes them.
    type: dict
    suboptions:
      ports_from:
        description:
          - V(nodeport_range) opens the Kubernetes NodePort range C(30000-32767).
          - V(ports) opens O(node_rules.ports).
          - V(from_services) opens the NodePorts, target ports and health-check ports that the
            cluster's Services and Ingresses need (read through O(kubernetes)), honouring C(target-type).
        type: str
        choices: [nodeport_range, ports, from_services]
        default: nodeport_range
      ports:
        description: Ports or ranges for O(node_rules.ports_from=ports).
        type: list
        elements: str
      port_compression:
        description:
          - V(exact) keeps one rule per port; V(adjacent) merges touching or overlapping ranges;
            V(span) opens min-max, as the controller does (wider than needed).
        type: str
        choices: [exact, adjacent, span]
        default: exact
      cidrs:
        description:
          - Extra CIDR sources for the node ports (for example NLB client IPs).
          - The whole IPv4 or IPv6 space, in any spelling (C(0.0.0.0/0), C(0.0.0.0/0.0.0.0), C(::/0),
            C(0::0/0) ...), is refused unless O(allow_public_node_ports=true).
        type: list
        elements: str
      namespaces:
        description: Namespaces read for O(node_rules.ports_from=from_services); all when omitted.
        type: list
        elements: str
      ingress_class:
        description: Ingress class handled by the controller.
        type: str
        default: alb
      default_target_type:
        description: The controller's C(--default-target-type).
        type: str
        choices: [instance, ip]
        default: instance
      description:
        description: Description of the node rules (the marker is appended).
        type: str
  node_security_group_rules:
    description:
      - Other inbound rules that belong on the node groups (the cluster's baseline), in the rule
        format of RV(security_groups[].rules). Part of the desired state, so that O(state=replaced)
        and O(state=overridden) keep them.
    type: list
    elements: dict
  allow_public_node_ports:
    description:
      - Allow node rules open to the whole IPv4 or IPv6 space - in O(node_rules.cidrs) or
        O(node_security_group_rules) - decided on the normalised network, whatever its spelling.
    type: bool
    default: false
  allow_empty:
    description:
      - With O(state=replaced) or O(state=overridden), a node group whose desired rules come out empty
        (O(node_rules) resolving to no port, for example O(node_rules.ports_from=from_services) reading a
        cluster without Services) would lose every rule this collection wrote there. That is almost always
        a wrong context or an empty list, so the run is refused, with nothing written, unless this is V(true).
    type: bool
    default: false
  keep_eks_baseline:
    description:
      - Under O(state=overridden), keep the rules EKS needs between the control plane and the nodes even
        when they are not listed - on the node groups, rules whose source is the EKS cluster security group
        (tag C(aws:eks:cluster-name)) or the node group itself (node to node, CoreDNS).
      - V(false) leaves them to O(node_security_group_rules) and O(protect) only.
    type: bool
    default: true
  adopt_disowned_controller_rules:
    description:
      - A node rule that carries the controller's label C(elbv2.k8s.aws/targetGroupBinding=shared) although no
        controller rule matches it (its source is neither the backend nor a managed frontend group, as with seed 003's
        hand-made rule) is revoked by the controller on its next reconcile. When such a rule equals a rule this
        run wants, EC2 keeps one copy, so the desired rule would vanish with it.
      - V(true) re-describes such a rule with this collection's marker, in place (no moment without it), making
        it this collection's. V(false) leaves it as it is and warns; a later run adds the rule once the
        controller has revoked it.
    type: bool
    default: false
  protect:
    description:
      - Rules never revoked, in the rule format (any subset of keys), or group ids as C(group_id) entries.
    type: list
    elements: raw
  purpose:
    description: The ownership marker of written rules is C(kubeguard:<purpose>).
    type: str
    default: lbc
  quota:
    description: Quota limits, for accounts with raised quotas.
    type: dict
    suboptions:
      rules_per_group:
        description: Inbound rules per group per address family.
        type: int
        default: 60
      rules_per_eni:
        description: Rules across the groups of one network interface.
        type: int
        default: 1000
notes:
  - Check mode makes no write call and returns the plan the real run would follow.
  - Only inbound rules are managed; outbound rules are left as they are.
  - Failures are reported once, naming the option, the API call and the region and endpoint (or the
    Kubernetes API and context); what was already written is in RV(actions) and RV(api_calls).
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubeguard.netsec.k8s_connection.nested
  - kubeguard.netsec.aws_bounds
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Auto mode - ensure the shared backend group, open the NodePort range to it only
  kubeguard.netsec.eks_lbc_security_groups:
    cluster_name: demo-eks
    mode: auto
    node_rules:
      ports_from: nodeport_range

- name: Auto mode - only the ports the cluster's Services and Ingresses need, replacing our old rules
  kubeguard.netsec.eks_lbc_security_groups:
    cluster_name: demo-eks
    mode: auto
    state: replaced
    node_rules:
      ports_from: from_services
      port_compression: adjacent
    kubernetes:
      context: demo-eks

- name: Hybrid mode - custom frontend groups, the controller manages the node rules
  kubeguard.netsec.eks_lbc_security_groups:
    cluster_name: demo-eks
    mode: hybrid
    frontend_security_groups:
      - name: shop-alb-office
        listen_ports: ["443"]
        inbound_cidrs: [203.0.113.0/24]
  register: lbc

- name: Custom mode - frontends and node rules are ours; keep the node baseline under overridden
  kubeguard.netsec.eks_lbc_security_groups:
    cluster_name: demo-eks
    mode: custom
    state: overridden
    frontend_security_groups:
      - name: shop-alb-public
        listen_ports: ["80", "443"]
        inbound_cidrs: [0.0.0.0/0]
    node_rules:
      ports_from: ports
      ports: ["30080", "32050"]
    node_security_group_rules:
      - proto: tcp
        ports: ["443", "10250"]
        group_id: [sg-0123456789abcdef0]

- name: Take back everything this collection wrote for the cluster (rules, and the groups nothing uses any more)
  kubeguard.netsec.eks_lbc_security_groups:
    cluster_name: demo-eks
    mode: custom
    state: deleted
"""

RETURN = r"""
security_groups:
  description: The groups involved, with their inbound rules in the module's rule format (as read).
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: Group id.
      type: str
      returned: always
    name:
      description: Group name.
      type: str
      returned: always
    role:
      description: One of V(node), V(backend), V(frontend), V(controller-frontend), V(eks-cluster), V(other).
      type: str
      returned: always
    tags:
      description: Tags of the group.
      type: dict
      returned: always
    rules:
      description: Inbound rules in the module's rule format.
      type: list
      elements: dict
      returned: always
gathered:
  description:
    - With O(state=gathered), the groups read, in the same form as RV(security_groups) (their rules in the
      rule format of O(node_security_group_rules)).
  returned: when state is gathered
  type: list
  elements: dict
actions:
  description:
    - The writes made, in order - each C(action) (C(CreateSecurityGroup), C(AuthorizeSecurityGroupIngress),
      ...) and its C(params). After a failure part-way, exactly what was done before it.
  returned: when a write was made
  type: list
  elements: dict
shared_with_controller:
  description:
    - Desired rules that exist only as the AWS Load Balancer Controller's own rule, each with C(group_id),
      C(rule), what that C(meaning) is and how to keep one of your own (C(to_keep_one_of_your_own)).
  returned: unless state is gathered or rendered
  type: list
  elements: dict
served_by_own_frontends:
  description:
    - With O(node_rules.ports_from=from_services), the Ingresses and Services whose load balancers have
      frontend groups of their own and no C(manage-backend-security-group-rules) annotation - the controller
      neither attaches the backend group nor writes node rules for them - with the C(port) and the
      C(frontend_groups) it is opened from.
  returned: unless state is gathered or rendered
  type: list
  elements: dict
deleted_groups:
  description: With O(state=deleted) and nothing listed, the groups this collection created and deleted (or would).
  returned: when state is deleted and nothing is listed
  type: list
  elements: str
plan:
  description:
    - Per group id, what was (or in check mode would be) authorized, revoked and re-described, and the
      unowned rules that satisfy desired ones (C(unowned_satisfying)).
  returned: unless state is gathered or rendered
  type: dict
created:
  description:
    - Groups created (or that would be, in check mode), by role, with C(name), C(group_id) and
      C(placeholder_id) (true in check mode, where the id is a placeholder).
  returned: unless state is gathered or rendered
  type: dict
warnings_found:
  description: The risks found (hand-made rules with the controller label, world-open node rules, ...).
  returned: always
  type: list
  elements: str
api_calls:
  description:
    - API calls made by this run (AWS, and Kubernetes for V(from_services)), reads and writes, per operation;
      on failure too.
  returned: always
  type: dict
  sample:
    reads: 2
    writes: 0
    by_operation:
      DescribeInstances: 1
      DescribeSecurityGroups: 1
controller:
  description: The controller flags and Ingress annotations this mode needs.
  returned: unless state is gathered or rendered
  type: dict
replanned:
  description:
    - Per group id, the second plan made after a rule changed under the run (EC2 answered
      C(InvalidPermission.Duplicate) or C(InvalidPermission.NotFound)) and the group was read again.
  returned: when another writer raced this run
  type: dict
rendered:
  description:
    - With O(state=rendered), the calls that would create the groups (with placeholder ids) and
      authorize every rule on empty groups.
  returned: when state is rendered
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.run import execute
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.options import quota_option
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.options import state_option


def argument_spec() -> dict:
    frontend = {
        "name": {"type": "str"},
        "id": {"type": "str"},
        "description": {"type": "str"},
        "listen_ports": {"type": "list", "elements": "str"},
        "inbound_cidrs": {"type": "list", "elements": "str"},
        "inbound_ipv6_cidrs": {"type": "list", "elements": "str"},
        "prefix_lists": {"type": "list", "elements": "str"},
        "dualstack": {"type": "bool", "default": False},
        "rule_description": {"type": "str"},
        "tags": {"type": "dict"},
    }
    node_rules = {
        "ports_from": {
            "type": "str",
            "choices": ["nodeport_range", "ports", "from_services"],
            "default": "nodeport_range",
        },
        "ports": {"type": "list", "elements": "str"},
        "port_compression": {"type": "str", "choices": ["exact", "adjacent", "span"], "default": "exact"},
        "cidrs": {"type": "list", "elements": "str"},
        "namespaces": {"type": "list", "elements": "str"},
        "ingress_class": {"type": "str", "default": "alb"},
        "default_target_type": {"type": "str", "choices": ["instance", "ip"], "default": "instance"},
        "description": {"type": "str"},
    }
    return {
        "cluster_name": {"type": "str", "required": True},
        "mode": {"type": "str", "required": True, "choices": ["auto", "hybrid", "custom"]},
        "vpc_id": {"type": "str"},
        "backend_security_group": {"type": "str"},
        "frontend_security_groups": {"type": "list", "elements": "dict", "options": frontend},
        "node_security_group": {"type": "str"},
        "node_rules": {"type": "dict", "options": node_rules},
        "node_security_group_rules": {"type": "list", "elements": "dict"},
        "allow_public_node_ports": {"type": "bool", "default": False},
        "allow_empty": {"type": "bool", "default": False},
        "keep_eks_baseline": {"type": "bool", "default": True},
        "adopt_disowned_controller_rules": {"type": "bool", "default": False},
        "protect": {"type": "list", "elements": "raw"},
        "purpose": {"type": "str", "default": "lbc"},
        "quota": quota_option(),
        "kubernetes": {"type": "dict", "options": connection_spec()},
        "state": state_option(),
    }


def main() -> None:
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, execute)


if __name__ == "__main__":
    main()
