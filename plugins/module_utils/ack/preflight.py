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

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import EniConfError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import parse_eni_conf

SYSTEM_NS = "kube-system"
ENI_CONFIG = "eni-config"
TOKEN_SECRET = "addon.network.token"
TOKEN_KEY = "addon.token.config"
CONTROLPLANE = "terway-controlplane"
TOKEN_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ANN_TRUNK_ON = "k8s.aliyun.com/trunk-on"
_ADDONS = "ACK console: Clusters > <cluster> > Operations > Add-ons > Networking"


class Check:
    """One preflight check: ``ok`` and, when it failed, what to do."""

    def __init__(self, name, ok, message, **facts):
        self.name, self.ok, self.message, self.facts = name, ok, message, facts

    def as_dict(self):
        return dict(ok=self.ok, message=self.message, **self.facts)


class Preflight:
    """The checks, and what they read that the run needs again (eni-config, nodes)."""

    def __init__(self, checks, eni_config=None, eni_conf=None, nodes=None, terway_pods=None):
        self.checks = checks
        self.eni_config = eni_config
        self.eni_conf = eni_conf
        self.nodes = nodes or []
        self.terway_pods = terway_pods or []

    @property
    def failed(self):
        return [c for c in self.checks if not c.ok]

    def as_dict(self):
        result = {c.name: c.as_dict() for c in self.checks}
        result["passed"] = not self.failed
        return result

    def trunk_nodes(self):
        return nodes_with_trunk(self.nodes)


def nodes_with_trunk(nodes):
    """Names of the nodes whose Terway announced a trunk ENI (annotation ``k8s.aliyun.com/trunk-on``)."""
    return sorted(n["metadata"]["name"] for n in nodes if (n["metadata"].get("annotations") or {}).get(ANN_TRUNK_ON))


def token_expiration(secret):
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


def check_token(kube, now):
    secret = kube.get("Secret", "v1", TOKEN_SECRET, SYSTEM_NS)
    if secret is None:
        return Check(
            "token_secret",
            False,
            (
                f"Secret {SYSTEM_NS}/{TOKEN_SECRET} is missing: this ACK managed cluster cannot use Trunk ENI (Terway has no addon "
                "credentials). Create a new ACK managed cluster with Terway and Trunk ENI; an ACK dedicated "
                "cluster does not need the token (set cluster_type: dedicated) but needs Trunk permission "
                "granted by an ECS ticket."
            ),
        )
    if TOKEN_KEY not in (secret.get("data") or {}):
        return Check(
            "token_secret",
            False,
            f"Secret {SYSTEM_NS}/{TOKEN_SECRET} has no key {TOKEN_KEY}: ACK maintains it; re-install the "
            f"terway-eniip add-on ({_ADDONS}) or open a ticket.",
        )
    expiration = token_expiration(secret)
    stamp = expiration.strftime(TOKEN_TIME_FORMAT) if expiration else None
    if expiration is not None and expiration <= now:
        return Check(
            "token_secret",
            False,
            (
                f"Secret {SYSTEM_NS}/{TOKEN_SECRET} expired at {stamp}: ACK refreshes it every 30 minutes, so the "
                "cluster's add-on credentials are broken; check the ACK managed network role "
                "(AliyunCSManagedNetworkRole) in RAM."
            ),
            expiration=stamp,
        )
    facts = {"expiration": stamp} if expiration else {}
    return Check("token_secret", True, "", **facts)


def check_terway_pods(pods, selector):
    if not pods:
        return Check(
            "terway_pods",
            False,
            (
                f"no Terway pod (label {selector}) in {SYSTEM_NS}: Trunk ENI needs the terway-eniip add-on. Install or upgrade "
                f"terway-eniip to the latest version ({_ADDONS}), or set eni_config.terway_pod_selector if your Terway "
                "pods carry another label."
            ),
        )
    return Check("terway_pods", True, "", count=len(pods))


def check_crds(kube):
    missing = [
        kind for kind in (podnetworking.KIND, "PodENI") if kube.resource(kind, podnetworking.API_VERSION) is None
    ]
    if missing:
        return Check(
            "podnetworking_crd",
            False,
            (
                f"the API server does not serve {', '.join(missing)} ({podnetworking.API_VERSION}): the Terway CRDs are "
                f"not installed. Upgrade terway-eniip, then install the terway-controlplane add-on ({_ADDONS})."
            ),
        )
    return Check("podnetworking_crd", True, "")


def check_controlplane(kube):
    deployment = kube.get("Deployment", "apps/v1", CONTROLPLANE, SYSTEM_NS)
    if deployment is None:
        return Check(
            "terway_controlplane",
            False,
            (
                f"Deployment {SYSTEM_NS}/{CONTROLPLANE} is missing: install the terway-controlplane add-on after configuring "
                f"terway-eniip ({_ADDONS}). Without it no pod gets a PodNetworking."
            ),
        )
    ready = (deployment.get("status") or {}).get("readyReplicas") or 0
    if ready < 1:
        return Check(
            "terway_controlplane",
            False,
            (
                f"terway-controlplane has no ready replica (kubectl -n {SYSTEM_NS} get deploy {CONTROLPLANE}): its pod webhook has "
                "failurePolicy Ignore, so pods created now would silently get shared-pool IPs. Fix the "
                "controlplane first."
            ),
            ready_replicas=ready,
        )
    return Check("terway_controlplane", True, "", ready_replicas=ready)


def check_eni_config(config_map, manage):
    """Returns (check, parsed eni_conf or None)."""
    if config_map is None:
        return Check(
            "eni_config",
            False,
            f"ConfigMap {SYSTEM_NS}/{ENI_CONFIG} is missing: Terway is not installed in ENIIP mode ({_ADDONS}).",
        ), None
    try:
        conf = parse_eni_conf(((config_map.get("data") or {}).get("eni_conf")))
    except EniConfError as exc:
        return Check(
            "eni_config",
            False,
            (
                f"{SYSTEM_NS}/{ENI_CONFIG} {exc}. Terway cannot read it either; fix it by hand (kubectl -n {SYSTEM_NS} edit cm {ENI_CONFIG}) - this module "
                "never rewrites a config it cannot parse."
            ),
        ), None
    trunking = conf.get("enable_eni_trunking") is True
    if not manage and not trunking:
        return Check(
            "eni_config",
            False,
            (
                f"{SYSTEM_NS}/{ENI_CONFIG} does not enable Trunk ENI (enable_eni_trunking is not true) and eni_config.manage is false: "
                "let the module set it, or set it in the console."
            ),
            enable_eni_trunking=trunking,
        ), conf
    return Check(
        "eni_config", True, "", enable_eni_trunking=trunking, credential_path=conf.get("credential_path")
    ), conf


def check_network_policy(config_map, required):
    disabled = ((config_map or {}).get("data") or {}).get("disable_network_policy", "false").lower() == "true"
    if disabled and required:
        return Check(
            "network_policy",
            False,
            (
                f'NetworkPolicy is disabled in Terway (eni-config disable_network_policy: "true"). Enable it: {_ADDONS} > '
                "terway-eniip > Configure > Enable NetworkPolicy; without DataPath V2, existing nodes need a "
                "restart before it applies."
            ),
            enabled=False,
        )
    return Check("network_policy", True, "", enabled=not disabled)


def run_preflight(kube, spec, now=None):
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
    checks.append(Check("trunk_nodes", True, "", nodes=len(nodes), with_trunk=len(nodes_with_trunk(nodes))))
    return Preflight(checks, config_map, conf, nodes, pods)
