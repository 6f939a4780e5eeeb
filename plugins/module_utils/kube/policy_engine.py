# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether a cluster enforces NetworkPolicies: the API server stores them whatever happens, only a policy
engine in the network plugin makes them mean something.

- ACK, Terway: ``kube-system/eni-config`` key ``disable_network_policy``; terway-cli reads a missing key,
  ``""``, ``"false"`` or ``"0"`` as enabled and any other value as disabled (the Terway pods read it when
  they start, so a change needs them restarted).
- EKS, Amazon VPC CNI: only with ``enable-network-policy-controller: "true"`` in
  ``kube-system/amazon-vpc-cni`` (and the node agent, which the add-on then runs).
- Otherwise a known engine's DaemonSet in kube-system (Calico, Cilium, Antrea, kube-router) is taken as
  enforcing; with none of these the answer is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import Optional

SYSTEM_NS = "kube-system"
TERWAY_CONFIG = "eni-config"
VPC_CNI_CONFIG = "amazon-vpc-cni"
_TERWAY_ENABLED = ("", "false", "0")
_ENGINE_DAEMONSETS = ("calico-node", "cilium", "antrea-agent", "kube-router")


@dataclass(frozen=True)
class Enforcement:
    """``enforced``: True, False or None (unknown); ``engine``: what was found and why it decides."""

    enforced: Optional[bool]
    engine: str

    def as_dict(self) -> dict:
        return {"enforced": self.enforced, "engine": self.engine}


def terway_enforces(data: Dict[str, Any]) -> bool:
    """The eni-config data's ``disable_network_policy`` read as terway-cli reads it."""
    value = data.get("disable_network_policy")
    return value is None or str(value).strip() in _TERWAY_ENABLED


def detect(kube: Any) -> Enforcement:
    """Reads kube-system's eni-config and amazon-vpc-cni ConfigMaps, then its DaemonSets when neither decides."""
    terway = kube.get("ConfigMap", "v1", TERWAY_CONFIG, SYSTEM_NS)
    if terway is not None:
        data = terway.get("data") or {}
        on = terway_enforces(data)
        value = data.get("disable_network_policy")
        return Enforcement(on, f"Terway (eni-config disable_network_policy={value!r}: {'on' if on else 'off'})")
    vpc_cni = kube.get("ConfigMap", "v1", VPC_CNI_CONFIG, SYSTEM_NS)
    if vpc_cni is not None and (vpc_cni.get("data") or {}).get("enable-network-policy-controller") == "true":
        return Enforcement(True, "Amazon VPC CNI (amazon-vpc-cni enable-network-policy-controller=true)")
    names = {d["metadata"]["name"] for d in kube.list("DaemonSet", "apps/v1", SYSTEM_NS)}
    engine = next((name for name in _ENGINE_DAEMONSETS if name in names), None)
    if engine:
        return Enforcement(True, f"DaemonSet kube-system/{engine}")
    if vpc_cni is not None:
        return Enforcement(
            False, "Amazon VPC CNI without enable-network-policy-controller=true, and no other policy engine"
        )
    return Enforcement(None, "no known NetworkPolicy engine in kube-system (Terway, VPC CNI, Calico, Cilium, ...)")
