# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Terway's PodNetworking (``network.alibabacloud.com/v1beta1``, cluster-scoped): options, rules, matching.

terway-controlplane's validating webhook checks PodNetworkings on CREATE only, so an update can
store a spec the webhook would deny. ``spec_from_option`` and ``check_spec`` apply the same rules
(and a few more) client-side, before any write:

- ``vSwitchOptions`` and ``securityGroupIDs`` must end up non-empty (the mutating webhook fills
  them from eni-config on CREATE when they are not given); at most 10 security groups;
- ``releaseStrategy: TTL`` needs a Go duration in ``releaseAfter``; ``Never`` forbids it;
- a PodNetworking with neither selector matches nothing, so one selector is required.

Pod selection (``matches``) follows the webhook: both selectors set must both match; the first
Ready PodNetworking in list order wins; Fixed only applies to fixed-name (StatefulSet) pods.
"""

from __future__ import annotations

import re
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import is_subdomain

API_VERSION = "network.alibabacloud.com/v1beta1"
KIND = "PodNetworking"
MAX_SECURITY_GROUPS = 10
DEFAULT_SELECTION_POLICY = "ordered"  # the CRD's default for spec.vSwitchSelectOptions.vSwitchSelectionPolicy
MIN_TTL_SECONDS = 300  # Terway's docs ask for at least 5m; the webhook itself does not check it
_VSWITCH = re.compile(r"^vsw-[a-z0-9]{1,64}$")
_SECURITY_GROUP = re.compile(r"^sg-[a-z0-9]{1,64}$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class PodNetworkingError(InputError):
    """A PodNetworking option or spec is invalid; ``path`` names the option."""


def parse_go_duration(text: Any) -> Optional[float]:
    """Seconds in a Go ``time.ParseDuration`` string (``"1h30m"``, ``"5m0s"``, ``"-1.5h"``), or None if invalid."""
    if not isinstance(text, str) or not text:
        return None
    sign, body = 1.0, text
    if body[0] in "+-":
        sign, body = (-1.0 if body[0] == "-" else 1.0), body[1:]
    if body == "0":
        return 0.0
    if not body:
        return None
    total, position = 0.0, 0
    while position < len(body):
        part = _DURATION_PART.match(body, position)
        if part is None:
            return None
        total += float(part.group(1)) * _UNIT_SECONDS[part.group(2)]
        position = part.end()
    return sign * total


def _ids(path: str, values: Optional[List[Any]], pattern: re.Pattern[str], what: str) -> List[str]:
    values = list(values or [])
    for index, value in enumerate(values):
        if not isinstance(value, str) or not pattern.match(value):
            raise PodNetworkingError(f"{path}[{index}]", f"{value!r} is not a valid {what} id")
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise PodNetworkingError(path, f"listed more than once: {', '.join(duplicates)}")
    return values


def allocation_from_option(option: Dict[str, Any], path: str = "pod_networking") -> Dict[str, Any]:
    """``spec.allocationType`` from the options; the strategy/duration rules of the webhook, client-side."""
    kind = option.get("allocation_type") or "Fixed"
    strategy, after = option.get("release_strategy"), option.get("release_after")
    if kind == "Elastic":
        if strategy or after:
            raise PodNetworkingError(
                path + ".release_strategy", "release_strategy and release_after only apply to allocation_type Fixed"
            )
        return {"type": "Elastic"}
    strategy = strategy or "Never"
    allocation = {"type": "Fixed", "releaseStrategy": strategy}
    if strategy == "Never":
        if after:
            raise PodNetworkingError(
                path + ".release_after", "must be empty when release_strategy is Never (Terway's webhook denies it)"
            )
        return allocation
    if not after:
        raise PodNetworkingError(
            path + ".release_after", "is required when release_strategy is TTL (a Go duration such as 30m or 1h)"
        )
    seconds = parse_go_duration(after)
    if seconds is None:
        raise PodNetworkingError(path + ".release_after", f"{after!r} is not a Go duration (e.g. 30m, 1h30m, 90s)")
    if seconds <= 0:
        raise PodNetworkingError(
            path + ".release_after", f"{after!r} must be positive; Terway keeps the IP for ever on a non-positive TTL"
        )
    allocation["releaseAfter"] = after
    return allocation


def spec_from_option(option: Dict[str, Any], path: str = "pod_networking") -> Dict[str, Any]:
    """The PodNetworking spec the options describe (only what they give; see ``complete``)."""
    name = option.get("name")
    if not is_subdomain(name):
        raise PodNetworkingError(path + ".name", f"{name!r} is not a valid object name (DNS-1123 subdomain)")
    spec: Dict[str, Any] = {
        "allocationType": allocation_from_option(option, path),
        "eniOptions": {"eniType": option.get("eni_type") or "Trunk"},
    }
    try:
        selector = {
            "podSelector": selectors.from_option(path + ".pod_selector", option.get("pod_selector")),
            "namespaceSelector": selectors.from_option(path + ".namespace_selector", option.get("namespace_selector")),
        }
    except selectors.SelectorError as exc:
        raise PodNetworkingError(exc.path, exc.message) from exc
    selector = {k: v for k, v in selector.items() if v is not None}
    if not selector:
        raise PodNetworkingError(
            path, "set namespace_selector and/or pod_selector: a PodNetworking without selectors matches no pod"
        )
    spec["selector"] = selector
    if option.get("vswitch_ids"):
        spec["vSwitchOptions"] = _ids(path + ".vswitch_ids", option["vswitch_ids"], _VSWITCH, "vSwitch")
    if option.get("vswitch_selection_policy"):
        spec["vSwitchSelectOptions"] = {"vSwitchSelectionPolicy": option["vswitch_selection_policy"]}
    if option.get("security_group_ids"):
        groups = _ids(path + ".security_group_ids", option["security_group_ids"], _SECURITY_GROUP, "security group")
        if len(groups) > MAX_SECURITY_GROUPS:
            raise PodNetworkingError(
                path + ".security_group_ids",
                f"{len(groups)} security groups; a PodNetworking takes at most {MAX_SECURITY_GROUPS}",
            )
        spec["securityGroupIDs"] = groups
    return spec


def ttl_warning(spec: Dict[str, Any]) -> Optional[str]:
    """A warning for a TTL shorter than Terway's documented minimum, or None."""
    allocation = spec.get("allocationType") or {}
    seconds = parse_go_duration(allocation.get("releaseAfter") or "")
    if allocation.get("releaseStrategy") == "TTL" and seconds is not None and seconds < MIN_TTL_SECONDS:
        return (
            f"pod_networking.release_after {allocation['releaseAfter']} is shorter than the 5m minimum in Terway's "
            "documentation; a pod that takes longer to come back loses its IP"
        )
    return None


def conf_vswitches(conf: Optional[Dict[str, Any]]) -> List[str]:
    """The vSwitches Terway's webhook takes from eni_conf (``vswitches``: zone -> ids, zones sorted)."""
    ids = []
    for zone in sorted((conf or {}).get("vswitches") or {}):
        for vsw in conf["vswitches"][zone] or []:
            if vsw not in ids:
                ids.append(vsw)
    return ids


def conf_security_groups(conf: Optional[Dict[str, Any]]) -> List[str]:
    """The security groups Terway's webhook takes from eni_conf (``security_group`` and ``security_groups``)."""
    groups = set((conf or {}).get("security_groups") or [])
    if (conf or {}).get("security_group"):
        groups.update(g.strip() for g in str(conf["security_group"]).split(",") if g.strip())
    return sorted(groups)


def complete(spec: Dict[str, Any], conf: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """``spec`` as CREATE stores it: vSwitches and security groups from eni_conf where missing (the mutating
    webhook), and the CRD's default vSwitch selection policy."""
    full = dict(spec)
    full.setdefault("vSwitchSelectOptions", {"vSwitchSelectionPolicy": DEFAULT_SELECTION_POLICY})
    if not full.get("vSwitchOptions") and conf_vswitches(conf):
        full["vSwitchOptions"] = conf_vswitches(conf)
    if not full.get("securityGroupIDs") and conf_security_groups(conf):
        full["securityGroupIDs"] = conf_security_groups(conf)
    return full


def check_spec(spec: Dict[str, Any], path: str = "pod_networking") -> None:
    """The webhook's rules on the spec that will be stored (create or update), client-side."""
    if not spec.get("vSwitchOptions"):
        raise PodNetworkingError(
            path + ".vswitch_ids",
            "no vSwitch: give vswitch_ids, or set vswitches in "
            "kube-system/eni-config (Terway: vSwitchOptions is not set)",
        )
    groups = spec.get("securityGroupIDs") or []
    if not groups:
        raise PodNetworkingError(
            path + ".security_group_ids",
            "no security group: give security_group_ids, or set security_group in kube-system/eni-config",
        )
    if len(groups) > MAX_SECURITY_GROUPS:
        raise PodNetworkingError(
            path + ".security_group_ids",
            f"{len(groups)} security groups after eni-config defaults; at most {MAX_SECURITY_GROUPS}",
        )


def merged_spec(current: Optional[Dict[str, Any]], wanted: Dict[str, Any]) -> Dict[str, Any]:
    """``state: merged``: the current spec with every field the options give replaced whole."""
    spec = dict(current or {})
    spec.update(wanted)
    return spec


def matches(spec: Optional[Dict[str, Any]], pod_labels: Dict[str, str], namespace_labels: Dict[str, str]) -> bool:
    """Whether a PodNetworking's selectors select a pod (both set: both; neither: none)."""
    selector = (spec or {}).get("selector") or {}
    parts = []
    if selector.get("podSelector") is not None:
        parts.append((selector["podSelector"], pod_labels))
    if selector.get("namespaceSelector") is not None:
        parts.append((selector["namespaceSelector"], namespace_labels))
    return bool(parts) and all(selectors.matches(s, labels) for s, labels in parts)


def competing(
    pod_networkings: Iterable[Dict[str, Any]], name: str, pod_labels: Dict[str, str], namespace_labels: Dict[str, str]
) -> List[Tuple[str, bool]]:
    """Other Ready PodNetworkings that also select these pods, as (name, wins), in name order.

    ``wins`` is True for one that sorts before ``name``: the API server lists cluster-scoped objects in
    name order and the webhook takes the first match. ``name`` need not exist yet (a first run).
    """
    found = []
    for item in sorted(pod_networkings, key=lambda found: found["metadata"]["name"]):
        other = item["metadata"]["name"]
        if other == name:
            continue
        if (item.get("status") or {}).get("status") == "Ready" and matches(
            item.get("spec"), pod_labels, namespace_labels
        ):
            found.append((other, other < name))
    return found


def to_option(pod_networking: Dict[str, Any]) -> Dict[str, Any]:
    """A PodNetworking object in the module's option format (``gathered``)."""
    spec = pod_networking.get("spec") or {}
    allocation = spec.get("allocationType") or {}
    option = {
        "name": pod_networking["metadata"]["name"],
        "allocation_type": allocation.get("type", "Elastic"),
        "release_strategy": allocation.get("releaseStrategy"),
        "release_after": allocation.get("releaseAfter"),
        "eni_type": (spec.get("eniOptions") or {}).get("eniType", "Default"),
        "pod_selector": selectors.to_option((spec.get("selector") or {}).get("podSelector")),
        "namespace_selector": selectors.to_option((spec.get("selector") or {}).get("namespaceSelector")),
        "vswitch_ids": list(spec.get("vSwitchOptions") or []),
        "vswitch_selection_policy": (spec.get("vSwitchSelectOptions") or {}).get("vSwitchSelectionPolicy"),
        "security_group_ids": list(spec.get("securityGroupIDs") or []),
    }
    return {k: v for k, v in option.items() if v not in (None, [])}
