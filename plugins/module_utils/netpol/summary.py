# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The effective summary of a namespace's policies: which sources may reach which pods on which ports (and
where its pods may connect), read from every policy of the namespace, the module's and everyone else's.

Per direction: the pods no policy isolates (open to everything), and one line per rule with the pods it
applies to, the peers it admits and the ports. Policies are a union: a pod isolated by one policy admits
what any policy selecting it allows.
"""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.manifest import DIRECTIONS


def selector_text(selector: Dict[str, Any]) -> str:
    """``app=mysql,tier in (a,b)``; ``*`` for the empty selector."""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        values = f" ({','.join(expression.get('values') or [])})" if expression.get("values") else ""
        parts.append(f"{expression['key']} {expression['operator']}{values}")
    return ",".join(parts) or "*"


def peer_text(peer: Dict[str, Any]) -> str:
    if "ipBlock" in peer:
        block = peer["ipBlock"]
        excepts = f" except {', '.join(block['except'])}" if block.get("except") else ""
        return f"{block['cidr']}{excepts}"
    pods = peer.get("podSelector")
    namespaces = peer.get("namespaceSelector")
    where = "this namespace" if namespaces is None else f"namespaces {selector_text(namespaces)}"
    return f"pods {selector_text(pods or {})} in {where}"


def _pods_selected(spec: Dict[str, Any], pods: List[Dict[str, Any]]) -> List[str]:
    return sorted(p["name"] for p in pods if selectors.matches(spec.get("podSelector") or {}, p["labels"]))


def _direction(policies: List[Dict[str, Any]], pods: List[Dict[str, Any]], kind: str) -> Dict[str, Any]:
    key, peers_key = DIRECTIONS[kind]
    isolating = [p for p in policies if kind in p["spec"].get("policyTypes", [])]
    isolated = {name for p in isolating for name in _pods_selected(p["spec"], pods)}
    rules = []
    for policy in isolating:
        selected = _pods_selected(policy["spec"], pods)
        for rule in policy["spec"].get(key) or []:
            peers = [peer_text(peer) for peer in rule.get(peers_key) or []] or ["any"]
            rules.append(
                {
                    "policy": policy["name"],
                    "pods": selected,
                    "pod_selector": selector_text(policy["spec"].get("podSelector") or {}),
                    peers_key: peers,
                    "ports": [ports.describe(p) for p in rule.get("ports") or []] or ["all"],
                }
            )
    return {
        "isolated_pods": sorted(isolated),
        "open_pods": sorted(p["name"] for p in pods if p["name"] not in isolated),
        "allowed": rules,
    }


def summarize(policies: List[Dict[str, Any]], pods: List[Dict[str, Any]]) -> Dict[str, Any]:
    """``policies``: views (name, spec); ``pods``: ``{name, labels}`` of the namespace's running pods."""
    return {kind.lower(): _direction(policies, pods, kind) for kind in DIRECTIONS}


def pod_views(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """``{name, labels}`` of the pods that policies can apply to (not finished, not on the host network)."""
    return [
        {"name": p["metadata"]["name"], "labels": p["metadata"].get("labels") or {}}
        for p in items
        if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and not p["spec"].get("hostNetwork")
    ]
