"""``cluster.pod_network`` on ACK: pod-eni pods get their PodENI's IP, the others the default pool's."""

from __future__ import annotations

from sandbox.k8s.controllers.terway.constants import ANN_POD_ENI
from sandbox.k8s.controllers.terway.controller import Terway


class TerwayPodNetwork:
    """``cluster.pod_network`` on ACK: pod-eni pods through Terway, the others through the default pool."""

    def __init__(self, terway: Terway, default) -> None:
        self.terway = terway
        self.default = default

    @staticmethod
    def _uses_eni(pod: dict) -> bool:
        return not pod["spec"].get("hostNetwork") and \
            (pod["metadata"].get("annotations") or {}).get(ANN_POD_ENI) == "true"

    def pod_ip(self, api, pod: dict, node: dict) -> str | None:
        if self._uses_eni(pod):
            return self.terway.pod_ip(api, pod, node)
        return self.default.pod_ip(api, pod, node)

    def released(self, api, pod: dict) -> None:
        if self._uses_eni(pod):
            self.terway.pod_gone(api, pod)
        else:
            self.default.released(api, pod)
