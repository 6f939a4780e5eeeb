"""terwayd (the ``terway-eniip`` DaemonSet): trunk ENIs on start, and the kubelet's retries of waiting pods."""

from __future__ import annotations

from sandbox.k8s.controllers.terway.constants import ANN_POD_ENI, ANN_TRUNK_ON
from sandbox.k8s.controllers.terway.helpers import _token


class Terwayd:
    """terwayd's part of ``Terway``: it reads eni_conf when one of its pods starts."""

    def _terwayd_start(self, api, pod: dict) -> None:
        uid = pod["metadata"]["uid"]
        if uid in self._terwayd_started:
            return
        self._terwayd_started.add(uid)
        node_name = pod["spec"].get("nodeName")
        node = api.store.get(("", "nodes"), "", node_name or "")
        if node is None:
            return
        conf = self.eni_conf(api, node)
        if not conf or conf.get("enable_eni_trunking") is not True:
            return
        annotations = node["metadata"].setdefault("annotations", {})
        if annotations.get(ANN_TRUNK_ON):
            return
        annotations[ANN_TRUNK_ON] = f"eni-{self.region_prefix}{_token('trunk/' + node_name, 17)}"
        nodes = api.registry.lookup("", "v1", "nodes")
        api.update(nodes, "", node_name, api._present(nodes, node), field_manager="terwayd")
        self._retry_waiting_pods(api, node_name)

    def _kubelet(self, api):
        return next((c for c in api.controllers if hasattr(c, "sync_pod")), None)

    def _retry_waiting_pods(self, api, node_name: str | None = None) -> None:
        """The kubelet retries CNI ADD for pods still waiting for their PodENI."""
        kubelet = self._kubelet(api)
        if kubelet is None:
            return
        pods = api.registry.lookup("", "v1", "pods")
        for pod in api.store.list(("", "pods")):
            if (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) != "true":
                continue
            if pod["metadata"].get("deletionTimestamp") or (pod.get("status") or {}).get("phase") == "Running":
                continue
            if node_name and pod["spec"].get("nodeName") != node_name:
                continue
            kubelet.sync_pod(api, api._present(pods, pod))
