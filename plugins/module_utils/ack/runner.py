# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Executing ack_fixed_pod_ip's plan: the writes in order, waiting where the next step depends on the cluster.

Terway restarted with trunk ENIs, the PodNetworking Ready before the StatefulSet is created, the
StatefulSet's pods Ready and verified to hold fixed IPs before the Deployment is scaled to 0, and on
rollback the Deployment available again before the StatefulSet goes. Every wait is bounded.
"""

from __future__ import annotations

from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import pod_ips
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import SYSTEM_NS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import nodes_with_trunk
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.waiting import Waiter
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube


class Runner:
    """Runs the steps; ``done`` and ``warnings`` are the run's result lists, filled as it goes."""

    def __init__(self, kube: Kube, spec: Spec, waiter: Waiter, done: List[dict], warnings: List[str]) -> None:
        self.kube = kube
        self.spec = spec
        self.waiter = waiter
        self.done = done
        self.warnings = warnings
        self.fixed: Optional[List[dict]] = None  # the fixed_ips verified before the Deployment was scaled down

    def execute(self, plan: Plan) -> None:
        for step in plan.steps:
            if step.kind == "StatefulSet" and step.action == "create":
                self._wait_pod_networking()  # Terway selects at pod creation: the PodNetworking must be Ready
            if step.kind == "Deployment" and step.action == "patch" and self.spec.state != "deleted":
                # never scale the Deployment down before the fixed IPs are proven
                self.verified_pods(self.wait_statefulset_pods())
            getattr(self, f"_{step.action}")(step)
            self.done.append(step.as_dict())
            self._after(step)

    def _create(self, step: Step) -> None:
        self.kube.create(step.kind, step.api_version, step.body, step.namespace)

    def _patch(self, step: Step) -> None:
        self.kube.merge_patch(step.kind, step.api_version, step.name, step.body, step.namespace)

    def _delete(self, step: Step) -> None:
        self.kube.delete(step.kind, step.api_version, step.name, step.namespace)

    def _restart(self, _step: Step) -> None:
        """Delete the Terway pods (found again now) and wait for their DaemonSet to bring them back."""
        old = self.kube.list("Pod", "v1", SYSTEM_NS, label_selector=self.spec.terway_selector)
        for pod in old:
            self.kube.delete("Pod", "v1", pod["metadata"]["name"], SYSTEM_NS)
        self._wait_terway({pod["metadata"]["uid"] for pod in old}, len(old))

    def _after(self, step: Step) -> None:
        if step.kind == podnetworking.KIND and step.action in ("create", "patch"):
            self._wait_pod_networking()
        elif step.kind == "Deployment" and self.spec.state == "deleted":
            self._wait_deployment(step.body["spec"]["replicas"])

    # waits

    def _wait_terway(self, old_uids: set, count: int) -> None:
        nodes: List[dict] = []  # as the last probe listed them

        def probe() -> Tuple[bool, str]:
            pods = self.kube.list("Pod", "v1", SYSTEM_NS, label_selector=self.spec.terway_selector)
            fresh = [pod for pod in pods if pod["metadata"]["uid"] not in old_uids]
            running = [pod for pod in fresh if pod_ips.is_running(pod)]
            nodes[:] = self.kube.list("Node", "v1")
            trunk = nodes_with_trunk(nodes)
            done = len(running) >= count and len(running) == len(fresh) and bool(trunk)
            return done, f"{len(running)} of {count} Terway pods running again, {len(trunk)} node(s) with a trunk ENI"

        self.waiter.until(
            probe,
            "Terway to restart with trunk ENIs (nodes annotated k8s.aliyun.com/trunk-on; "
            "the instance types must support Trunk ENI)",
        )
        missing = sorted({node["metadata"]["name"] for node in nodes} - set(nodes_with_trunk(nodes)))
        if missing:
            self.warnings.append(f"no trunk ENI on node(s) {', '.join(missing)}: fixed-IP pods cannot run there")

    def _wait_pod_networking(self) -> None:
        name = self.spec.pn_name

        def probe() -> Tuple[bool, str]:
            current = self.kube.get(podnetworking.KIND, podnetworking.API_VERSION, name) or {}
            status = current.get("status") or {}
            if status.get("status") == "Fail":
                raise OperationError(f"PodNetworking {name} failed: {status.get('message') or 'no message'}")
            return status.get("status") == "Ready", f"status {status.get('status')!r}"

        self.waiter.until(probe, f"PodNetworking {name} to be Ready")

    def statefulset_pods(self) -> List[dict]:
        pods = self.kube.list("Pod", "v1", self.spec.namespace)
        return [
            pod
            for pod in pods
            if pod_ips.owned_by(pod, "StatefulSet", self.spec.statefulset)
            and not pod["metadata"].get("deletionTimestamp")
        ]

    def wait_statefulset_pods(self, replicas: Optional[int] = None) -> List[dict]:
        """Wait until the StatefulSet's pods are Ready (or one runs without a fixed IP); returns the pods the
        last probe listed. ``replicas``: the StatefulSet's, when the caller knows it already."""
        if replicas is None:
            sts = self.kube.get("StatefulSet", "apps/v1", self.spec.statefulset, self.spec.namespace)
            replicas = ((sts or {}).get("spec") or {}).get("replicas", 1)
        seen: List[dict] = []

        def probe() -> Tuple[bool, str]:
            seen[:] = self.statefulset_pods()
            ready = [pod for pod in seen if pod_ips.is_ready(pod)]
            unfixed = [
                pod for pod in ready if not (pod["metadata"].get("annotations") or {}).get(pod_ips.ANN_POD_NETWORKING)
            ]
            pending = [
                f"{pod['metadata']['name']} ({pod_ips.pending_reason(pod)})"
                for pod in seen
                if not pod_ips.is_ready(pod)
            ]
            shown = f"; not ready: {', '.join(pending)}" if pending else ""
            extra = len(seen) - replicas  # pods a scale-down has not removed yet
            shown += f"; {extra} more to be removed" if extra > 0 else ""
            done = len(ready) >= replicas and extra <= 0
            return done or bool(unfixed), f"{len(ready)} of {replicas} pods Ready{shown}"

        self.waiter.until(probe, f"the pods of StatefulSet {self.spec.namespace}/{self.spec.statefulset}")
        return list(seen)

    def verified_pods(self, pods: Optional[List[dict]] = None) -> List[dict]:
        """The fixed IPs of the pods (listed again unless given); ``fixed`` keeps those that verified, also when
        others did not and the run stops."""
        listed = self.statefulset_pods() if pods is None else pods
        self.fixed, errors = pod_ips.verify(self.kube, self.spec.namespace, listed, self.spec.pn_name)
        if errors:
            raise OperationError("; ".join(errors))
        return self.fixed

    def _wait_deployment(self, replicas: int) -> None:
        def probe() -> Tuple[bool, str]:
            deployment = self.kube.get("Deployment", "apps/v1", self.spec.deployment, self.spec.namespace) or {}
            available = (deployment.get("status") or {}).get("availableReplicas") or 0
            return available >= replicas, f"{available} of {replicas} replicas available"

        self.waiter.until(
            probe,
            f"Deployment {self.spec.namespace}/{self.spec.deployment} to be available again "
            "(the StatefulSet is kept until it is)",
        )
