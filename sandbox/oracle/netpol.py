"""Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics, written from the API reference, for the oracle.

- A policy selects the pods of its namespace that its ``podSelector`` matches (``{}``: all of them).
- ``policyTypes`` missing: ``Ingress``, plus ``Egress`` when the policy has an ``egress`` section.
- A pod is isolated for a direction when at least one policy of that type selects it; traffic the
  direction does not isolate is allowed. An isolated pod admits what the union of its policies' rules of
  that direction allow; nothing else.
- A rule: ``from``/``to`` missing or empty matches every peer; ``ports`` missing or empty every port.
  A peer is ``podSelector`` (pods of the policy's namespace), ``namespaceSelector`` (every pod of the
  matching namespaces), both in one peer (pods matching the pod selector, in matching namespaces), or
  ``ipBlock`` (``cidr`` minus ``except``). A port: ``protocol`` (default TCP), ``port`` as a number or
  the name of a container port of the pod the policy protects (the destination for ingress; for egress,
  of the destination pod), and ``endPort`` for a range.
- Which peers a source matches, as Cilium (Terway's policy engine) does: a pod of the same cluster is
  an endpoint, matched by the selectors, never by an ``ipBlock``; any other address is matched by
  ``ipBlock`` only.
"""

from __future__ import annotations

import dataclasses
import ipaddress

from sandbox.k8s.selectors import SelectorError, label_selector_from_object


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One side of a connection: a pod of the cluster (namespace, labels, container ports) or an address."""

    ip: str
    namespace: str | None = None  # None: not a pod of this cluster
    name: str = ""
    labels: tuple = ()  # ((key, value), ...)
    ports: tuple = ()  # ((name, port, protocol), ...) of the pod's containers

    @property
    def is_pod(self) -> bool:
        return self.namespace is not None

    def label_dict(self) -> dict:
        return dict(self.labels)

    def describe(self) -> str:
        return f"pod {self.namespace}/{self.name} ({self.ip})" if self.is_pod else self.ip

    @classmethod
    def of_pod(cls, pod: dict) -> Endpoint:
        ports = tuple((p.get("name", ""), p["containerPort"], p.get("protocol", "TCP"))
                      for c in pod["spec"].get("containers", []) for p in c.get("ports", []))
        meta = pod["metadata"]
        return cls(pod["status"].get("podIP", ""), meta["namespace"], meta["name"],
                   tuple(sorted((meta.get("labels") or {}).items())), ports)


@dataclasses.dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str  # what decided, naming the policy


def policy_types(policy: dict) -> tuple[str, ...]:
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return tuple(spec["policyTypes"])
    return ("Ingress", "Egress") if "egress" in spec and spec["egress"] is not None else ("Ingress",)


def _selects(policy: dict, pod: Endpoint) -> bool:
    if pod.namespace != policy["metadata"].get("namespace"):
        return False
    try:
        return label_selector_from_object((policy.get("spec") or {}).get("podSelector", {})).matches(pod.label_dict())
    except SelectorError:
        return False


def _peer_matches(peer: dict, policy_ns: str, other: Endpoint, namespaces: dict) -> bool:
    if "ipBlock" in peer:
        if other.is_pod:
            return False
        block = peer["ipBlock"]
        address = ipaddress.ip_address(other.ip)
        nets = [ipaddress.ip_network(block["cidr"], strict=False)]
        excepted = [ipaddress.ip_network(e, strict=False) for e in block.get("except") or []]
        return any(address in n for n in nets) and not any(address in e for e in excepted)
    if not other.is_pod:
        return False
    try:
        if "namespaceSelector" in peer:
            labels = namespaces.get(other.namespace) or {}
            if not label_selector_from_object(peer["namespaceSelector"]).matches(labels):
                return False
        elif other.namespace != policy_ns:
            return False
        if "podSelector" in peer:
            return label_selector_from_object(peer["podSelector"]).matches(other.label_dict())
        return True
    except SelectorError:
        return False


def _port_matches(rule_port: dict, protected: Endpoint, port: int, protocol: str) -> bool:
    if rule_port.get("protocol", "TCP") != protocol:
        return False
    wanted = rule_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str) and not wanted.isdigit():
        return any(name == wanted and number == port and proto == protocol for name, number, proto in protected.ports)
    end = rule_port.get("endPort")
    return int(wanted) <= port <= (int(end) if end is not None else int(wanted))


def _rule_matches(rule: dict, peers_key: str, policy_ns: str, other: Endpoint, protected: Endpoint, port: int,
                  protocol: str, namespaces: dict) -> bool:
    peers = rule.get(peers_key) or []
    ports = rule.get("ports") or []
    return (not peers or any(_peer_matches(p, policy_ns, other, namespaces) for p in peers)) and \
        (not ports or any(_port_matches(p, protected, port, protocol) for p in ports))


def decide(direction: str, policies: list[dict], pod: Endpoint, other: Endpoint, port: int, protocol: str,
           namespaces: dict, destination: Endpoint | None = None) -> Decision:
    """May ``pod`` receive from (``Ingress``) or send to (``Egress``) ``other`` on ``port``/``protocol``?

    ``namespaces`` maps namespace names to their labels. For egress, named ports are those of
    ``destination`` (the pod the connection reaches), when it is a pod.
    """
    relevant = [p for p in policies if direction in policy_types(p) and _selects(p, pod)]
    if not relevant:
        return Decision(True, f"no NetworkPolicy isolates {pod.describe()} for {direction.lower()}")
    key, rules_key = ("from", "ingress") if direction == "Ingress" else ("to", "egress")
    protected = pod if direction == "Ingress" else (destination or other)
    for policy in relevant:
        ns = policy["metadata"].get("namespace")
        for index, rule in enumerate((policy.get("spec") or {}).get(rules_key) or []):
            if _rule_matches(rule, key, ns, other, protected, port, protocol, namespaces):
                return Decision(True, f"NetworkPolicy {ns}/{policy['metadata']['name']} {rules_key}[{index}] "
                                      f"allows {other.describe()} on {protocol}/{port}")
    names = ", ".join(f"{p['metadata'].get('namespace')}/{p['metadata']['name']}" for p in relevant)
    return Decision(False, f"{pod.describe()} is isolated for {direction.lower()} by {names}, and no rule allows "
                           f"{other.describe()} on {protocol}/{port}")


def enforced(flavor: str, configmaps: dict) -> tuple[bool, str]:
    """Whether the cluster's policy engine enforces NetworkPolicies, and why.

    ACK (Terway): kube-system/eni-config ``disable_network_policy`` missing, ``""``, ``"false"`` or ``"0"``
    means enabled; any other value disabled. EKS (VPC CNI): only with ``enable-network-policy-controller:
    "true"`` in kube-system/amazon-vpc-cni.
    """
    if flavor == "ack":
        value = (configmaps.get("eni-config") or {}).get("disable_network_policy")
        on = value in (None, "", "false", "0")
        return on, f"Terway eni-config disable_network_policy={value!r}: policies {'enforced' if on else 'ignored'}"
    value = (configmaps.get("amazon-vpc-cni") or {}).get("enable-network-policy-controller")
    on = value == "true"
    return on, f"VPC CNI enable-network-policy-controller={value!r}: policies {'enforced' if on else 'ignored'}"
