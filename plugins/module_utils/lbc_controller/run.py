# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_lbc_controller: validate, find the controller's Deployment, plan the args, patch, wait.

The write is one JSON patch whose first operation ``test``s the args (and the ownership record) as read, so
an edit made by someone else in between fails the patch (the API server's 422) instead of being overwritten:
the run then reads again and plans once more; a second collision fails the run with nothing written.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.waiting import Waiter
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags as lbc_flags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller import helm
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import MANAGED_ANNOTATION
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import FlagPlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import managed_of
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.spec import build

KIND, API_VERSION = "Deployment", "apps/v1"
POLL_SECONDS = 2.0


def find_deployment(kube: Kube, spec: Spec) -> Dict[str, Any]:
    if spec.name:
        found = kube.get(KIND, API_VERSION, spec.name, spec.namespace or "kube-system")
        if found is None:
            raise InputError(
                "name", f"no Deployment {spec.namespace or 'kube-system'}/{spec.name} ({kube.backend.where})"
            )
        return found
    listed = kube.list(KIND, API_VERSION, spec.namespace, label_selector=lbc_flags.LABEL_SELECTOR)
    where = f"namespace {spec.namespace}" if spec.namespace else "any namespace"
    return dict(lbc_flags.choose_deployment(listed, f"{where} ({kube.backend.where})"))


def _args(deployment: Mapping[str, Any]) -> List[str]:
    return [str(a) for a in lbc_flags.container(deployment)[1].get("args") or []]


def patch_operations(deployment: Mapping[str, Any], flag_plan: FlagPlan) -> List[dict]:
    """``test`` what was read, then write the args and the ownership record."""
    index = lbc_flags.container(deployment)[0]
    args_path = f"/spec/template/spec/containers/{index}/args"
    annotations = (deployment.get("metadata") or {}).get("annotations")
    record_path = "/metadata/annotations/" + MANAGED_ANNOTATION.replace("~", "~0").replace("/", "~1")
    current_args = lbc_flags.container(deployment)[1].get("args")
    operations: List[dict] = [{"op": "test", "path": args_path, "value": current_args}]
    if annotations is not None:
        operations.append({"op": "test", "path": record_path, "value": annotations.get(MANAGED_ANNOTATION)})
    if flag_plan.args_after != flag_plan.args_before:
        operations.append({"op": "add", "path": args_path, "value": list(flag_plan.args_after)})
    record = json.dumps(dict(flag_plan.managed_after), sort_keys=True) if flag_plan.managed_after else None
    if annotations is None and record is not None:
        operations.append({"op": "add", "path": "/metadata/annotations", "value": {MANAGED_ANNOTATION: record}})
    elif record is not None:
        operations.append({"op": "add", "path": record_path, "value": record})
    elif annotations is not None and MANAGED_ANNOTATION in annotations:
        operations.append({"op": "remove", "path": record_path})
    return operations


def _plan(deployment: Mapping[str, Any], spec: Spec) -> FlagPlan:
    return plan(_args(deployment), managed_of(deployment), spec.wanted, spec.state, spec.force)


def _write(kube: Kube, deployment: Dict[str, Any], spec: Spec, run: ModuleRun) -> tuple:
    """Patch; on a concurrent edit read again and plan once more. Returns (deployment read, plan, answer)."""
    for attempt in (1, 2):
        run.result["replanned"] = attempt == 2
        flag_plan = _plan(deployment, spec)
        if not flag_plan.changed:
            return deployment, flag_plan, deployment
        meta = deployment["metadata"]
        try:
            answer = kube.json_patch(
                KIND, API_VERSION, meta["name"], patch_operations(deployment, flag_plan), meta["namespace"]
            )
            return deployment, flag_plan, answer
        except ApiError as exc:
            if exc.status != 422 or attempt == 2:
                raise _collision(exc, meta) if exc.status == 422 else exc
        deployment = kube.get(KIND, API_VERSION, meta["name"], meta["namespace"]) or deployment
    raise OperationError("unreachable")  # pragma: no cover - the loop returns or raises


def _collision(exc: ApiError, meta: Mapping[str, Any]) -> OperationError:
    return OperationError(
        f"Deployment {meta['namespace']}/{meta['name']} changed between read and write twice in a row (the "
        f"patch's test of its args failed: {exc}); nothing was written. Run the task again when the other "
        "writer is done"
    )


def _rollout(kube: Kube, deployment: Mapping[str, Any], spec: Spec) -> Dict[str, Any]:
    meta = deployment["metadata"]
    generation = meta.get("generation") or 0

    def probe() -> tuple:
        current = kube.get(KIND, API_VERSION, meta["name"], meta["namespace"]) or {}
        wanted = (current.get("spec") or {}).get("replicas", 1)
        status = current.get("status") or {}
        seen = {k: status.get(k, 0) for k in ("updatedReplicas", "readyReplicas", "availableReplicas")}
        done = (
            status.get("observedGeneration", 0) >= generation
            and all(v >= wanted for v in seen.values())
            and (status.get("replicas", 0) == wanted)
        )
        return done, dict(seen, replicas=status.get("replicas", 0), wanted=wanted)

    detail = Waiter(spec.wait_timeout, POLL_SECONDS).until(probe, f"the rollout of {meta['namespace']}/{meta['name']}")
    return dict(detail, complete=True)


def _report(run: ModuleRun, read: Mapping[str, Any], flag_plan: FlagPlan) -> None:
    meta = read["metadata"]
    before, after = list(flag_plan.args_before), list(flag_plan.args_after)
    run.result.update(
        deployment=f"{meta['namespace']}/{meta['name']}",
        args_before=before,
        args_after=after,
        flags=lbc_flags.values(after),
        changes=list(flag_plan.changes),
        satisfied=list(flag_plan.satisfied),
        left_alone=list(flag_plan.left_alone),
        managed=dict(flag_plan.managed_after),
        restarts_pods=flag_plan.restarts_pods,
        changed=flag_plan.changed,
    )
    if run.diff:
        run.result["diff"] = {
            "before": {"args": before, "managed": dict(flag_plan.managed_before)},
            "after": {"args": after, "managed": dict(flag_plan.managed_after)},
        }


def _gathered(deployment: Mapping[str, Any]) -> Dict[str, Any]:
    args = _args(deployment)
    meta = deployment["metadata"]
    return {
        "deployment": f"{meta['namespace']}/{meta['name']}",
        "args": args,
        "flags": lbc_flags.values(args),
        "managed": managed_of(deployment),
    }


def execute(run: ModuleRun) -> None:
    spec = build(run.params)
    run.result.update(changed=False)
    if spec.state == "rendered":
        run.result["rendered"] = helm.rendered(spec)
        return
    kube = Kube(run.attach(KubeBackend(connection_options(run.params))))
    deployment = find_deployment(kube, spec)
    if spec.state == "gathered":
        run.result["gathered"] = _gathered(deployment)
        helm.report_drift(run, spec, _args(deployment))
        return
    if not spec.update_deployment:
        helm.apply(run, spec, _args(deployment), None)
        return
    if run.check_mode:
        read, flag_plan, answer = deployment, _plan(deployment, spec), deployment
    else:
        read, flag_plan, answer = _write(kube, deployment, spec, run)
    _report(run, read, flag_plan)
    if spec.wait and flag_plan.restarts_pods and not run.check_mode:
        run.result["rollout"] = _rollout(kube, answer, spec)
    helm.apply(run, spec, list(flag_plan.args_after), flag_plan)
