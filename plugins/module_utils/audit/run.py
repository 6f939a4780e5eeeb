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

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_eks
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_k8s
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_lbc
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_sg
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import kinds
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.files import write_report_files
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import counts
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_aws import read_eks
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_k8s import read_eks_cluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.verdict import gate
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.verdict import judge
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import AwsBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import controller

KUBERNETES_SIDE = ("KG-K8S-", "KG-LBC-002", "KG-LBC-003", "KG-LBC-004")  # the kinds that read Kubernetes
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
    kube = Kube(run.attach(KubeBackend(connection_options(run.params.get("kubernetes") or {}), "kubernetes.")))
    view = read_eks_cluster(kube, spec.cluster, instance_ids, spec.exempt_namespaces)
    restrict = spec.profile.restrict_egress
    found = checks_k8s.default_deny(view, restrict) + checks_k8s.dns_exception(view, restrict)
    found += checks_k8s.allow_all_constructs(view) + checks_k8s.unselected_pods(view) + checks_k8s.not_enforced(view)
    run.result["policy_engine"] = view.enforcement.as_dict() if view.enforcement else None
    flags, run.result["controller"] = controller.read(kube, None, required=False)
    services, ingresses = kube.list("Service", "v1"), kube.list("Ingress", "networking.k8s.io/v1")
    found += checks_lbc.annotation_findings(spec.cluster, services, ingresses, flags)
    ingress_class = flags.ingress_class if flags else "alb"
    return found + checks_lbc.broad_node_rules(vpc, services, ingresses, ingress_class)


def execute(run: ModuleRun) -> None:
    spec = AuditSpec.from_params(run.params)
    findings = judge(spec, eks_findings(run, spec))
    checked = [kind for kind in kinds() if kind.id not in spec.skip]
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
