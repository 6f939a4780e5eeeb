"""The simulated cloud-controller-manager's service controller on one ACK cluster.

It reacts to Service (and endpoint pod) changes on a worker thread of its own, outside the cluster
lock, like the real controller's work queue: each sync reads the Service, talks to the CLB emulator
over HTTP with the CCM's own AccessKey (accounted as ``slb:ccm``), then writes the Service's labels
(``service.k8s.alibaba/loadbalancer-id``, ``service.beta.kubernetes.io/hash``), its
``status.loadBalancer`` and Events. A sync that meets a transient CLB error (Throttling,
ServiceUnavailable, SystemBusy, AclEntryProcessing) is retried after ``RETRY_SECONDS``.
"""

from __future__ import annotations

import copy
import logging
import queue
import threading

from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbApiError, SlbClient
from sandbox.k8s import endpoints, events
from sandbox.k8s.controllers.ccm import wanted as service_wants
from sandbox.k8s.controllers.ccm.wanted import HASH_LABEL, LB_ID_LABEL
from sandbox.k8s.controllers.ccm.loadbalancer import LoadBalancerSync

LOG = logging.getLogger(__name__)
COMPONENT = "cloud-controller-manager"
SERVICES = ("", "services")
TRANSIENT = ("Throttling", "ServiceUnavailable", "SystemBusy", "AclEntryProcessing")
RETRY_SECONDS = 1.0


class CloudControllerManager:
    def __init__(self, cluster, slb_url: str) -> None:
        self.cluster = cluster
        self.api = cluster.api
        self.sync_lb = LoadBalancerSync(SlbClient(slb_url, credentials.CCM, cluster.spec.region), cluster.spec.name)
        self.services_rt = self.api.registry.lookup("", "v1", "services")
        self._queue: queue.Queue = queue.Queue()
        self._outstanding = 0
        self._reported: set[tuple] = set()
        self._idle = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"ccm-{cluster.spec.name}", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ the work queue

    def on_event(self, api, event) -> None:
        """Called under the cluster lock: only queue work."""
        if event.key == SERVICES:
            self._enqueue((event.namespace, event.name, event.object if event.type == "DELETED" else None))
        elif event.key == ("", "pods") and event.namespace:
            for service in api.store.list(SERVICES, event.namespace):
                if (service.get("spec") or {}).get("type") == "LoadBalancer":
                    self._enqueue((event.namespace, service["metadata"]["name"], None))

    def _enqueue(self, item: tuple, delay: float = 0.0) -> None:
        with self._idle:
            self._outstanding += 1
        if delay:
            timer = threading.Timer(delay, self._queue.put, (item,))
            timer.daemon = True
            timer.start()
        else:
            self._queue.put(item)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued sync is done (tests use this instead of sleeping)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._outstanding == 0, timeout)

    def _run(self) -> None:
        while not self.cluster._stop.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self._sync_guarded(item)
            finally:
                with self._idle:
                    self._outstanding -= 1
                    self._idle.notify_all()

    def _sync_guarded(self, item: tuple) -> None:
        namespace, name, deleted = item
        try:
            if deleted is not None:
                self.release(deleted)
            else:
                self.sync(namespace, name)
        except SlbApiError as exc:
            if exc.code in TRANSIENT:
                self._enqueue(item, delay=RETRY_SECONDS)
            elif deleted is None:
                self._event(namespace, name, "Warning", "SyncLoadBalancerFailed", str(exc))
        except Exception:  # noqa: BLE001 - a controller keeps running
            LOG.exception("ccm sync of %s/%s failed", namespace, name)

    # ------------------------------------------------------------------ one Service

    def _read(self, namespace: str, name: str) -> tuple[dict | None, list[dict]]:
        with self.api.transaction():
            service = self.api.store.get(SERVICES, namespace, name)
            pods = [copy.deepcopy(p) for p in self.api.store.list(("", "pods"), namespace)]
            return (copy.deepcopy(service) if service else None), pods

    def sync(self, namespace: str, name: str) -> None:
        service, pods = self._read(namespace, name)
        if service is None:
            return
        if service["spec"].get("type") != "LoadBalancer":
            if LB_ID_LABEL in (service["metadata"].get("labels") or {}):
                self.release(service)
                self._forget(service)
            return
        try:
            wanted = service_wants.read(service)
        except ValueError as exc:
            self._warn_once(service, "SyncLoadBalancerFailed", str(exc))
            return
        lb, created_by_us = self.sync_lb.find(service, wanted)
        changes = []
        if lb is None:
            lb = self.sync_lb.create(service, wanted)
            changes.append(f"created load balancer {lb['LoadBalancerId']}")
        digest = service_wants.service_hash(service)
        labels = service["metadata"].get("labels") or {}
        if created_by_us or wanted.force_override:
            ports = resolve_ports(service, pods)
            if labels.get(HASH_LABEL) != digest or changes:
                changes += self.sync_lb.sync_listeners(lb, ports, wanted)
        elif wanted.acl_annotated and labels.get(HASH_LABEL) != digest:
            self._event_on(service, "Warning", "SkipSyncListeners",
                           f"load balancer {lb['LoadBalancerId']} is reused without "
                           f"{service_wants.PREFIX}force-override-listeners: \"true\": its listeners, and the acl-* "
                           f"annotations, are left as they are")
        changes += self.sync_lb.sync_backends(lb, service, endpoint_ips(service, pods))
        self._write_back(service, lb, wanted, digest)
        if changes:
            self._event_on(service, "Normal", "EnsuredLoadBalancer", "; ".join(changes))

    def release(self, service: dict) -> None:
        """The Service is gone or no longer a LoadBalancer: delete the load balancer this CCM created, or
        take its backends off a reused one."""
        wanted_id = service_wants.get(service["metadata"].get("annotations") or {}, "id")
        if wanted_id:
            lb = self.sync_lb.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=wanted_id)
            self.sync_lb.sync_backends(lb, service, [])
        else:
            self.sync_lb.delete_created(service)

    # ------------------------------------------------------------------ writes to the Service

    def _write_back(self, service: dict, lb: dict, wanted, digest: str) -> None:
        meta = service["metadata"]
        ingress = [{"hostname": wanted.hostname}] if wanted.hostname else [{"ip": lb["Address"], "ipMode": "VIP"}]
        labels = {LB_ID_LABEL: lb["LoadBalancerId"], HASH_LABEL: digest}
        with self.api.transaction():
            current = self.api.store.get(SERVICES, meta["namespace"], meta["name"])
            if current is None or current["metadata"]["uid"] != meta["uid"]:
                return
            if any((current["metadata"].get("labels") or {}).get(k) != v for k, v in labels.items()):
                self.api.patch(self.services_rt, meta["namespace"], meta["name"], "application/merge-patch+json",
                               {"metadata": {"labels": labels}}, field_manager=COMPONENT)
                current = self.api.store.get(SERVICES, meta["namespace"], meta["name"])
            if (current.get("status") or {}).get("loadBalancer", {}).get("ingress") != ingress:
                body = copy.deepcopy(current)
                body["status"] = {"loadBalancer": {"ingress": ingress}}
                self.api.update(self.services_rt, meta["namespace"], meta["name"],
                                self.api._present(self.services_rt, body), subresource="status",
                                field_manager=COMPONENT)

    def _forget(self, service: dict) -> None:
        meta = service["metadata"]
        with self.api.transaction():
            self.api.patch(self.services_rt, meta["namespace"], meta["name"], "application/merge-patch+json",
                           {"metadata": {"labels": {LB_ID_LABEL: None, HASH_LABEL: None}}}, field_manager=COMPONENT)
            current = copy.deepcopy(self.api.store.get(SERVICES, meta["namespace"], meta["name"]))
            current["status"] = {"loadBalancer": {}}
            self.api.update(self.services_rt, meta["namespace"], meta["name"],
                            self.api._present(self.services_rt, current), subresource="status", field_manager=COMPONENT)

    def _event(self, namespace: str, name: str, kind: str, reason: str, message: str) -> None:
        service, _ = self._read(namespace, name)
        if service is not None:
            self._event_on(service, kind, reason, message)

    def _event_on(self, service: dict, kind: str, reason: str, message: str) -> None:
        with self.api.transaction():
            events.record(self.api, self.api._present(self.services_rt, service), kind, reason, message, COMPONENT)

    def _warn_once(self, service: dict, reason: str, message: str) -> None:
        """Annotation problems are reported once per Service version, not on every pod change."""
        key = (service["metadata"]["uid"], service["metadata"].get("resourceVersion"), message)
        if key not in self._reported:
            self._reported.add(key)
            self._event_on(service, "Warning", reason, message)


def endpoint_ips(service: dict, pods: list[dict]) -> list[str]:
    return sorted(pod["status"]["podIP"] for pod in endpoints.pods_of(service, pods))


def resolve_ports(service: dict, pods: list[dict]) -> list[dict]:
    """The Service ports with the backend (pod) port each one reaches."""
    ready = endpoints.pods_of(service, pods)
    return [{**port, "backend_port": endpoints.target_port(port, ready)} for port in service["spec"].get("ports") or []]
