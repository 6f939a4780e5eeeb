# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of ack_fixed_pod_ip: validate, preflight, plan, (apply and wait), verify, report.

Bad options and failed preflight checks stop the run before any write. The plan is made from
reads only; check mode returns it. Writes then go in the plan's order (``runner``). The Deployment
is scaled to 0 only after every StatefulSet pod is verified to hold a fixed IP.
"""

from __future__ import annotations

from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import pod_ips
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import workload
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.plan import plan_merged
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import ENI_CONFIG
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import SYSTEM_NS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import Preflight
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import run_preflight
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.rollback import plan_deleted
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.runner import Runner
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.waiting import Waiter
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options


def _fixed_ips(runner: Runner, spec: Spec, verify_strictly: bool, replicas: Optional[int] = None) -> List[dict]:
    """fixed_ips of the run's pods (the StatefulSet's, or the namespace's pods using the PodNetworking).
    ``replicas``: the StatefulSet's as the plan read it, when the run did not change it."""
    if spec.statefulset:
        if verify_strictly:
            return runner.verified_pods(runner.wait_statefulset_pods(replicas))
        pods = runner.statefulset_pods()
    else:
        pods = [
            pod
            for pod in runner.kube.list("Pod", "v1", spec.namespace)
            if (pod["metadata"].get("annotations") or {}).get(pod_ips.ANN_POD_NETWORKING) == spec.pn_name
        ]
    fixed, errors = pod_ips.verify(runner.kube, spec.namespace, pods, spec.pn_name)
    runner.warnings.extend(errors)
    return fixed


def rendered(spec: Spec) -> List[dict]:
    """Offline: the requests a first run would send (eni-config's depends on its current text)."""
    body = {
        "apiVersion": podnetworking.API_VERSION,
        "kind": podnetworking.KIND,
        "metadata": {"name": spec.pn_name, "labels": {ownership.MANAGED_BY_LABEL: ownership.MANAGED_BY}},
        "spec": spec.pn_spec,
    }
    requests = [
        {
            "method": "POST",
            "path": f"/apis/{podnetworking.API_VERSION}/podnetworkings",
            "content_type": "application/json",
            "body": body,
        }
    ]
    if spec.manage_eni_config:
        requests.append(
            {
                "method": "PATCH",
                "path": f"/api/v1/namespaces/{SYSTEM_NS}/configmaps/{ENI_CONFIG}",
                "content_type": "application/merge-patch+json",
                "eni_conf_keys": spec.eni_conf_keys(),
                "note": "data.eni_conf gets these keys by a minimal edit of its current text",
            }
        )
    labels = spec.namespace_labels()
    if labels:
        requests.append(
            {
                "method": "PATCH",
                "path": f"/api/v1/namespaces/{spec.namespace}",
                "content_type": "application/merge-patch+json",
                "body": {
                    "metadata": {
                        "labels": labels,
                        "annotations": {ownership.ANN_MANAGED_LABELS: ownership.record_value(labels)},
                    }
                },
            }
        )
    return requests


def _workload_state(kube: Kube, spec: Spec) -> dict:
    """The Deployment and StatefulSet of the run as they are (None when missing)."""
    found: dict = {}
    if spec.deployment:
        deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace)
        found["convert_deployment"] = spec.deployment
        found["deployment"] = deployment and {
            "replicas": deployment["spec"].get("replicas"),
            "original_replicas": _safe_original(deployment),
        }
    if spec.statefulset:
        sts = kube.get("StatefulSet", "apps/v1", spec.statefulset, spec.namespace)
        found["statefulset_name"] = spec.statefulset
        found["statefulset"] = sts and {
            "replicas": sts["spec"].get("replicas"),
            "owned": ownership.is_owned(sts),
            "ready_replicas": (sts.get("status") or {}).get("readyReplicas", 0),
        }
    return found


def gathered(kube: Kube, spec: Spec, pre: Preflight, runner: Runner) -> dict:
    """The current state in the module's terms, and the fixed IPs; a failed check is only a warning."""
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is None:
        raise InputError("namespace", f"namespace {spec.namespace} does not exist")
    conf = pre.eni_conf or {}
    found = {
        "namespace": spec.namespace,
        "namespace_labels": namespace["metadata"].get("labels") or {},
        "eni_config": {
            "enable_trunking": conf.get("enable_eni_trunking") is True,
            "credential_path": conf.get("credential_path"),
        },
    }
    if spec.pn_name:
        current = kube.get(podnetworking.KIND, podnetworking.API_VERSION, spec.pn_name)
        found["pod_networking"] = podnetworking.to_option(current) if current else None
        found["pod_networking_status"] = (current or {}).get("status")
    found.update(_workload_state(kube, spec))
    fixed = _fixed_ips(runner, spec, verify_strictly=False) if spec.pn_name else []
    where = kube.backend.where  # a failed check tells what to do on this cluster: name it
    runner.warnings.extend(f"preflight {check.name}: {check.message} ({where})" for check in pre.failed)
    return {"gathered": found, "fixed_ips": fixed}


def _safe_original(deployment: dict) -> Optional[int]:
    try:
        return workload.original_replicas(deployment)
    except ValueError:
        return None


def _known_replicas(plan: Plan) -> Optional[int]:
    """The StatefulSet's replicas as the plan read it, when no step of the run changes the StatefulSet."""
    sts = plan.facts.get("statefulset")
    if sts is None or any(step.kind == "StatefulSet" for step in plan.steps):
        return None
    return (sts.get("spec") or {}).get("replicas", 1)


def _report(plan: Plan, result: dict, diff: bool) -> None:
    result["plan"] = [step.as_dict() for step in plan.steps]
    result["changed"] = bool(plan.steps)
    if diff:
        result["diff"] = {"before": plan.before, "after": plan.after}
    for key in ("dropped_fields", "left_out_metadata", "pod_disruption_budgets", "kept"):
        if key in plan.facts:
            result[key] = plan.facts[key]


def _converge(run: ModuleRun, kube: Kube, spec: Spec, pre: Preflight, runner: Runner) -> None:
    """Plan, then (unless check mode) execute and verify; the result is filled as the run goes, so a
    failure part-way still reports the plan and the writes already done."""
    failed = "; ".join(f"{check.name}: {check.message}" for check in pre.failed)
    if spec.state == "deleted":
        if failed:  # a rollback needs no Terway; say what is wrong and go on
            runner.warnings.append(f"preflight: {failed} ({kube.backend.where})")
        plan = plan_deleted(kube, spec)
    elif failed:
        raise OperationError(f"preflight failed, nothing was changed: {failed}")
    else:
        plan = plan_merged(kube, spec, pre)
    runner.warnings.extend(plan.warnings)
    _report(plan, run.result, run.diff)
    if run.check_mode:
        return
    run.result["actions"] = runner.done
    try:
        runner.execute(plan)
        if spec.state != "deleted" and runner.fixed is None:
            _fixed_ips(runner, spec, verify_strictly=bool(spec.statefulset), replicas=_known_replicas(plan))
    finally:  # also after a failed verification: the pods that did verify
        if spec.state != "deleted" and runner.fixed is not None:
            run.result["fixed_ips"] = runner.fixed


def execute(run: ModuleRun) -> None:
    """The whole run (see the module docstring)."""
    spec = Spec.from_params(run.params)
    if spec.state == "rendered":
        run.result["rendered"] = rendered(spec)
        return
    kube = Kube(run.attach(KubeBackend(connection_options(run.params))))
    run.result["warnings_found"] = []
    runner = Runner(
        kube, spec, Waiter(spec.wait_timeout, spec.wait_sleep), done=[], warnings=run.result["warnings_found"]
    )
    pre = run_preflight(kube, spec)
    run.result["preflight"] = pre.as_dict()
    if spec.state == "gathered":
        run.result.update(gathered(kube, spec, pre, runner))
    else:
        _converge(run, kube, spec, pre, runner)
