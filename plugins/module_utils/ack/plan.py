# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's plans: what to write, in which order, decided from reads only.

Everything that could refuse the run (a Deployment a StatefulSet cannot carry, a name taken by an
object we do not own, a selector that cannot match, a spec Terway would deny) is found here,
before the first write. The runner executes the steps in order; check mode stops at the plan.

Order: what the cluster itself validates first - the PodNetworking, waited for until Ready (Terway's
control plane checks its vSwitches and security groups; it does not need trunk ENIs) - then the
disruptive writes, eni-config and the Terway restart, then the namespace labels, the headless Service,
the StatefulSet (pods Ready with fixed IPs), and only then (make-before-break) the Deployment scaled
to 0 and its HorizontalPodAutoscalers retargeted. The rollback runs the other way round: the
Deployment back to its replicas (Ready) before the StatefulSet goes.
"""

from __future__ import annotations

import copy
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.conversion import plan_workload
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import set_top_level_keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.labels import plan_namespace
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import ENI_CONFIG
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import SYSTEM_NS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import Preflight
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import PlanDraft
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import Step
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import masked_conf
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import apply_merge_patch
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import merge_patch_diff

# ------------------------------------------------------------------------------------------ merged


def plan_eni_config(plan: PlanDraft, spec: Spec, pre: Preflight) -> None:
    if not spec.manage_eni_config:
        return
    text = pre.eni_config["data"]["eni_conf"]
    new_text, changed = set_top_level_keys(text, spec.eni_conf_keys())
    trunk_nodes = pre.trunk_nodes()
    if changed:
        after = dict(pre.eni_conf, **spec.eni_conf_keys())
        plan.add(
            Step(
                "patch",
                "ConfigMap",
                ENI_CONFIG,
                SYSTEM_NS,
                f"set {', '.join(changed)} in eni_conf",
                body={"data": {"eni_conf": new_text}},
                shown={"eni_conf_keys": changed},
            ),
            {"eni_conf": masked_conf(pre.eni_conf)},
            {"eni_conf": masked_conf(after)},
        )
    if spec.restart_terway and (changed or not trunk_nodes):
        why = (
            "Terway reads eni-config when it starts"
            if changed
            else "eni_conf enables trunking but no node reports a trunk ENI (Terway was not restarted since)"
        )
        names = sorted(p["metadata"]["name"] for p in pre.terway_pods)
        plan.add(
            Step("restart", "Pod", spec.terway_selector, SYSTEM_NS, why, shown={"pods": names}),
            {"pods": names},
            {"pods": "recreated by the DaemonSet"},
        )
    elif not trunk_nodes:
        plan.warnings.append(
            "no node reports a trunk ENI (annotation k8s.aliyun.com/trunk-on) and "
            "eni_config.restart_terway is false: restart the Terway pods yourself"
        )


def _desired_pn(
    spec: Spec, current: Optional[Dict[str, Any]], conf: Optional[Dict[str, Any]]
) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(sent, stored): the spec to send and the spec the server will store.

    A create sends what the options give (the mutating webhook fills vSwitches and security groups from
    eni-config). ``merged`` replaces the given fields of an existing spec; ``replaced`` makes it equal to
    the options, with eni-config's vSwitches and security groups where the options give none.
    """
    wanted = copy.deepcopy(spec.pn_spec)
    if current is None:
        return wanted, podnetworking.complete(wanted, conf)
    if spec.state == "replaced":
        stored = podnetworking.complete(wanted, conf)
    else:
        stored = podnetworking.merged_spec(current.get("spec"), wanted)
    return stored, stored


def _read_pod_networkings(plan: PlanDraft, kube: Kube, spec: Spec) -> Optional[Dict[str, Any]]:
    """The run's PodNetworking (None when missing). With a StatefulSet the competition check needs them all:
    one list serves both (kept in the plan's facts)."""
    if not spec.statefulset:
        return kube.get(podnetworking.KIND, podnetworking.API_VERSION, spec.pn_name)
    listed = kube.list(podnetworking.KIND, podnetworking.API_VERSION)
    plan.facts["pod_networkings"] = listed
    return next((item for item in listed if item["metadata"]["name"] == spec.pn_name), None)


def plan_pod_networking(plan: PlanDraft, kube: Kube, spec: Spec, pre: Preflight) -> None:
    current = _read_pod_networkings(plan, kube, spec)
    if current is not None and spec.state == "replaced" and not ownership.is_owned(current):
        raise InputError(
            "pod_networking.name",
            f"PodNetworking {spec.pn_name} exists and was not created by this collection (no "
            f"{ownership.MANAGED_BY_LABEL}={ownership.MANAGED_BY} label); state replaced only rewrites what it owns - "
            "use state merged",
        )
    sent, stored = _desired_pn(spec, current, pre.eni_conf)
    podnetworking.check_spec(stored)  # the webhook's rules, also for an update it would not check
    warning = podnetworking.ttl_warning(stored)
    if warning:
        plan.warnings.append(warning)
    plan.facts["pod_networking_spec"] = stored
    if current is None:
        _plan_pn_create(plan, spec, sent, stored)
    else:
        _plan_pn_update(plan, spec, current, sent)


def _plan_pn_create(plan: PlanDraft, spec: Spec, sent: Dict[str, Any], stored: Dict[str, Any]) -> None:
    labels = {ownership.MANAGED_BY_LABEL: ownership.MANAGED_BY}
    body = {
        "apiVersion": podnetworking.API_VERSION,
        "kind": podnetworking.KIND,
        "metadata": {"name": spec.pn_name, "labels": labels},
        "spec": sent,
    }
    step = Step(
        "create",
        podnetworking.KIND,
        spec.pn_name,
        why="the network plane of the fixed IPs",
        body=body,
        api_version=podnetworking.API_VERSION,
    )
    plan.add(step, None, {"spec": stored})


def _plan_pn_update(plan: PlanDraft, spec: Spec, current: Dict[str, Any], sent: Dict[str, Any]) -> None:
    patch = merge_patch_diff(current.get("spec") or {}, sent)
    status = current.get("status") or {}
    if not patch and status.get("status") == "Fail":
        reason = status.get("message") or "no message"
        raise InputError(
            "pod_networking",
            f"PodNetworking {spec.pn_name} is in status Fail ({reason}) and the "
            "options would not change it; correct them (vswitch_ids, "
            "security_group_ids)",
        )
    if not patch:
        return
    step = Step(
        "patch",
        podnetworking.KIND,
        spec.pn_name,
        body={"spec": patch},
        api_version=podnetworking.API_VERSION,
        why="spec differs (the webhook does not validate updates; checked here)",
    )
    plan.add(step, {"spec": current.get("spec")}, {"spec": apply_merge_patch(current.get("spec") or {}, patch)})
    plan.warnings.append(
        f"PodNetworking {spec.pn_name} changed: pods that already use it keep their network until "
        "they are created again"
    )


def check_competition(plan: PlanDraft, spec: Spec) -> None:
    """Other Ready PodNetworkings selecting the same pods: a warning, or a refusal when one of them wins."""
    labels = plan.facts.get("pod_labels")
    if labels is None:
        return
    found = podnetworking.competing(plan.facts["pod_networkings"], spec.pn_name, labels, plan.facts["namespace_labels"])
    winners = [name for name, wins in found if wins]
    if winners:
        raise InputError(
            "pod_networking",
            f"PodNetworking {', '.join(winners)} (Ready, listed before {spec.pn_name}) "
            f"also selects the pods of {spec.statefulset}, and Terway takes the first "
            f"match: they would get its network, not {spec.pn_name}. Make the selectors "
            "disjoint first",
        )
    for name, _ours_wins in found:
        plan.warnings.append(
            f"PodNetworking {name} (Ready) also selects the pods of {spec.statefulset}; {spec.pn_name} sorts first "
            "and wins in the API server's list order, but Terway reads from its cache, whose order is not "
            "guaranteed: make the selectors disjoint"
        )


def plan_merged(kube: Kube, spec: Spec, pre: Preflight) -> Plan:
    """The writes of merged/replaced in their order: what the cluster validates first (the PodNetworking, waited
    for until Ready), then the disruptive ones (eni-config and the Terway restart), then the application's."""
    plan = PlanDraft()
    plan_pod_networking(plan, kube, spec, pre)
    plan_eni_config(plan, spec, pre)
    plan_namespace(plan, kube, spec)
    plan_workload(plan, kube, spec)
    check_competition(plan, spec)
    return plan.freeze()
