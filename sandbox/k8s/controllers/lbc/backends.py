"""A backend Service port as a target group: its targets and the port the node rules must open (reference B.3).

- target-type ``instance``: the Service's NodePort on every node's instance (``spec.providerID``);
- target-type ``ip``: the ready pods' addresses on the port the Service forwards to (a named ``targetPort`` is
  looked up in the pods' containers).
"""

from __future__ import annotations

from sandbox.k8s import endpoints
from sandbox.k8s.controllers.lbc.model import Stack, TargetGroup


def instances(nodes: list[dict]) -> list[str]:
    """The EC2 instance of each node (``aws:///<zone>/<instance id>``), in node order."""
    found = [(n["spec"].get("providerID") or "").rpartition("/")[2] for n in nodes]
    return [i for i in found if i.startswith("i-")]


def find_port(service: dict, wanted: str | int) -> dict | None:
    """The Service port named or numbered ``wanted``."""
    for port in service["spec"].get("ports") or []:
        if port.get("port") == wanted or (isinstance(wanted, str) and port.get("name") == wanted):
            return port
    return None


def target_group(stack: Stack, service: dict, port: dict, protocol: str, target_type: str, cluster: dict,
                 service_port: str | None = None) -> TargetGroup | None:
    """The target group of one Service port, or None with the controller's error on the stack."""
    namespace, name = service["metadata"]["namespace"], service["metadata"]["name"]
    if target_type == "ip":
        ready = endpoints.pods_of(service, cluster["pods"])
        pod_port = endpoints.target_port(port, ready)
        targets = tuple(sorted((pod["status"]["podIP"], pod_port) for pod in ready))
        tg_port = pod_port
    elif target_type == "instance":
        if not port.get("nodePort"):
            stack.errors.append(f"{namespace}/{name}: service type must be NodePort or LoadBalancer for "
                                f"target-type instance")
            return None
        tg_port = port["nodePort"]
        targets = tuple((instance, tg_port) for instance in instances(cluster["nodes"]))
    else:
        stack.errors.append(f"unknown target-type {target_type!r} for {namespace}/{name}")
        return None
    return TargetGroup(namespace, name, str(service_port if service_port is not None else port["port"]), protocol,
                       tg_port, target_type, targets)
