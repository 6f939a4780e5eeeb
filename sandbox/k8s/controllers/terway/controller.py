"""``Terway``: the per-cluster simulation assembled from its parts, with its event handling and ticker."""

from __future__ import annotations

import time

from sandbox.k8s.cluster import IpPool
from sandbox.k8s.controllers.terway.config import TerwayConfig
from sandbox.k8s.controllers.terway.constants import CONTROLPLANE, PN_KEY, PODENI_KEY, SYSTEM_NS, TERWAYD_LABEL
from sandbox.k8s.controllers.terway.helpers import _token
from sandbox.k8s.controllers.terway.podeni import PodENIs
from sandbox.k8s.controllers.terway.podnetworking import PodNetworkingStatus
from sandbox.k8s.controllers.terway.release import Release
from sandbox.k8s.controllers.terway.terwayd import Terwayd
from sandbox.k8s.controllers.terway.webhooks import Admission
from sandbox.k8s.controllers.terway.writes import Writes


class Terway(TerwayConfig, Admission, Terwayd, PodNetworkingStatus, PodENIs, Release, Writes):
    """terwayd + terway-controlplane for one cluster. ``clock`` (seconds since the epoch) can be replaced."""

    def __init__(self, cluster, clock=None) -> None:
        self.cluster = cluster
        self.clock = clock or time.time
        self._pools: dict[str, IpPool] = {}
        self._terwayd_started: set[str] = set()  # uids of terwayd pods that already read their config
        self._vlan: dict[str, int] = {}  # node -> last VLAN id handed out on its trunk ENI
        self._seq = 0
        self._controlplane_state: str | None = None
        self._reported: set[tuple[str, str]] = set()  # (pod uid, reason) of warning events already emitted
        self.region_prefix = {"cn-hangzhou": "bp1", "cn-shanghai": "uf6", "cn-beijing": "2ze"}.get(
            cluster.spec.region, "bp1")
        self.vpc_id = f"vpc-{self.region_prefix}{_token('vpc/' + cluster.spec.name, 17)}"

    # ------------------------------------------------------------------ events

    def on_event(self, api, event) -> None:
        key, obj = event.key, event.object
        if key == PN_KEY and event.type != "DELETED":
            self.sync_podnetworking(api, event.name)
        elif key == PODENI_KEY:
            if event.type == "DELETED":
                self._podeni_gone(api, obj)
            elif obj["metadata"].get("deletionTimestamp"):
                self._finalize_podeni(api, event.namespace, event.name)
        elif key == ("apps", "deployments") and event.namespace == SYSTEM_NS and event.name == CONTROLPLANE:
            state = self.controlplane(api)
            if state != self._controlplane_state:
                self._controlplane_state = state
                if state == "ready":
                    self.reconcile(api)
        elif key == ("", "pods") and event.type != "DELETED" and event.namespace == SYSTEM_NS:
            pod = api.store.get(key, event.namespace, event.name)
            if pod is not None and (pod["metadata"].get("labels") or {}).get(TERWAYD_LABEL[0]) == TERWAYD_LABEL[1] \
                    and (pod.get("status") or {}).get("phase") == "Running":
                self._terwayd_start(api, pod)

    def tick(self, api) -> None:
        if self.controlplane(api) != "ready":
            return
        self.reconcile(api)
        self.collect_podenis(api)

    def reconcile(self, api) -> None:
        """What controlplane catches up on when it (re)starts: statuses, finalizers, waiting pods."""
        for pn in api.store.list(PN_KEY):
            self.sync_podnetworking(api, pn["metadata"]["name"])
        for podeni in api.store.list(PODENI_KEY):
            if podeni["metadata"].get("deletionTimestamp"):
                self._finalize_podeni(api, podeni["metadata"]["namespace"], podeni["metadata"]["name"])
        self._retry_waiting_pods(api)
