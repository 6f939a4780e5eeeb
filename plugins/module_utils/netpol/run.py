# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of k8s_network_policies: validate, read, plan every namespace, write, report.

Everything that can be refused is refused before the first write: bad options, missing namespaces, a
namespace without its environment label, an empty desired set under ``replaced``, a wanted name held by
someone else's policy, a namespace_selector reaching the system namespaces. Writes go allow-first: every
create and update of an allowing policy, then the default-deny, then the deletions (the default-deny
first), so no moment has less connectivity than both the old and the new state.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import policy_engine
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import summary
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import API_VERSION
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import NamespacePlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import body
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import plan_namespace
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import view
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import DEFAULT_DENY
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import build

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")


def rendered(spec: Spec) -> List[Dict[str, Any]]:
    """Offline: the manifests of the listed namespaces."""
    if spec.namespaces is None:
        raise InputError("namespace_selector", "state=rendered works offline: list the namespaces in namespaces")
    if spec.isolate_environments:
        raise InputError(
            "isolate_environments",
            "needs each namespace's environment label, read from the cluster; state=rendered works offline (use "
            "check mode with --diff to see those policies)",
        )
    return [body(namespace, policy) for namespace in spec.namespaces for policy in spec.wanted(None)]


def _namespaces(kube: Kube, spec: Spec, writes: bool) -> List[Dict[str, Any]]:
    if spec.namespaces is not None:
        found = []
        for index, name in enumerate(spec.namespaces):
            namespace = kube.get("Namespace", "v1", name)
            if namespace is None:
                raise InputError(f"namespaces[{index}]", f"namespace {name!r} does not exist ({kube.backend.where})")
            found.append(namespace)
        return found
    found = [
        ns
        for ns in kube.list("Namespace", "v1")
        if selectors.matches(spec.namespace_selector, ns["metadata"].get("labels"))
    ]
    if not found:
        raise PlanError(f"namespace_selector selects no namespace ({kube.backend.where}); nothing would be managed")
    system = sorted(ns["metadata"]["name"] for ns in found if ns["metadata"]["name"] in SYSTEM_NAMESPACES)
    if system and writes:
        raise PlanError(
            f"namespace_selector selects {', '.join(system)}: policies there can cut the cluster's own DNS, "
            "controllers and node traffic. Narrow the selector, or list such a namespace in namespaces to manage "
            "it on purpose"
        )
    return sorted(found, key=lambda ns: ns["metadata"]["name"])


def _environment(spec: Spec, namespace: Dict[str, Any]) -> Optional[str]:
    if not spec.isolate_environments:
        return None
    value = (namespace["metadata"].get("labels") or {}).get(spec.environment_label)
    if not value:
        raise PlanError(
            f"namespace {namespace['metadata']['name']} has no {spec.environment_label!r} label: "
            "isolate_environments cannot tell which environment it belongs to. Label it, or leave it out"
        )
    return value


def _plans(kube: Kube, spec: Spec) -> List[NamespacePlan]:
    kube.require(KIND, API_VERSION)  # a cluster without NetworkPolicy fails here, not with "no policies"
    plans = []
    writes = spec.state in ("merged", "replaced")
    for namespace in _namespaces(kube, spec, writes):
        name = namespace["metadata"]["name"]
        wanted = spec.wanted(_environment(spec, namespace) if writes else None)
        existing = kube.list(KIND, API_VERSION, name)
        plans.append(plan_namespace(name, existing, wanted, spec.state))
    return plans


def _gathered(plans: List[NamespacePlan]) -> List[Dict[str, Any]]:
    return [
        {
            "namespace": plan.namespace,
            "extra_policies": [{"name": v["name"], "spec": v["spec"]} for v in plan.before if v["owned"]],
            "foreign": [{"name": v["name"], "spec": v["spec"]} for v in plan.before if not v["owned"]],
        }
        for plan in plans
    ]


def _write(kube: Kube, plans: List[NamespacePlan], run: ModuleRun) -> Dict[tuple, Dict[str, Any]]:
    """Allow-first, deny next, deletions last (the default-deny first among them); returns the objects the API
    server answered, by (namespace, name)."""
    answered: Dict[tuple, Dict[str, Any]] = {}
    actions = run.result["actions"]
    for deny_pass in (False, True):
        for plan in plans:
            for created in plan.creates:
                name = created["metadata"]["name"]
                if (name == DEFAULT_DENY) == deny_pass:
                    answered[(plan.namespace, name)] = kube.create(KIND, API_VERSION, created, plan.namespace)
                    actions.append(f"created NetworkPolicy {plan.namespace}/{name}")
            for update in plan.updates:
                if (update["name"] == DEFAULT_DENY) == deny_pass:
                    answered[(plan.namespace, update["name"])] = _patch(kube, plan.namespace, update)
                    actions.append(f"updated NetworkPolicy {plan.namespace}/{update['name']}")
    for plan in plans:
        for name in sorted(plan.deletes, key=lambda name: name != DEFAULT_DENY):
            kube.delete(KIND, API_VERSION, name, plan.namespace)
            actions.append(f"deleted NetworkPolicy {plan.namespace}/{name}")
    return answered


def _patch(kube: Kube, namespace: str, update: Dict[str, Any]) -> Dict[str, Any]:
    try:
        return kube.merge_patch(KIND, API_VERSION, update["name"], update["patch"], namespace)
    except ApiError as exc:
        if exc.status != 409:
            raise
        raise OperationError(
            f"NetworkPolicy {namespace}/{update['name']} was changed by someone else after this run read it "
            f"(HTTP 409 on resourceVersion {update['patch']['metadata']['resourceVersion']}); nothing of theirs was "
            f"overwritten. Run the task again to plan from the new state ({kube.backend.where})"
        ) from exc


def _after(plan: NamespacePlan, answered: Dict[tuple, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The namespace's policies after the run: what the API server answered to each write, the rest as read."""
    predicted = {v["name"]: v for v in plan.predicted()}
    for (namespace, name), obj in answered.items():
        if namespace == plan.namespace:
            predicted[name] = view(obj)
    return [predicted[name] for name in sorted(predicted)]


def _report(kube: Kube, plans: List[NamespacePlan], answered: Dict[tuple, Dict[str, Any]]) -> List[Dict[str, Any]]:
    reports = []
    for plan in plans:
        after = _after(plan, answered)
        pods = summary.pod_views(kube.list("Pod", "v1", plan.namespace))
        reports.append(
            {
                "namespace": plan.namespace,
                "before": plan.before,
                "after": after,
                "created": [c["metadata"]["name"] for c in plan.creates],
                "updated": [u["name"] for u in plan.updates],
                "deleted": list(plan.deletes),
                "foreign": sorted(v["name"] for v in after if not v["owned"]),
                "summary": summary.summarize(after, pods),
            }
        )
    return reports


def _diff(reports: List[Dict[str, Any]]) -> Dict[str, Any]:
    def owned(views: List[Dict[str, Any]]) -> Dict[str, Any]:
        return {v["name"]: v["spec"] for v in views if v["owned"]}

    return {
        "before": {r["namespace"]: owned(r["before"]) for r in reports},
        "after": {r["namespace"]: owned(r["after"]) for r in reports},
    }


def _refuse_empty(spec: Spec, plans: List[NamespacePlan]) -> None:
    if spec.state == "replaced" and not spec.names and not spec.allow_empty:
        owned = sum(len(p.deletes) for p in plans)
        raise PlanError(
            f"state=replaced with no policy asked for would delete every NetworkPolicy this collection owns in "
            f"these namespaces ({owned} now); set allow_empty=true if that is meant, or use state=deleted"
        )


def _enforcement(kube: Kube, run: ModuleRun) -> None:
    found = policy_engine.detect(kube)
    run.result["enforcement"] = found.as_dict()
    if found.enforced is not True:
        run.result["warnings_found"].append(
            f"NetworkPolicies are stored but may not be enforced on this cluster: {found.engine}"
        )


def execute(run: ModuleRun) -> None:
    spec = build(run.params)
    run.result.update(actions=[], warnings_found=list(spec.warnings))
    if spec.state == "rendered":
        run.result["rendered"] = rendered(spec)
        return
    kube = Kube(run.attach(KubeBackend(connection_options(run.params))))
    plans = _plans(kube, spec)
    if spec.state == "gathered":
        run.result["gathered"] = _gathered(plans)
        return
    _refuse_empty(spec, plans)
    _enforcement(kube, run)
    answered = {} if run.check_mode else _write(kube, plans, run)
    reports = _report(kube, plans, answered)
    run.result.update(namespaces=reports, changed=any(p.changes for p in plans))
    if run.diff:
        run.result["diff"] = _diff(reports)
