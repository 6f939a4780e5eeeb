"""Server-side printing: the ``Table`` (meta.k8s.io/v1) that ``kubectl get`` asks for, with the real columns."""

from __future__ import annotations

import datetime


def age(timestamp: str | None) -> str:
    """kubectl's short human duration: 45s, 12m, 3h5m, 2d3h, 400d."""
    if not timestamp:
        return "<unknown>"
    created = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    seconds = max(0, int((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()))
    if seconds < 120:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if days < 2:
        return f"{hours}h"
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    return f"{days}d"


def _ready_pods(obj: dict) -> str:
    statuses = (obj.get("status") or {}).get("containerStatuses") or []
    return f"{sum(1 for s in statuses if s.get('ready'))}/{len(obj['spec'].get('containers', []))}"


def _pod_status(obj: dict) -> str:
    if obj["metadata"].get("deletionTimestamp"):
        return "Terminating"
    status = obj.get("status") or {}
    if status.get("phase") == "Pending" and any(c.get("type") == "PodScheduled" and c.get("status") == "True"
                                                for c in status.get("conditions", [])):
        return "ContainerCreating"
    return status.get("phase", "Pending")


def _containers(obj: dict) -> tuple[str, str]:
    containers = obj["spec"]["template"]["spec"].get("containers", [])
    return ",".join(c["name"] for c in containers), ",".join(c.get("image", "") for c in containers)


def _selector(selector: dict | None) -> str:
    labels = (selector or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>"


def _ports(obj: dict) -> str:
    out = []
    for port in obj["spec"].get("ports", []):
        text = f"{port['port']}:{port['nodePort']}" if port.get("nodePort") else str(port["port"])
        out.append(f"{text}/{port.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _external_ip(obj: dict) -> str:
    if obj["spec"].get("type") == "LoadBalancer":
        ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        return ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or "<pending>"
    return ",".join(obj["spec"].get("externalIPs", [])) or "<none>"


def _node_ip(obj: dict) -> str:
    return next((a["address"] for a in (obj.get("status") or {}).get("addresses", [])
                 if a["type"] == "InternalIP"), "<none>")


def _int(value) -> int:
    return value or 0


# kind -> [(column name, priority, cell function)]. Name comes first; Age follows the priority-0 columns
# unless a kind places it itself with an ("Age", 0, None) entry.
COLUMNS = {
    "Pod": [("Ready", 0, _ready_pods), ("Status", 0, _pod_status),
            ("Restarts", 0, lambda o: sum(s.get("restartCount", 0) for s in (o.get("status") or {}).get(
                "containerStatuses", []))),
            ("IP", 1, lambda o: (o.get("status") or {}).get("podIP", "<none>")),
            ("Node", 1, lambda o: o["spec"].get("nodeName", "<none>"))],
    "Deployment": [("Ready", 0, lambda o: f"{_int((o.get('status') or {}).get('readyReplicas'))}/"
                                          f"{o['spec'].get('replicas', 1)}"),
                   ("Up-to-date", 0, lambda o: _int((o.get("status") or {}).get("updatedReplicas"))),
                   ("Available", 0, lambda o: _int((o.get("status") or {}).get("availableReplicas"))),
                   ("Containers", 1, lambda o: _containers(o)[0]), ("Images", 1, lambda o: _containers(o)[1]),
                   ("Selector", 1, lambda o: _selector(o["spec"].get("selector")))],
    "StatefulSet": [("Ready", 0, lambda o: f"{_int((o.get('status') or {}).get('readyReplicas'))}/"
                                           f"{o['spec'].get('replicas', 1)}"),
                    ("Containers", 1, lambda o: _containers(o)[0]), ("Images", 1, lambda o: _containers(o)[1])],
    "ReplicaSet": [("Desired", 0, lambda o: o["spec"].get("replicas", 1)),
                   ("Current", 0, lambda o: _int((o.get("status") or {}).get("replicas"))),
                   ("Ready", 0, lambda o: _int((o.get("status") or {}).get("readyReplicas")))],
    "DaemonSet": [("Desired", 0, lambda o: _int((o.get("status") or {}).get("desiredNumberScheduled"))),
                  ("Current", 0, lambda o: _int((o.get("status") or {}).get("currentNumberScheduled"))),
                  ("Ready", 0, lambda o: _int((o.get("status") or {}).get("numberReady")))],
    "Service": [("Type", 0, lambda o: o["spec"].get("type", "ClusterIP")),
                ("Cluster-IP", 0, lambda o: o["spec"].get("clusterIP", "<none>")),
                ("External-IP", 0, _external_ip), ("Port(s)", 0, _ports),
                ("Selector", 1, lambda o: ",".join(f"{k}={v}" for k, v in (o["spec"].get("selector") or {}).items())
                 or "<none>")],
    "Node": [("Status", 0, lambda o: "Ready" if any(c["type"] == "Ready" and c["status"] == "True" for c in
                                                    (o.get("status") or {}).get("conditions", [])) else "NotReady"),
             ("Roles", 0, lambda o: "<none>"), ("Age", 0, None),
             ("Version", 0, lambda o: (o.get("status") or {}).get("nodeInfo", {}).get("kubeletVersion", "")),
             ("Internal-IP", 1, _node_ip)],
    "Namespace": [("Status", 0, lambda o: (o.get("status") or {}).get("phase", "Active"))],
    "ConfigMap": [("Data", 0, lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}))],
    "Secret": [("Type", 0, lambda o: o.get("type", "Opaque")), ("Data", 0, lambda o: len(o.get("data") or {}))],
    "NetworkPolicy": [("Pod-Selector", 0, lambda o: _selector(o["spec"].get("podSelector")).replace("<none>", ""))],
    "Ingress": [("Class", 0, lambda o: o["spec"].get("ingressClassName", "<none>")),
                ("Hosts", 0, lambda o: ",".join(r.get("host", "*") for r in o["spec"].get("rules", [])) or "*"),
                ("Address", 0, lambda o: ",".join(i.get("hostname") or i.get("ip", "") for i in (
                    (o.get("status") or {}).get("loadBalancer") or {}).get("ingress", []))),
                ("Ports", 0, lambda o: "80, 443" if o["spec"].get("tls") else "80")],
}


def _columns(kind: str) -> list[tuple]:
    columns = list(COLUMNS.get(kind, []))
    if not any(name == "Age" for name, _, _ in columns):
        columns.insert(len([c for c in columns if c[1] == 0]), ("Age", 0, None))
    return columns


def table(objects: list[dict], kind: str, include_object: str, list_meta: dict) -> dict:
    columns = _columns(kind)
    definitions = [{"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}]
    definitions += [{"name": name, "type": "string", "format": "", "description": name, "priority": priority}
                    for name, priority, _ in columns]
    rows = []
    for obj in objects:
        cells = [obj["metadata"]["name"]] + [
            age(obj["metadata"].get("creationTimestamp")) if cell is None else cell(obj) for _, _, cell in columns]
        if include_object == "None":
            embedded = None
        elif include_object == "Object":
            embedded = obj
        else:
            embedded = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
        rows.append({"cells": cells, "object": embedded})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
            "columnDefinitions": definitions, "rows": rows}
