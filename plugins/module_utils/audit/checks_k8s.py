# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""NetworkPolicy checks over what was read of one cluster (pure functions, no API call).

A namespace is judged only when pods run in it and it is not exempt (kube-system, kube-public,
kube-node-lease and ``exempt_namespaces``). Semantics, not existence:

- a *working* default-deny for a direction is a policy whose ``podSelector`` selects every pod and whose
  ``policyTypes`` name the direction, while no policy selecting every pod allows every peer on every port in
  that direction (which would undo it); egress is required where the environment restricts it;
- denied egress without a rule letting every pod reach DNS (port 53, UDP) breaks name resolution;
- allow-all constructs (a rule without peers, ``namespaceSelector: {}``, an ``ipBlock`` of the world without
  ``except``) are found with the same function k8s_network_policies warns with;
- a running pod that no policy of its namespace selects is open in both directions;
- policies the cluster does not enforce (``kube.policy_engine``) are decoration.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import selectors
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import Enforcement
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.manifest import allow_all
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.manifest import canonical

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
DIRECTIONS = {"Ingress": ("ingress", "from"), "Egress": ("egress", "to")}
_SHOWN = 5


@dataclass
class ClusterView:
    """Pods and NetworkPolicies per namespace, and whether a policy engine enforces them."""

    cluster: str
    pods: Dict[str, List[dict]] = field(default_factory=dict)
    policies: Dict[str, List[dict]] = field(default_factory=dict)
    enforcement: Optional[Enforcement] = None
    exempt: Tuple[str, ...] = ()

    def audited(self) -> List[str]:
        skip = set(SYSTEM_NAMESPACES) | set(self.exempt)
        return sorted(ns for ns, pods in self.pods.items() if pods and ns not in skip)

    def specs(self, namespace: str) -> List[Tuple[str, dict]]:
        return [
            ((p.get("metadata") or {}).get("name"), canonical(p.get("spec") or {}))
            for p in self.policies.get(namespace, [])
        ]


def _selects_all(spec: dict) -> bool:
    return not (spec.get("podSelector") or {})


def _opens_everything(rule: dict, peers_key: str) -> bool:
    return not rule.get(peers_key) and not rule.get("ports")


def default_deny(view: ClusterView, restrict_egress: bool) -> List[Finding]:
    """KG-K8S-001 for each audited namespace and direction without a working default-deny."""
    found = []
    for namespace in view.audited():
        specs = view.specs(namespace)
        for direction in ("Ingress", "Egress") if restrict_egress else ("Ingress",):
            why = _deny_problem(specs, direction)
            if why:
                found.append(
                    Finding("KG-K8S-001", f"{view.cluster}/{namespace}", why, details={"direction": direction})
                )
    return found


def _deny_problem(specs: List[Tuple[str, dict]], direction: str) -> Optional[str]:
    key, peers_key = DIRECTIONS[direction]
    deny = [name for name, spec in specs if _selects_all(spec) and direction in spec.get("policyTypes", [])]
    if not deny:
        return f"no policy selects every pod for {direction} (policies: {', '.join(n for n, _s in specs) or 'none'})"
    undoing = [
        name
        for name, spec in specs
        if _selects_all(spec)
        and direction in spec.get("policyTypes", [])
        and any(_opens_everything(rule, peers_key) for rule in spec.get(key) or [])
    ]
    if undoing:
        isolating = [name for name in deny if name not in undoing]
        lead = f"{', '.join(isolating)} denies {direction} but " if isolating else f"for {direction}, "
        return f"{lead}{', '.join(undoing)} allows every peer on every port"
    return None


def dns_exception(view: ClusterView, restrict_egress: bool) -> List[Finding]:
    """KG-K8S-005: egress denied to every pod, and no policy lets every pod out to port 53/UDP."""
    found = []
    for namespace in view.audited():
        specs = view.specs(namespace)
        if _deny_problem(specs, "Egress") is not None:
            continue  # egress is not denied (or KG-K8S-001 says so): DNS is not cut by a default-deny
        if not any(_selects_all(spec) and _allows_dns(spec) for _name, spec in specs):
            evidence = "every pod's egress is denied and no policy selecting every pod allows port 53/UDP"
            found.append(Finding("KG-K8S-005", f"{view.cluster}/{namespace}", evidence))
    return found


def _allows_dns(spec: dict) -> bool:
    for rule in spec.get("egress") or []:
        ports = rule.get("ports") or []
        if not ports or any(p.get("protocol", "TCP") == "UDP" and p.get("port") in (53, "53", "dns") for p in ports):
            return True
    return False


def allow_all_constructs(view: ClusterView) -> List[Finding]:
    """KG-K8S-002: every allow-all construct of every policy of an audited namespace."""
    found = []
    for namespace in view.audited():
        for name, spec in view.specs(namespace):
            for text in allow_all(spec, "spec"):
                found.append(Finding("KG-K8S-002", f"{view.cluster}/{namespace}/{name}", text))
    return found


def unselected_pods(view: ClusterView) -> List[Finding]:
    """KG-K8S-003: running pods that no policy of their namespace selects."""
    found = []
    for namespace in view.audited():
        specs = view.specs(namespace)
        loose = [
            (pod.get("metadata") or {}).get("name")
            for pod in view.pods[namespace]
            if not any(selectors.matches(spec.get("podSelector") or {}, _labels(pod)) for _n, spec in specs)
        ]
        if loose:
            shown = ", ".join(loose[:_SHOWN]) + (f" and {len(loose) - _SHOWN} more" if len(loose) > _SHOWN else "")
            found.append(
                Finding(
                    "KG-K8S-003",
                    f"{view.cluster}/{namespace}",
                    f"{len(loose)} pod(s): {shown}",
                    details={"pods": loose},
                )
            )
    return found


def _labels(pod: dict) -> dict:
    return (pod.get("metadata") or {}).get("labels") or {}


def not_enforced(view: ClusterView) -> List[Finding]:
    """KG-K8S-004: no policy engine enforces NetworkPolicies (unknown: reported at medium)."""
    enforcement = view.enforcement
    if enforcement is None or enforcement.enforced:
        return []
    severity = None if enforcement.enforced is False else "medium"
    return [Finding("KG-K8S-004", view.cluster, enforcement.engine, severity=severity)]
