# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of k8s_network_policies, validated before any call, and the policies they ask for.

Every policy the module writes has a fixed name (``kubeguard-default-deny``, ``kubeguard-allow-dns``,
``kubeguard-same-environment``) or the name its option item gives, the managed-by label and a
``netsec.kubeguard.io/purpose`` label saying which option made it.
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
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import manifest
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol import ports

DEFAULT_DENY = "kubeguard-default-deny"
ALLOW_DNS = "kubeguard-allow-dns"
SAME_ENVIRONMENT = "kubeguard-same-environment"
RESERVED = (DEFAULT_DENY, ALLOW_DNS, SAME_ENVIRONMENT)
DENY_TYPES = {"ingress": ["Ingress"], "egress": ["Egress"], "both": ["Ingress", "Egress"]}
DNS_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
DNS_PORTS = [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]


@dataclass(frozen=True)
class Policy:
    """One policy wanted in a namespace: its name, the option that asks for it, its canonical spec."""

    name: str
    purpose: str
    spec: Dict[str, Any]


@dataclass(frozen=True)
class Spec:
    state: str
    namespaces: Optional[Tuple[str, ...]]
    namespace_selector: Optional[Dict[str, Any]]
    isolate_environments: bool
    environment_label: str
    allow_empty: bool
    policies: Tuple[Policy, ...]  # the same in every namespace
    warnings: Tuple[str, ...]

    @property
    def names(self) -> List[str]:
        return [p.name for p in self.policies] + ([SAME_ENVIRONMENT] if self.isolate_environments else [])

    def wanted(self, environment: Optional[str]) -> List[Policy]:
        """The policies of one namespace (``environment``: its environment label's value)."""
        found = list(self.policies)
        if self.isolate_environments:
            peer = {"namespaceSelector": {"matchLabels": {self.environment_label: environment}}}
            spec = {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [peer]}]}
            found.append(Policy(SAME_ENVIRONMENT, "same-environment", spec))
        return found


def _sources(items: Any, path: str) -> List[Dict[str, Any]]:
    """The ipBlocks of a sources list (CIDRs, {cidr, except}, ACL entries, fixed_ips items), one per network,
    sorted; a bare address is a /32 (/128)."""
    if not isinstance(items, list):
        raise InputError(path, "a list of CIDRs, {cidr, except} items, or the fixed_ips of ack_fixed_pod_ip")
    blocks: Dict[Tuple, Dict[str, Any]] = {}
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if networks.is_fixed_ip_item(item):
            net = networks.fixed_ip(item, where)[0]
            block = {"cidr": str(net)}
        elif isinstance(item, dict):
            raw = {k: v for k, v in item.items() if k != "comment"}  # an ACL entry list works as is
            block = manifest.ip_block(raw, where)
            net = networks.network(block["cidr"], where)
        else:
            net = networks.network(item, where)
            block = {"cidr": str(net)}
        key = (net.version, net, tuple(block.get("except", [])))
        blocks.setdefault(key, block)
    return [blocks[key] for key in sorted(blocks)]


def _selector(option: Any, path: str) -> Dict[str, Any]:
    return selectors.from_option(path, option) or {}


def _admitting(item: Dict[str, Any], path: str, purpose: str, peers: List[Dict[str, Any]]) -> Policy:
    """An ingress policy admitting ``peers`` on the item's ports to the item's pods (no peer: nothing admitted)."""
    rule: Dict[str, Any] = {"from": peers}
    wanted_ports = ports.from_options(item.get("ports"), f"{path}.ports")
    if wanted_ports:
        rule["ports"] = wanted_ports
    spec = {
        "podSelector": _selector(item.get("pod_selector"), f"{path}.pod_selector"),
        "policyTypes": ["Ingress"],
        "ingress": [rule] if peers else [],
    }
    return Policy(item["name"], purpose, spec)


def _from_ips(item: Dict[str, Any], path: str, allow_empty: bool) -> Policy:
    blocks = _sources(item.get("sources"), f"{path}.sources")
    if not blocks and not allow_empty:
        raise InputError(
            f"{path}.sources",
            "is empty: the policy would let no address in (the selected pods lose every source it allowed); "
            "set allow_empty=true if that is meant",
        )
    return _admitting(item, path, "allow-from-ips", [{"ipBlock": block} for block in blocks])


def _from_namespaces(item: Dict[str, Any], path: str) -> Policy:
    if item.get("namespace_selector") is None:
        raise InputError(f"{path}.namespace_selector", "is required (e.g. {match_labels: {env: uat}})")
    peer = {"namespaceSelector": _selector(item["namespace_selector"], f"{path}.namespace_selector")}
    if item.get("from_pod_selector") is not None:
        peer["podSelector"] = _selector(item["from_pod_selector"], f"{path}.from_pod_selector")
    return _admitting(item, path, "allow-from-namespaces", [peer])


def _defaults(params: Dict[str, Any]) -> List[Policy]:
    deny = params.get("default_deny")
    if not deny:
        return []
    found = [Policy(DEFAULT_DENY, "default-deny", {"podSelector": {}, "policyTypes": DENY_TYPES[deny]})]
    if "Egress" in DENY_TYPES[deny] and params.get("allow_dns", True):
        spec = {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [DNS_PEER], "ports": DNS_PORTS}]}
        found.append(Policy(ALLOW_DNS, "allow-dns", spec))
    return found


def _listed(params: Dict[str, Any]) -> List[Policy]:
    found = _defaults(params)
    for index, item in enumerate(params.get("allow_from_ips") or []):
        found.append(_from_ips(item, f"allow_from_ips[{index}]", bool(params.get("allow_empty"))))
    for index, item in enumerate(params.get("allow_from_namespaces") or []):
        found.append(_from_namespaces(item, f"allow_from_namespaces[{index}]"))
    for index, item in enumerate(params.get("extra_policies") or []):
        found.append(
            Policy(item["name"], "extra", manifest.check_spec(item.get("spec"), f"extra_policies[{index}].spec"))
        )
    return found


def _check_names(params: Dict[str, Any]) -> None:
    seen: Dict[str, str] = {}
    for option in ("allow_from_ips", "allow_from_namespaces", "extra_policies"):
        for index, item in enumerate(params.get(option) or []):
            path = f"{option}[{index}].name"
            name = check_name(path, item.get("name"), "subdomain", 253)
            if name in RESERVED:
                raise InputError(path, f"{name!r} is the name of a policy this module generates; choose another")
            if name in seen:
                raise InputError(path, f"{name!r} is also the name of {seen[name]}; policy names must be unique")
            seen[name] = path


def _namespaces(params: Dict[str, Any]) -> Tuple[Optional[Tuple[str, ...]], Optional[Dict[str, Any]]]:
    names = params.get("namespaces")
    if names is not None:
        if not names:
            raise InputError("namespaces", "is empty: list the namespaces, or use namespace_selector")
        checked = [check_name(f"namespaces[{i}]", n, "label", 63) for i, n in enumerate(names)]
        return tuple(dict.fromkeys(checked)), None
    return None, _selector(params.get("namespace_selector"), "namespace_selector")


def build(params: Dict[str, Any]) -> Spec:
    """The run's Spec; an InputError naming the option path for anything the API server would refuse."""
    _check_names(params)
    namespaces, namespace_selector = _namespaces(params)
    label = params.get("environment_label") or "env"
    problem = selectors.label_key_problem(label)
    if problem:
        raise InputError("environment_label", problem)
    policies = _listed(params)
    warnings = [w for p in policies for w in manifest.allow_all(p.spec, f"policy {p.name}")]
    if namespace_selector == {}:
        warnings.append("namespace_selector {} selects every namespace of the cluster, kube-system included")
    return Spec(
        state=params.get("state") or "merged",
        namespaces=namespaces,
        namespace_selector=namespace_selector,
        isolate_environments=bool(params.get("isolate_environments")),
        environment_label=label,
        allow_empty=bool(params.get("allow_empty")),
        policies=tuple(Policy(p.name, p.purpose, manifest.canonical(p.spec)) for p in policies),
        warnings=tuple(warnings),
    )
