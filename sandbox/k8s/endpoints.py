"""A Service's endpoints as kube-proxy and the cloud controller see them: the ready pods its selector
picks, and the pod port each Service port reaches (a named targetPort is looked up in the containers).
Pure functions over plain objects, shared by the CCM simulation and the reachability oracle.
"""

from __future__ import annotations


def ready(pod: dict) -> bool:
    status = pod.get("status") or {}
    return bool(status.get("podIP")) and not pod["metadata"].get("deletionTimestamp") and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions", []))


def pods_of(service: dict, pods: list[dict]) -> list[dict]:
    """The ready pods of the Service's namespace that its selector picks (none without a selector)."""
    selector = (service.get("spec") or {}).get("selector") or {}
    namespace = service["metadata"].get("namespace")
    if not selector:
        return []
    return [pod for pod in pods if ready(pod) and pod["metadata"].get("namespace") == namespace
            and all((pod["metadata"].get("labels") or {}).get(k) == v for k, v in selector.items())]


def target_port(port: dict, pods: list[dict]) -> int:
    """The container port a Service port forwards to on these pods."""
    target = port.get("targetPort", port["port"])
    if isinstance(target, int) or str(target).isdigit():
        return int(target)
    for pod in pods:
        for container in pod["spec"].get("containers", []):
            for declared in container.get("ports", []):
                if declared.get("name") == target:
                    return int(declared["containerPort"])
    return int(port["port"])
