"""Terway on the emulated ACK clusters: terwayd (the ``terway-eniip`` DaemonSet) and terway-controlplane.

What is simulated, after AliyunContainerService/terway (see docs/sandbox.md for the divergences):

- terwayd reads ``kube-system/eni-config`` ``eni_conf`` (plus the per-node ``terway-config``
  override) **when one of its pods starts**: a ``terway-eniip`` pod that becomes Running while
  ``enable_eni_trunking`` is true gives its node a trunk ENI, announced with the node annotation
  ``k8s.aliyun.com/trunk-on``. Editing the ConfigMap alone changes nothing until the pods are
  recreated. Once created, a trunk ENI stays.
- terway-controlplane exists when the Deployment ``kube-system/terway-controlplane`` does, and works
  while it has a ready replica. Its webhooks:
  * mutating (failurePolicy Ignore), CREATE of PodNetworkings: empty ``vSwitchOptions`` /
    ``securityGroupIDs`` are filled from ``eni_conf``; CREATE of Pods: PodNetworking selection,
    annotations, ``aliyun/member-eni`` request and zone affinity (``Terway.mutate_pod``);
  * validating (failurePolicy Fail), CREATE of PodNetworkings only: the deny rules of the real
    webhook; while the Deployment has no ready replica, the call fails and so does the create.
  Its controllers: PodNetworking status (``Ready`` / ``Fail``); PodENI creation, binding to the
  node's trunk ENI, release on pod deletion and the TTL garbage collection (``tick``).
- The pod network: pods annotated ``k8s.aliyun.com/pod-eni: "true"`` get the IP of their PodENI
  (a member ENI on the node's trunk ENI, from a vSwitch of the node's zone); other pods keep the
  default pool address.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import random
import re
import string
import time

import yaml

from sandbox.k8s import errors, selectors
from sandbox.k8s.cluster import IpPool

GROUP = "network.alibabacloud.com"
VERSION = "v1beta1"
PN_KEY = (GROUP, "podnetworkings")
PODENI_KEY = (GROUP, "podenis")

PREFIX = "k8s.aliyun.com/"
ANN_POD_ENI = PREFIX + "pod-eni"
ANN_POD_NETWORKING = PREFIX + "pod-networking"
ANN_POD_NETWORKS = PREFIX + "pod-networks"
ANN_POD_NETWORKS_REQUEST = PREFIX + "pod-networks-request"
ANN_POD_ALLOC_TYPE = PREFIX + "pod-alloc-type"
ANN_TRUNK_ON = PREFIX + "trunk-on"
LABEL_IGNORE = PREFIX + "ignore-by-terway"
LABEL_NODE_CONFIG = "terway-config"
ZONE_LABEL = "topology.kubernetes.io/zone"
MEMBER_ENI_RESOURCE = "aliyun/member-eni"
FINALIZER = "network.alibabacloud.com/pod-eni"

CONTROLPLANE = "terway-controlplane"
SYSTEM_NS = "kube-system"
TERWAYD_LABEL = ("app", "terway-eniip")
VALIDATING_WEBHOOK = "vpodnetworking.kb.io"
MUTATING_WEBHOOK = "mpodnetworking.kb.io"
FIELD_MANAGER = "terway-controlplane"

TRUNK_NOT_FOUND = "trunk eni id not found, this may due to terway agent is not started"
MAX_SECURITY_GROUPS = 10

_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


# ---------------------------------------------------------------------------------------------- pure helpers

def parse_go_duration(text) -> float | None:
    """``time.ParseDuration`` in seconds ("5m0s", "1h", "90s", "1.5h", "-2m"); None if Go would refuse it."""
    if not isinstance(text, str) or not text:
        return None
    sign, rest = 1.0, text
    if rest[0] in "+-":
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total, pos = 0.0, 0
    while pos < len(rest):
        match = _DURATION_PART.match(rest, pos)
        if match is None:
            return None
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    return sign * total


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


def merge_patch(base, patch):
    """RFC 7396, for the per-node eni_conf override."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def conf_vswitches(conf: dict) -> list[str]:
    """``Config.GetVSwitchIDs``: every vSwitch of the ``vswitches`` map (zones in sorted order)."""
    ids: list[str] = []
    for zone in sorted((conf.get("vswitches") or {})):
        for vsw in conf["vswitches"][zone] or []:
            if vsw not in ids:
                ids.append(vsw)
    return ids


def conf_security_groups(conf: dict) -> list[str]:
    """``Config.GetSecurityGroups``: the sorted union of ``security_group`` (comma list) and ``security_groups``."""
    groups = set(conf.get("security_groups") or [])
    if conf.get("security_group"):
        groups.update(g.strip() for g in str(conf["security_group"]).split(",") if g.strip())
    return sorted(groups)


def is_fixed_name_pod(pod: dict, extra_kinds=()) -> bool:
    """``utils.IsFixedNamePod``: a bare pod, or one owned by a StatefulSet (or a configured kind)."""
    refs = pod["metadata"].get("ownerReferences") or []
    if not refs:
        return True
    kinds = {"StatefulSet", *extra_kinds}
    return any(ref.get("kind") in kinds for ref in refs)


def have_fixed_ip(podeni: dict) -> bool:
    return any((a.get("allocationType") or {}).get("type") == "Fixed"
               for a in (podeni.get("spec") or {}).get("allocations") or [])


def _deny(webhook: str, message: str) -> errors.ApiError:
    return errors.ApiError(403, f'admission webhook "{webhook}" denied the request: {message}', reason="Forbidden")


def _token(seed: str, length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    value = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        value, index = divmod(value, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)


# ---------------------------------------------------------------------------------------------- the simulation

class Terway:
    """terwayd + terway-controlplane for one cluster. ``clock`` (seconds since the epoch) can be replaced."""

    def __init__(self, cluster, clock=None) -> None:
        self.cluster = cluster
        self.clock = clock or time.time
        self._pools: dict[str, IpPool] = {}
        self._terwayd_started: set[str] = set()  # uids of terwayd pods that already read their config
        self._vlan: dict[str, int] = {}  # node -> last VLAN id handed out on its trunk ENI
        self._seq = 0
        self._controlplane_state: str | None = None
        self._reported: set[tuple[str, str]] = set()  # (pod uid, reason) of warning events already emitted
        self.region_prefix = {"cn-hangzhou": "bp1", "cn-shanghai": "uf6", "cn-beijing": "2ze"}.get(
            cluster.spec.region, "bp1")
        self.vpc_id = f"vpc-{self.region_prefix}{_token('vpc/' + cluster.spec.name, 17)}"

    # ------------------------------------------------------------------ small reads

    def stamp(self, seconds: float | None = None) -> str:
        moment = self.clock() if seconds is None else seconds
        return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime(_STAMP)

    @staticmethod
    def parse_stamp(text: str | None) -> float:
        if not text:
            return 0.0  # Go's zero time: long expired
        try:
            return datetime.datetime.strptime(text, _STAMP).replace(tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            return 0.0

    @staticmethod
    def rt(api, plural: str):
        return api.registry.lookup(GROUP, VERSION, plural)

    def controlplane(self, api) -> str:
        """"absent" (not installed: no webhooks, no controllers), "down" (no ready replica) or "ready"."""
        deploy = api.store.get(("apps", "deployments"), SYSTEM_NS, CONTROLPLANE)
        if deploy is None:
            return "absent"
        return "ready" if ((deploy.get("status") or {}).get("readyReplicas") or 0) >= 1 else "down"

    def controlplane_config(self, api) -> dict:
        cm = api.store.get(("", "configmaps"), SYSTEM_NS, CONTROLPLANE)
        try:
            loaded = yaml.safe_load(((cm or {}).get("data") or {}).get("ctrl-config.yaml") or "") or {}
        except yaml.YAMLError:
            loaded = {}
        return loaded if isinstance(loaded, dict) else {}

    def eni_conf(self, api, node: dict | None = None) -> dict | None:
        """``eni_conf`` of kube-system/eni-config, merged with the node's ``terway-config`` override."""
        conf = self._conf_of(api, "eni-config")
        if conf is None:
            return None
        override = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_NODE_CONFIG)
        if override:
            patch = self._conf_of(api, override)
            if patch is not None:
                conf = merge_patch(conf, patch)
        return conf

    @staticmethod
    def _conf_of(api, name: str) -> dict | None:
        cm = api.store.get(("", "configmaps"), SYSTEM_NS, name)
        if cm is None:
            return None
        try:
            conf = json.loads((cm.get("data") or {}).get("eni_conf") or "")
        except ValueError:
            return None
        return conf if isinstance(conf, dict) else None

    def pool(self, vsw: str) -> IpPool:
        if vsw not in self._pools:
            self._pools[vsw] = IpPool(self.cluster.spec.vswitches[vsw]["cidr"], skip=3)
        return self._pools[vsw]

    def _next_id(self, kind: str) -> str:
        self._seq += 1
        return _token(f"{self.cluster.spec.name}/{kind}/{self._seq}", 17)

    def instance_id(self, node_name: str) -> str:
        return f"i-{self.region_prefix}{_token('instance/' + node_name, 17)}"

    # ------------------------------------------------------------------ admission (webhooks)

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

    # ------------------------------------------------------------------ events

    def on_event(self, api, event) -> None:
        key, obj = event.key, event.object
        if key == PN_KEY and event.type != "DELETED":
            self.sync_podnetworking(api, event.name)
        elif key == PODENI_KEY:
            if event.type == "DELETED":
                self._podeni_gone(api, obj)
            elif obj["metadata"].get("deletionTimestamp"):
                self._finalize_podeni(api, event.namespace, event.name)
        elif key == ("apps", "deployments") and event.namespace == SYSTEM_NS and event.name == CONTROLPLANE:
            state = self.controlplane(api)
            if state != self._controlplane_state:
                self._controlplane_state = state
                if state == "ready":
                    self.reconcile(api)
        elif key == ("", "pods") and event.type != "DELETED" and event.namespace == SYSTEM_NS:
            pod = api.store.get(key, event.namespace, event.name)
            if pod is not None and (pod["metadata"].get("labels") or {}).get(TERWAYD_LABEL[0]) == TERWAYD_LABEL[1] \
                    and (pod.get("status") or {}).get("phase") == "Running":
                self._terwayd_start(api, pod)

    def tick(self, api) -> None:
        if self.controlplane(api) != "ready":
            return
        self.reconcile(api)
        self.collect_podenis(api)

    def reconcile(self, api) -> None:
        """What controlplane catches up on when it (re)starts: statuses, finalizers, waiting pods."""
        for pn in api.store.list(PN_KEY):
            self.sync_podnetworking(api, pn["metadata"]["name"])
        for podeni in api.store.list(PODENI_KEY):
            if podeni["metadata"].get("deletionTimestamp"):
                self._finalize_podeni(api, podeni["metadata"]["namespace"], podeni["metadata"]["name"])
        self._retry_waiting_pods(api)

    # ------------------------------------------------------------------ terwayd

    def _terwayd_start(self, api, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        if uid in self._terwayd_started:
            return
        self._terwayd_started.add(uid)
        node_name = pod["spec"].get("nodeName")
        node = api.store.get(("", "nodes"), "", node_name or "")
        if node is None:
            return
        conf = self.eni_conf(api, node)
        if not conf or conf.get("enable_eni_trunking") is not True:
            return
        annotations = node["metadata"].setdefault("annotations", {})
        if annotations.get(ANN_TRUNK_ON):
            return
        annotations[ANN_TRUNK_ON] = f"eni-{self.region_prefix}{_token('trunk/' + node_name, 17)}"
        nodes = api.registry.lookup("", "v1", "nodes")
        api.update(nodes, "", node_name, api._present(nodes, node), field_manager="terwayd")
        self._retry_waiting_pods(api, node_name)

    def _kubelet(self, api):
        return next((c for c in api.controllers if hasattr(c, "sync_pod")), None)

    def _retry_waiting_pods(self, api, node_name: str | None = None) -> None:
        """The kubelet retries CNI ADD for pods still waiting for their PodENI."""
        kubelet = self._kubelet(api)
        if kubelet is None:
            return
        pods = api.registry.lookup("", "v1", "pods")
        for pod in api.store.list(("", "pods")):
            if (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) != "true":
                continue
            if pod["metadata"].get("deletionTimestamp") or (pod.get("status") or {}).get("phase") == "Running":
                continue
            if node_name and pod["spec"].get("nodeName") != node_name:
                continue
            kubelet.sync_pod(api, api._present(pods, pod))

    # ------------------------------------------------------------------ PodNetworking controller

    def sync_podnetworking(self, api, name: str) -> None:
        if self.controlplane(api) != "ready":
            return
        rt = self.rt(api, "podnetworkings")
        pn = api.store.get(PN_KEY, "", name)
        if rt is None or pn is None or pn["metadata"].get("deletionTimestamp"):
            return
        old = pn.get("status") or {}
        known = self.cluster.spec.vswitches
        unknown = [vsw for vsw in pn["spec"].get("vSwitchOptions") or [] if vsw not in known]
        status = {k: v for k, v in old.items() if k == "vSwitches"}
        if unknown:
            status.update({"status": "Fail", "message": f"vSwitch {unknown[0]} not found"})
        else:
            status = {"status": "Ready"}
            vswitches = [{"id": vsw, "zone": known[vsw]["zone"]} for vsw in pn["spec"].get("vSwitchOptions") or []]
            if vswitches:
                status["vSwitches"] = vswitches
        if {k: v for k, v in old.items() if k != "updateAt"} == status:
            return
        status["updateAt"] = self.stamp()
        pn["status"] = status
        api.update(rt, "", name, api._present(rt, pn), subresource="status", field_manager=FIELD_MANAGER)
        if old.get("status") != status["status"] or old.get("message") != status.get("message"):
            if unknown:
                self._event(api, api._present(rt, pn), "Warning", "SyncPodNetworkingFailed",
                            f"Sync failed {status['message']}")
            else:
                self._event(api, api._present(rt, pn), "Normal", "SyncPodNetworkingSucceed", "Synced")

    # ------------------------------------------------------------------ PodENI controller (pod network side)

    def pod_ip(self, api, pod: dict, node: dict) -> str | None:
        """The IP of a pod-eni pod: its PodENI's, once bound to the node's trunk ENI; None while it waits."""
        if self.controlplane(api) != "ready":
            return None
        rt = self.rt(api, "podenis")
        if rt is None:
            return None
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if podeni is not None and podeni["metadata"].get("deletionTimestamp"):
            return None  # the previous one is still being deleted; retried once it is gone
        if podeni is None:
            podeni = self._create_podeni(api, rt, pod, node)
            if podeni is None:
                return None
        status = podeni.get("status") or {}
        trunk = (node["metadata"].get("annotations") or {}).get(ANN_TRUNK_ON)
        if status.get("phase") != "Bind":
            if not trunk:
                if status.get("msg") != TRUNK_NOT_FOUND:
                    podeni["status"] = {**status, "msg": TRUNK_NOT_FOUND}
                    self._write_status(api, rt, podeni)
                    self._event(api, api._present(rt, podeni), "Warning", "AttachENIFailed", TRUNK_NOT_FOUND)
                    self._event(api, pod, "Warning", "CniCreateENIError",
                                f"CniCreateENIError: attach eni failed, {TRUNK_NOT_FOUND}")
                return None
            if status.get("phase") == "Unbind":
                podeni["status"] = {**status, "phase": "Binding"}
                podeni = self._write_status(api, rt, podeni)
            podeni = self._bind(api, rt, podeni, node, trunk)
        allocations = (podeni.get("spec") or {}).get("allocations") or []
        return allocations[0].get("ipv4") if allocations else None

    def _bind(self, api, rt, podeni: dict, node: dict, trunk: str) -> dict:
        node_name = node["metadata"]["name"]
        infos = {}
        for allocation in podeni["spec"].get("allocations") or []:
            eni_id = allocation["eni"]["id"]
            self._vlan[node_name] = self._vlan.get(node_name, 0) + 1
            infos[eni_id] = {"id": eni_id, "type": "Member", "vid": self._vlan[node_name], "status": "Bind"}
        status = {"phase": "Bind", "instanceID": self.instance_id(node_name), "trunkENIID": trunk,
                  "eniInfos": infos}
        if have_fixed_ip(podeni):
            status["podLastSeen"] = self.stamp()
        elif (podeni.get("status") or {}).get("podLastSeen"):
            status["podLastSeen"] = podeni["status"]["podLastSeen"]
        podeni["status"] = status
        updated = self._write_status(api, rt, podeni)
        self._event(api, api._present(rt, updated), "Normal", "AttachENISucceed",
                    "attached eni " + ",".join(infos))
        return updated

    def _create_podeni(self, api, rt, pod: dict, node: dict) -> dict | None:
        annotations = pod["metadata"].get("annotations") or {}
        try:
            networks = json.loads(annotations.get(ANN_POD_NETWORKS) or '{"podNetworks": [{}]}')["podNetworks"]
        except (ValueError, KeyError, TypeError):
            networks = []
        zone = (node["metadata"].get("labels") or {}).get(ZONE_LABEL, "")
        alloc = self._alloc_type_of(api, pod)
        conf = self.eni_conf(api) or {}
        allocations, taken = [], []
        for network in networks or [{}]:
            options = network.get("vSwitchOptions") or conf_vswitches(conf)
            candidates = [v for v in options if self.cluster.spec.vswitches.get(v, {}).get("zone") == zone]
            ip = vsw = None
            for vsw in candidates:
                try:
                    ip = self.pool(vsw).take()
                    break
                except RuntimeError:
                    continue
            if ip is None:
                for vsw_taken, ip_taken in taken:
                    self.pool(vsw_taken).release(ip_taken)
                self._warn_once(api, pod, "CniCreateENIError",
                                f"CniCreateENIError: no available vSwitch for zone {zone}, vSwitchOptions {options}")
                return None
            taken.append((vsw, ip))
            eni_id = f"eni-{self.region_prefix}{self._next_id('eni')}"
            mac = "00:16:3e:" + ":".join(f"{b:02x}" for b in hashlib.sha256(eni_id.encode()).digest()[:3])
            interface = network.get("interface") or "eth0"
            allocations.append({
                "allocationType": alloc,
                "eni": {"id": eni_id, "vpcID": self.vpc_id, "mac": mac,
                        "zone": zone, "vSwitchID": vsw,
                        "securityGroupIDs": list(network.get("securityGroupIDs") or conf_security_groups(conf)),
                        "attachmentOptions": {"trunk": True}},
                "ipv4": ip, "ipv4CIDR": self.cluster.spec.vswitches[vsw]["cidr"], "interface": interface,
                "defaultRoute": bool(network.get("defaultRoute", interface == "eth0")),
            })
        body = {"metadata": {"name": pod["metadata"]["name"], "finalizers": [FINALIZER]},
                "spec": {"allocations": allocations, "zone": zone}}
        try:
            created = api.create(rt, pod["metadata"]["namespace"], body, field_manager=FIELD_MANAGER)
        except errors.ApiError:
            for vsw_taken, ip_taken in taken:
                self.pool(vsw_taken).release(ip_taken)
            return None
        self._event(api, created, "Normal", "CreateENISucceed",
                    "create eni " + ",".join(a["eni"]["id"] for a in allocations))
        return created

    def _alloc_type_of(self, api, pod: dict) -> dict:
        annotations = pod["metadata"].get("annotations") or {}
        pn_name = annotations.get(ANN_POD_NETWORKING)
        if not pn_name and annotations.get(ANN_POD_NETWORKS_REQUEST):
            try:
                pn_name = json.loads(annotations[ANN_POD_NETWORKS_REQUEST])[0]["network"]
            except (ValueError, KeyError, IndexError, TypeError):
                pn_name = None
        if pn_name:
            pn = api.store.get(PN_KEY, "", pn_name)
            if pn is not None:
                alloc = dict(pn["spec"].get("allocationType") or {})
                alloc.setdefault("type", "Elastic")
                return alloc
        try:
            alloc = json.loads(annotations.get(ANN_POD_ALLOC_TYPE) or "{}")
        except ValueError:
            alloc = {}
        alloc = alloc if isinstance(alloc, dict) else {}
        alloc.setdefault("type", "Elastic")
        return alloc

    def pod_gone(self, api, pod: dict) -> None:
        """A pod-eni pod was deleted: a fixed IP is kept (Unbind), an elastic one is given back."""
        rt = self.rt(api, "podenis")
        if rt is None:
            return
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if podeni is None or podeni["metadata"].get("deletionTimestamp"):
            return
        if have_fixed_ip(podeni):
            status = dict(podeni.get("status") or {})
            status["phase"] = "Unbind"
            status["podLastSeen"] = self.stamp()
            for key in ("instanceID", "trunkENIID", "msg"):
                status.pop(key, None)
            status["eniInfos"] = {k: {**v, "status": "Unbind"} for k, v in (status.get("eniInfos") or {}).items()}
            if not status["eniInfos"]:
                status.pop("eniInfos")
            podeni["status"] = status
            self._write_status(api, rt, podeni)
        else:
            api.delete(rt, namespace, name)

    def collect_podenis(self, api) -> None:
        """``gcCRPodENIs``: PodENIs whose pod is gone are deleted unless a Fixed allocation keeps them."""
        rt = self.rt(api, "podenis")
        if rt is None:
            return
        now = self.clock()
        for podeni in api.store.list(PODENI_KEY):
            meta = podeni["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            if api.store.get(("", "pods"), meta["namespace"], meta["name"]) is not None:
                continue
            if (podeni.get("status") or {}).get("phase") in ("Detaching", "Deleting", "Binding"):
                continue
            keep = False
            last_seen = self.parse_stamp((podeni.get("status") or {}).get("podLastSeen"))
            for allocation in podeni["spec"].get("allocations") or []:
                alloc = allocation.get("allocationType") or {}
                if alloc.get("type") != "Fixed":
                    continue
                if alloc.get("releaseStrategy") == "TTL":
                    duration = parse_go_duration(alloc.get("releaseAfter", ""))
                    if duration is None or duration < 0 or last_seen + duration > now:
                        keep = True
                else:  # Never, or an unsupported strategy
                    keep = True
            if not keep:
                api.delete(rt, meta["namespace"], meta["name"])

    def _finalize_podeni(self, api, namespace: str, name: str) -> None:
        """The member ENI is deleted in the cloud, then the finalizer goes (needs controlplane)."""
        if self.controlplane(api) != "ready":
            return
        rt = self.rt(api, "podenis")
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if rt is None or podeni is None or FINALIZER not in (podeni["metadata"].get("finalizers") or []):
            return
        podeni["metadata"]["finalizers"] = [f for f in podeni["metadata"]["finalizers"] if f != FINALIZER]
        api.update(rt, namespace, name, api._present(rt, podeni), field_manager=FIELD_MANAGER)

    def _podeni_gone(self, api, podeni: dict) -> None:
        for allocation in (podeni.get("spec") or {}).get("allocations") or []:
            vsw, ip = (allocation.get("eni") or {}).get("vSwitchID"), allocation.get("ipv4")
            if vsw in self.cluster.spec.vswitches and ip:
                self.pool(vsw).release(ip)
        pod = api.store.get(("", "pods"), podeni["metadata"]["namespace"], podeni["metadata"]["name"])
        kubelet = self._kubelet(api)
        if pod is not None and kubelet is not None and (pod.get("status") or {}).get("phase") != "Running" \
                and (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) == "true":
            kubelet.sync_pod(api, api._present(api.registry.lookup("", "v1", "pods"), pod))

    # ------------------------------------------------------------------ writes

    @staticmethod
    def _write_status(api, rt, obj: dict) -> dict:
        current = api.store.get(rt.key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if current is not None and current.get("status") == obj.get("status"):
            return current
        return api.update(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], api._present(rt, obj),
                          subresource="status", field_manager=FIELD_MANAGER)

    def _warn_once(self, api, obj: dict, reason: str, message: str) -> None:
        key = (obj["metadata"].get("uid", ""), reason)
        if key in self._reported:
            return
        self._reported.add(key)
        self._event(api, obj, "Warning", reason, message)

    def _event(self, api, obj: dict, kind: str, reason: str, message: str) -> None:
        events = api.registry.lookup("", "v1", "events")
        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        stamp = self.stamp()
        name = f"{meta['name']}.{''.join(random.choices('0123456789abcdef', k=16))}"
        involved = {"apiVersion": obj.get("apiVersion", ""), "kind": obj.get("kind", ""), "name": meta["name"],
                    "uid": meta.get("uid", ""), "resourceVersion": meta.get("resourceVersion", "")}
        if meta.get("namespace"):
            involved["namespace"] = meta["namespace"]
        try:
            api.create(events, namespace, {
                "metadata": {"name": name}, "involvedObject": involved, "reason": reason, "message": message,
                "type": kind, "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
                "source": {"component": FIELD_MANAGER}, "reportingComponent": FIELD_MANAGER})
        except errors.ApiError:
            pass  # e.g. the namespace is being deleted


class TerwayPodNetwork:
    """``cluster.pod_network`` on ACK: pod-eni pods through Terway, the others through the default pool."""

    def __init__(self, terway: Terway, default) -> None:
        self.terway = terway
        self.default = default

    @staticmethod
    def _uses_eni(pod: dict) -> bool:
        return not pod["spec"].get("hostNetwork") and \
            (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) == "true"

    def pod_ip(self, api, pod: dict, node: dict) -> str | None:
        if self._uses_eni(pod):
            return self.terway.pod_ip(api, pod, node)
        return self.default.pod_ip(api, pod, node)

    def released(self, api, pod: dict) -> None:
        if self._uses_eni(pod):
            self.terway.pod_gone(api, pod)
        else:
            self.default.released(api, pod)


def install(cluster, clock=None) -> Terway:
    terway = Terway(cluster, clock=clock)
    cluster.terway = terway
    cluster.pod_network = TerwayPodNetwork(terway, cluster.pod_network)
    cluster.api.mutators.append(terway.mutate)
    cluster.api.validators.append(terway.validate)
    cluster.api.controllers.append(terway)
    return terway
