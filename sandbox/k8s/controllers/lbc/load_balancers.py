"""The ELBv2 side of a sync: one load balancer per stack (an IngressGroup's ALB, a Service's NLB), its target
groups and targets, its listeners and listener rules; load balancers of stacks that are gone are deleted with
their target groups.

- subnets: the annotation's (ids or Name tags), else the VPC's subnets tagged ``kubernetes.io/role/elb``
  (internet-facing) or ``kubernetes.io/role/internal-elb`` (internal), one per availability zone (the lowest
  id); an ALB needs two zones;
- a load balancer whose scheme or type no longer fits is replaced; subnets and security groups are set in
  place (an NLB made without security groups cannot get some: an error, as in ELBv2);
- a target group's name hashes what it is (port, protocol, target type), so a changed one is a new group: the
  old one is deleted once no listener forwards to it; targets are registered and deregistered to match;
- listeners: one per listen port, default action forward (or the controller's fixed 404), rules in the
  members' order from priority 1, rewritten whole when they differ.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from sandbox.k8s.controllers.lbc import elbv2 as lb_api
from sandbox.seed import lbc_names


class LoadBalancers:
    def __init__(self, elbv2, ec2, flags, done: dict) -> None:
        self.elbv2, self.ec2, self.flags, self.done = elbv2, ec2, flags, done
        cluster = flags.cluster_name
        self.lbs = {self._key(tags): lb for lb, tags in lb_api.load_balancers(elbv2, cluster)
                    if tags.get(self._prefix(tags) + "/resource") == "LoadBalancer"}
        self.tgs = lb_api.target_groups(elbv2, cluster)
        self._subnets = None

    @staticmethod
    def _prefix(tags: dict) -> str:
        return "ingress.k8s.aws" if "ingress.k8s.aws/stack" in tags else "service.k8s.aws"

    def _key(self, tags: dict) -> tuple[str, str]:
        prefix = self._prefix(tags)
        return prefix, tags.get(prefix + "/stack", "")

    def _write(self, what: str) -> None:
        self.done["load_balancers"].append(what)

    # ---------------------------------------------------------------- subnets

    def subnets(self, stack) -> list[str]:
        if self._subnets is None:
            self._subnets = self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [self.flags.vpc_id]}]
                                                      )["Subnets"]
        if stack.subnets:
            chosen = [s for s in self._subnets if s["SubnetId"] in stack.subnets
                      or {t["Key"]: t["Value"] for t in s.get("Tags") or []}.get("Name") in stack.subnets]
        else:
            role = "kubernetes.io/role/elb" if stack.scheme == "internet-facing" else "kubernetes.io/role/internal-elb"
            chosen = [s for s in self._subnets if role in {t["Key"] for t in s.get("Tags") or []}]
        per_zone: dict[str, str] = {}
        for subnet in sorted(chosen, key=lambda s: s["SubnetId"]):
            per_zone.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
        found = sorted(per_zone.values())
        if not found or (stack.lb_type == "application" and len(found) < 2):
            stack.errors.append(f"unable to resolve at least {1 if stack.lb_type == 'network' else 2} subnet(s) "
                                f"for scheme {stack.scheme}")
        return found

    # ---------------------------------------------------------------- the load balancer

    def reconcile(self, stack, groups: list[str]) -> str | None:
        """Make the stack's load balancer what it wants; returns its DNS name (None when it cannot be built)."""
        subnets = self.subnets(stack)
        if stack.errors:
            return None
        lb = self._load_balancer(stack, subnets, groups)
        if lb is None:
            return None
        arns = self._target_groups(stack)
        self._listeners(stack, lb, arns)
        self._drop_target_groups(stack, set(arns.values()))
        return lb["DNSName"]

    def _load_balancer(self, stack, subnets: list[str], groups: list[str]) -> dict | None:
        key = (stack.tag_prefix, stack.id)
        lb = self.lbs.get(key)
        if lb is not None and (lb.get("Scheme") != stack.scheme or lb.get("Type") != stack.lb_type):
            self._delete(lb, f"replaced {lb['LoadBalancerName']} (scheme or type changed)")
            lb = None
        if lb is None:
            name = lbc_names.load_balancer_name(self.flags.cluster_name, stack.id, stack.explicit, stack.scheme)
            extra = {"SecurityGroups": groups} if groups else {}
            lb = self.elbv2.create_load_balancer(
                Name=name, Subnets=subnets, Scheme=stack.scheme, Type=stack.lb_type, **extra,
                Tags=lb_api.tag_list(dict(self.flags.default_tags, **lbc_names.load_balancer_tags(
                    self.flags.cluster_name, stack.tag_prefix, stack.id))))["LoadBalancers"][0]
            self.lbs[key] = lb
            self._write(f"created {stack.lb_type} load balancer {name} for {stack.id}")
            return lb
        current_subnets = sorted(z["SubnetId"] for z in lb.get("AvailabilityZones") or [])
        if current_subnets != subnets:
            self.elbv2.set_subnets(LoadBalancerArn=lb["LoadBalancerArn"], Subnets=subnets)
            self._write(f"set subnets of {lb['LoadBalancerName']}: {subnets}")
        if sorted(lb.get("SecurityGroups") or []) != sorted(groups):
            if not lb.get("SecurityGroups") and stack.lb_type == "network":
                stack.errors.append(f"{lb['LoadBalancerName']} was made without security groups: they cannot be "
                                    f"added to an existing NLB")
                return None
            self.elbv2.set_security_groups(LoadBalancerArn=lb["LoadBalancerArn"], SecurityGroups=groups)
            self._write(f"set security groups of {lb['LoadBalancerName']}: {groups}")
        return lb

    def _delete(self, lb: dict, what: str) -> None:
        self.elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        self._write(what)

    # ---------------------------------------------------------------- target groups

    def _stack_tgs(self, stack_prefix: str, stack_id: str) -> list[dict]:
        return [tg for tg, tags in self.tgs if tags.get(stack_prefix + "/stack") == stack_id]

    def _target_groups(self, stack) -> dict[str, str]:
        """``{key: arn}`` of the stack's target groups, created and their targets registered as wanted."""
        existing = {tg["TargetGroupName"]: tg for tg in self._stack_tgs(stack.tag_prefix, stack.id)}
        arns = {}
        for key, want in sorted(stack.target_groups.items()):
            name = lbc_names.target_group_name(self.flags.cluster_name, stack.id, want.namespace, want.service,
                                               want.service_port, want.port, want.target_type, want.protocol)
            tg = existing.get(name)
            if tg is None:
                tags = lbc_names.load_balancer_tags(self.flags.cluster_name, stack.tag_prefix, stack.id, key)
                tg = self.elbv2.create_target_group(
                    Name=name, Protocol=want.protocol, Port=want.port, VpcId=self.flags.vpc_id,
                    TargetType=want.target_type, Tags=lb_api.tag_list(dict(self.flags.default_tags, **tags))
                )["TargetGroups"][0]
                self.tgs.append((tg, tags))
                self._write(f"created target group {name} ({want.protocol}:{want.port}, {want.target_type}) for {key}")
            self._targets(tg, set(want.targets))
            arns[key] = tg["TargetGroupArn"]
        return arns

    def _targets(self, tg: dict, wanted: set) -> None:
        current = lb_api.targets(self.elbv2, tg["TargetGroupArn"])
        add, remove = sorted(wanted - current), sorted(current - wanted)
        if add:
            self.elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"],
                                        Targets=[{"Id": i, "Port": p} for i, p in add])
            self._write(f"registered {len(add)} target(s) in {tg['TargetGroupName']}")
        if remove:
            self.elbv2.deregister_targets(TargetGroupArn=tg["TargetGroupArn"],
                                          Targets=[{"Id": i, "Port": p} for i, p in remove])
            self._write(f"deregistered {len(remove)} target(s) from {tg['TargetGroupName']}")

    def _drop_target_groups(self, stack, keep: set[str]) -> None:
        for tg in self._stack_tgs(stack.tag_prefix, stack.id):
            if tg["TargetGroupArn"] not in keep:
                self._delete_target_group(tg)

    def _delete_target_group(self, tg: dict) -> None:
        try:
            self.elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        except ClientError as exc:  # still in use by a listener someone else made
            self.done["errors"].append(f"failed to delete target group {tg['TargetGroupName']}: {exc}")
            return
        self.tgs = [(t, tags) for t, tags in self.tgs if t["TargetGroupArn"] != tg["TargetGroupArn"]]
        self._write(f"deleted target group {tg['TargetGroupName']}")

    # ---------------------------------------------------------------- listeners

    def _listeners(self, stack, lb: dict, arns: dict[str, str]) -> None:
        current = {item["Port"]: item for item in
                   self.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
        for want in stack.listeners:
            listener = current.pop(want.port, None)
            default = lb_api.forward(arns.get(want.default))
            if listener is not None and listener["Protocol"] != want.protocol:
                self.elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
                listener = None
            if listener is None:
                listener = self.elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol=want.protocol,
                                                      Port=want.port, DefaultActions=default)["Listeners"][0]
                self._write(f"created listener {want.protocol}:{want.port} on {lb['LoadBalancerName']}")
            elif lb_api.action_target(listener.get("DefaultActions")) != lb_api.action_target(default):
                self.elbv2.modify_listener(ListenerArn=listener["ListenerArn"], DefaultActions=default)
                self._write(f"set the default action of {want.protocol}:{want.port} on {lb['LoadBalancerName']}")
            self._rules(listener, [(conditions, arns[key]) for conditions, key in want.rules if key in arns])
        for listener in current.values():
            self.elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
            self._write(f"deleted listener {listener['Protocol']}:{listener['Port']} on {lb['LoadBalancerName']}")

    def _rules(self, listener: dict, wanted: list[tuple[list, str]]) -> None:
        rules = [r for r in self.elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
                 if not r.get("IsDefault")]
        current = [(lb_api.conditions_of(r), lb_api.action_target(r.get("Actions")))
                   for r in sorted(rules, key=lambda r: int(r["Priority"]))]
        if current == wanted:
            return
        for rule in rules:
            self.elbv2.delete_rule(RuleArn=rule["RuleArn"])
        for priority, (conditions, arn) in enumerate(wanted, start=1):
            self.elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=priority, Conditions=conditions,
                                   Actions=lb_api.forward(arn))
        self._write(f"wrote {len(wanted)} rule(s) on listener {listener['Protocol']}:{listener['Port']}")

    # ---------------------------------------------------------------- garbage collection

    def collect(self, keep: set[tuple[str, str]]) -> list[tuple[str, str]]:
        """Delete the load balancers (and target groups) of stacks not in ``keep``; returns their keys."""
        gone = sorted(key for key in self.lbs if key not in keep)
        for key in gone:
            lb = self.lbs.pop(key)
            self._delete(lb, f"deleted load balancer {lb['LoadBalancerName']} of {key[1]} (gone)")
        for tg, tags in list(self.tgs):
            key = self._key(tags)
            if key[1] and key not in keep:
                self._delete_target_group(tg)
        return gone
