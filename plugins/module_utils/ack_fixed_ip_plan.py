# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's plans: what to write, in which order, decided from reads only.

Everything that could refuse the run (a Deployment a StatefulSet cannot carry, a name taken by an
object we do not own, a selector that cannot match, a spec Terway would deny) is found here,
before the first write. The runner executes the steps in order; check mode stops at the plan.

Order (make-before-break): eni-config and the Terway restart, the PodNetworking (Ready), the
namespace labels, the headless Service, the StatefulSet (pods Ready with fixed IPs), and only
then the Deployment scaled to 0. The rollback runs the other way round: the Deployment back to
its replicas (Ready) before the StatefulSet goes.
"""

from __future__ import annotations

import copy

from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_podnetworking as pn
from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_workload as wl
from ansible_collections.kubeguard.netsec.plugins.module_utils import kube_ownership as own
from ansible_collections.kubeguard.netsec.plugins.module_utils import kube_selectors as sel
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_eni_conf import set_top_level_keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.input_error import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_pod_ips import ANN_POD_NETWORKING
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import ENI_CONFIG
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack_preflight import SYSTEM_NS
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube_merge import apply_merge_patch
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube_merge import merge_patch_diff

SECRET_CONF_KEYS = ("access_key", "access_secret")
MASK = "********"


class Step:
    """One write: ``action`` (create / patch / delete / restart), its target, and the payload."""

    def __init__(self, action, kind, name, namespace=None, why="", body=None, api_version="v1", shown=None):
        self.action, self.kind, self.name, self.namespace = action, kind, name, namespace
        self.why, self.body, self.api_version = why, body, api_version
        self.shown = shown  # what the plan may show of the payload (None: the payload itself)

    @property
    def ref(self):
        return "%s %s" % (self.kind, "%s/%s" % (self.namespace, self.name) if self.namespace else self.name)

    def as_dict(self):
        shown = self.body if self.shown is None else self.shown
        entry = {"action": self.action, "kind": self.kind, "name": self.name, "why": self.why}
        if self.namespace:
            entry["namespace"] = self.namespace
        if shown:
            entry["payload"] = shown
        return entry


class Plan:
    """The ordered steps, the diff (read before, predicted after) and the warnings of a run."""

    def __init__(self):
        self.steps = []
        self.before = {}
        self.after = {}
        self.warnings = []
        self.facts = {}

    def add(self, step, before, after):
        self.steps.append(step)
        if step.ref not in self.before:
            self.before[step.ref] = before
        self.after[step.ref] = after

    def find(self, action, kind):
        return next((s for s in self.steps if s.action == action and s.kind == kind), None)


def masked_conf(conf):
    """eni_conf for display: credentials replaced by a mask (never shown, even in --diff)."""
    shown = copy.deepcopy(conf)
    for key in SECRET_CONF_KEYS:
        if shown.get(key):
            shown[key] = MASK
    return shown


# ------------------------------------------------------------------------------------------ merged


def plan_eni_config(plan, spec, pre):
    if not spec.manage_eni_config:
        return
    text = pre.eni_config["data"]["eni_conf"]
    new_text, changed = set_top_level_keys(text, spec.eni_conf_keys())
    trunk_nodes = pre.trunk_nodes()
    if changed:
        after = dict(pre.eni_conf, **spec.eni_conf_keys())
        plan.add(Step("patch", "ConfigMap", ENI_CONFIG, SYSTEM_NS, "set %s in eni_conf" % ", ".join(changed),
                      body={"data": {"eni_conf": new_text}}, shown={"eni_conf_keys": changed}),
                 {"eni_conf": masked_conf(pre.eni_conf)}, {"eni_conf": masked_conf(after)})
    if spec.restart_terway and (changed or not trunk_nodes):
        why = ("Terway reads eni-config when it starts" if changed else
               "eni_conf enables trunking but no node reports a trunk ENI (Terway was not restarted since)")
        names = sorted(p["metadata"]["name"] for p in pre.terway_pods)
        plan.add(Step("restart", "Pod", spec.terway_selector, SYSTEM_NS, why, shown={"pods": names}),
                 {"pods": names}, {"pods": "recreated by the DaemonSet"})
    elif not trunk_nodes:
        plan.warnings.append("no node reports a trunk ENI (annotation k8s.aliyun.com/trunk-on) and "
                             "eni_config.restart_terway is false: restart the Terway pods yourself")


def _desired_pn(spec, current, conf):
    """(sent, stored): the spec to send and the spec the server will store.

    A create sends what the options give (the mutating webhook fills vSwitches and security groups from
    eni-config). ``merged`` replaces the given fields of an existing spec; ``replaced`` makes it equal to
    the options, with eni-config's vSwitches and security groups where the options give none.
    """
    wanted = copy.deepcopy(spec.pn_spec)
    if current is None:
        return wanted, pn.complete(wanted, conf)
    if spec.state == "replaced":
        stored = pn.complete(wanted, conf)
    else:
        stored = pn.merged_spec(current.get("spec"), wanted)
    return stored, stored


def plan_pod_networking(plan, kube, spec, pre):
    current = kube.get(pn.KIND, pn.API_VERSION, spec.pn_name)
    if current is not None and spec.state == "replaced" and not own.is_owned(current):
        raise InputError("pod_networking.name", "PodNetworking %s exists and was not created by this collection "
                                                "(no %s=%s label); state replaced only rewrites what it owns - use "
                                                "state merged" % (spec.pn_name, own.MANAGED_BY_LABEL, own.MANAGED_BY))
    sent, stored = _desired_pn(spec, current, pre.eni_conf)
    pn.check_spec(stored)  # the webhook's rules, also for an update it would not check
    warning = pn.ttl_warning(stored)
    if warning:
        plan.warnings.append(warning)
    plan.facts["pod_networking_spec"] = stored
    if current is None:
        body = {"apiVersion": pn.API_VERSION, "kind": pn.KIND,
                "metadata": {"name": spec.pn_name, "labels": {own.MANAGED_BY_LABEL: own.MANAGED_BY}}, "spec": sent}
        plan.add(Step("create", pn.KIND, spec.pn_name, why="the network plane of the fixed IPs", body=body,
                      api_version=pn.API_VERSION), None, {"spec": stored})
        return
    patch = merge_patch_diff(current.get("spec") or {}, sent)
    status = current.get("status") or {}
    if not patch and status.get("status") == "Fail":
        raise InputError("pod_networking", "PodNetworking %s is in status Fail (%s) and the options would not "
                                           "change it; correct them (vswitch_ids, security_group_ids)" % (
                                               spec.pn_name, status.get("message") or "no message"))
    if patch:
        plan.add(Step("patch", pn.KIND, spec.pn_name, why="spec differs (the webhook does not validate updates; "
                                                          "checked here)", body={"spec": patch},
                      api_version=pn.API_VERSION),
                 {"spec": current.get("spec")}, {"spec": apply_merge_patch(current.get("spec") or {}, patch)})
        plan.warnings.append("PodNetworking %s changed: pods that already use it keep their network until they "
                             "are created again" % spec.pn_name)


def _labels_patch(obj, labels, record):
    """Merge patch adding ``labels`` to an object we do not own, recording the keys we set."""
    current = (obj["metadata"].get("labels") or {})
    missing = dict((k, v) for k, v in labels.items() if current.get(k) != v)
    if not missing:
        return None
    keys = set(own.recorded_keys(obj, record)) | (set(missing) - set(current))
    patch = {"metadata": {"labels": missing}}
    if keys != set(own.recorded_keys(obj, record)):
        patch["metadata"]["annotations"] = {record: own.record_value(keys)}
    return patch


def plan_namespace(plan, kube, spec):
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is None:
        raise InputError("namespace", "namespace %s does not exist" % spec.namespace)
    labels = namespace["metadata"].get("labels") or {}
    patch = _labels_patch(namespace, spec.namespace_labels(), own.ANN_MANAGED_LABELS)
    after = apply_merge_patch(namespace, patch) if patch else namespace
    if patch:
        plan.add(Step("patch", "Namespace", spec.namespace, why="so the PodNetworking's namespaceSelector matches",
                      body=patch), {"labels": labels}, {"labels": after["metadata"].get("labels") or {}})
    plan.facts["namespace_labels"] = after["metadata"].get("labels") or {}
    ns_selector = spec.pn_spec["selector"].get("namespaceSelector")
    if ns_selector is not None and not sel.matches(ns_selector, plan.facts["namespace_labels"]):
        raise InputError("pod_networking.namespace_selector", "does not select namespace %s (labels %s) and the "
                                                              "module only adds match_labels; label it yourself" % (
                                                                  spec.namespace, plan.facts["namespace_labels"]))


def plan_workload(plan, kube, spec):
    """The StatefulSet (converted or existing) whose pods get the fixed IPs; the Deployment scale-down."""
    if not spec.statefulset:
        return
    sts = kube.get("StatefulSet", "apps/v1", spec.statefulset, spec.namespace)
    deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace) if spec.deployment else None
    if spec.deployment and deployment is None:
        raise InputError("convert_deployment", "Deployment %s/%s does not exist" % (spec.namespace, spec.deployment))
    if sts is not None:
        if spec.deployment and not own.is_owned(sts):
            raise InputError("statefulset_name", "StatefulSet %s/%s exists and was not created by this collection; "
                                                 "choose another statefulset_name" % (spec.namespace, spec.statefulset))
        template = (sts.get("spec") or {}).get("template") or {}
        plan.facts["statefulset"] = sts
    elif not spec.deployment:
        raise InputError("statefulset_name", "StatefulSet %s/%s does not exist (give convert_deployment to create "
                                             "it from a Deployment)" % (spec.namespace, spec.statefulset))
    else:
        template = _plan_conversion(plan, kube, spec, deployment)
    _check_pods_selected(plan, spec, template)
    if deployment is not None:
        _plan_scale_down(plan, spec, deployment, sts)


def _original(spec, deployment):
    """The replica count recorded at conversion (None when not converted); a malformed one is refused."""
    try:
        return wl.original_replicas(deployment)
    except ValueError as exc:
        raise InputError("convert_deployment", "Deployment %s/%s: %s" % (spec.namespace, spec.deployment, exc)) from exc


def _plan_conversion(plan, kube, spec, deployment):
    blockers = wl.conversion_blockers(deployment)
    if blockers:
        raise InputError("convert_deployment", "Deployment %s/%s cannot become a StatefulSet with fixed IPs: %s" % (
            spec.namespace, spec.deployment, "; ".join(blockers)))
    replicas = spec.replicas or _original(spec, deployment) or (deployment.get("spec") or {}).get("replicas", 1)
    if not replicas:
        raise InputError("replicas", "Deployment %s/%s has 0 replicas and no recorded count; give replicas for the "
                                     "StatefulSet" % (spec.namespace, spec.deployment))
    manifest, dropped = wl.statefulset_from_deployment(deployment, spec.statefulset, spec.service_name,
                                                       replicas, spec.pod_management_policy)
    plan.facts["dropped_fields"] = dropped
    _plan_service(plan, kube, spec, manifest)
    plan.add(Step("create", "StatefulSet", spec.statefulset, spec.namespace, why="fixed IPs need fixed-name pods",
                  body=manifest, api_version="apps/v1"), None, manifest)
    return manifest["spec"]["template"]


def _plan_service(plan, kube, spec, statefulset):
    service = kube.get("Service", "v1", spec.service_name, spec.namespace)
    if service is None:
        body = wl.headless_service(statefulset, spec.service_name)
        plan.add(Step("create", "Service", spec.service_name, spec.namespace, why="the StatefulSet's serviceName",
                      body=body), None, body)
        return
    if (service.get("spec") or {}).get("clusterIP") != "None":
        raise InputError("service_name", "Service %s/%s exists and is not headless (clusterIP %s): a StatefulSet's "
                                         "serviceName must be a headless Service; choose another service_name" % (
                                             spec.namespace, spec.service_name, service["spec"].get("clusterIP")))


def _check_pods_selected(plan, spec, template):
    labels = (template.get("metadata") or {}).get("labels") or {}
    plan.facts["pod_labels"] = labels
    if not pn.matches(plan.facts["pod_networking_spec"], labels, plan.facts["namespace_labels"]):
        raise InputError("pod_networking.pod_selector", "PodNetworking %s would not select the pods of %s (labels "
                                                        "%s in namespace %s)" % (spec.pn_name, spec.statefulset,
                                                                                 labels, spec.namespace))


def _plan_scale_down(plan, spec, deployment, sts):
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    original = _original(spec, deployment)
    if replicas == 0 and original is not None:
        return  # already converted
    patch = wl.scale_down_patch(deployment, original if original is not None else replicas)
    before = {"replicas": replicas, "annotations": deployment["metadata"].get("annotations") or {}}
    after_obj = apply_merge_patch(deployment, patch)
    why = "scaled to 0 once the StatefulSet's pods have fixed IPs (kept for rollback)"
    plan.add(Step("patch", "Deployment", spec.deployment, spec.namespace, why=why, body=patch, api_version="apps/v1"),
             before, {"replicas": 0, "annotations": after_obj["metadata"].get("annotations") or {}})
    if sts is not None and not own.is_owned(sts):
        plan.warnings.append("StatefulSet %s was not created by this collection" % spec.statefulset)


def check_competition(plan, kube, spec):
    """Other Ready PodNetworkings selecting the same pods: a warning, or a refusal when one of them wins."""
    labels = plan.facts.get("pod_labels")
    if labels is None:
        return
    found = pn.competing(kube.list(pn.KIND, pn.API_VERSION), spec.pn_name, labels, plan.facts["namespace_labels"])
    winners = [name for name, wins in found if wins]
    if winners:
        raise InputError("pod_networking", "PodNetworking %s (Ready, listed before %s) also selects the pods of %s, "
                                           "and Terway takes the first match: they would get its network, not "
                                           "%s. Make the selectors disjoint first" % (
                                               ", ".join(winners), spec.pn_name, spec.statefulset, spec.pn_name))
    for name, _ours_wins in found:
        plan.warnings.append("PodNetworking %s (Ready) also selects the pods of %s; %s sorts first and wins in the "
                             "API server's list order, but Terway reads from its cache, whose order is not "
                             "guaranteed: make the selectors disjoint" % (name, spec.statefulset, spec.pn_name))


def plan_merged(kube, spec, pre):
    plan = Plan()
    plan_eni_config(plan, spec, pre)
    plan_pod_networking(plan, kube, spec, pre)
    plan_namespace(plan, kube, spec)
    plan_workload(plan, kube, spec)
    check_competition(plan, kube, spec)
    return plan


# ------------------------------------------------------------------------------------------ deleted


def plan_deleted(kube, spec):
    """The rollback: Deployment back, then our StatefulSet, Service, namespace labels and PodNetworking."""
    plan = Plan()
    if spec.deployment:
        deployment = kube.get("Deployment", "apps/v1", spec.deployment, spec.namespace)
        if deployment is not None:
            _plan_restore(plan, spec, deployment)
    if spec.statefulset:
        _plan_delete_owned(plan, kube, spec, "StatefulSet", spec.statefulset, "apps/v1")
        _plan_delete_owned(plan, kube, spec, "Service", spec.service_name, "v1")
    namespace = kube.get("Namespace", "v1", spec.namespace)
    if namespace is not None:
        _plan_unlabel(plan, spec, namespace)
    if spec.pn_name:
        _plan_delete_pn(plan, kube, spec)
    plan.facts["kept"] = ["eni-config: Trunk ENI cannot be turned off once enabled; it stays on"]
    return plan


def _plan_restore(plan, spec, deployment):
    original = _original(spec, deployment)
    replicas = (deployment.get("spec") or {}).get("replicas", 1)
    if original is None:
        if replicas == 0 and spec.replicas is None:
            raise InputError("replicas", "Deployment %s/%s has 0 replicas and no recorded count (%s); give replicas "
                                         "to restore it" % (spec.namespace, spec.deployment, wl.ANN_ORIGINAL_REPLICAS))
        if replicas == 0:
            patch = {"spec": {"replicas": spec.replicas}}
        else:
            return
    else:
        patch = wl.restore_patch(deployment)
    after = apply_merge_patch(deployment, patch)
    why = "restore the replicas recorded at conversion"
    plan.add(Step("patch", "Deployment", spec.deployment, spec.namespace, why=why, body=patch, api_version="apps/v1"),
             {"replicas": replicas, "annotations": deployment["metadata"].get("annotations") or {}},
             {"replicas": after["spec"]["replicas"], "annotations": after["metadata"].get("annotations") or {}})


def _plan_delete_owned(plan, kube, spec, kind, name, api_version):
    obj = kube.get(kind, api_version, name, spec.namespace)
    if obj is None:
        return
    if not own.is_owned(obj):
        plan.warnings.append("%s %s/%s was not created by this collection: kept" % (kind, spec.namespace, name))
        return
    plan.add(Step("delete", kind, name, spec.namespace, why="created by the conversion", api_version=api_version),
             {"exists": True}, None)


def _plan_unlabel(plan, spec, namespace):
    keys = own.recorded_keys(namespace, own.ANN_MANAGED_LABELS)
    if not keys:
        return
    labels = namespace["metadata"].get("labels") or {}
    patch = {"metadata": {"labels": dict((k, None) for k in keys if k in labels),
                          "annotations": {own.ANN_MANAGED_LABELS: None}}}
    after = apply_merge_patch(namespace, patch)
    plan.add(Step("patch", "Namespace", spec.namespace, why="remove the labels this collection added", body=patch),
             {"labels": labels}, {"labels": after["metadata"].get("labels") or {}})


def _plan_delete_pn(plan, kube, spec):
    current = kube.get(pn.KIND, pn.API_VERSION, spec.pn_name)
    if current is None:
        return
    if not own.is_owned(current):
        plan.warnings.append("PodNetworking %s was not created by this collection: kept" % spec.pn_name)
        return
    leaving = spec.statefulset if plan.find("delete", "StatefulSet") else None
    users = []
    for pod in kube.list("Pod", "v1"):
        meta = pod["metadata"]
        if (meta.get("annotations") or {}).get(ANN_POD_NETWORKING) != spec.pn_name:
            continue
        if leaving and meta.get("namespace") == spec.namespace and any(
                r.get("kind") == "StatefulSet" and r.get("name") == leaving for r in meta.get("ownerReferences") or []):
            continue
        users.append("%s/%s" % (meta["namespace"], meta["name"]))
    if users:
        plan.warnings.append("PodNetworking %s kept: still used by %s" % (spec.pn_name, ", ".join(sorted(users))))
        return
    plan.add(Step("delete", pn.KIND, spec.pn_name, why="no pod uses it any more", api_version=pn.API_VERSION),
             {"spec": current.get("spec")}, None)
