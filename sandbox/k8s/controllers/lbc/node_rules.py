"""The node side of a sync (reference B.3): which group of each node's primary ENI gets the rules, the rules
wanted there, and the reconcile that only ever revokes rules carrying the controller's label.

Node -> instance: ``spec.providerID`` (``aws:///<zone>/<instance id>``). Instance -> ENI: the one with
``DeviceIndex`` 0. ENI -> group: the only one, or the single one tagged ``kubernetes.io/cluster/<name>``
(any value) that also carries every ``--service-target-eni-security-group-tags`` pair; otherwise the
controller's error (``expected exactly one securityGroup tagged with ...``) and no rule for that node. Pods
of ip targets are taken to sit on their node's ENIs with the node's groups (the VPC CNI without security
groups for pods), so the same groups receive their rules.

An NLB without security groups gets the legacy CIDR rules instead: each port from each source range (the
VPC's CIDR for ``services.VPC_CIDR``), one rule per port, labelled like the others.
"""

from __future__ import annotations

from sandbox.k8s.controllers.lbc import ec2 as aws
from sandbox.k8s.controllers.lbc.services import VPC_CIDR

CLUSTER_TAG = "kubernetes.io/cluster/{}"


class NodeRules:
    """Mixed into ``controller.Sync`` (which has ``ec2``, ``flags``, ``done`` and ``_apply``)."""

    def _endpoint_groups(self, nodes: list[dict]) -> set[str]:
        instances = [(n["spec"].get("providerID") or "").rpartition("/")[2] for n in nodes]
        instances = [i for i in instances if i.startswith("i-")]
        if not instances:
            return set()
        found = set()
        reservations = self.ec2.describe_instances(InstanceIds=instances)["Reservations"]
        for instance in (i for r in reservations for i in r["Instances"]):
            eni = next((e for e in instance.get("NetworkInterfaces") or []
                        if e.get("Attachment", {}).get("DeviceIndex") == 0), None)
            ids = [g["GroupId"] for g in (eni or {}).get("Groups") or []]
            chosen = self._pick(ids, (eni or {}).get("NetworkInterfaceId"))
            if chosen:
                found.add(chosen)
        return found

    def _pick(self, ids: list[str], eni: str | None) -> str | None:
        if len(ids) == 1:
            return ids[0]
        key = CLUSTER_TAG.format(self.flags.cluster_name)
        tagged = []
        for group in self.ec2.describe_security_groups(GroupIds=ids)["SecurityGroups"] if ids else []:
            tags = aws.tag_dict(group)
            if key in tags and all(tags.get(k) == v for k, v in self.flags.eni_sg_tags):
                tagged.append(group["GroupId"])
        if len(tagged) != 1:
            self.done["errors"].append(f"expected exactly one securityGroup tagged with {key} for eni {eni}, got: "
                                       f"{tagged} (clusterName: {self.flags.cluster_name})")
            return None
        return tagged[0]

    def _node_rules(self, sources: dict[tuple, set]) -> set:
        """One rule per (protocol, source group): min-max of its ports, or 0-65535 when unrestricted."""
        rules = set()
        for (protocol, source), ports in sources.items():
            low, high = (0, 65535) if self.flags.disable_restricted else (min(ports), max(ports))
            rules.add(aws.Rule(protocol, low, high, "group", source))
        return rules

    def _cidr_node_rules(self, stacks: list) -> set:
        wanted = {rule for stack in stacks if not stack.errors for rule in stack.cidr_node_rules}
        if not wanted:
            return set()
        vpc_cidr = self.ec2.describe_vpcs(VpcIds=[self.flags.vpc_id])["Vpcs"][0]["CidrBlock"]
        rules = set()
        for protocol, port, cidr in wanted:
            cidr = vpc_cidr if cidr == VPC_CIDR else cidr
            rules.add(aws.Rule(protocol, port, port, "cidr6" if ":" in cidr else "cidr", cidr))
        return rules

    def _reconcile_node_group(self, group_id: str, wanted: set) -> None:
        group = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        current = aws.rules_of(group)
        grant = sorted(wanted - set(current), key=str)
        revoke = [] if self.authorize_only else sorted(
            (r for r, d in current.items() if aws.labelled(d) and r not in wanted), key=str)
        self._apply(group_id, grant, revoke, aws.LABEL)

    def _gc(self, used: set[str]) -> None:
        """Labelled rules of cluster-tagged groups that no node uses any more."""
        if self.authorize_only:
            return
        key = CLUSTER_TAG.format(self.flags.cluster_name)
        groups = self.ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [self.flags.vpc_id]}, {"Name": f"tag:{key}", "Values": ["owned", "shared"]}])
        for group in groups["SecurityGroups"]:
            if group["GroupId"] in used:
                continue
            stale = sorted((r for r, d in aws.rules_of(group).items() if aws.labelled(d)), key=str)
            if stale:
                self._apply(group["GroupId"], [], stale)
