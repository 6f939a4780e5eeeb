# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converting an ACK Deployment into a StatefulSet so that Terway gives its pods fixed IPs.

A PodNetworking with ``allocationType.type: Fixed`` only keeps the address of "fixed-name" pods,
that is pods owned by a StatefulSet. ``ack_fixed_pod_ip`` therefore builds a StatefulSet (and the
headless Service its ``serviceName`` needs) from the Deployment's pod template, then scales the
Deployment to zero, remembering its replica count in an annotation so that a rollback can restore it.

Everything here is a pure function over manifests (dicts): no API calls, inputs are never mutated.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import ANN_MANAGED_ANNOTATIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import MANAGED_BY
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import MANAGED_BY_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import record_value
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import recorded_keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.selectors import matches

ANN_ORIGINAL_REPLICAS = "netsec.kubeguard.io/original-replicas"
ANN_CONVERTED_FROM = "netsec.kubeguard.io/converted-from"
ANN_POD_NETWORKS = "k8s.aliyun.com/pod-networks"
ANN_POD_NETWORKS_REQUEST = "k8s.aliyun.com/pod-networks-request"
LABEL_IGNORE_BY_TERWAY = "k8s.aliyun.com/ignore-by-terway"

LABEL_POD_TEMPLATE_HASH = "pod-template-hash"
LABEL_STS_POD_NAME = "statefulset.kubernetes.io/pod-name"
LABEL_CONTROLLER_REVISION_HASH = "controller-revision-hash"

POD_MANAGEMENT_POLICIES = ("Parallel", "OrderedReady")

# Deployment spec fields a StatefulSet has no equivalent for (spec.paused only when true blocks).
_DEPLOYMENT_ONLY = ("strategy", "progressDeadlineSeconds", "paused")
# Deployment spec fields that are carried over unchanged, or replaced by an argument (replicas).
_CARRIED = ("selector", "template", "minReadySeconds", "revisionHistoryLimit", "replicas")
# Annotations that describe the Deployment itself (rollout revision, last kubectl apply, our own marks):
# copying them would make the StatefulSet lie about its own history.
_SKIPPED_ANNOTATION_PREFIXES = ("deployment.kubernetes.io/", "netsec.kubeguard.io/")
_SKIPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
_DIGITS = re.compile(r"^[0-9]+$")
# What GitOps tools track their objects by (Argo CD's tracking label and annotations, Flux's labels, Helm's
# ownership annotations). On the new StatefulSet they would make it the tool's own: a prune would delete it,
# a sync would scale the Deployment back up.
GITOPS_LABELS = (
    "app.kubernetes.io/instance",
    "argocd.argoproj.io/instance",
    "kustomize.toolkit.fluxcd.io/name",
    "kustomize.toolkit.fluxcd.io/namespace",
    "helm.toolkit.fluxcd.io/name",
    "helm.toolkit.fluxcd.io/namespace",
)
GITOPS_ANNOTATION_PREFIXES = (
    "argocd.argoproj.io/",
    "meta.helm.sh/",
    "kustomize.toolkit.fluxcd.io/",
    "helm.toolkit.fluxcd.io/",
)


def _mapping(value: Any) -> Dict[str, Any]:
    """``value`` when it is a dict, else an empty dict: absent and null fields read the same."""
    return value if isinstance(value, dict) else {}


def _metadata(obj: Any) -> Dict[str, Any]:
    return _mapping(_mapping(obj).get("metadata"))


def _spec(obj: Any) -> Dict[str, Any]:
    return _mapping(_mapping(obj).get("spec"))


def _template_labels(deployment: Dict[str, Any]) -> Dict[str, Any]:
    return _mapping(_metadata(_spec(deployment).get("template")).get("labels"))


def _pod_spec(deployment: Dict[str, Any]) -> Dict[str, Any]:
    return _spec(_spec(deployment).get("template"))


# --- conversion blockers -----------------------------------------------------------------------


def _rollout_blockers(deployment: Dict[str, Any]) -> List[str]:
    if _spec(deployment).get("paused") is True:
        return ["spec.paused: the rollout is paused, so the pod template may not be what runs; resume it first"]
    return []


def _pod_spec_blockers(deployment: Dict[str, Any]) -> List[str]:
    """Pod spec settings that a StatefulSet overrides, or that keep the pod off a Terway ENI address."""
    pod_spec, blockers = _pod_spec(deployment), []
    if pod_spec.get("hostNetwork") is True:
        blockers.append("spec.template.spec.hostNetwork: host-network pods never get a Terway ENI address")
    for field in ("hostname", "subdomain"):
        if pod_spec.get(field):
            blockers.append(
                f"spec.template.spec.{field}: the StatefulSet sets each pod's hostname to the pod name and its "
                "subdomain to serviceName; remove it first"
            )
    containers = pod_spec.get("containers")
    if not isinstance(containers, list) or not containers:
        blockers.append("spec.template.spec.containers: the pod template has no containers")
    restart_policy = pod_spec.get("restartPolicy")
    if restart_policy not in (None, "Always"):
        blockers.append(f"spec.template.spec.restartPolicy: {restart_policy!r}; a StatefulSet only accepts Always")
    return blockers


def _terway_blockers(deployment: Dict[str, Any]) -> List[str]:
    """Template marks that make Terway skip the pod or bypass the PodNetworking (so no fixed IP)."""
    blockers = []
    ignore = _template_labels(deployment).get(LABEL_IGNORE_BY_TERWAY)
    if ignore is True or str(ignore).lower() == "true":
        blockers.append(
            f"spec.template.metadata.labels.{LABEL_IGNORE_BY_TERWAY}: Terway ignores these pods, so they get no ENI "
            "address"
        )
    annotations = _mapping(_metadata(_spec(deployment).get("template")).get("annotations"))
    for key in (ANN_POD_NETWORKS, ANN_POD_NETWORKS_REQUEST):
        if key in annotations:
            blockers.append(
                f"spec.template.metadata.annotations.{key}: explicit pod networks bypass the PodNetworking "
                "and its fixed IP allocation; remove the annotation first"
            )
    return blockers


def _label_blockers(deployment: Dict[str, Any]) -> List[str]:
    """Template labels the StatefulSet controller sets itself on every pod."""
    labels = _template_labels(deployment)
    return [
        f"spec.template.metadata.labels.{key}: the StatefulSet controller owns this label; remove it first"
        for key in (LABEL_STS_POD_NAME, LABEL_CONTROLLER_REVISION_HASH)
        if key in labels
    ]


def _selector_blockers(deployment: Dict[str, Any]) -> List[str]:
    """The selector must select the template (without pod-template-hash) and give the Service equality labels."""
    selector = _spec(deployment).get("selector")
    if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return ["spec.selector: missing or empty; a StatefulSet and its headless Service need a selector"]
    blockers = []
    if not selector.get("matchLabels"):
        blockers.append(
            "spec.selector: matchExpressions without matchLabels; the headless Service selector needs equality labels"
        )
    labels = dict(_template_labels(deployment))
    labels.pop(LABEL_POD_TEMPLATE_HASH, None)
    try:
        selected = matches(selector, labels)
    except ValueError as error:
        return blockers + [f"spec.selector: {error}"]
    if not selected:
        blockers.append(
            f"spec.selector: does not select spec.template.metadata.labels (without {LABEL_POD_TEMPLATE_HASH}); the "
            "API server would refuse the StatefulSet"
        )
    return blockers


def conversion_blockers(deployment: Dict[str, Any]) -> List[str]:
    """Why ``deployment`` cannot become a fixed-IP StatefulSet: one message per problem, each starting with
    its field path. An empty list means it is convertible."""
    kind = _mapping(deployment).get("kind")
    blockers = [f"kind: {kind!r} is not a Deployment"] if kind not in (None, "Deployment") else []
    return (
        blockers
        + _rollout_blockers(deployment)
        + _pod_spec_blockers(deployment)
        + _terway_blockers(deployment)
        + _selector_blockers(deployment)
        + _label_blockers(deployment)
    )


# --- the StatefulSet ---------------------------------------------------------------------------


def _kept_annotations(deployment: Dict[str, Any]) -> Dict[str, Any]:
    """The Deployment's own annotations worth carrying, plus where the StatefulSet came from."""
    annotations = {}
    for key, value in _mapping(_metadata(deployment).get("annotations")).items():
        if key in _SKIPPED_ANNOTATIONS or key.startswith(_SKIPPED_ANNOTATION_PREFIXES):
            continue
        annotations[key] = copy.deepcopy(value)
    annotations[ANN_CONVERTED_FROM] = f"Deployment/{_metadata(deployment).get('name')}"
    return annotations


def _dropped_fields(deployment: Dict[str, Any]) -> List[str]:
    """Sorted paths of Deployment fields that are present but have no place in the StatefulSet."""
    spec = _spec(deployment)
    dropped = [f"spec.{key}" for key in spec if key not in _CARRIED]
    if LABEL_POD_TEMPLATE_HASH in _template_labels(deployment):
        dropped.append(f"spec.template.metadata.labels.{LABEL_POD_TEMPLATE_HASH}")
    return sorted(dropped)


def _template(deployment: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """A deep copy of the pod template, without the label only the Deployment controller uses."""
    template = copy.deepcopy(_spec(deployment).get("template"))
    labels = _metadata(template).get("labels")
    if isinstance(labels, dict):
        labels.pop(LABEL_POD_TEMPLATE_HASH, None)
    return template


def _check_arguments(name: Any, service_name: Any, replicas: Any, pod_management_policy: Any) -> None:
    for label, value in (("name", name), ("service_name", service_name)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{label} must be a non-empty string, got {value!r}")
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise ValueError(f"replicas must be a non-negative integer, got {replicas!r}")
    if pod_management_policy not in POD_MANAGEMENT_POLICIES:
        raise ValueError(
            f"pod_management_policy must be one of {', '.join(POD_MANAGEMENT_POLICIES)}, got {pod_management_policy!r}"
        )


def statefulset_from_deployment(
    deployment: Dict[str, Any], name: str, service_name: str, replicas: int, pod_management_policy: str = "Parallel"
) -> Tuple[Dict[str, Any], List[str]]:
    """Return ``(manifest, dropped)``: the StatefulSet built from the Deployment's pod template, and the sorted
    paths of Deployment-only fields that were present and not carried over.

    Server-set metadata (uid, resourceVersion, status ...) is never copied: the StatefulSet is a new object.
    Raises ValueError, naming every blocker, when the Deployment cannot be converted.
    """
    blockers = conversion_blockers(deployment)
    if blockers:
        raise ValueError("; ".join(blockers))
    _check_arguments(name, service_name, replicas, pod_management_policy)
    source_meta, source_spec = _metadata(deployment), _spec(deployment)
    metadata: Dict[str, Any] = {"name": name}
    if source_meta.get("namespace"):
        metadata["namespace"] = source_meta["namespace"]
    metadata["labels"] = copy.deepcopy(_mapping(source_meta.get("labels")))
    metadata["labels"][MANAGED_BY_LABEL] = MANAGED_BY
    metadata["annotations"] = _kept_annotations(deployment)
    spec = {
        "serviceName": service_name,
        "replicas": replicas,
        "podManagementPolicy": pod_management_policy,
        "updateStrategy": {"type": "RollingUpdate"},
        "selector": copy.deepcopy(source_spec["selector"]),
        "template": _template(deployment),
    }
    for key in ("minReadySeconds", "revisionHistoryLimit"):
        if key in source_spec:
            spec[key] = copy.deepcopy(source_spec[key])
    manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata, "spec": spec}
    return manifest, _dropped_fields(deployment)


def strip_gitops_metadata(manifest: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """The StatefulSet without the labels and annotations GitOps tools track objects by, and the sorted
    ``metadata.labels.<key>`` / ``metadata.annotations.<key>`` paths left out. The pod template is kept as is."""
    stripped = copy.deepcopy(manifest)
    metadata = _metadata(stripped)
    left_out = [f"metadata.labels.{key}" for key in _mapping(metadata.get("labels")) if key in GITOPS_LABELS]
    left_out += [
        f"metadata.annotations.{key}"
        for key in _mapping(metadata.get("annotations"))
        if key.startswith(GITOPS_ANNOTATION_PREFIXES)
    ]
    for path in left_out:
        field_name, key = path.split(".", 2)[1:]
        metadata[field_name].pop(key)
    return stripped, sorted(left_out)


# --- the headless Service ----------------------------------------------------------------------


def _service_ports(statefulset: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One Service port per distinct (containerPort, protocol) of the pod's containers, first one wins.

    The Service only exists to give the pods DNS names, but the API server still refuses a multi-port
    Service with unnamed or repeated port names, so those get a ``<protocol>-<port>`` name.
    """
    ports, seen = [], set()
    for container in _pod_spec(statefulset).get("containers") or []:
        for container_port in _mapping(container).get("ports") or []:
            number, protocol = container_port.get("containerPort"), container_port.get("protocol") or "TCP"
            if number is None or (number, protocol) in seen:
                continue
            seen.add((number, protocol))
            port = {"port": number, "targetPort": number, "protocol": protocol}
            if container_port.get("name"):
                port["name"] = container_port["name"]
            ports.append(port)
    if len(ports) > 1:
        names = set()
        for port in ports:
            if not port.get("name") or port["name"] in names:
                port["name"] = f"{port['protocol'].lower()}-{port['port']}"
            names.add(port["name"])
    return [dict(sorted(port.items())) for port in ports]


def headless_service(statefulset: Dict[str, Any], name: str) -> Dict[str, Any]:
    """The headless Service (clusterIP None) that the StatefulSet's serviceName refers to.

    It selects the pods with the StatefulSet's matchLabels; an empty selector would select every pod of
    the namespace, so a StatefulSet without matchLabels raises ValueError.
    """
    selector = _mapping(_spec(statefulset).get("selector")).get("matchLabels")
    if not isinstance(selector, dict) or not selector:
        raise ValueError(
            "spec.selector.matchLabels: the StatefulSet has none, so no headless Service can select its pods"
        )
    metadata: Dict[str, Any] = {"name": name}
    if _metadata(statefulset).get("namespace"):
        metadata["namespace"] = _metadata(statefulset)["namespace"]
    metadata["labels"] = {MANAGED_BY_LABEL: MANAGED_BY}
    spec = {"clusterIP": "None", "selector": copy.deepcopy(selector), "publishNotReadyAddresses": False}
    ports = _service_ports(statefulset)
    if ports:
        spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


# --- scaling the Deployment down and back up ---------------------------------------------------


def original_replicas(deployment: Dict[str, Any]) -> Optional[int]:
    """The replica count recorded before the scale-down, None when there is no record.

    ValueError when the record is not a non-negative integer: restoring a guess could take an app down.
    """
    annotations = _mapping(_metadata(deployment).get("annotations"))
    if ANN_ORIGINAL_REPLICAS not in annotations:
        return None
    value = annotations[ANN_ORIGINAL_REPLICAS]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    raise ValueError(f"metadata.annotations.{ANN_ORIGINAL_REPLICAS}: {value!r} is not a non-negative integer")


def scale_down_patch(deployment: Dict[str, Any], count: int) -> Dict[str, Any]:
    """JSON merge patch (RFC 7386) scaling the Deployment to 0 and recording ``count``, its replicas before.

    The record key joins the keys already listed in ANN_MANAGED_ANNOTATIONS, so a rollback removes it and
    nothing else. A different count already recorded is never overwritten (a re-run would otherwise record
    the 0 of the first run): that raises ValueError.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"the replica count must be a non-negative integer, got {count!r}")
    recorded = original_replicas(deployment)
    if recorded is not None and recorded != count:
        raise ValueError(
            f"metadata.annotations.{ANN_ORIGINAL_REPLICAS} already records {recorded} replicas; refusing to "
            f"overwrite it with {count}"
        )
    keys = recorded_keys(deployment) + [ANN_ORIGINAL_REPLICAS]
    annotations = {ANN_ORIGINAL_REPLICAS: str(count), ANN_MANAGED_ANNOTATIONS: record_value(keys)}
    return {"metadata": {"annotations": annotations}, "spec": {"replicas": 0}}


def restore_patch(deployment: Dict[str, Any]) -> Dict[str, Any]:
    """JSON merge patch scaling the Deployment back to its recorded count and removing the record.

    Only our entry leaves ANN_MANAGED_ANNOTATIONS (other recorded keys stay); the record annotation is
    nulled once empty, and left alone when it does not list our key.
    """
    count = original_replicas(deployment)
    if count is None:
        raise ValueError(
            f"metadata.annotations.{ANN_ORIGINAL_REPLICAS} is missing: the Deployment was not scaled down by this "
            "collection, so there is no replica count to restore"
        )
    annotations: Dict[str, Optional[str]] = {ANN_ORIGINAL_REPLICAS: None}
    keys = recorded_keys(deployment)
    if ANN_ORIGINAL_REPLICAS in keys:
        annotations[ANN_MANAGED_ANNOTATIONS] = record_value(k for k in keys if k != ANN_ORIGINAL_REPLICAS)
    return {"metadata": {"annotations": annotations}, "spec": {"replicas": count}}
