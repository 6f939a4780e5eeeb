"""The PodENI controller, pod network side: a pod-eni pod's PodENI is created, bound to the trunk ENI, its IP used."""

from __future__ import annotations

import hashlib
import json

from sandbox.k8s import errors
from sandbox.k8s.controllers.terway.config import conf_security_groups, conf_vswitches
from sandbox.k8s.controllers.terway.constants import (
    ANN_POD_ALLOC_TYPE, ANN_POD_NETWORKING, ANN_POD_NETWORKS, ANN_POD_NETWORKS_REQUEST, ANN_TRUNK_ON, FINALIZER,
    FIELD_MANAGER, PN_KEY, PODENI_KEY, TRUNK_NOT_FOUND, ZONE_LABEL)
from sandbox.k8s.controllers.terway.helpers import have_fixed_ip


class PodENIs:
    """PodENI creation and binding of ``Terway`` (``pod_ip``)."""

    def pod_ip(self, api, pod: dict, node: dict) -> str | None:
        """The IP of a pod-eni pod: its PodENI's, once bound to the node's trunk ENI; None while it waits."""
        if self.controlplane(api) != "ready":
            return None
        rt = self.rt(api, "podenis")
        if rt is None:
            return None
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if podeni is not None and podeni["metadata"].get("deletionTimestamp"):
            return None  # the previous one is still being deleted; retried once it is gone
        if podeni is None:
            podeni = self._create_podeni(api, rt, pod, node)
            if podeni is None:
                return None
        status = podeni.get("status") or {}
        trunk = (node["metadata"].get("annotations") or {}).get(ANN_TRUNK_ON)
        if status.get("phase") != "Bind":
            if not trunk:
                if status.get("msg") != TRUNK_NOT_FOUND:
                    podeni["status"] = {**status, "msg": TRUNK_NOT_FOUND}
                    self._write_status(api, rt, podeni)
                    self._event(api, api._present(rt, podeni), "Warning", "AttachENIFailed", TRUNK_NOT_FOUND)
                    self._event(api, pod, "Warning", "CniCreateENIError",
                                f"CniCreateENIError: attach eni failed, {TRUNK_NOT_FOUND}")
                return None
            if status.get("phase") == "Unbind":
                podeni["status"] = {**status, "phase": "Binding"}
                podeni = self._write_status(api, rt, podeni)
            podeni = self._bind(api, rt, podeni, node, trunk)
        allocations = (podeni.get("spec") or {}).get("allocations") or []
        return allocations[0].get("ipv4") if allocations else None

    def _bind(self, api, rt, podeni: dict, node: dict, trunk: str) -> dict:
        node_name = node["metadata"]["name"]
        infos = {}
        for allocation in podeni["spec"].get("allocations") or []:
            eni_id = allocation["eni"]["id"]
            self._vlan[node_name] = self._vlan.get(node_name, 0) + 1
            infos[eni_id] = {"id": eni_id, "type": "Member", "vid": self._vlan[node_name], "status": "Bind"}
        status = {"phase": "Bind", "instanceID": self.instance_id(node_name), "trunkENIID": trunk,
                  "eniInfos": infos}
        if have_fixed_ip(podeni):
            status["podLastSeen"] = self.stamp()
        elif (podeni.get("status") or {}).get("podLastSeen"):
            status["podLastSeen"] = podeni["status"]["podLastSeen"]
        podeni["status"] = status
        updated = self._write_status(api, rt, podeni)
        self._event(api, api._present(rt, updated), "Normal", "AttachENISucceed",
                    "attached eni " + ",".join(infos))
        return updated

    def _create_podeni(self, api, rt, pod: dict, node: dict) -> dict | None:
        annotations = pod["metadata"].get("annotations") or {}
        try:
            networks = json.loads(annotations.get(ANN_POD_NETWORKS) or '{"podNetworks": [{}]}')["podNetworks"]
        except (ValueError, KeyError, TypeError):
            networks = []
        zone = (node["metadata"].get("labels") or {}).get(ZONE_LABEL, "")
        alloc = self._alloc_type_of(api, pod)
        conf = self.eni_conf(api) or {}
        allocations, taken = [], []
        for network in networks or [{}]:
            options = network.get("vSwitchOptions") or conf_vswitches(conf)
            candidates = [v for v in options if self.cluster.spec.vswitches.get(v, {}).get("zone") == zone]
            ip = vsw = None
            for vsw in candidates:
                try:
                    ip = self.pool(vsw).take()
                    break
                except RuntimeError:
                    continue
            if ip is None:
                for vsw_taken, ip_taken in taken:
                    self.pool(vsw_taken).release(ip_taken)
                self._warn_once(api, pod, "CniCreateENIError",
                                f"CniCreateENIError: no available vSwitch for zone {zone}, vSwitchOptions {options}")
                return None
            taken.append((vsw, ip))
            eni_id = f"eni-{self.region_prefix}{self._next_id('eni')}"
            mac = "00:16:3e:" + ":".join(f"{b:02x}" for b in hashlib.sha256(eni_id.encode()).digest()[:3])
            interface = network.get("interface") or "eth0"
            allocations.append({
                "allocationType": alloc,
                "eni": {"id": eni_id, "vpcID": self.vpc_id, "mac": mac,
                        "zone": zone, "vSwitchID": vsw,
                        "securityGroupIDs": list(network.get("securityGroupIDs") or conf_security_groups(conf)),
                        "attachmentOptions": {"trunk": True}},
                "ipv4": ip, "ipv4CIDR": self.cluster.spec.vswitches[vsw]["cidr"], "interface": interface,
                "defaultRoute": bool(network.get("defaultRoute", interface == "eth0")),
            })
        body = {"metadata": {"name": pod["metadata"]["name"], "finalizers": [FINALIZER]},
                "spec": {"allocations": allocations, "zone": zone}}
        try:
            created = api.create(rt, pod["metadata"]["namespace"], body, field_manager=FIELD_MANAGER)
        except errors.ApiError:
            for vsw_taken, ip_taken in taken:
                self.pool(vsw_taken).release(ip_taken)
            return None
        self._event(api, created, "Normal", "CreateENISucceed",
                    "create eni " + ",".join(a["eni"]["id"] for a in allocations))
        return created

    def _alloc_type_of(self, api, pod: dict) -> dict:
        annotations = pod["metadata"].get("annotations") or {}
        pn_name = annotations.get(ANN_POD_NETWORKING)
        if not pn_name and annotations.get(ANN_POD_NETWORKS_REQUEST):
            try:
                pn_name = json.loads(annotations[ANN_POD_NETWORKS_REQUEST])[0]["network"]
            except (ValueError, KeyError, IndexError, TypeError):
                pn_name = None
        if pn_name:
            pn = api.store.get(PN_KEY, "", pn_name)
            if pn is not None:
                alloc = dict(pn["spec"].get("allocationType") or {})
                alloc.setdefault("type", "Elastic")
                return alloc
        try:
            alloc = json.loads(annotations.get(ANN_POD_ALLOC_TYPE) or "{}")
        except ValueError:
            alloc = {}
        alloc = alloc if isinstance(alloc, dict) else {}
        alloc.setdefault("type", "Elastic")
        return alloc
