"""terway-controlplane's PodNetworking controller: the ``Ready`` / ``Fail`` status and its events."""

from __future__ import annotations

from sandbox.k8s.controllers.terway.constants import FIELD_MANAGER, PN_KEY


class PodNetworkingStatus:
    """The PodNetworking status controller of ``Terway``."""

    def sync_podnetworking(self, api, name: str) -> None:
        if self.controlplane(api) != "ready":
            return
        rt = self.rt(api, "podnetworkings")
        pn = api.store.get(PN_KEY, "", name)
        if rt is None or pn is None or pn["metadata"].get("deletionTimestamp"):
            return
        old = pn.get("status") or {}
        known = self.cluster.spec.vswitches
        unknown = [vsw for vsw in pn["spec"].get("vSwitchOptions") or [] if vsw not in known]
        status = {k: v for k, v in old.items() if k == "vSwitches"}
        if unknown:
            status.update({"status": "Fail", "message": f"vSwitch {unknown[0]} not found"})
        else:
            status = {"status": "Ready"}
            vswitches = [{"id": vsw, "zone": known[vsw]["zone"]} for vsw in pn["spec"].get("vSwitchOptions") or []]
            if vswitches:
                status["vSwitches"] = vswitches
        if {k: v for k, v in old.items() if k != "updateAt"} == status:
            return
        status["updateAt"] = self.stamp()
        pn["status"] = status
        api.update(rt, "", name, api._present(rt, pn), subresource="status", field_manager=FIELD_MANAGER)
        if old.get("status") != status["status"] or old.get("message") != status.get("message"):
            if unknown:
                self._event(api, api._present(rt, pn), "Warning", "SyncPodNetworkingFailed",
                            f"Sync failed {status['message']}")
            else:
                self._event(api, api._present(rt, pn), "Normal", "SyncPodNetworkingSucceed", "Synced")
