"""Workload controllers, a scheduler and a kubelet, reduced to what clients can observe.

- Deployment -> one ReplicaSet per pod template (``<name>-<pod-template-hash>``), old ones scaled to 0;
- ReplicaSet -> N pods named ``<rs>-<5 chars>``; StatefulSet -> pods ``<name>-0..N-1``;
  DaemonSet -> one pod per node;
- scheduler: places pending pods on nodes (nodeSelector and required zone affinity honoured);
- kubelet: marks placed pods Running and Ready with an IP from the cluster's pod network
  (``cluster.pod_network``; Terway replaces it on ACK clusters) and reports workload status.
All of it happens at once: a Deployment is ready as soon as it is written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import string

from sandbox.k8s import errors, selectors
from sandbox.k8s.clock import now

NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"  # the apimachinery rand.String alphabet (no vowels)


def _hash(template: dict) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return "".join(NAME_CHARS[int(digest[i:i + 2], 16) % len(NAME_CHARS)] for i in range(0, 20, 2))


def _owner_ref(owner: dict) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def _owned_by(obj: dict, owner_uid: str) -> bool:
    return any(r.get("uid") == owner_uid and r.get("controller") for r in obj["metadata"].get("ownerReferences", []))


def _pod_ready(pod: dict) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in (pod.get("status") or {}).get("conditions", []))


def _condition(old_conditions: list, kind: str, status: str, reason: str = "", message: str = "") -> dict:
    """A condition whose lastTransitionTime moves only when its status does (keeps status writes idempotent)."""
    previous = next((c for c in old_conditions or [] if c.get("type") == kind), None)
    stamp = previous.get("lastTransitionTime") if previous and previous.get("status") == status else now()
    condition = {"type": kind, "status": status, "lastTransitionTime": stamp}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    return condition


class DefaultPodNetwork:
    """Pod IPs from the cluster's pod CIDR; a pod keeps its IP until it is deleted."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster

    def pod_ip(self, api, pod: dict, node: dict) -> str | None:
        if pod["spec"].get("hostNetwork"):
            return _node_ip(node)
        return self.cluster.pod_ips.take()

    def released(self, api, pod: dict) -> None:
        ip = (pod.get("status") or {}).get("podIP")
        if ip and not pod["spec"].get("hostNetwork"):
            self.cluster.pod_ips.release(ip)


def _node_ip(node: dict) -> str:
    return next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")


class Workloads:
    def __init__(self, cluster) -> None:
        self.cluster = cluster
        api = cluster.api
        self.rt = {plural: api.registry.lookup(group, "v1", plural) for group, plural in (
            ("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets"),
            ("", "pods"), ("", "nodes"))}
        self._placements = 0

    # ------------------------------------------------------------------ dispatch

    def on_event(self, api, event) -> None:
        group, plural = event.key
        obj = event.object
        if event.type == "DELETED":
            if plural == "pods" and not group:
                self.cluster.pod_network.released(api, obj)
                self._resync_owner(api, obj)
            return
        if obj["metadata"].get("deletionTimestamp"):
            return
        handler = {("apps", "deployments"): self.sync_deployment, ("apps", "replicasets"): self.sync_replicaset,
                   ("apps", "statefulsets"): self.sync_statefulset, ("apps", "daemonsets"): self.sync_daemonset,
                   ("", "pods"): self.sync_pod}.get(event.key)
        if handler:
            current = api.store.get(event.key, event.namespace, event.name)
            if current is not None:
                handler(api, api._present(self.rt[plural], current))
        if event.key == ("", "nodes") and event.type == "ADDED":
            for ds in api.store.list(("apps", "daemonsets")):
                self.sync_daemonset(api, api._present(self.rt["daemonsets"], ds))

    def _resync_owner(self, api, pod: dict) -> None:
        """A pod is gone: its controller recreates it (that is what makes pod deletion a restart)."""
        for ref in pod["metadata"].get("ownerReferences", []):
            plural = {"ReplicaSet": "replicasets", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets"}.get(
                ref.get("kind"))
            if plural is None:
                continue
            owner = api.store.get(("apps", plural), pod["metadata"]["namespace"], ref["name"])
            if owner is not None and owner["metadata"]["uid"] == ref.get("uid") and \
                    not owner["metadata"].get("deletionTimestamp"):
                getattr(self, f"sync_{plural[:-1]}")(api, api._present(self.rt[plural], owner))

    def _pods_of(self, api, owner: dict) -> list[dict]:
        return [p for p in api.store.list(("", "pods"), owner["metadata"]["namespace"])
                if _owned_by(p, owner["metadata"]["uid"]) and not p["metadata"].get("deletionTimestamp")]

    def _write_status(self, api, rt, obj: dict, status: dict) -> None:
        if obj.get("status") == status:
            return
        updated = copy.deepcopy(obj)
        updated["status"] = status
        api.update(rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"], updated, subresource="status",
                   field_manager=f"{rt.plural[:-1]}-controller")

    # ------------------------------------------------------------------ deployments

    def sync_deployment(self, api, deploy: dict) -> None:
        meta, spec = deploy["metadata"], deploy["spec"]
        template = copy.deepcopy(spec["template"])
        pod_hash = _hash(template)[:10]
        rs_name = f"{meta['name']}-{pod_hash}"
        owned = [rs for rs in api.store.list(("apps", "replicasets"), meta["namespace"])
                 if _owned_by(rs, meta["uid"])]
        revision = max([int(rs["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", 0))
                        for rs in owned] + [0])
        current = next((rs for rs in owned if rs["metadata"]["name"] == rs_name), None)
        rs_rt = self.rt["replicasets"]
        replicas = spec.get("replicas", 1)
        if current is None:
            template.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
            selector = copy.deepcopy(spec["selector"])
            selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
            api.create(rs_rt, meta["namespace"], {
                "metadata": {"name": rs_name, "labels": dict(template["metadata"]["labels"]),
                             "annotations": {"deployment.kubernetes.io/revision": str(revision + 1),
                                             "deployment.kubernetes.io/desired-replicas": str(replicas)},
                             "ownerReferences": [_owner_ref(deploy)]},
                "spec": {"replicas": replicas, "selector": selector, "template": template}},
                field_manager="deployment-controller")
        elif current["spec"].get("replicas") != replicas:
            current["spec"]["replicas"] = replicas
            current["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = str(
                replicas)
            api.update(rs_rt, meta["namespace"], rs_name, api._present(rs_rt, current),
                       field_manager="deployment-controller")
        for old in owned:
            if old["metadata"]["name"] != rs_name and old["spec"].get("replicas", 0) != 0:
                old["spec"]["replicas"] = 0
                api.update(rs_rt, meta["namespace"], old["metadata"]["name"], api._present(rs_rt, old),
                           field_manager="deployment-controller")
        self._deployment_status(api, deploy)

    def _deployment_status(self, api, deploy: dict) -> None:
        deploy = api.store.get(("apps", "deployments"), deploy["metadata"]["namespace"], deploy["metadata"]["name"])
        if deploy is None:
            return
        deploy = api._present(self.rt["deployments"], deploy)
        pod_hash = _hash(deploy["spec"]["template"])[:10]
        pods = [p for rs in api.store.list(("apps", "replicasets"), deploy["metadata"]["namespace"])
                if _owned_by(rs, deploy["metadata"]["uid"]) for p in self._pods_of(api, rs)]
        ready = sum(1 for p in pods if _pod_ready(p))
        updated = sum(1 for p in pods if p["metadata"].get("labels", {}).get("pod-template-hash") == pod_hash)
        wanted = deploy["spec"].get("replicas", 1)
        old = (deploy.get("status") or {}).get("conditions", [])
        status = {"observedGeneration": deploy["metadata"]["generation"], "replicas": len(pods),
                  "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": ready,
                  "conditions": [
                      _condition(old, "Available", "True" if ready >= wanted else "False",
                                 "MinimumReplicasAvailable" if ready >= wanted else "MinimumReplicasUnavailable",
                                 "Deployment has minimum availability." if ready >= wanted else
                                 "Deployment does not have minimum availability."),
                      _condition(old, "Progressing", "True", "NewReplicaSetAvailable",
                                 f'ReplicaSet "{deploy["metadata"]["name"]}-{pod_hash}" has successfully progressed.')]}
        if len(pods) - ready:
            status["unavailableReplicas"] = len(pods) - ready
        for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas"):
            if not status[key]:
                status.pop(key)
        self._write_status(api, self.rt["deployments"], deploy, status)

    # ------------------------------------------------------------------ replicasets

    def sync_replicaset(self, api, rs: dict) -> None:
        pods = self._pods_of(api, rs)
        wanted = rs["spec"].get("replicas", 1)
        for _ in range(wanted - len(pods)):
            name = f"{rs['metadata']['name']}-" + "".join(random.choices(NAME_CHARS, k=5))
            self._create_pod(api, rs, name, {})
        for pod in sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"], reverse=True)[:max(0, len(pods)
                                                                                                      - wanted)]:
            self._delete_pod(api, pod)
        pods = self._pods_of(api, rs)
        ready = sum(1 for p in pods if _pod_ready(p))
        status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
                  "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"]}
        for key in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
            if not status[key]:
                status.pop(key)
        self._write_status(api, self.rt["replicasets"], rs, status)
        for ref in rs["metadata"].get("ownerReferences", []):
            if ref.get("kind") == "Deployment":
                deploy = api.store.get(("apps", "deployments"), rs["metadata"]["namespace"], ref["name"])
                if deploy is not None and deploy["metadata"]["uid"] == ref["uid"]:
                    self._deployment_status(api, deploy)

    # ------------------------------------------------------------------ statefulsets

    def sync_statefulset(self, api, sts: dict) -> None:
        meta, spec = sts["metadata"], sts["spec"]
        revision = f"{meta['name']}-{_hash(spec['template'])[:10]}"
        wanted = spec.get("replicas", 1)
        pods = {p["metadata"]["name"]: p for p in self._pods_of(api, sts)}
        for ordinal in range(wanted):
            name = f"{meta['name']}-{ordinal}"
            pod = pods.get(name)
            if pod is not None and pod["metadata"].get("labels", {}).get("controller-revision-hash") != revision:
                self._delete_pod(api, pod)  # rolling update: the controller recreates it from the new template
                pod = None
            if pod is None and api.store.get(("", "pods"), meta["namespace"], name) is None:
                self._create_pod(api, sts, name, {
                    "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": name,
                    "apps.kubernetes.io/pod-index": str(ordinal)},
                    spec_extra={"hostname": name, **({"subdomain": spec["serviceName"]}
                                                     if spec.get("serviceName") else {})})
        for name, pod in pods.items():
            ordinal = name.rsplit("-", 1)[-1]
            if not ordinal.isdigit() or int(ordinal) >= wanted:
                self._delete_pod(api, pod)
        current = api.store.get(("apps", "statefulsets"), meta["namespace"], meta["name"])
        if current is None:
            return
        pods = self._pods_of(api, sts)
        ready = sum(1 for p in pods if _pod_ready(p))
        status = {"observedGeneration": meta["generation"], "replicas": len(pods), "readyReplicas": ready,
                  "currentReplicas": len(pods), "updatedReplicas": len(pods), "availableReplicas": ready,
                  "currentRevision": revision, "updateRevision": revision, "collisionCount": 0}
        for key in ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"):
            if not status[key]:
                status.pop(key)
        self._write_status(api, self.rt["statefulsets"], api._present(self.rt["statefulsets"], current), status)

    # ------------------------------------------------------------------ daemonsets

    def sync_daemonset(self, api, ds: dict) -> None:
        node_selector = ds["spec"]["template"].get("spec", {}).get("nodeSelector") or {}
        nodes = [n for n in api.store.list(("", "nodes"))
                 if all(n["metadata"].get("labels", {}).get(k) == v for k, v in node_selector.items())]
        pods = self._pods_of(api, ds)
        placed = {p["spec"].get("nodeName"): p for p in pods}
        for node in nodes:
            if node["metadata"]["name"] not in placed:
                name = f"{ds['metadata']['name']}-" + "".join(random.choices(NAME_CHARS, k=5))
                self._create_pod(api, ds, name, {"controller-revision-hash": _hash(ds["spec"]["template"])[:10],
                                                 "pod-template-generation": str(ds["metadata"]["generation"])},
                                 spec_extra={"nodeName": node["metadata"]["name"]})
        node_names = {n["metadata"]["name"] for n in nodes}
        for pod in pods:
            if pod["spec"].get("nodeName") not in node_names:
                self._delete_pod(api, pod)
        current = api.store.get(("apps", "daemonsets"), ds["metadata"]["namespace"], ds["metadata"]["name"])
        if current is None:
            return
        pods = self._pods_of(api, ds)
        ready = sum(1 for p in pods if _pod_ready(p))
        status = {"currentNumberScheduled": len(pods), "desiredNumberScheduled": len(nodes), "numberMisscheduled": 0,
                  "numberReady": ready, "numberAvailable": ready, "updatedNumberScheduled": len(pods),
                  "observedGeneration": ds["metadata"]["generation"]}
        self._write_status(api, self.rt["daemonsets"], api._present(self.rt["daemonsets"], current), status)

    # ------------------------------------------------------------------ pods

    def _create_pod(self, api, owner: dict, name: str, extra_labels: dict, spec_extra: dict | None = None) -> None:
        template = copy.deepcopy(owner["spec"]["template"])
        metadata = template.get("metadata") or {}
        pod = {"metadata": {"name": name, "labels": {**(metadata.get("labels") or {}), **extra_labels},
                            "ownerReferences": [_owner_ref(owner)]},
               "spec": {**template.get("spec", {}), **(spec_extra or {})}}
        if metadata.get("annotations"):
            pod["metadata"]["annotations"] = dict(metadata["annotations"])
        try:
            api.create(self.rt["pods"], owner["metadata"]["namespace"], pod, field_manager="kube-controller-manager")
        except errors.ApiError as exc:
            if exc.code != 409:  # an admission webhook denied it: the real controller emits an event and retries
                self._event(api, owner, "FailedCreate", f"Error creating: {exc.message}")

    def _delete_pod(self, api, pod: dict) -> None:
        try:
            api.delete(self.rt["pods"], pod["metadata"]["namespace"], pod["metadata"]["name"])
        except errors.ApiError:
            pass

    def _event(self, api, obj: dict, reason: str, message: str) -> None:
        events = api.registry.lookup("", "v1", "events")
        name = f"{obj['metadata']['name']}.{''.join(random.choices(string.hexdigits.lower(), k=16))}"
        api.create(events, obj["metadata"]["namespace"], {
            "metadata": {"name": name},
            "involvedObject": {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": obj["metadata"]["name"],
                               "namespace": obj["metadata"]["namespace"], "uid": obj["metadata"]["uid"]},
            "reason": reason, "message": message, "type": "Warning", "count": 1,
            "firstTimestamp": now(), "lastTimestamp": now(), "source": {"component": "controller-manager"}})

    def sync_pod(self, api, pod: dict) -> None:
        """Scheduler, then kubelet: place the pod, then run it with an IP."""
        status = pod.get("status") or {}
        if status.get("phase") in ("Running", "Succeeded", "Failed"):
            return
        node = self._node_for(api, pod)
        if node is None:
            self._pending(api, pod, "PodScheduled", "Unschedulable",
                          "0/%d nodes are available: node(s) didn't match scheduling constraints." %
                          len(api.store.list(("", "nodes"))))
            return
        if pod["spec"].get("nodeName") != node["metadata"]["name"]:
            pod["spec"]["nodeName"] = node["metadata"]["name"]
            pod = api.update(self.rt["pods"], pod["metadata"]["namespace"], pod["metadata"]["name"], pod,
                             field_manager="kube-scheduler")
        ip = self.cluster.pod_network.pod_ip(api, pod, node)
        if ip is None:  # the pod network cannot give it an address yet (e.g. no trunk ENI): stays creating
            self._pending(api, pod, "Ready", "ContainersNotReady", "containers with unready status: "
                          + json.dumps([c["name"] for c in pod["spec"]["containers"]]), scheduled=True,
                          node=node)
            return
        stamp = now()
        old = status.get("conditions", [])
        running = {
            "phase": "Running", "hostIP": _node_ip(node), "hostIPs": [{"ip": _node_ip(node)}],
            "podIP": ip, "podIPs": [{"ip": ip}], "startTime": status.get("startTime", stamp), "qosClass": "BestEffort",
            "conditions": [_condition(old, kind, "True") for kind in
                           ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": c["name"], "image": c["image"], "imageID": "", "ready": True,
                                   "restartCount": 0, "started": True,
                                   "containerID": f"containerd://{_hash(pod['metadata']['uid'] + c['name'])}",
                                   "state": {"running": {"startedAt": stamp}}}
                                  for c in pod["spec"]["containers"]]}
        self._write_status(api, self.rt["pods"], pod, running)

    def _pending(self, api, pod, kind, reason, message, scheduled=False, node=None) -> None:
        old = (pod.get("status") or {}).get("conditions", [])
        conditions = [_condition(old, "PodScheduled", "True" if scheduled else "False",
                                 "" if scheduled else reason, "" if scheduled else message)]
        if scheduled:
            conditions.append(_condition(old, kind, "False", reason, message))
        status = {"phase": "Pending", "conditions": conditions, "qosClass": "BestEffort"}
        if node is not None:
            status["hostIP"] = _node_ip(node)
            status["startTime"] = (pod.get("status") or {}).get("startTime", now())
        self._write_status(api, self.rt["pods"], pod, status)

    def _node_for(self, api, pod: dict) -> dict | None:
        nodes = api.store.list(("", "nodes"))
        if pod["spec"].get("nodeName"):
            return next((n for n in nodes if n["metadata"]["name"] == pod["spec"]["nodeName"]), None)
        candidates = [n for n in nodes if self._fits(pod, n)]
        if not candidates:
            return None
        self._placements += 1
        return candidates[self._placements % len(candidates)]

    @staticmethod
    def _fits(pod: dict, node: dict) -> bool:
        labels = node["metadata"].get("labels", {})
        if any(labels.get(k) != v for k, v in (pod["spec"].get("nodeSelector") or {}).items()):
            return False
        required = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
                    .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
        terms = required.get("nodeSelectorTerms") or []
        if not terms:
            return True
        for term in terms:  # terms are ORed, expressions within a term ANDed
            expressions = [{"key": e["key"], "operator": e["operator"], "values": e.get("values", [])}
                           for e in term.get("matchExpressions", []) if e["operator"] in ("In", "NotIn", "Exists",
                                                                                          "DoesNotExist")]
            try:
                if selectors.label_selector_from_object({"matchExpressions": expressions}).matches(labels):
                    return True
            except selectors.SelectorError:
                continue
        return False


def install(cluster) -> None:
    cluster.pod_network = DefaultPodNetwork(cluster)
    cluster.api.controllers.append(Workloads(cluster))
