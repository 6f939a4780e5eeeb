# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which listed objects the controller handles, and which of those the task selects.

- an Ingress is the controller's when its ``spec.ingressClassName`` (or the legacy annotation
  ``kubernetes.io/ingress.class``) is the IngressClass given (``alb``);
- a Service is the controller's when it is ``type: LoadBalancer`` with ``spec.loadBalancerClass:
  service.k8s.aws/nlb``, or annotated ``service.beta.kubernetes.io/aws-load-balancer-type`` ``external`` (or
  the legacy ``nlb-ip``); ``nlb`` alone belongs to the in-tree cloud provider, not to the controller;
- the task selects those in its namespaces, with one of its names and matching its label selector.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import Selection


def _annotations(obj: Dict[str, Any]) -> Dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def is_alb_ingress(obj: Dict[str, Any], ingress_class: str) -> bool:
    legacy = _annotations(obj).get(keys.INGRESS_CLASS_ANNOTATION)
    return ((obj.get("spec") or {}).get("ingressClassName") or legacy) == ingress_class


def is_nlb_service(obj: Dict[str, Any]) -> bool:
    spec = obj.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return False
    return spec.get("loadBalancerClass") == keys.NLB_CLASS or _annotations(obj).get(keys.LB_TYPE) in keys.LB_TYPES


def handled(kind: str, objects: List[Dict[str, Any]], ingress_class: str) -> List[Dict[str, Any]]:
    """The objects of ``kind`` the controller handles."""
    if kind == keys.INGRESS:
        return [o for o in objects if is_alb_ingress(o, ingress_class)]
    return [o for o in objects if is_nlb_service(o)]


def _named(selection: Selection, namespace: str, name: str) -> bool:
    if not selection.names:
        return True
    return any(n == name and ns in (None, namespace) for ns, n in selection.names)


def selected(selection: Selection, obj: Dict[str, Any]) -> bool:
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace")
    if selection.namespaces is not None and namespace not in selection.namespaces:
        return False
    if not _named(selection, namespace, metadata.get("name")):
        return False
    return selection.label_selector is None or selectors.matches(selection.label_selector, metadata.get("labels"))


def unmatched_names(selection: Selection, chosen: List[Dict[str, Any]]) -> List[str]:
    """The listed names that select no object (``namespace/name`` or ``name``)."""
    found = {(o["metadata"].get("namespace"), o["metadata"]["name"]) for o in chosen}
    missing = []
    for namespace, name in selection.names:
        if not any(n == name and namespace in (None, ns) for ns, n in found):
            missing.append(f"{namespace}/{name}" if namespace else name)
    return missing
