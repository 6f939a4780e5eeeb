"""What Terway reads: ``eni_conf`` (with the per-node override), controlplane state and config, IP pools, ids."""

from __future__ import annotations

import datetime
import json

import yaml

from sandbox.k8s.cluster import IpPool
from sandbox.k8s.patching import json_merge_patch
from sandbox.k8s.controllers.terway.constants import CONTROLPLANE, GROUP, LABEL_NODE_CONFIG, SYSTEM_NS, VERSION
from sandbox.k8s.controllers.terway.helpers import _token

_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def conf_vswitches(conf: dict) -> list[str]:
    """``Config.GetVSwitchIDs``: every vSwitch of the ``vswitches`` map (zones in sorted order)."""
    ids: list[str] = []
    for zone in sorted((conf.get("vswitches") or {})):
        for vsw in conf["vswitches"][zone] or []:
            if vsw not in ids:
                ids.append(vsw)
    return ids


def conf_security_groups(conf: dict) -> list[str]:
    """``Config.GetSecurityGroups``: the sorted union of ``security_group`` (comma list) and ``security_groups``."""
    groups = set(conf.get("security_groups") or [])
    if conf.get("security_group"):
        groups.update(g.strip() for g in str(conf["security_group"]).split(",") if g.strip())
    return sorted(groups)


class TerwayConfig:
    """The small reads of ``Terway``: clock stamps, controlplane state and config, eni_conf, pools, ids."""

    def stamp(self, seconds: float | None = None) -> str:
        moment = self.clock() if seconds is None else seconds
        return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime(_STAMP)

    @staticmethod
    def parse_stamp(text: str | None) -> float:
        if not text:
            return 0.0  # Go's zero time: long expired
        try:
            return datetime.datetime.strptime(text, _STAMP).replace(tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            return 0.0

    @staticmethod
    def rt(api, plural: str):
        return api.registry.lookup(GROUP, VERSION, plural)

    def controlplane(self, api) -> str:
        """"absent" (not installed: no webhooks, no controllers), "down" (no ready replica) or "ready"."""
        deploy = api.store.get(("apps", "deployments"), SYSTEM_NS, CONTROLPLANE)
        if deploy is None:
            return "absent"
        return "ready" if ((deploy.get("status") or {}).get("readyReplicas") or 0) >= 1 else "down"

    def controlplane_config(self, api) -> dict:
        cm = api.store.get(("", "configmaps"), SYSTEM_NS, CONTROLPLANE)
        try:
            loaded = yaml.safe_load(((cm or {}).get("data") or {}).get("ctrl-config.yaml") or "") or {}
        except yaml.YAMLError:
            loaded = {}
        return loaded if isinstance(loaded, dict) else {}

    def eni_conf(self, api, node: dict | None = None) -> dict | None:
        """``eni_conf`` of kube-system/eni-config, merged with the node's ``terway-config`` override."""
        conf = self._conf_of(api, "eni-config")
        if conf is None:
            return None
        override = ((node or {}).get("metadata", {}).get("labels") or {}).get(LABEL_NODE_CONFIG)
        if override:
            patch = self._conf_of(api, override)
            if patch is not None:
                conf = json_merge_patch(conf, patch)  # the per-node override is an RFC 7396 merge patch
        return conf

    @staticmethod
    def _conf_of(api, name: str) -> dict | None:
        cm = api.store.get(("", "configmaps"), SYSTEM_NS, name)
        if cm is None:
            return None
        try:
            conf = json.loads((cm.get("data") or {}).get("eni_conf") or "")
        except ValueError:
            return None
        return conf if isinstance(conf, dict) else None

    def pool(self, vsw: str) -> IpPool:
        if vsw not in self._pools:
            self._pools[vsw] = IpPool(self.cluster.spec.vswitches[vsw]["cidr"], skip=3)
        return self._pools[vsw]

    def _next_id(self, kind: str) -> str:
        self._seq += 1
        return _token(f"{self.cluster.spec.name}/{kind}/{self._seq}", 17)

    def instance_id(self, node_name: str) -> str:
        return f"i-{self.region_prefix}{_token('instance/' + node_name, 17)}"
