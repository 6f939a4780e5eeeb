# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""NetworkPolicy specs in the manifest form: checked as the API server checks them, put in the form the
server stores (its defaults applied), and searched for constructs that allow everything.

- ``check_spec``: podSelector, policyTypes, ingress ``from`` / egress ``to`` peers (podSelector,
  namespaceSelector, both together, or an ipBlock alone, whose ``except`` lies strictly inside its
  ``cidr``), ports (``ports``); unknown keys refused; the result is ``canonical``.
- ``canonical``: the server's defaults (``podSelector: {}``, ``policyTypes`` Ingress plus Egress when
  there are egress rules, port protocol TCP), so that a spec read back compares equal to the one written.
- ``allow_all``: what in a spec opens a direction to everything (``ingress: [{}]``, a rule without peers,
  ``namespaceSelector: {}``, an ipBlock of the whole address space without ``except``).
"""

from __future__ import annotations

import copy
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common import networks
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import ports

DIRECTIONS = {"Ingress": ("ingress", "from"), "Egress": ("egress", "to")}
_SPEC_KEYS = ("podSelector", "policyTypes", "ingress", "egress")
_PEER_KEYS = ("podSelector", "namespaceSelector", "ipBlock")


def _keys(value: Any, path: str, allowed: tuple, what: str) -> dict:
    if not isinstance(value, dict):
        raise InputError(path, f"must be a mapping ({what})")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise InputError(path, f"unknown key(s) {', '.join(unknown)}; {what} has {', '.join(allowed)}")
    return value


def _selector(value: Any, path: str) -> Dict[str, Any]:
    """A manifest-form label selector, checked (keys, values, operators)."""
    selector = _keys(value, path, ("matchLabels", "matchExpressions"), "a label selector")
    option = {"match_labels": selector.get("matchLabels"), "match_expressions": selector.get("matchExpressions")}
    return selectors.from_option(path, {k: v for k, v in option.items() if v is not None}) or {}


def ip_block(value: Any, path: str) -> Dict[str, Any]:
    block = _keys(value, path, ("cidr", "except"), "an ipBlock")
    cidr = networks.network(block.get("cidr"), f"{path}.cidr")
    result: Dict[str, Any] = {"cidr": str(cidr)}
    excepts = block.get("except")
    if excepts is not None:
        if not isinstance(excepts, list):
            raise InputError(f"{path}.except", "must be a list of CIDRs")
        result["except"] = []
        for index, text in enumerate(excepts):
            inner = networks.network(text, f"{path}.except[{index}]")
            if inner.version != cidr.version or not inner.subnet_of(cidr) or inner == cidr:
                raise InputError(f"{path}.except[{index}]", f"{inner} must lie strictly inside the cidr {cidr}")
            result["except"].append(str(inner))
    return result


def _peer(value: Any, path: str) -> Dict[str, Any]:
    peer = _keys(value, path, _PEER_KEYS, "a peer")
    if not peer:
        raise InputError(path, "a peer needs a podSelector, a namespaceSelector or an ipBlock")
    if "ipBlock" in peer and len(peer) > 1:
        raise InputError(path, "an ipBlock cannot be combined with a podSelector or a namespaceSelector in one peer")
    if "ipBlock" in peer:
        return {"ipBlock": ip_block(peer["ipBlock"], f"{path}.ipBlock")}
    return {key: _selector(peer[key], f"{path}.{key}") for key in ("podSelector", "namespaceSelector") if key in peer}


def _rules(value: Any, path: str, peers_key: str) -> List[Dict[str, Any]]:
    if not isinstance(value, list):
        raise InputError(path, "must be a list of rules")
    rules = []
    for index, raw in enumerate(value):
        rule_path = f"{path}[{index}]"
        rule = _keys(raw if raw is not None else {}, rule_path, (peers_key, "ports"), "a rule")
        checked: Dict[str, Any] = {}
        if rule.get("ports") is not None:
            if not isinstance(rule["ports"], list):
                raise InputError(f"{rule_path}.ports", "must be a list")
            checked["ports"] = [
                ports.manifest_port(item, f"{rule_path}.ports[{i}]", ports.MANIFEST_KEYS)
                for i, item in enumerate(rule["ports"])
            ]
        if rule.get(peers_key) is not None:
            if not isinstance(rule[peers_key], list):
                raise InputError(f"{rule_path}.{peers_key}", "must be a list of peers")
            checked[peers_key] = [_peer(p, f"{rule_path}.{peers_key}[{i}]") for i, p in enumerate(rule[peers_key])]
        rules.append(checked)
    return rules


def check_spec(value: Any, path: str) -> Dict[str, Any]:
    """A NetworkPolicy spec as the API server would accept it, in its canonical form."""
    spec = _keys(value, path, _SPEC_KEYS, "a NetworkPolicy spec")
    checked: Dict[str, Any] = {"podSelector": _selector(spec.get("podSelector") or {}, f"{path}.podSelector")}
    types = spec.get("policyTypes")
    if types is not None:
        if not isinstance(types, list) or not types:
            raise InputError(f"{path}.policyTypes", "must be a non-empty list of Ingress and/or Egress")
        for index, kind in enumerate(types):
            if kind not in DIRECTIONS:
                raise InputError(f"{path}.policyTypes[{index}]", f"{kind!r} is not Ingress or Egress")
        if len(set(types)) != len(types):
            raise InputError(f"{path}.policyTypes", "lists a type twice")
        checked["policyTypes"] = list(types)
    for kind, (key, peers_key) in DIRECTIONS.items():
        if spec.get(key) is not None:
            checked[key] = _rules(spec[key], f"{path}.{key}", peers_key)
            if types is not None and kind not in types and checked[key]:
                raise InputError(
                    f"{path}.{key}", f"has rules, but policyTypes does not list {kind}: they would be ignored"
                )
    return canonical(checked)


def canonical(spec: Dict[str, Any]) -> Dict[str, Any]:
    """The spec with the API server's defaults applied (a new document), and empty rule lists dropped (an
    empty list and a missing one both allow nothing)."""
    result = copy.deepcopy(spec or {})
    result.setdefault("podSelector", {})
    if "policyTypes" not in result:
        result["policyTypes"] = ["Ingress"] + (["Egress"] if result.get("egress") else [])
    for key, _peers in DIRECTIONS.values():
        if key in result and not result[key]:
            del result[key]  # no rules and a missing list mean the same: nothing allowed
        for rule in result.get(key) or []:
            for port in rule.get("ports") or []:
                port.setdefault("protocol", "TCP")
    return result


def allow_all(spec: Dict[str, Any], where: str) -> List[str]:
    """Warnings for what in ``spec`` (canonical) opens a direction to every peer."""
    found = []
    for kind, (key, peers_key) in DIRECTIONS.items():
        if kind not in spec.get("policyTypes", []):
            continue
        for index, rule in enumerate(spec.get(key) or []):
            rule_path = f"{where}.{key}[{index}]"
            if not rule.get(peers_key):
                scope = "on every port" if not rule.get("ports") else "on its ports"
                found.append(f"{rule_path} has no {peers_key!r} peers: it allows every source and destination {scope}")
                continue
            for number, peer in enumerate(rule[peers_key]):
                found.extend(_allow_all_peer(peer, f"{rule_path}.{peers_key}[{number}]"))
    return found


def _allow_all_peer(peer: Dict[str, Any], path: str) -> List[str]:
    if peer.get("namespaceSelector") == {} and not peer.get("podSelector"):
        return [f"{path}: namespaceSelector {{}} selects every pod of every namespace"]
    block = peer.get("ipBlock")
    if block and networks.is_world(networks.network(block["cidr"], path)) and not block.get("except"):
        return [f"{path}: ipBlock {block['cidr']} without except allows every address"]
    return []
