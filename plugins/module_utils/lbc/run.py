# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_lbc_security_groups: validate, discover, plan, (apply), report.

Bad input never reaches a write: the options are validated first (``spec``), then the groups are
read (``discovery``), each managed group's desired rules are built (``desired``) and planned with the
rule engine (``plan``) before anything is written (``apply``). Check mode stops at the plans.
"""

from __future__ import annotations

from typing import Callable
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
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import GroupResolver
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import NodePorts
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import groups_to_create
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import node_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.desired import placeholder_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import Topology
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import cluster_instances
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.discovery import discover
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.identity import check_cluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import check_not_emptied
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.rendered import rendered
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.teardown import delete_unused
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.teardown import teardown_desired
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import tag_dict


def cluster_reader(run: ModuleRun) -> Callable[[Ec2, Topology, Spec], ClusterReader]:
    """Reads Services and Ingresses through the shared Kubernetes client (the ``kubernetes`` option), once the
    cluster read is shown to be the named EKS cluster. The connection's target is checked now, before any call."""
    kube = Kube(run.attach(KubeBackend(connection_options(run.params.get("kubernetes") or {}), "kubernetes.")))

    def bind(ec2: Ec2, found: Topology, spec: Spec) -> ClusterReader:
        def read(namespaces: Tuple[str, ...]) -> Tuple[List[dict], List[dict]]:
            if found.instance_ids is None:
                found.instance_ids = [instance["InstanceId"] for instance in cluster_instances(ec2, spec)]
            check_cluster(spec.cluster, found.instance_ids, kube.list("Node", "v1"), kube.backend.where)
            objects = {}
            for kind, api_version in (("Service", "v1"), ("Ingress", "networking.k8s.io/v1")):
                objects[kind] = [
                    item for namespace in namespaces or (None,) for item in kube.list(kind, api_version, namespace)
                ]
            return objects["Service"], objects["Ingress"]

        return read

    return bind


def execute(run: ModuleRun) -> None:
    spec = Spec.from_params(run.params)
    result = run.result
    result.update(security_groups=[], warnings_found=[])
    if spec.state == "rendered":
        result["rendered"] = rendered(spec)
        return
    bind = cluster_reader(run) if spec.node_rules and spec.node_rules.ports_from == "from_services" else None
    ec2 = Ec2(run.attach(AwsBackend(run.module)))
    found = discover(ec2, spec)
    reader = bind(ec2, found, spec) if bind else None
    ids = found.ids()
    if spec.state == "gathered":
        result["security_groups"] = result["gathered"] = report.security_groups(found, ids)
        result["warnings_found"] = report.controller_warnings(found, ids)
        return
    converge(run, spec, ec2, found, ids, reader)


def converge(run: ModuleRun, spec: Spec, ec2: Ec2, found: Topology, ids: dict, reader: Optional[ClusterReader]) -> None:
    """Plan every managed group; unless in check mode, apply and read back. Fills ``run.result``."""
    result = run.result
    teardown = spec.state == "deleted" and spec.lists_nothing
    create = groups_to_create(spec, found) if spec.state != "deleted" else []
    for group in create:
        ids[group.key] = placeholder_id(group.name)
    ports = node_ports(spec, reader, group_resolver(ec2, found)) if spec.node_rules else NodePorts(())

    def desire() -> dict:
        return teardown_desired(spec, found) if teardown else desired_rules(spec, found, ids, ports)

    plans = plan_groups(spec, found, ids, desire())
    check_not_emptied(spec, found, plans, ports)
    result["warnings_found"] = report.controller_warnings(found, ids) + list(ports.unresolved)
    result["served_by_own_frontends"] = report.served_by_own_frontends(ports, result["warnings_found"])
    result["changed"] = bool(create) or any(group_plan.changed for group_plan in plans.values())
    before, after = report.rules_of(plans, "before"), report.rules_of(plans, "after")
    if result["changed"] and not run.check_mode:
        placeholders = {ids[group.key]: group.key for group in create}
        result["actions"] = []
        plans, after, replanned = apply(ec2, spec, found, ids, create, desire, result["actions"])
        before = {ids[placeholders[gid]] if gid in placeholders else gid: rules for gid, rules in before.items()}
        if replanned:
            result["replanned"] = {group_id: p.to_dict() for group_id, p in replanned.items()}
    if teardown:
        _delete_created_groups(run, spec, ec2, found, plans)
    _report(run, spec, found, ids, create, plans)
    if run.diff:
        result["diff"] = {"before": before, "after": after}


def group_resolver(ec2: Ec2, found: Topology) -> GroupResolver:
    """Security group ids or Name tags (as the controller resolves them: tag:Name in the cluster's VPC) -> ids;
    one read for the names not known yet."""
    by_name = {tag_dict(group.get("Tags")).get("Name"): group_id for group_id, group in found.groups.items()}

    def resolve(refs: Tuple[str, ...]) -> Tuple[Tuple[str, ...], List[str]]:
        unknown = sorted({ref for ref in refs if not ref.startswith("sg-") and ref not in by_name})
        if unknown:
            for group in ec2.describe_security_groups({"vpc-id": [found.vpc_id], "tag:Name": unknown}):
                by_name.setdefault(tag_dict(group.get("Tags")).get("Name"), group["GroupId"])
        ids = {ref if ref.startswith("sg-") else by_name.get(ref) for ref in refs}
        return tuple(sorted(group_id for group_id in ids if group_id)), [
            ref for ref in refs if not ref.startswith("sg-") and ref not in by_name
        ]

    return resolve


def _delete_created_groups(run: ModuleRun, spec: Spec, ec2: Ec2, found: Topology, plans: dict) -> None:
    actions = run.result.setdefault("actions", []) if not run.check_mode else []
    deleted, kept = delete_unused(ec2, spec, found, plans, run.check_mode, actions)
    run.result["deleted_groups"] = deleted
    run.result["changed"] = run.result["changed"] or bool(deleted)
    for group_id, users in sorted(kept.items()):
        run.result["warnings_found"].append(
            f"{group_id} was created by this collection but is kept: still used by {', '.join(users)}"
        )


def _report(run: ModuleRun, spec: Spec, found: Topology, ids: dict, create: list, plans: dict) -> None:
    result = run.result
    result["created"] = {
        group.key: {"name": group.name, "group_id": ids[group.key], "placeholder_id": run.check_mode}
        for group in create
    }
    result["plan"] = {group_id: p.to_dict() for group_id, p in plans.items()}
    result["warnings_found"] += [warning for p in plans.values() for warning in p.warnings]
    result["shared_with_controller"] = report.shared_with_controller(plans)
    result["security_groups"] = report.security_groups(found, ids)
    result["controller"] = report.controller_settings(spec, ids)
