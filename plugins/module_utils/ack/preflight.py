# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Preflight of ack_fixed_pod_ip: can this ACK cluster give pods fixed IPs through Terway trunk ENIs?

Read-only checks; each failed one says what the operator must do (the console steps of the
ACK documentation). The token Secret is read to check its expiry only: its content is never
returned, logged or compared.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import EniConfError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import parse_eni_conf
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import policy_engine
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube

SYSTEM_NS = "kube-system"
ENI_CONFIG = "eni-config"
TOKEN_SECRET = "addon.network.token"
TOKEN_KEY = "addon.token.config"
CONTROLPLANE = "terway-controlplane"
TOKEN_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ANN_TRUNK_ON = "k8s.aliyun.com/trunk-on"
_ADDONS = "ACK console: Clusters > <cluster> > Operations > Add-ons > Networking"


@dataclass(frozen=True)
class Check:
    """One preflight check: ``ok`` and, when it failed, what to do; ``facts`` are what it found."""

    name: str
    ok: bool
    message: str = ""
    facts: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def passed(cls, name: str, **facts: Any) -> "Check":
        return cls(name, True, "", facts)

    @classmethod
    def failed(cls, name: str, message: str, **facts: Any) -> "Check":
        return cls(name, False, message, facts)

    def as_dict(self) -> dict:
        return dict(ok=self.ok, message=self.message, **self.facts)


@dataclass(frozen=True)
class Preflight:
    """The checks, and what they read that the run needs again (eni-config, nodes, Terway pods)."""

    checks: Tuple[Check, ...]
    eni_config: Optional[dict] = None
    eni_conf: Optional[dict] = None
    nodes: Tuple[dict, ...] = ()
    terway_pods: Tuple[dict, ...] = ()

    @property
    def failed(self) -> List[Check]:
        return [check for check in self.checks if not check.ok]

    def as_dict(self) -> dict:
        result = {check.name: check.as_dict() for check in self.checks}
        result["passed"] = not self.failed
        return result

    def trunk_nodes(self) -> List[str]:
        return nodes_with_trunk(self.nodes)


def nodes_with_trunk(nodes: Iterable[dict]) -> List[str]:
    """Names of the nodes whose Terway announced a trunk ENI (annotation ``k8s.aliyun.com/trunk-on``)."""
    return sorted(n["metadata"]["name"] for n in nodes if (n["metadata"].get("annotations") or {}).get(ANN_TRUNK_ON))


def token_expiration(secret: Optional[dict]) -> Optional[datetime.datetime]:
    """The ``expiration`` of the token file in the Secret, as an aware datetime, or None when unreadable."""
    encoded = ((secret or {}).get("data") or {}).get(TOKEN_KEY)
    try:
        document = json.loads(base64.b64decode(encoded or "", validate=True).decode("utf-8"))
        stamp = document.get("expiration") if isinstance(document, dict) else None
        if not isinstance(stamp, str):
            return None
        return datetime.datetime.strptime(stamp, TOKEN_TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        return None


def check_token(kube: Kube, now: datetime.datetime) -> Check:
    secret = kube.get("Secret", "v1", TOKEN_SECRET, SYSTEM_NS)
    name = f"{SYSTEM_NS}/{TOKEN_SECRET}"
    if secret is None:
        return Check.failed(
            "token_secret",
            (
                f"Secret {name} is missing: this ACK managed cluster cannot use Trunk ENI (Terway has no addon "
                "credentials). Create a new ACK managed cluster with Terway and Trunk ENI; an ACK dedicated cluster "
                "does not need the token (set cluster_type: dedicated) but needs Trunk permission granted by an ECS "
                "ticket."
            ),
        )
    if TOKEN_KEY not in (secret.get("data") or {}):
        return Check.failed(
            "token_secret",
            f"Secret {name} has no key {TOKEN_KEY}: ACK maintains it; re-install "
            f"the terway-eniip add-on ({_ADDONS}) or open a ticket.",
        )
    expiration = token_expiration(secret)
    stamp = expiration.strftime(TOKEN_TIME_FORMAT) if expiration else None
    if expiration is not None and expiration <= now:
        return Check.failed(
            "token_secret",
            (
                f"Secret {name} expired at {stamp}: ACK refreshes it every 30 minutes, so the cluster's add-on "
                "credentials are broken; check the ACK managed network role (AliyunCSManagedNetworkRole) in RAM."
            ),
            expiration=stamp,
        )
    return Check.passed("token_secret", **({"expiration": stamp} if expiration else {}))


def check_terway_pods(pods: List[dict], selector: str) -> Check:
    if not pods:
        return Check.failed(
            "terway_pods",
            (
                f"no Terway pod (label {selector}) in {SYSTEM_NS}: Trunk ENI needs the terway-eniip add-on. Install or "
                f"upgrade terway-eniip to the latest version ({_ADDONS}), or set eni_config.terway_pod_selector if "
                "your Terway pods carry another label."
            ),
        )
    return Check.passed("terway_pods", count=len(pods))


def check_crds(kube: Kube) -> Check:
    kinds = (podnetworking.KIND, "PodENI")
    missing = [kind for kind in kinds if kube.resource(kind, podnetworking.API_VERSION) is None]
    if missing:
        return Check.failed(
            "podnetworking_crd",
            (
                f"the API server does not serve {', '.join(missing)} ({podnetworking.API_VERSION}): the Terway CRDs "
                f"are not installed. Upgrade terway-eniip, then install the terway-controlplane add-on ({_ADDONS})."
            ),
        )
    return Check.passed("podnetworking_crd")


def check_controlplane(kube: Kube) -> Check:
    deployment = kube.get("Deployment", "apps/v1", CONTROLPLANE, SYSTEM_NS)
    if deployment is None:
        return Check.failed(
            "terway_controlplane",
            (
                f"Deployment {SYSTEM_NS}/{CONTROLPLANE} is missing: install the terway-controlplane add-on after "
                f"configuring terway-eniip ({_ADDONS}). Without it no pod gets a PodNetworking."
            ),
        )
    ready = (deployment.get("status") or {}).get("readyReplicas") or 0
    if ready < 1:
        return Check.failed(
            "terway_controlplane",
            (
                f"terway-controlplane has no ready replica (kubectl -n {SYSTEM_NS} get deploy {CONTROLPLANE}): its pod "
                "webhook has failurePolicy Ignore, so pods created now would silently get shared-pool IPs. Fix the "
                "controlplane first."
            ),
            ready_replicas=ready,
        )
    return Check.passed("terway_controlplane", ready_replicas=ready)


def check_eni_config(config_map: Optional[dict], manage: bool) -> Tuple[Check, Optional[dict]]:
    """Returns (check, parsed eni_conf or None)."""
    name = f"{SYSTEM_NS}/{ENI_CONFIG}"
    if config_map is None:
        return Check.failed(
            "eni_config", f"ConfigMap {name} is missing: Terway is not installed in ENIIP mode ({_ADDONS})."
        ), None
    try:
        conf = parse_eni_conf((config_map.get("data") or {}).get("eni_conf"))
    except EniConfError as exc:
        return Check.failed(
            "eni_config",
            (
                f"{name} {exc}. Terway cannot read it either; fix it by hand (kubectl -n {SYSTEM_NS} edit cm "
                f"{ENI_CONFIG}) - this module never rewrites a config it cannot parse."
            ),
        ), None
    trunking = conf.get("enable_eni_trunking") is True
    if not manage and not trunking:
        return Check.failed(
            "eni_config",
            (
                f"{name} does not enable Trunk ENI (enable_eni_trunking is not true) and eni_config.manage is false: "
                "let the module set it, or set it in the console."
            ),
            enable_eni_trunking=trunking,
        ), conf
    return Check.passed("eni_config", enable_eni_trunking=trunking, credential_path=conf.get("credential_path")), conf


def check_network_policy(config_map: Optional[dict], required: bool) -> Check:
    disabled = not policy_engine.terway_enforces((config_map or {}).get("data") or {})
    if disabled and required:
        return Check.failed(
            "network_policy",
            (
                'NetworkPolicy is disabled in Terway (eni-config disable_network_policy is neither "false" nor empty). '
                "Enable it: "
                f"{_ADDONS} > terway-eniip > Configure > Enable NetworkPolicy; without DataPath V2, existing nodes "
                "need a restart before it applies."
            ),
            enabled=False,
        )
    return Check.passed("network_policy", enabled=not disabled)


def run_preflight(kube: Kube, spec: Any, now: Optional[datetime.datetime] = None) -> Preflight:
    """Every check, reads only. ``spec`` gives cluster_type, the Terway selector and what is required."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    checks = []
    if spec.cluster_type == "managed":
        checks.append(check_token(kube, now))
    pods = kube.list("Pod", "v1", SYSTEM_NS, label_selector=spec.terway_selector)
    checks.append(check_terway_pods(pods, spec.terway_selector))
    checks.append(check_crds(kube))
    checks.append(check_controlplane(kube))
    config_map = kube.get("ConfigMap", "v1", ENI_CONFIG, SYSTEM_NS)
    check, conf = check_eni_config(config_map, spec.manage_eni_config)
    checks.append(check)
    checks.append(check_network_policy(config_map, spec.require_network_policy))
    nodes = kube.list("Node", "v1")
    checks.append(Check.passed("trunk_nodes", nodes=len(nodes), with_trunk=len(nodes_with_trunk(nodes))))
    return Preflight(tuple(checks), config_map, conf, tuple(nodes), tuple(pods))
