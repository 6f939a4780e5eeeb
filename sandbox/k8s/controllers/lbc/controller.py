"""One sync of the simulated AWS Load Balancer Controller on demo-eks (reference B.1-B.4).

A sync reads the cluster (the controller's running pod for its flags, Ingresses, Services, Pods, Nodes) from
the API server's store, and EC2 and ELBv2 over HTTP, then, for every stack (an IngressGroup's ALB, an NLB
Service):

1. security groups (``security_groups``): the backend group when a stack needs it, each stack's managed
   frontend group or the custom ones its annotation names;
2. node rules (``node_rules``): per node, the group of its instance's primary ENI the controller picks, the
   wanted ports aggregated per (protocol, source group) into one min-max rule (0-65535 with
   ``--disable-restricted-sg-rules``), authorized first, then every rule carrying the label
   ``elbv2.k8s.aws/targetGroupBinding=shared`` that is not wanted revoked; GC of labelled rules on
   cluster-tagged groups no node uses;
3. load balancers (``load_balancers``): the stack's ALB or NLB, target groups, targets and listeners, and
   ``status.loadBalancer`` written back on the Ingresses and the Service;
4. GC: the load balancers, target groups and managed frontend groups of stacks that are gone, and the backend
   group once nothing needs it.
While a stack fails to build, nothing is revoked or deleted (its ports are unknown): node rules are only
authorized. Errors of a stack are Warning Events (``FailedBuildModel``) on its members, once per version.
"""

from __future__ import annotations

import copy
import threading

from sandbox.k8s import events
from sandbox.k8s.controllers.lbc import ec2 as aws
from sandbox.k8s.controllers.lbc import elbv2 as lb_api
from sandbox.k8s.controllers.lbc import flags as lbc_flags
from sandbox.k8s.controllers.lbc import ingress_groups, services
from sandbox.k8s.controllers.lbc.load_balancers import LoadBalancers
from sandbox.k8s.controllers.lbc.node_rules import NodeRules
from sandbox.k8s.controllers.lbc.security_groups import SecurityGroups
from sandbox.k8s.controllers.lbc.worker import Worker

COMPONENTS = {"Ingress": "ingress", "Service": "service"}  # the controller's event sources
SYSTEM_NS = "kube-system"


class LoadBalancerController(Worker):
    def __init__(self, cluster, aws_url: str, period: float = 0.0) -> None:
        self.cluster = cluster
        self.api = cluster.api
        self.aws_url = aws_url
        self._lock = threading.Lock()  # one sync at a time, whoever asks
        self._reported: set[tuple] = set()
        Worker.__init__(self, cluster, period)

    def _read(self) -> dict:
        store = self.api.store
        with self.api.transaction():
            return copy.deepcopy({
                "controller_pods": store.list(("", "pods"), SYSTEM_NS),
                "ingresses": store.list(("networking.k8s.io", "ingresses"), None),
                "services": {(s["metadata"]["namespace"], s["metadata"]["name"]): s
                             for s in store.list(("", "services"), None)},
                "pods": store.list(("", "pods"), None),
                "nodes": store.list(("", "nodes"), None)})

    def sync(self) -> dict:
        """One reconcile of every stack; returns what it did (``authorized``, ``revoked``, ``created``,
        ``deleted``, ``load_balancers``, ``errors``), or ``{"running": False}`` when no controller pod runs."""
        with self._lock:
            state = self._read()
            flags = lbc_flags.from_pods(state["controller_pods"])
            if flags is None or not flags.vpc_id:
                return {"running": False}
            stacks = ingress_groups.build(state, flags) + services.build(state, flags)
            run = Sync(aws.client(self.aws_url), lb_api.client(self.aws_url), flags)
            run.reconcile(stacks, state["nodes"])
            with self.own_writes():
                self._write_status(stacks, run.addresses)
                self._report_errors(stacks)
            return run.report(stacks)

    def _write_status(self, stacks: list, addresses: dict) -> None:
        for stack in stacks:
            address = addresses.get(stack.id)
            if address is None:
                continue
            api_version, kind = stack.api_version_kind
            group, _, version = api_version.rpartition("/")
            resource = self.api.registry.lookup(group, version, "ingresses" if kind == "Ingress" else "services")
            wanted = [{"hostname": address}]
            with self.api.transaction():
                for member in stack.members:
                    meta = member["metadata"]
                    current = self.api.store.get(resource.key, meta["namespace"], meta["name"])
                    if current is None or ((current.get("status") or {}).get("loadBalancer") or {}).get(
                            "ingress") == wanted:
                        continue
                    body = copy.deepcopy(current)
                    body["status"] = dict(body.get("status") or {}, loadBalancer={"ingress": wanted})
                    self.api.update(resource, meta["namespace"], meta["name"], self.api._present(resource, body),
                                    subresource="status", field_manager="aws-load-balancer-controller")

    def _report_errors(self, stacks: list) -> None:
        """A stack's errors as Warning Events on its members, once per member version and message."""
        with self.api.transaction():
            for stack in stacks:
                api_version, kind = stack.api_version_kind
                for member in stack.members:
                    for error in stack.errors:
                        key = (member["metadata"].get("uid"), member["metadata"].get("resourceVersion"), error)
                        if key in self._reported:
                            continue
                        self._reported.add(key)
                        events.record(self.api, dict(member, apiVersion=api_version, kind=kind), "Warning",
                                      "FailedBuildModel", f"Failed build model due to {error}", COMPONENTS[kind])


class Sync(SecurityGroups, NodeRules):
    """The AWS side of one sync."""

    def __init__(self, ec2, elbv2, flags) -> None:
        self.ec2, self.elbv2, self.flags = ec2, elbv2, flags
        self.done = {"authorized": [], "revoked": [], "created": [], "deleted": [], "load_balancers": [],
                     "errors": []}
        self.addresses: dict[str, str] = {}  # stack id -> its load balancer's DNS name

    def report(self, stacks: list) -> dict:
        self.done["errors"] += [f"{s.id}: {e}" for s in stacks for e in s.errors]
        return dict(self.done, running=True)

    def reconcile(self, stacks: list, nodes: list[dict]) -> None:
        groups, sources = self._security_groups(stacks)
        # a stack that failed to build still has its target group bindings: without their ports the wanted
        # node rules are incomplete, so, like the controller before every binding is computed, authorize only
        self.authorize_only = any(stack.errors for stack in stacks)
        endpoints = self._endpoint_groups(nodes)
        wanted = self._node_rules(sources) | self._cidr_node_rules(stacks)
        for group_id in sorted(endpoints):
            self._reconcile_node_group(group_id, wanted)
        self._gc(set(endpoints))
        lbs = LoadBalancers(self.elbv2, self.ec2, self.flags, self.done)
        for stack in stacks:
            if not stack.errors:
                address = lbs.reconcile(stack, groups[stack.id])
                if address:
                    self.addresses[stack.id] = address
        if not any(stack.errors for stack in stacks):
            keep = {stack.id for stack in stacks}
            lbs.collect({(stack.tag_prefix, stack.id) for stack in stacks})
            self._collect_frontends(keep)
            if not any(self._uses_backend(stack) for stack in stacks):
                self._release_backend()

    def _security_groups(self, stacks: list) -> tuple[dict, dict]:
        """Each healthy stack's load balancer groups, and the node rules' ports per (protocol, source group)."""
        groups: dict[str, list] = {}
        sources: dict[tuple, set] = {}
        healthy = [s for s in stacks if not s.errors]
        backend = self._backend() if any(self._uses_backend(s) for s in healthy) else None
        for stack in healthy:
            if not stack.security_groups:
                groups[stack.id] = []
                continue
            frontends = self._custom(stack) if stack.custom_sgs is not None else [self._frontend(stack)]
            if stack.errors:
                continue
            source = backend if self._uses_backend(stack) else (None if stack.custom_sgs else frontends[0])
            groups[stack.id] = frontends + ([backend] if source == backend and backend else [])
            if source and stack.manage_backend:
                for protocol, port in stack.ports:
                    sources.setdefault((protocol, source), set()).add(port)
        return groups, sources

    def _uses_backend(self, stack) -> bool:
        return self.flags.enable_backend_sg and stack.manage_backend and stack.security_groups

    def _apply(self, group_id: str, grant: list, revoke: list, description: str = "") -> None:
        aws.apply(self.ec2, group_id, grant, revoke, description)
        self.done["authorized"] += [(group_id, str(rule)) for rule in grant]
        self.done["revoked"] += [(group_id, str(rule)) for rule in revoke]
