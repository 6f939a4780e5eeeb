# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of ack_fixed_pod_ip: validate, preflight, plan, (apply and wait), verify, report.

Bad options and failed preflight checks stop the run before any write. The plan is made from
reads only; check mode returns it. Writes then go in the plan's order, waiting where the next
step depends on the cluster (Terway restarted with trunk ENIs, PodNetworking Ready, pods Ready
with fixed IPs, Deployment Ready again on rollback). The Deployment is scaled to 0 only after
every StatefulSet pod is verified to hold a fixed IP.
"""

from __future__ import annotations

import time

from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_fixed_ip_plan as planning
from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_pod_ips as ips
from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_podnetworking as pn
from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_workload as wl
from ansible_collections.kubeguard.netsec.plugins.module_utils import kube_ownership as own
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_eni_conf import EniConfError
from ansible_collections.kubeguard.netsec.plugins.module_utils.input_error import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_fixed_ip import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import ENI_CONFIG
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import SYSTEM_NS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import nodes_with_trunk
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import run_preflight
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube_calls import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube_calls import KubeError


class RunError(Exception):
    """The run cannot go on (after reads or writes); the message says what happened and what to do."""


class Waiter:
    """Polls until a condition holds, up to the run's wait_timeout."""

    def __init__(self, spec, sleep=time.sleep, clock=time.monotonic):
        self.timeout, self.interval, self._sleep, self._clock = spec.wait_timeout, spec.wait_sleep, sleep, clock

    def until(self, probe, what):
        """Call ``probe()`` (returning ``(done, detail)``) until done; on timeout, RunError naming ``what``
        with the last detail. A probe may raise RunError itself to stop early (e.g. PodNetworking Fail)."""
        deadline = self._clock() + self.timeout
        while True:
            done, detail = probe()
            if done:
                return detail
            if self._clock() >= deadline:
                raise RunError("timed out after %ss waiting for %s%s" % (
                    self.timeout, what, ": %s" % detail if detail else ""))
            self._sleep(self.interval)


# ------------------------------------------------------------------------------------------ apply


class Runner:
    def __init__(self, kube, spec, waiter):
        self.kube, self.spec, self.waiter = kube, spec, waiter
        self.done = []
        self.warnings = []
        self.fixed = None  # the fixed_ips verified before the Deployment was scaled down

    def execute(self, plan):
        for step in plan.steps:
            if step.kind == "StatefulSet" and step.action == "create":
                self._wait_pod_networking()  # Terway selects at pod creation: the PodNetworking must be Ready
            if step.kind == "Deployment" and step.action == "patch" and self.spec.state != "deleted":
                self.wait_statefulset_pods()  # never scale the Deployment down before the fixed IPs are proven
                self.fixed = self.verified_pods()
            getattr(self, "_%s" % step.action)(step)
            self.done.append(step.as_dict())
            self._after(step)

    def _create(self, step):
        self.kube.create(step.kind, step.api_version, step.body, step.namespace)

    def _patch(self, step):
        self.kube.merge_patch(step.kind, step.api_version, step.name, step.body, step.namespace)

    def _delete(self, step):
        self.kube.delete(step.kind, step.api_version, step.name, step.namespace)

    def _restart(self, step):
        old = self.kube.list("Pod", "v1", SYSTEM_NS, label_selector=self.spec.terway_selector)
        for pod in old:
            self.kube.delete("Pod", "v1", pod["metadata"]["name"], SYSTEM_NS)
        self._wait_terway(set(p["metadata"]["uid"] for p in old), len(old))

    def _after(self, step):
        if step.kind == pn.KIND and step.action in ("create", "patch"):
            self._wait_pod_networking()
        elif step.kind == "Deployment" and self.spec.state == "deleted":
            self._wait_deployment(step.body["spec"]["replicas"])

    # waits

    def _wait_terway(self, old_uids, count):
        def probe():
            pods = self.kube.list("Pod", "v1", SYSTEM_NS, label_selector=self.spec.terway_selector)
            fresh = [p for p in pods if p["metadata"]["uid"] not in old_uids]
            running = [p for p in fresh if ips.is_running(p)]
            trunk = nodes_with_trunk(self.kube.list("Node", "v1"))
            ok = len(running) >= count and len(running) == len(fresh) and trunk
            return ok, "%d of %d Terway pods running again, %d node(s) with a trunk ENI" % (
                len(running), count, len(trunk))
        self.waiter.until(probe, "Terway to restart with trunk ENIs (nodes annotated k8s.aliyun.com/trunk-on; "
                                 "the instance types must support Trunk ENI)")
        nodes = self.kube.list("Node", "v1")
        missing = sorted(set(n["metadata"]["name"] for n in nodes) - set(nodes_with_trunk(nodes)))
        if missing:
            self.warnings.append("no trunk ENI on node(s) %s: fixed-IP pods cannot run there" % ", ".join(missing))

    def _wait_pod_networking(self):
        def probe():
            current = self.kube.get(pn.KIND, pn.API_VERSION, self.spec.pn_name) or {}
            status = current.get("status") or {}
            if status.get("status") == "Fail":
                raise RunError("PodNetworking %s failed: %s" % (self.spec.pn_name, status.get("message") or
                                                                "no message"))
            return status.get("status") == "Ready", "status %r" % status.get("status")
        self.waiter.until(probe, "PodNetworking %s to be Ready" % self.spec.pn_name)

    def statefulset_pods(self):
        pods = self.kube.list("Pod", "v1", self.spec.namespace)
        return [p for p in pods if ips.owned_by(p, "StatefulSet", self.spec.statefulset)
                and not p["metadata"].get("deletionTimestamp")]

    def wait_statefulset_pods(self):
        sts = self.kube.get("StatefulSet", "apps/v1", self.spec.statefulset, self.spec.namespace)
        wanted = ((sts or {}).get("spec") or {}).get("replicas", 1)

        def probe():
            pods = self.statefulset_pods()
            running = [p for p in pods if ips.is_ready(p)]
            unfixed = [p for p in running if not (p["metadata"].get("annotations") or {}).get(ips.ANN_POD_NETWORKING)]
            pending = ["%s (%s)" % (p["metadata"]["name"], ips.pending_reason(p)) for p in pods if not ips.is_ready(p)]
            return (len(running) >= wanted or bool(unfixed)), "%d of %d pods Ready%s" % (
                len(running), wanted, "; not ready: %s" % ", ".join(pending) if pending else "")
        self.waiter.until(probe, "the pods of StatefulSet %s/%s" % (self.spec.namespace, self.spec.statefulset))

    def verified_pods(self):
        fixed, errors = ips.verify(self.kube, self.spec.namespace, self.statefulset_pods(), self.spec.pn_name)
        if errors:
            raise RunError("; ".join(errors))
        return fixed

    def _wait_deployment(self, replicas):
        def probe():
            deployment = self.kube.get("Deployment", "apps/v1", self.spec.deployment, self.spec.namespace) or {}
            available = (deployment.get("status") or {}).get("availableReplicas") or 0
            return available >= replicas, "%d of %d replicas available" % (available, replicas)
        self.waiter.until(probe, "Deployment %s/%s to be available again (the StatefulSet is kept until it is)" % (
            self.spec.namespace, self.spec.deployment))


# ------------------------------------------------------------------------------------------ states


def _fixed_ips(runner, spec, verify_strictly):
    """fixed_ips of the run's pods (the StatefulSet's, or the namespace's pods using the PodNetworking)."""
    if spec.statefulset:
        if verify_strictly:
            runner.wait_statefulset_pods()
            return runner.verified_pods()
        fixed, errors = ips.verify(runner.kube, spec.namespace, runner.statefulset_pods(), spec.pn_name)
        runner.warnings.extend(errors)
        return fixed
    pods = [p for p in runner.kube.list("Pod", "v1", spec.namespace)
            if (p["metadata"].get("annotations") or {}).get(ips.ANN_POD_NETWORKING) == spec.pn_name]
    fixed, errors = ips.verify(runner.kube, spec.namespace, pods, spec.pn_name)
    runner.warnings.extend(errors)
    return fixed


def rendered(spec):
    """Offline: the requests a first run would send (eni-config's depends on its current text)."""
    body = {"apiVersion": pn.API_VERSION, "kind": pn.KIND,
            "metadata": {"name": spec.pn_name, "labels": {own.MANAGED_BY_LABEL: own.MANAGED_BY}},
            "spec": spec.pn_spec}
    requests = [{"method": "PATCH", "path": "/api/v1/namespaces/%s/configmaps/%s" % (SYSTEM_NS, ENI_CONFIG),
                 "content_type": "application/merge-patch+json",
                 "eni_conf_keys": spec.eni_conf_keys(),
                 "note": "data.eni_conf gets these keys by a minimal edit of its current text"}] \
        if spec.manage_eni_config else []
    requests.append({"method": "POST", "path": "/apis/%s/podnetworkings" % pn.API_VERSION,
                     "content_type": "application/json", "body": body})
    labels = spec.namespace_labels()
    if labels:
        requests.append({"method": "PATCH", "path": "/api/v1/namespaces/%s" % spec.namespace,
                         "content_type": "application/merge-patch+json",
                         "body": {"metadata": {"labels": labels, "annotations": {
                             own.ANN_MANAGED_LABELS: own.record_value(labels)}}}})
    return {"changed": False, "rendered": requests}


def gathered(kube, spec, pre, runner):
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is None:
        raise InputError("namespace", "namespace %s does not exist" % spec.namespace)
    conf = pre.eni_conf or {}
    found = {"namespace": spec.namespace, "namespace_labels": namespace["metadata"].get("labels") or {},
             "eni_config": {"enable_trunking": conf.get("enable_eni_trunking") is True,
                            "credential_path": conf.get("credential_path")}}
    if spec.pn_name:
        current = kube.get(pn.KIND, pn.API_VERSION, spec.pn_name)
        found["pod_networking"] = pn.to_option(current) if current else None
        found["pod_networking_status"] = (current or {}).get("status")
    if spec.deployment:
        deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace)
        found["convert_deployment"] = spec.deployment
        found["deployment"] = None if deployment is None else {
            "replicas": deployment["spec"].get("replicas"),
            "original_replicas": _safe_original(deployment)}
    if spec.statefulset:
        sts = kube.get("StatefulSet", "apps/v1", spec.statefulset, spec.namespace)
        found["statefulset_name"] = spec.statefulset
        found["statefulset"] = None if sts is None else {
            "replicas": sts["spec"].get("replicas"), "owned": own.is_owned(sts),
            "ready_replicas": (sts.get("status") or {}).get("readyReplicas", 0)}
    fixed = _fixed_ips(runner, spec, verify_strictly=False) if spec.pn_name else []
    for check in pre.failed:
        runner.warnings.append("preflight %s: %s" % (check.name, check.message))
    return {"changed": False, "gathered": found, "fixed_ips": fixed}


def _safe_original(deployment):
    try:
        return wl.original_replicas(deployment)
    except ValueError:
        return None


def _report(plan, result, diff):
    result["plan"] = [s.as_dict() for s in plan.steps]
    result["changed"] = bool(plan.steps)
    if diff:
        result["diff"] = {"before": plan.before, "after": plan.after}
    for key in ("dropped_fields", "kept"):
        if key in plan.facts:
            result[key] = plan.facts[key]


def _converge(kube, spec, pre, runner, result, check_mode, diff):
    """Plan, then (unless check mode) execute and verify; ``result`` is filled as the run goes, so a
    failure part-way still reports the plan and the writes already done."""
    failed = "; ".join("%s: %s" % (c.name, c.message) for c in pre.failed)
    if spec.state == "deleted":
        if failed:  # a rollback needs no Terway; say what is wrong and go on
            runner.warnings.append("preflight: " + failed)
        plan = planning.plan_deleted(kube, spec)
    elif failed:
        raise RunError("preflight failed, nothing was changed: " + failed)
    else:
        plan = planning.plan_merged(kube, spec, pre)
    runner.warnings.extend(plan.warnings)
    _report(plan, result, diff)
    if check_mode:
        return
    result["actions"] = runner.done
    runner.execute(plan)
    if spec.state != "deleted":
        result["fixed_ips"] = runner.fixed if runner.fixed is not None else _fixed_ips(
            runner, spec, verify_strictly=bool(spec.statefulset))


def run(module, kube_client_factory):
    """The whole run; returns (result, error message or None)."""
    params = module.params
    result = {"changed": False}
    runner = None
    try:
        spec = Spec.from_params(params)
        if spec.state == "rendered":
            return rendered(spec), None
        kube = Kube(kube_client_factory())
        runner = Runner(kube, spec, Waiter(spec))
        pre = run_preflight(kube, spec)
        result["preflight"] = pre.as_dict()
        if spec.state == "gathered":
            result.update(gathered(kube, spec, pre, runner))
        else:
            _converge(kube, spec, pre, runner, result, module.check_mode, module._diff)
        return _finish(result, runner), None
    except (InputError, RunError, KubeError, EniConfError, ValueError) as exc:
        if runner is not None:
            result["changed"] = bool(runner.done)
            result["actions"] = runner.done
        return _finish(result, runner), str(exc)


def _finish(result, runner):
    if runner is not None:
        result["api_calls"] = runner.kube.calls.as_dict()
        result["warnings_found"] = list(runner.warnings)
    return result
