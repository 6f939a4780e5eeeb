"""PodENI release: on pod deletion (fixed IPs kept), the TTL garbage collection, the finalizer, IPs given back."""

from __future__ import annotations

from sandbox.k8s.controllers.terway.constants import ANN_POD_ENI, FIELD_MANAGER, FINALIZER, PODENI_KEY
from sandbox.k8s.controllers.terway.helpers import have_fixed_ip, parse_go_duration


class Release:
    """PodENI release of ``Terway``: ``pod_gone``, ``collect_podenis`` and the deletion path."""

    def pod_gone(self, api, pod: dict) -> None:
        """A pod-eni pod was deleted: a fixed IP is kept (Unbind), an elastic one is given back."""
        rt = self.rt(api, "podenis")
        if rt is None:
            return
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if podeni is None or podeni["metadata"].get("deletionTimestamp"):
            return
        if have_fixed_ip(podeni):
            status = dict(podeni.get("status") or {})
            status["phase"] = "Unbind"
            status["podLastSeen"] = self.stamp()
            for key in ("instanceID", "trunkENIID", "msg"):
                status.pop(key, None)
            status["eniInfos"] = {k: {**v, "status": "Unbind"} for k, v in (status.get("eniInfos") or {}).items()}
            if not status["eniInfos"]:
                status.pop("eniInfos")
            podeni["status"] = status
            self._write_status(api, rt, podeni)
        else:
            api.delete(rt, namespace, name)

    def collect_podenis(self, api) -> None:
        """``gcCRPodENIs``: PodENIs whose pod is gone are deleted unless a Fixed allocation keeps them."""
        rt = self.rt(api, "podenis")
        if rt is None:
            return
        now = self.clock()
        for podeni in api.store.list(PODENI_KEY):
            meta = podeni["metadata"]
            if meta.get("deletionTimestamp"):
                continue
            if api.store.get(("", "pods"), meta["namespace"], meta["name"]) is not None:
                continue
            if (podeni.get("status") or {}).get("phase") in ("Detaching", "Deleting", "Binding"):
                continue
            keep = False
            last_seen = self.parse_stamp((podeni.get("status") or {}).get("podLastSeen"))
            for allocation in podeni["spec"].get("allocations") or []:
                alloc = allocation.get("allocationType") or {}
                if alloc.get("type") != "Fixed":
                    continue
                if alloc.get("releaseStrategy") == "TTL":
                    duration = parse_go_duration(alloc.get("releaseAfter", ""))
                    if duration is None or duration < 0 or last_seen + duration > now:
                        keep = True
                else:  # Never, or an unsupported strategy
                    keep = True
            if not keep:
                api.delete(rt, meta["namespace"], meta["name"])

    def _finalize_podeni(self, api, namespace: str, name: str) -> None:
        """The member ENI is deleted in the cloud, then the finalizer goes (needs controlplane)."""
        if self.controlplane(api) != "ready":
            return
        rt = self.rt(api, "podenis")
        podeni = api.store.get(PODENI_KEY, namespace, name)
        if rt is None or podeni is None or FINALIZER not in (podeni["metadata"].get("finalizers") or []):
            return
        podeni["metadata"]["finalizers"] = [f for f in podeni["metadata"]["finalizers"] if f != FINALIZER]
        api.update(rt, namespace, name, api._present(rt, podeni), field_manager=FIELD_MANAGER)

    def _podeni_gone(self, api, podeni: dict) -> None:
        for allocation in (podeni.get("spec") or {}).get("allocations") or []:
            vsw, ip = (allocation.get("eni") or {}).get("vSwitchID"), allocation.get("ipv4")
            if vsw in self.cluster.spec.vswitches and ip:
                self.pool(vsw).release(ip)
        pod = api.store.get(("", "pods"), podeni["metadata"]["namespace"], podeni["metadata"]["name"])
        kubelet = self._kubelet(api)
        if pod is not None and kubelet is not None and (pod.get("status") or {}).get("phase") != "Running" \
                and (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) == "true":
            kubelet.sync_pod(api, api._present(api.registry.lookup("", "v1", "pods"), pod))
