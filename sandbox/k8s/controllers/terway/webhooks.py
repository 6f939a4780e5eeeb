"""terway-controlplane's admission webhooks: PodNetworking mutation and validation, and the pod mutation."""

from __future__ import annotations

import json

from sandbox.k8s import errors, selectors
from sandbox.k8s.controllers.terway.config import conf_security_groups, conf_vswitches
from sandbox.k8s.controllers.terway.constants import (
    ANN_POD_ALLOC_TYPE, ANN_POD_ENI, ANN_POD_NETWORKING, ANN_POD_NETWORKS, ANN_POD_NETWORKS_REQUEST, CONTROLPLANE,
    GROUP, LABEL_IGNORE, MAX_SECURITY_GROUPS, MEMBER_ENI_RESOURCE, MUTATING_WEBHOOK, PN_KEY, PODENI_KEY, SYSTEM_NS,
    VALIDATING_WEBHOOK, ZONE_LABEL)
from sandbox.k8s.controllers.terway.helpers import parse_go_duration


def podnetworking_denial(spec: dict, inject_resource: bool = True) -> str | None:
    """Why the validating webhook denies a PodNetworking CREATE (after mutation), or None.

    ``inject_resource`` is controlplane's ``enableWebhookInjectResource`` (true unless configured).
    """
    spec = spec or {}
    if not spec.get("vSwitchOptions"):
        return "vSwitchOptions is not set"
    groups = spec.get("securityGroupIDs") or []
    if not groups:
        return "security group is not set"
    if len(groups) > MAX_SECURITY_GROUPS:
        return f"security group can not more than {MAX_SECURITY_GROUPS}"
    alloc = spec.get("allocationType") or {}
    if alloc.get("releaseStrategy") == "TTL" and parse_go_duration(alloc.get("releaseAfter", "")) is None:
        return "invalid releaseAfter"
    if alloc.get("releaseStrategy") == "Never" and alloc.get("releaseAfter"):
        return "releaseAfter must be empty when releaseStrategy is never"
    selector = spec.get("selector") or {}
    eni_type = (spec.get("eniOptions") or {}).get("eniType", "Default")
    if (selector.get("podSelector") is None and selector.get("namespaceSelector") is None
            and not inject_resource and eni_type != "Default"):
        return "attachType must be default when no selector is set and webhook resource injection is disabled"
    return None


def is_fixed_name_pod(pod: dict, extra_kinds=()) -> bool:
    """``utils.IsFixedNamePod``: a bare pod, or one owned by a StatefulSet (or a configured kind)."""
    refs = pod["metadata"].get("ownerReferences") or []
    if not refs:
        return True
    kinds = {"StatefulSet", *extra_kinds}
    return any(ref.get("kind") in kinds for ref in refs)


def _deny(webhook: str, message: str) -> errors.ApiError:
    return errors.ApiError(403, f'admission webhook "{webhook}" denied the request: {message}', reason="Forbidden")


class Admission:
    """The webhooks of ``Terway`` (``mutate`` / ``validate`` are the API server's admission hooks)."""

    def mutate(self, api, operation: str, rt, obj: dict, old: dict | None) -> None:
        if operation != "CREATE" or self.controlplane(api) != "ready":
            return  # failurePolicy Ignore: an unreachable mutating webhook is skipped
        if rt.key == PN_KEY:
            self._mutate_podnetworking(api, obj)
        elif rt.key == ("", "pods"):
            self.mutate_pod(api, obj)

    def validate(self, api, operation: str, rt, obj: dict, old: dict | None) -> None:
        if operation != "CREATE" or rt.key != PN_KEY:
            return  # the ValidatingWebhookConfiguration covers CREATE only: updates are never checked
        state = self.controlplane(api)
        if state == "absent":
            return
        if state == "down":
            raise errors.ApiError(
                500, f'Internal error occurred: failed calling webhook "{VALIDATING_WEBHOOK}": failed to call webhook: '
                     f'Post "https://{CONTROLPLANE}.{SYSTEM_NS}.svc:443/validate?timeout=10s": no endpoints available '
                     f'for service "{CONTROLPLANE}"', reason="InternalError")
        inject = self.controlplane_config(api).get("enableWebhookInjectResource", True) is not False
        message = podnetworking_denial(obj.get("spec") or {}, inject_resource=inject)
        if message:
            raise _deny(VALIDATING_WEBHOOK, message)

    def _mutate_podnetworking(self, api, pn: dict) -> None:
        spec = pn.setdefault("spec", {})
        if spec.get("securityGroupIDs") and spec.get("vSwitchOptions"):
            return
        conf = self.eni_conf(api)
        if conf is None:
            return  # the webhook errors; failurePolicy Ignore
        if not spec.get("securityGroupIDs"):
            spec["securityGroupIDs"] = conf_security_groups(conf)
        if not spec.get("vSwitchOptions"):
            spec["vSwitchOptions"] = conf_vswitches(conf)
        for key in ("securityGroupIDs", "vSwitchOptions"):
            if not spec[key]:
                spec.pop(key)

    def mutate_pod(self, api, pod: dict) -> None:
        """The pod part of the mutating webhook (``podWebhook``)."""
        meta, spec = pod["metadata"], pod.get("spec") or {}
        namespace = api.store.get(("", "namespaces"), "", meta.get("namespace", ""))
        if ((namespace or {}).get("metadata", {}).get("labels") or {}).get(ANN_POD_ENI) == "false":
            return  # excluded by the webhook's namespaceSelector
        if spec.get("hostNetwork") or not spec.get("containers"):
            return
        if (meta.get("labels") or {}).get(LABEL_IGNORE) == "true":
            return
        annotations = dict(meta.get("annotations") or {})
        explicit = [key for key in (ANN_POD_NETWORKS, ANN_POD_NETWORKS_REQUEST, ANN_POD_NETWORKING)
                    if annotations.get(key)]
        if len(explicit) > 1:
            raise _deny(MUTATING_WEBHOOK, "can not use pod annotation and podNetworking at same time")
        conf = self.eni_conf(api) or {}
        fixed_name = is_fixed_name_pod(pod, conf.get("custom_stateful_workload_kinds") or ())
        previous_zone = self._previous_zone(api, pod, fixed_name)
        vswitch_zones: set[str] = set()
        if annotations.get(ANN_POD_NETWORKS):
            try:
                networks = json.loads(annotations[ANN_POD_NETWORKS])["podNetworks"]
                if not isinstance(networks, list):
                    raise ValueError("podNetworks is not a list")
            except (ValueError, KeyError, TypeError) as exc:
                raise _deny(MUTATING_WEBHOOK, f"unable parse annotation field {ANN_POD_NETWORKS}, {exc}") from exc
            alloc = self._alloc_from_annotation(annotations)
        elif annotations.get(ANN_POD_NETWORKS_REQUEST):
            networks, alloc, vswitch_zones = self._networks_from_request(api, annotations[ANN_POD_NETWORKS_REQUEST])
        else:
            pn = self.match_podnetworking(api, pod, fixed_name, conf)
            if pn is None:
                return  # no match: the pod takes the shared pool, untouched
            annotations[ANN_POD_NETWORKING] = pn["metadata"]["name"]
            networks = [{"vSwitchOptions": list(pn["spec"].get("vSwitchOptions") or []), "interface": "eth0",
                         "securityGroupIDs": list(pn["spec"].get("securityGroupIDs") or [])}]
            alloc = dict(pn["spec"].get("allocationType") or {})
            vswitch_zones = {v.get("zone") for v in (pn.get("status") or {}).get("vSwitches") or [] if v.get("zone")}
        fixed = alloc.get("type") == "Fixed"
        if fixed and not fixed_name:
            raise _deny(MUTATING_WEBHOOK, "fixed ip only support for fixed name pod")
        for network in networks:
            if not isinstance(network, dict):
                raise _deny(MUTATING_WEBHOOK, f"unable parse annotation field {ANN_POD_NETWORKS}")
            network.setdefault("interface", "eth0")
            if len(network.get("securityGroupIDs") or []) > MAX_SECURITY_GROUPS:
                raise _deny(MUTATING_WEBHOOK, f"security group can not more than {MAX_SECURITY_GROUPS}")
            if network["interface"] == "eth0":
                if not network.get("vSwitchOptions"):
                    network["vSwitchOptions"] = conf_vswitches(conf)
                if not network.get("securityGroupIDs"):
                    network["securityGroupIDs"] = conf_security_groups(conf)
        annotations[ANN_POD_NETWORKS] = json.dumps({"podNetworks": networks}, separators=(",", ":"))
        annotations[ANN_POD_ENI] = "true"
        meta["annotations"] = annotations
        container = spec["containers"][0]
        resources = container.setdefault("resources", {})
        for part in ("requests", "limits"):
            resources.setdefault(part, {})[MEMBER_ENI_RESOURCE] = str(len(networks))
        zones = {previous_zone} if (fixed and previous_zone) else vswitch_zones
        if zones and not any(r.get("kind") == "DaemonSet" for r in meta.get("ownerReferences") or []):
            self._require_zones(spec, sorted(zones))

    @staticmethod
    def _alloc_from_annotation(annotations: dict) -> dict:
        text = annotations.get(ANN_POD_ALLOC_TYPE)
        if not text:
            return {"type": "Elastic"}
        try:
            alloc = json.loads(text)
            if not isinstance(alloc, dict):
                raise ValueError
        except ValueError as exc:
            raise _deny(MUTATING_WEBHOOK, "failed to parse alloc type") from exc
        return alloc

    def _networks_from_request(self, api, text: str) -> tuple[list, dict, set]:
        try:
            refs = json.loads(text)
            if not isinstance(refs, list) or not all(isinstance(r, dict) and r.get("network") for r in refs):
                raise ValueError("expected a list of {network, interfaceName}")
        except ValueError as exc:
            raise _deny(MUTATING_WEBHOOK, f"unable parse annotation field {ANN_POD_NETWORKS_REQUEST}, {exc}") from exc
        networks, zones, alloc = [], set(), None
        for index, ref in enumerate(refs):
            pn = api.store.get(PN_KEY, "", ref["network"])
            if pn is None:
                raise _deny(MUTATING_WEBHOOK, f'podnetworkings.{GROUP} "{ref["network"]}" not found')
            if (pn.get("status") or {}).get("status") != "Ready":
                raise _deny(MUTATING_WEBHOOK, f'podNetworking {ref["network"]} is not ready')
            network = {"vSwitchOptions": list(pn["spec"].get("vSwitchOptions") or []),
                       "interface": ref.get("interfaceName") or ("eth0" if index == 0 else f"eth{index}"),
                       "securityGroupIDs": list(pn["spec"].get("securityGroupIDs") or [])}
            if ref.get("defaultRoute"):
                network["defaultRoute"] = True
            networks.append(network)
            zones |= {v.get("zone") for v in (pn.get("status") or {}).get("vSwitches") or [] if v.get("zone")}
            alloc = alloc or dict(pn["spec"].get("allocationType") or {})
        return networks, alloc or {"type": "Elastic"}, zones

    def match_podnetworking(self, api, pod: dict, fixed_name: bool, conf: dict | None = None) -> dict | None:
        """``matchOnePodNetworking``: the first Ready PodNetworking (list order) whose selectors all match."""
        namespace = api.store.get(("", "namespaces"), "", pod["metadata"].get("namespace", "")) or {}
        ns_labels = namespace.get("metadata", {}).get("labels") or {}
        pod_labels = pod["metadata"].get("labels") or {}
        for pn in api.store.list(PN_KEY):
            if (pn.get("status") or {}).get("status") != "Ready":
                continue
            if (pn["spec"].get("allocationType") or {}).get("type") == "Fixed" and not fixed_name:
                continue  # fixed IPs are only for fixed-name pods
            selector = pn["spec"].get("selector") or {}
            parts = [(selector[part], labels) for part, labels in (("podSelector", pod_labels),
                                                                   ("namespaceSelector", ns_labels))
                     if selector.get(part) is not None]
            try:
                if parts and all(selectors.label_selector_from_object(sel).matches(labels) for sel, labels in parts):
                    return pn  # both set: both must match; neither set: no match
            except selectors.SelectorError as exc:
                raise _deny(MUTATING_WEBHOOK, f"error match pod selector, {exc}") from exc
        return None

    def _previous_zone(self, api, pod: dict, fixed_name: bool) -> str:
        if not fixed_name:
            return ""
        podeni = api.store.get(PODENI_KEY, pod["metadata"].get("namespace", ""), pod["metadata"].get("name", ""))
        if podeni is None or podeni["metadata"].get("deletionTimestamp"):
            return ""
        if not (podeni.get("spec") or {}).get("allocations"):
            return ""
        return podeni["spec"].get("zone") or ""

    @staticmethod
    def _require_zones(spec: dict, zones: list[str]) -> None:
        node_affinity = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
        required = node_affinity.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
        terms = required.setdefault("nodeSelectorTerms", [])
        if not terms:
            terms.append({})
        for term in terms:
            term.setdefault("matchExpressions", []).append({"key": ZONE_LABEL, "operator": "In", "values": zones})
