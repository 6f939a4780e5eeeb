# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reads of a run: one list per kind and namespace scope, never one get per object.

Without ``namespaces`` each kind is one list over the cluster; with them, one list per namespace, plus one
list of every Ingress of the cluster when a selected Ingress belongs to an IngressGroup (its other members may
live in any namespace and must agree with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import select
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import GROUP_NAME
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import Spec


@dataclass
class Read:
    selected: List[Tuple[Kind, Dict[str, Any]]]  # (kind, object), sorted by kind, namespace, name
    peers: List[Dict[str, Any]]  # Ingresses of the selected ones' IngressGroups that are not selected


def _list(kube: Kube, kind: Kind, namespaces: Optional[Tuple[str, ...]]) -> List[Dict[str, Any]]:
    if namespaces is None:
        return kube.list(kind.name, kind.api_version)
    return [obj for namespace in namespaces for obj in kube.list(kind.name, kind.api_version, namespace)]


def _key(obj: Dict[str, Any]) -> Tuple[str, str]:
    return (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])


def _group(obj: Dict[str, Any]) -> Optional[str]:
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(GROUP_NAME)


def _peers(kube: Kube, spec: Spec, listed: List[Dict[str, Any]], chosen: List[Dict[str, Any]]) -> List[Dict]:
    groups = {_group(obj) for obj in chosen} - {None}
    if not groups:
        return []
    everything = listed if spec.selection.namespaces is None else kube.list(INGRESS, "networking.k8s.io/v1")
    mine = {_key(obj) for obj in chosen}
    handled = select.handled(INGRESS, everything, spec.selection.ingress_class)
    return [obj for obj in handled if _group(obj) in groups and _key(obj) not in mine]


def read(kube: Kube, spec: Spec) -> Read:
    found = Read([], [])
    for kind in spec.kinds:
        listed = _list(kube, kind, spec.selection.namespaces)
        handled = select.handled(kind.name, listed, spec.selection.ingress_class)
        chosen = sorted((o for o in handled if select.selected(spec.selection, o)), key=_key)
        found.selected.extend((kind, obj) for obj in chosen)
        if kind.name == INGRESS:
            found.peers = _peers(kube, spec, listed, chosen)
    return found
