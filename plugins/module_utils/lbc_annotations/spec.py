# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of eks_lbc_annotations, validated before any call: what to select and the annotations wanted.

``ingress`` and ``service`` hold the annotation options of each kind; a kind is in scope when its option is
given (both when neither is). Values are checked and written in one spelling by ``values``; under
``state=deleted`` only the names of the options given count (their values are not checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common import networks
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import check_name
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import CIDR_OPTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import KINDS
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import Kind

STATES = ("merged", "replaced", "deleted", "gathered", "rendered")


@dataclass(frozen=True)
class Selection:
    namespaces: Optional[Tuple[str, ...]]  # None: every namespace
    names: Tuple[Tuple[Optional[str], str], ...]  # (namespace or None, name)
    label_selector: Optional[Dict[str, Any]]  # manifest form
    ingress_class: str


@dataclass(frozen=True)
class Spec:
    state: str
    selection: Selection
    kinds: Tuple[Kind, ...]  # the kinds in scope
    desired: Dict[str, Dict[str, str]]  # kind name -> {annotation: text}
    force: bool
    allow_empty: bool
    validate_only: bool
    controller: Optional[Tuple[str, str]]  # (namespace, name) of the controller's Deployment
    warnings: Tuple[str, ...]

    def wanted(self, kind: Kind) -> Dict[str, str]:
        return self.desired.get(kind.name, {})

    @property
    def asks(self) -> bool:
        return any(self.desired.values())


def _names(params: Dict[str, Any]) -> Tuple[Tuple[Optional[str], str], ...]:
    found = []
    for index, item in enumerate(params.get("names") or []):
        path = f"names[{index}]"
        namespace, _sep, name = str(item).rpartition("/") if isinstance(item, str) else (None, "", item)
        if namespace:
            check_name(path, namespace, "label", 63, "a namespace: a DNS-1123 label")
        found.append((namespace or None, check_name(path, name, "subdomain", 253)))
    return tuple(dict.fromkeys(found))


def _selection(params: Dict[str, Any]) -> Selection:
    namespaces = params.get("namespaces")
    if namespaces is not None:
        if not namespaces:
            raise InputError("namespaces", "is empty: list namespaces, or leave the option out for every namespace")
        namespaces = tuple(dict.fromkeys(check_name(f"namespaces[{i}]", n) for i, n in enumerate(namespaces)))
    ingress_class = params.get("ingress_class") or "alb"
    check_name("ingress_class", ingress_class, "subdomain", 253)
    return Selection(
        namespaces=namespaces,
        names=_names(params),
        label_selector=selectors.from_option("label_selector", params.get("label_selector")),
        ingress_class=ingress_class,
    )


def _kind_annotations(kind: Kind, option: Dict[str, Any], check: bool) -> Dict[str, str]:
    found = {}
    for key, value in option.items():
        if value is None:
            continue
        if key not in kind.keys:
            raise InputError(f"{kind.option}.{key}", f"is not an option of {kind.name}s")
        codec = values.codec(kind.name, key)
        found[kind.annotation(key)] = codec.text(codec.check(value, f"{kind.option}.{key}")) if check else ""
    return found


def _world(kind: Kind, option: Dict[str, Any]) -> List[str]:
    found = []
    for key in CIDR_OPTIONS:
        for index, item in enumerate(option.get(key) or []):
            net = networks.network(item, f"{kind.option}.{key}[{index}]")
            if networks.is_world(net):
                found.append(f"{kind.option}.{key}: {net} admits every address to the load balancer's listeners")
    return found


def _kinds(params: Dict[str, Any], state: str) -> Tuple[Tuple[Kind, ...], Dict[str, Dict[str, str]], List[str]]:
    given = [kind for kind in KINDS if params.get(kind.option) is not None]
    desired, warnings = {}, []
    for kind in given:
        option = params[kind.option]
        if not isinstance(option, dict):
            raise InputError(kind.option, "must be a mapping of annotation options")
        desired[kind.name] = _kind_annotations(kind, option, check=state != "deleted")
        if state != "deleted":
            warnings.extend(_world(kind, option))
    return tuple(given) or KINDS, desired, warnings


def _controller(params: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    option = params.get("controller")
    if not option:
        return None
    namespace = check_name("controller.namespace", option.get("namespace"))
    return namespace, check_name("controller.name", option.get("name"), "subdomain", 253)


def build(params: Dict[str, Any]) -> Spec:
    """The run's Spec; an InputError naming the option path for anything wrong."""
    state = params.get("state") or "merged"
    if state not in STATES:
        raise InputError("state", f"{state!r} is not one of {', '.join(STATES)}")
    if params.get("validate_only") and state in ("gathered", "rendered"):
        raise InputError("validate_only", f"applies to states merged, replaced and deleted, not {state}")
    kinds, desired, warnings = _kinds(params, state)
    spec = Spec(
        state=state,
        selection=_selection(params),
        kinds=kinds,
        desired=desired,
        force=bool(params.get("force")),
        allow_empty=bool(params.get("allow_empty")),
        validate_only=bool(params.get("validate_only")),
        controller=_controller(params),
        warnings=tuple(warnings),
    )
    if state in ("merged", "rendered") and not spec.asks and not spec.validate_only:
        raise InputError("ingress", f"state={state} needs at least one annotation option in ingress or service")
    return spec
