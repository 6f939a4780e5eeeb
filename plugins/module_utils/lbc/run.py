# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_lbc_security_groups: validate, discover, plan, (apply), report.

Bad input never reaches a write: the options are validated first (``spec``), then the groups are
read (``discovery``), each managed group's desired rules are built (``desired``) and planned with the
rule engine (``plan``) before anything is written (``apply``). Check mode stops at the plans.
"""

from __future__ import annotations

from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import AwsBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import report
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.apply import apply
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import ClusterReader
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import groups_to_create
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import node_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import placeholder_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import discover
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.rendered import rendered
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format


def cluster_reader(run: ModuleRun) -> ClusterReader:
    """Reads Services and Ingresses through the shared Kubernetes client (the ``kubernetes`` option);
    the connection's target is checked now, before any other call."""
    kube = Kube(run.attach(KubeBackend(connection_options(run.params.get("kubernetes") or {}), "kubernetes.")))

    def read(namespaces: Tuple[str, ...]) -> Tuple[List[dict], List[dict]]:
        found = {}
        for kind, api_version in (("Service", "v1"), ("Ingress", "networking.k8s.io/v1")):
            found[kind] = [
                item for namespace in namespaces or (None,) for item in kube.list(kind, api_version, namespace)
            ]
        return found["Service"], found["Ingress"]

    return read


def execute(run: ModuleRun) -> None:
    spec = Spec.from_params(run.params)
    result = run.result
    result.update(security_groups=[], warnings_found=[])
    if spec.state == "rendered":
        result["rendered"] = rendered(spec)
        return
    reader = cluster_reader(run) if spec.node_rules and spec.node_rules.ports_from == "from_services" else None
    ec2 = Ec2(run.attach(AwsBackend(run.module)))
    found = discover(ec2, spec)
    ids = found.ids()
    if spec.state == "gathered":
        result["security_groups"] = result["gathered"] = report.security_groups(found, ids)
        result["warnings_found"] = report.controller_warnings(found, ids)
        return
    converge(run, spec, ec2, found, ids, reader)


def converge(run: ModuleRun, spec: Spec, ec2: Ec2, found: Topology, ids: dict, reader: Optional[ClusterReader]) -> None:
    """Plan every managed group; unless in check mode, apply and read back. Fills ``run.result``."""
    result = run.result
    create = groups_to_create(spec, found) if spec.state != "deleted" else []
    for group in create:
        ids[group.key] = placeholder_id(group.name)
    ports, unresolved = node_ports(spec, reader) if spec.node_rules else ([], [])
    plans = plan_groups(spec, found, ids, desired_rules(spec, found, ids, ports))
    result["warnings_found"] = report.controller_warnings(found, ids) + unresolved
    result["changed"] = bool(create) or any(group_plan.changed for group_plan in plans.values())
    before = {group_id: to_module_format(p.before(), "ingress") for group_id, p in plans.items()}
    after = {group_id: to_module_format(p.after(), "ingress") for group_id, p in plans.items()}
    if result["changed"] and not run.check_mode:
        placeholders = {ids[group.key]: group.key for group in create}
        result["actions"] = []
        plans, after, replanned = apply(ec2, spec, found, ids, create, ports, result["actions"])
        before = {
            ids[placeholders[group_id]] if group_id in placeholders else group_id: rules
            for group_id, rules in before.items()
        }
        if replanned:
            result["replanned"] = {group_id: p.to_dict() for group_id, p in replanned.items()}
    result["created"] = {
        group.key: {"name": group.name, "group_id": ids[group.key], "placeholder_id": run.check_mode}
        for group in create
    }
    result["plan"] = {group_id: p.to_dict() for group_id, p in plans.items()}
    result["warnings_found"] += [warning for p in plans.values() for warning in p.warnings]
    result["security_groups"] = report.security_groups(found, ids)
    result["controller"] = report.controller_settings(spec, ids)
    if run.diff:
        result["diff"] = {"before": before, "after": after}
