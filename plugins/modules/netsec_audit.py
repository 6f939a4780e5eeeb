#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: netsec_audit
short_description: Read-only audit of a cluster's network edge, with JSON, SARIF and a readable report
version_added: 0.2.0
description:
  - Audits one cluster's network edge against the baseline the collection enforces and returns findings, each
    with a stable id, a severity, the resource, the evidence read, the remediation (the module and option that
    fix it) and a crosswalk to AWS Security Hub, CIS, Prowler, Checkov, kubescape and kube-bench where one
    exists. It changes nothing it reads; C(changed) is always false.
  - It audits an EKS cluster (O(target=eks)) - on AWS the cluster's security groups, the VPC's default
    and unused groups, the quotas, the nodes' cluster tag and the load balancer controller's label; in
    Kubernetes (through O(kubernetes)) its NetworkPolicies, whether anything enforces them, and the load
    balancer controller's flags, Ingresses and Services.
  - Or an ACK cluster (O(target=ack)) - in Kubernetes (through O(kubernetes)) its NetworkPolicies and their
    engine (Terway), its database Services; on the CLB API (through O(alicloud)) the listeners and ACLs in front
    of those databases; and the pods of O(client_clusters), the application clusters that use the databases.
  - "Security groups: KG-SG-001 SSH/RDP open to the world; KG-SG-002 every port open to the world; KG-SG-003
    high-risk service ports (Security Hub EC2.19's list) open to the world; KG-SG-004 the NodePort range open to
    the world on a node or cluster group; KG-SG-005 the kubelet open to the world; KG-SG-006 all egress to the
    world from the cluster's groups (where the O(environment) restricts egress); KG-SG-007 the VPC's default
    group not closed; KG-SG-008 unused groups; KG-SG-009 rules of the cluster's groups without a description;
    KG-SG-010 rules per group and family, or per network interface, over the environment's share of the quota;
    KG-SG-011 a node interface without exactly one cluster-tagged group."
  - "Load balancer controller: KG-LBC-001 a hand-made rule carrying the controller's label
    C(elbv2.k8s.aws/targetGroupBinding=shared), which the controller revokes on its next reconcile; KG-LBC-002
    the controller's node rules spanning ports no load balancer needs (its min-max range); KG-LBC-003
    annotations the controller ignores or refuses under its flags (eks_lbc_annotations' validation rules);
    KG-LBC-004 IngressGroups whose members disagree."
  - "ACK (a database is a LoadBalancer Service with a port in O(database_ports) served by a CLB): KG-ACK-001 the
    whitelist bound to its listener and the NetworkPolicy ipBlocks admitting clients to its pods name different
    networks; KG-ACK-002 its listener has access control off, a blacklist, or an empty whitelist (which admits
    every source); KG-ACK-003 its Service has no hostname annotation, so the cluster's own pods bypass the CLB;
    KG-ACK-004 StatefulSet pods a Fixed PodNetworking selects that run without their fixed IP (in the audited
    cluster and the O(client_clusters)); KG-ACK-005 running pods of one environment (the namespace label
    O(environment_label)) that reach a database of another, judged hop by hop - kube-proxy inside the database's
    cluster without the hostname, else the CLB's access control, then the NetworkPolicies at both ends where
    the engine enforces them."
  - "Kubernetes, for every namespace with running pods (but kube-system, kube-public, kube-node-lease and
    O(exempt_namespaces)): KG-K8S-001 no working default-deny (a policy selecting every pod for the direction,
    not undone by an allow-all one; egress where the environment restricts it); KG-K8S-002 allow-all constructs;
    KG-K8S-003 running pods no policy selects; KG-K8S-004 no engine enforces NetworkPolicies; KG-K8S-005 egress
    denied without a DNS exception. On EKS the Kubernetes cluster read must be the named cluster (its nodes the
    cluster's instances), or the run stops, and O(skip) of every KG-K8S id and KG-LBC-002..004 reads no
    Kubernetes at all. On ACK, with O(cluster_id), the cluster read must tag its ENIs with that id (Terway's
    eni-config C(eni_tags) C(ack.aliyun.com)), or the run stops; so must each client cluster with its own."
  - The O(environment) profile sets which severities are errors there, whether egress must be restricted and the
    share of the quotas that may be used - V(dev) reports only, V(uat) errors from critical, V(stage) from high
    (egress restricted), V(prod) from medium (egress restricted, unrestricted egress raised to high).
  - O(fail_on) fails the task when a finding reaches a severity (or is an error in the profile), after the
    result and the report files are complete - for CI gates and AWX schedules.
  - Reads are filtered to the cluster and its VPC, never region-wide.
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  target:
    description: What kind of cluster is audited.
    type: str
    choices: [eks, ack]
    default: eks
  cluster_name:
    description: Name of the cluster.
    type: str
    required: true
  environment:
    description: The environment profile, see the description.
    type: str
    choices: [dev, uat, stage, prod]
    default: prod
  fail_on:
    description:
      - V(never) reports only; a severity fails the task when a finding reaches it; V(error) fails when a finding
        is an error in the O(environment) profile.
    type: str
    choices: [never, error, info, low, medium, high, critical]
    default: never
  skip:
    description: Finding ids not to report (for example V(KG-SG-009)); unknown ids are refused.
    type: list
    elements: str
    default: []
  cluster_id:
    description:
      - O(target=ack) - the ACK cluster id (C(c...)). Given, the Kubernetes connection must reach the cluster whose
        Terway eni-config tags its ENIs C(ack.aliyun.com=<cluster_id>), or the run stops before any judgement.
    type: str
  environment_label:
    description: O(target=ack) - the namespace label naming the environment (KG-ACK-005).
    type: str
    default: env
  database_ports:
    description:
      - O(target=ack) - a LoadBalancer Service with one of these ports (or target ports) is a database. Default -
        MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, MongoDB 27017, Redis 6379, Memcached 11211,
        Cassandra 9042, Elasticsearch 9200.
    type: list
    elements: int
  node_port_range:
    description: The cluster's NodePort range.
    type: str
    default: "30000-32767"
  node_security_groups:
    description: O(target=eks) - the node security groups, when no node is running to discover them from.
    type: list
    elements: str
  exempt_namespaces:
    description: Namespaces the Kubernetes checks leave out (besides kube-system, kube-public and kube-node-lease).
    type: list
    elements: str
    default: []
  output:
    description:
      - Report files to write, each in an existing directory (written atomically, in check mode too).
    type: dict
    suboptions:
      json:
        description: The findings and the run as JSON.
        type: path
      sarif:
        description: SARIF 2.1.0, for code-scanning views and AAP artifacts.
        type: path
      html:
        description: A self-contained HTML report.
        type: path
      markdown:
        description: The report as Markdown.
        type: path
notes:
  - Check mode is the same run; the audit writes nothing to the estate in either mode.
extends_documentation_fragment:
  - kubeguard.netsec.k8s_connection.nested
  - kubeguard.netsec.alicloud.nested
  - kubeguard.netsec.k8s_connection.client_clusters
  - kubeguard.netsec.aws_bounds
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Audit the prod EKS cluster, write SARIF and HTML, fail the job on critical findings
  kubeguard.netsec.netsec_audit:
    cluster_name: demo-eks
    environment: prod
    fail_on: critical
    output:
      sarif: /tmp/demo-eks.sarif
      html: /tmp/demo-eks.html

- name: Report only, in dev, without the description check, the Kubernetes side through a kubeconfig context
  kubeguard.netsec.netsec_audit:
    cluster_name: demo-eks
    environment: dev
    skip: [KG-SG-009]
    exempt_namespaces: [monitoring]
    kubernetes:
      context: demo-eks
  register: audit

- name: Audit the UAT database cluster on ACK, with the application cluster whose pods use its databases
  kubeguard.netsec.netsec_audit:
    target: ack
    cluster_name: ack-db
    environment: uat
    kubernetes:
      context: ack-db
    client_clusters:
      - name: ack-app
        kubernetes:
          context: ack-app
    output:
      html: /tmp/ack-db.html
  register: ack_audit
"""

RETURN = r"""
findings:
  description:
    - The findings, most severe first, each with C(id), C(title), C(severity) (the profile's), C(error) (an error
      in the profile), C(area), C(resource), C(evidence), C(remediation), C(crosswalk) and C(details).
  returned: always
  type: list
  elements: dict
  sample:
    - id: KG-SG-004
      title: NodePort range open to the internet on a node group
      severity: high
      error: true
      area: security-groups
      resource: sg-0123456789abcdef0 (demo-eks-node)
      evidence: ingress tcp 30000-32767 from 0.0.0.0/0 (temp - open nodeports)
      remediation: kubeguard.netsec.eks_cluster_security_groups (nodeport_sources)
      crosswalk: {securityhub: EC2.18}
      details: {group_id: sg-0123456789abcdef0}
counts:
  description: Findings per severity (every severity, 0 when none).
  returned: always
  type: dict
errors:
  description: How many findings are errors in the profile.
  returned: always
  type: int
checked:
  description: The finding ids this run checked.
  returned: always
  type: list
  elements: str
skipped:
  description: The finding ids O(skip) left out.
  returned: always
  type: list
  elements: str
profile:
  description: The environment profile used.
  returned: always
  type: str
controller:
  description:
    - Where the load balancer controller's flags were read (C(namespace), C(name)) and the C(flags); or
      C(not_found) saying why no controller was found (its defaults are then assumed).
  returned: with O(target=eks), unless the Kubernetes-side checks are skipped
  type: dict
policy_engine:
  description: What enforces NetworkPolicies - C(enforced) (true, false or null for unknown) and C(engine).
  returned: unless every KG-K8S id is skipped
  type: dict
databases:
  description: O(target=ack) - the database Services judged, each C(service), C(load_balancer_id) and C(port).
  returned: with O(target=ack)
  type: list
  elements: dict
target:
  description: What was audited - C(kind), C(cluster), C(region) and, on EKS, C(vpc_id).
  returned: always
  type: dict
files:
  description: The report files written, by format, as absolute paths.
  returned: always
  type: dict
api_calls:
  description: API calls made by this run, reads and writes (always 0 writes), per operation; on failure too.
  returned: always
  type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.spec import alicloud_argument_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.run import execute
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec


def argument_spec() -> dict:
    output = {name: {"type": "path"} for name in ("json", "sarif", "html", "markdown")}
    return {
        "target": {"type": "str", "choices": ["eks", "ack"], "default": "eks"},
        "cluster_name": {"type": "str", "required": True},
        "environment": {"type": "str", "choices": ["dev", "uat", "stage", "prod"], "default": "prod"},
        "fail_on": {
            "type": "str",
            "choices": ["never", "error", "info", "low", "medium", "high", "critical"],
            "default": "never",
        },
        "skip": {"type": "list", "elements": "str", "default": []},
        "cluster_id": {"type": "str"},
        "client_clusters": {
            "type": "list",
            "elements": "dict",
            "default": [],
            "options": {
                "name": {"type": "str", "required": True},
                "cluster_id": {"type": "str"},
                "kubernetes": {"type": "dict", "required": True, "options": connection_spec()},
            },
        },
        "environment_label": {"type": "str", "default": "env"},
        "database_ports": {"type": "list", "elements": "int"},
        "alicloud": {"type": "dict", "default": {}, "options": alicloud_argument_spec()},
        "node_port_range": {"type": "str", "default": "30000-32767"},
        "node_security_groups": {"type": "list", "elements": "str"},
        "exempt_namespaces": {"type": "list", "elements": "str", "default": []},
        "output": {"type": "dict", "options": output},
        "kubernetes": {"type": "dict", "options": connection_spec()},
    }


def main() -> None:
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, execute)


if __name__ == "__main__":
    main()
