"""The controller's own security groups (reference B.1, B.2): the shared backend group, the managed frontend
group of each stack, and the frontend groups an annotation names.

- backend: ``--backend-security-group``, or found by its tags (``elbv2.k8s.aws/cluster``,
  ``elbv2.k8s.aws/resource=backend-sg``), created with the controller's name when missing and needed, its tags
  made exactly the controller's; deleted when nothing needs it any more (not while a rule refers to it:
  EC2's DependencyViolation, which moto does not check, is checked here);
- managed frontend: found by its tracking tags, created with the controller's name; its ingress rules are made
  exactly the wanted ones (listen ports x CIDRs and prefix lists), so rules added by hand are revoked; deleted
  with its stack;
- custom frontends: ids, or Name tags looked up in the VPC; one that is not found is the stack's error.
"""

from __future__ import annotations

from sandbox import config
from sandbox.k8s.controllers.lbc import ec2 as aws
from sandbox.seed import lbc_names

MANAGED = "ManagedLBSecurityGroup"


def sg_protocol(protocol: str) -> str:
    """The EC2 protocol of a listener protocol (HTTP, HTTPS, TCP, TLS -> tcp; UDP -> udp)."""
    return "udp" if protocol.lower() == "udp" else "tcp"


class SecurityGroups:
    """Mixed into ``controller.Sync`` (which has ``ec2``, ``flags``, ``done`` and ``_apply``)."""

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

    def _managed_identity(self, stack) -> tuple[str, dict]:
        cluster = self.flags.cluster_name
        if stack.kind == "service":
            namespace, _, name = stack.id.partition("/")
            return (lbc_names.service_managed_sg_name(cluster, namespace, name, stack.uid),
                    lbc_names.service_managed_sg_tags(cluster, stack.id))
        if stack.explicit:
            name = lbc_names.explicit_group_sg_name(cluster, stack.id)
        else:
            namespace, _, ingress = stack.id.partition("/")
            name = lbc_names.ingress_managed_sg_name(cluster, namespace, ingress)
        return name, lbc_names.managed_sg_tags(cluster, config.AWS_REGION, stack.id)

    def _frontend(self, stack) -> str:
        sg_name, tags = self._managed_identity(stack)
        found = aws.groups(self.ec2, self.flags.vpc_id, **{k: v for k, v in tags.items()
                                                             if k != "elbv2.k8s.aws/cluster-region"})
        if found:
            group_id, current = found[0]["GroupId"], aws.rules_of(found[0])
        else:
            group_id = aws.create_group(self.ec2, self.flags.vpc_id, sg_name, lbc_names.MANAGED_SG_DESCRIPTION,
                                        dict(self.flags.default_tags, **tags))
            current = {}
            self.done["created"].append(group_id)
        wanted = {aws.Rule(sg_protocol(protocol), port, port, "cidr6" if ":" in cidr else "cidr", cidr)
                  for protocol, port in stack.listen_ports for cidr in stack.cidrs}
        wanted |= {aws.Rule(sg_protocol(protocol), port, port, "prefix-list", prefix_list)
                   for protocol, port in stack.listen_ports for prefix_list in stack.prefix_lists}
        self._apply(group_id, sorted(wanted - set(current), key=str), sorted(set(current) - wanted, key=str))
        return group_id

    def _custom(self, stack) -> list[str]:
        """The ids of the groups the annotation names; a name or id not found is the stack's error."""
        ids = [g for g in stack.custom_sgs if g.startswith("sg-")]
        names = [g for g in stack.custom_sgs if not g.startswith("sg-")]
        found = aws.groups(self.ec2, self.flags.vpc_id)
        by_id = {g["GroupId"] for g in found}
        by_name = {aws.tag_dict(g).get("Name"): g["GroupId"] for g in found}
        missing = [g for g in ids if g not in by_id] + [n for n in names if n not in by_name]
        if missing:
            stack.errors.append(f"couldn't find all security groups: {missing}")
            return []
        return ids + [by_name[n] for n in names]

    def _collect_frontends(self, keep: set[str]) -> None:
        """Delete the managed frontend groups whose stack is gone."""
        found = aws.groups(self.ec2, self.flags.vpc_id, **{"elbv2.k8s.aws/cluster": self.flags.cluster_name})
        for group in found:
            tags = aws.tag_dict(group)
            stack = tags.get("ingress.k8s.aws/stack") or tags.get("service.k8s.aws/stack")
            managed = MANAGED in (tags.get("ingress.k8s.aws/resource"), tags.get("service.k8s.aws/resource"))
            if managed and stack not in keep:
                self._delete_group(group["GroupId"])

    def _release_backend(self) -> None:
        if self.flags.backend_sg:
            return
        for group in aws.groups(self.ec2, self.flags.vpc_id, **lbc_names.backend_sg_tags(self.flags.cluster_name)):
            self._delete_group(group["GroupId"])

    def _delete_group(self, group_id: str) -> None:
        users = self.ec2.describe_security_groups(Filters=[{"Name": "ip-permission.group-id", "Values": [group_id]}])
        if users["SecurityGroups"]:
            self.done["errors"].append(f"failed to delete securityGroup {group_id}: DependencyViolation (rules of "
                                       f"{sorted(g['GroupId'] for g in users['SecurityGroups'])} refer to it)")
            return
        self.ec2.delete_security_group(GroupId=group_id)
        self.done["deleted"].append(group_id)
