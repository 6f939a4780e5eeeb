"""One sync of the simulated AWS Load Balancer Controller on demo-eks: its security groups (reference B.1-B.3).

A sync reads the cluster (the controller's running pod for its flags, Ingresses, Services, Nodes) from the
API server's store, and EC2 over HTTP, then:

1. the backend group: ``--backend-security-group``, or found by its tags (``elbv2.k8s.aws/cluster``,
   ``elbv2.k8s.aws/resource=backend-sg``), created with the controller's name when missing and needed, its
   tags reconciled to exactly the controller's;
2. per IngressGroup without custom groups, the managed frontend group (found by its tracking tags, created
   with the controller's name), whose ingress rules are made exactly the wanted ones - rules added by hand
   are revoked;
3. node rules: per node, the group of its instance's primary ENI the controller picks (the only one, or the
   one tagged ``kubernetes.io/cluster/<name>`` and carrying ``--service-target-eni-security-group-tags``;
   an error otherwise), the wanted ports aggregated per (protocol, source group) into one min-max rule
   (0-65535 with ``--disable-restricted-sg-rules``), authorized first, then every rule carrying the label
   ``elbv2.k8s.aws/targetGroupBinding=shared`` that is not wanted revoked; a rule identical to a wanted one
   (description aside) satisfies the controller whoever wrote it;
4. GC: labelled rules on cluster-tagged groups (``owned``/``shared``) that no node uses are revoked.
While an IngressGroup fails to build, node rules are only authorized, never revoked (its ports are unknown).
Errors of an IngressGroup are Warning Events (``FailedBuildModel``) on its members.
"""

from __future__ import annotations

import copy

from sandbox import config
from sandbox.k8s import events
from sandbox.k8s.controllers.lbc import ec2 as aws
from sandbox.k8s.controllers.lbc import flags as lbc_flags
from sandbox.k8s.controllers.lbc import ingress_groups
from sandbox.k8s.controllers.lbc.node_rules import NodeRules
from sandbox.seed import lbc_names

COMPONENT = "ingress"  # the controller's event source for Ingresses
SYSTEM_NS = "kube-system"


class LoadBalancerController:
    def __init__(self, cluster, aws_url: str) -> None:
        self.cluster = cluster
        self.api = cluster.api
        self.aws_url = aws_url

    def _read(self) -> dict:
        store = self.api.store
        with self.api.transaction():
            return copy.deepcopy({
                "pods": store.list(("", "pods"), SYSTEM_NS),
                "ingresses": store.list(("networking.k8s.io", "ingresses"), None),
                "services": store.list(("", "services"), None),
                "nodes": store.list(("", "nodes"), None)})

    def sync(self) -> dict:
        """One reconcile of every IngressGroup; returns what it did (``authorized``, ``revoked``, ``created``,
        ``errors``), or ``{"running": False}`` when no controller pod runs."""
        state = self._read()
        flags = lbc_flags.from_pods(state["pods"])
        if flags is None or not flags.vpc_id:
            return {"running": False}
        run = Sync(aws.client(self.aws_url), flags)
        services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in state["services"]}
        groups = ingress_groups.build(state["ingresses"], services, flags)
        run.reconcile(groups, state["nodes"])
        for group in groups:
            for member in group.members:
                for error in group.errors:
                    events.record(self.api, dict(member, apiVersion="networking.k8s.io/v1", kind="Ingress"),
                                  "Warning", "FailedBuildModel", f"Failed build model due to {error}", COMPONENT)
        return run.report(groups)


class Sync(NodeRules):
    """The EC2 side of one sync."""

    def __init__(self, ec2, flags) -> None:
        self.ec2 = ec2
        self.flags = flags
        self.done = {"authorized": [], "revoked": [], "created": [], "errors": []}

    def report(self, groups: list) -> dict:
        self.done["errors"] += [f"{g.id}: {e}" for g in groups for e in g.errors]
        return dict(self.done, running=True)

    def reconcile(self, groups: list, nodes: list[dict]) -> None:
        healthy = [g for g in groups if not g.errors]
        # a group that failed to build still has its target group bindings: without their ports the wanted
        # node rules are incomplete, so, like the controller before every binding is computed, authorize only
        self.authorize_only = len(healthy) < len(groups)
        sources: dict[tuple, set] = {}  # (protocol, source group) -> ports
        backend = self._backend() if any(self._uses_backend(g) for g in healthy) else None
        for group in healthy:
            source = backend if self._uses_backend(group) else None
            if group.custom_sgs is None:
                frontend = self._frontend(group)
                source = source or frontend
            if source and group.manage_backend:
                for protocol, port in group.ports:
                    sources.setdefault((protocol, source), set()).add(port)
        endpoints = self._endpoint_groups(nodes)
        wanted = self._node_rules(sources)
        for group_id in sorted(endpoints):
            self._reconcile_node_group(group_id, wanted)
        self._gc(set(endpoints))

    def _uses_backend(self, group) -> bool:
        return self.flags.enable_backend_sg and group.manage_backend

    # ---------------------------------------------------------------- backend and frontend groups

    def _backend(self) -> str:
        if self.flags.backend_sg:
            return self.flags.backend_sg
        wanted = dict(self.flags.default_tags, **lbc_names.backend_sg_tags(self.flags.cluster_name))
        found = aws.groups(self.ec2, self.flags.vpc_id, **lbc_names.backend_sg_tags(self.flags.cluster_name))
        if not found:
            group_id = aws.create_group(self.ec2, self.flags.vpc_id, lbc_names.backend_sg_name(self.flags.cluster_name),
                                        lbc_names.BACKEND_SG_DESCRIPTION, wanted)
            self.done["created"].append(group_id)
            return group_id
        group = found[0]
        current = aws.tag_dict(group)
        extra = [k for k in current if k not in wanted and not k.startswith("aws:")]
        missing = {k: v for k, v in wanted.items() if current.get(k) != v}
        if missing:
            self.ec2.create_tags(Resources=[group["GroupId"]],
                                 Tags=[{"Key": k, "Value": v} for k, v in missing.items()])
        if extra:
            self.ec2.delete_tags(Resources=[group["GroupId"]], Tags=[{"Key": k} for k in extra])
        return group["GroupId"]

    def _frontend(self, group) -> str:
        namespace, _, name = group.id.partition("/")
        if group.explicit:
            sg_name, stack = lbc_names.explicit_group_sg_name(self.flags.cluster_name, group.id), group.id
        else:
            sg_name, stack = lbc_names.ingress_managed_sg_name(self.flags.cluster_name, namespace, name), group.id
        tags = lbc_names.managed_sg_tags(self.flags.cluster_name, config.AWS_REGION, stack)
        found = aws.groups(self.ec2, self.flags.vpc_id, **{k: v for k, v in tags.items()
                                                             if k != "elbv2.k8s.aws/cluster-region"})
        if found:
            group_id, current = found[0]["GroupId"], aws.rules_of(found[0])
        else:
            group_id = aws.create_group(self.ec2, self.flags.vpc_id, sg_name, lbc_names.MANAGED_SG_DESCRIPTION,
                                        dict(self.flags.default_tags, **tags))
            current = {}
            self.done["created"].append(group_id)
        wanted = {aws.Rule("tcp", port, port, "cidr6" if ":" in cidr else "cidr", cidr)
                  for port in group.listen_ports for cidr in group.cidrs}
        self._apply(group_id, sorted(wanted - set(current), key=str), sorted(set(current) - wanted, key=str))
        return group_id

    def _apply(self, group_id: str, grant: list, revoke: list, description: str = "") -> None:
        aws.apply(self.ec2, group_id, grant, revoke, description)
        self.done["authorized"] += [(group_id, str(rule)) for rule in grant]
        self.done["revoked"] += [(group_id, str(rule)) for rule in revoke]
