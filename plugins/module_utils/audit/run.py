# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of netsec_audit: validate, read, check, judge with the environment profile, report, gate.

Nothing the audit reads is changed (``changed`` is always false); the report files are its output and are
written in check mode too. ``fail_on`` fails the task after the result and the files are complete.
"""

from __future__ import annotations

import datetime
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import SlbBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_ack
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_eks
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_k8s
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_lbc
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_sg
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import kinds
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_k8s import ClusterView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.files import write_report_files
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import counts
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import check_identity
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import read_cluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import read_databases
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_aws import read_eks
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_k8s import by_namespace
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_k8s import read_eks_cluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.verdict import gate
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.verdict import judge
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import AwsBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import controller

KUBERNETES_SIDE = ("KG-K8S-", "KG-LBC-002", "KG-LBC-003", "KG-LBC-004")  # the kinds that read Kubernetes
AREAS = {"eks": ("security-groups", "load-balancer-controller", "kubernetes"), "ack": ("kubernetes", "ack")}
TOOL = {
    "name": "kubeguard.netsec.netsec_audit",
    "version": "0.2.0",
    "information_uri": "https://github.com/kubeguard/netsec",
}


def eks_findings(run: ModuleRun, spec: AuditSpec) -> List[Finding]:
    ec2 = Ec2(run.attach(AwsBackend(run.module)))
    view, enis = read_eks(ec2, spec)
    found = checks_sg.world_open(view, spec.node_port_range)
    found += checks_sg.default_group_open(view) + checks_sg.unused_groups(view) + checks_sg.undescribed_rules(view)
    found += checks_sg.quota_headroom(view, spec.profile.quota_share)
    if spec.profile.restrict_egress:
        found += checks_sg.open_egress(view)
    found += checks_eks.cluster_tag(view, enis) + checks_eks.disowned_controller_rules(view, spec.cluster)
    if any(kind.startswith(KUBERNETES_SIDE) and kind not in spec.skip for kind in CATALOG):
        found += kubernetes_findings(run, spec, view, [eni["instance_id"] for eni in enis])
    run.result["target"] = {"kind": "eks", "cluster": spec.cluster, "region": run.module.region, "vpc_id": view.vpc_id}
    return found


def kubernetes_findings(run: ModuleRun, spec: AuditSpec, vpc: VpcView, instance_ids: List[str]) -> List[Finding]:
    kube = _kube(run, run.params.get("kubernetes"), "kubernetes")
    view = read_eks_cluster(kube, spec.cluster, instance_ids, spec.exempt_namespaces)
    found = _policy_findings(spec, view)
    run.result["policy_engine"] = view.enforcement.as_dict() if view.enforcement else None
    flags, run.result["controller"] = controller.read(kube, None, required=False)
    services, ingresses = kube.list("Service", "v1"), kube.list("Ingress", "networking.k8s.io/v1")
    found += checks_lbc.annotation_findings(spec.cluster, services, ingresses, flags)
    ingress_class = flags.ingress_class if flags else "alb"
    return found + checks_lbc.broad_node_rules(vpc, services, ingresses, ingress_class)


def _kube(run: ModuleRun, options: dict, path: str) -> Kube:
    return Kube(run.attach(KubeBackend(connection_options(options or {}), f"{path}.")))


def ack_findings(run: ModuleRun, spec: AuditSpec) -> List[Finding]:
    """The audited ACK cluster's NetworkPolicy checks, its databases' CLBs, and its client clusters' pods."""
    alicloud = run.params.get("alicloud") or {}
    if not alicloud.get("region_id"):
        raise InputError("alicloud.region_id", "give the region (or set ALIBABA_CLOUD_REGION_ID or ALICLOUD_REGION)")
    kube = _kube(run, run.params.get("kubernetes"), "kubernetes")
    check_identity(kube, spec.cluster, spec.cluster_id, "cluster_id")
    clients = []
    for index, client in enumerate(spec.clients):
        client_kube = _kube(run, client.kubernetes, f"client_clusters[{index}].kubernetes")
        check_identity(client_kube, client.name, client.cluster_id, f"client_clusters[{index}].cluster_id")
        clients.append(read_cluster(client_kube, client.name))
    cluster = read_cluster(kube, spec.cluster)
    pods, policies = by_namespace(cluster.pods), by_namespace(cluster.policies)
    found = _policy_findings(
        spec, ClusterView(spec.cluster, pods, policies, cluster.enforcement, spec.exempt_namespaces)
    )
    databases = read_databases(kube, run.attach(SlbBackend(alicloud)), cluster, spec.database_ports)
    found += checks_ack.open_listeners(cluster, databases) + checks_ack.missing_hostname(cluster, databases)
    found += checks_ack.whitelist_drift(cluster, databases) + checks_ack.pool_ips([cluster] + clients)
    found += checks_ack.cross_environment(cluster, databases, [cluster] + clients, spec.environment_label)
    run.result["policy_engine"] = cluster.enforcement.as_dict()
    run.result["databases"] = [
        {"service": db.ref, "load_balancer_id": db.load_balancer_id, "port": db.port["port"]} for db in databases
    ]
    run.result["target"] = {"kind": "ack", "cluster": spec.cluster, "region": alicloud["region_id"]}
    return found


def _policy_findings(spec: AuditSpec, view: ClusterView) -> List[Finding]:
    """KG-K8S-001..005 of one cluster."""
    restrict = spec.profile.restrict_egress
    found = checks_k8s.default_deny(view, restrict) + checks_k8s.dns_exception(view, restrict)
    return (
        found + checks_k8s.allow_all_constructs(view) + checks_k8s.unselected_pods(view) + checks_k8s.not_enforced(view)
    )


def execute(run: ModuleRun) -> None:
    spec = AuditSpec.from_params(run.params)
    found = ack_findings(run, spec) if spec.target == "ack" else eks_findings(run, spec)
    findings = judge(spec, found)
    checked = [kind for kind in kinds() if kind.id not in spec.skip and kind.area in AREAS[spec.target]]
    result = run.result
    result.update(
        findings=findings,
        counts=counts(findings),
        errors=sum(1 for item in findings if item["error"]),
        profile=spec.profile.name,
        checked=[kind.id for kind in checked],
        skipped=list(spec.skip),
    )
    report = {
        "tool": TOOL,
        "target": result["target"],
        "profile": spec.profile.name,
        "fail_on": None if spec.fail_on == "never" else spec.fail_on,
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "counts": result["counts"],
        "findings": findings,
    }
    result["files"] = write_report_files(report, checked, spec.output)
    gate(spec, findings)
