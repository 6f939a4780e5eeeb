# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The eks_lbc_security_groups module's logic: inputs, discovery, desired rules, plans, apply.

Order of work, so that bad input never reaches a write:

1. ``Spec.from_params`` validates every option (modes, ids, CIDRs, ports, guardrails) and expands
   the rules that do not depend on discovered ids; failures name the option path.
2. ``discover`` reads: the cluster's running instances (node ENIs and the VPC, unless both are
   given), then one DescribeSecurityGroups in the VPC for every group tagged for the cluster,
   the controller or this collection (one OR filter on tag keys), plus a lookup by id or name only
   for adopted groups not found that way.
3. ``desired_rules`` builds each managed group's rules; ``plan_groups`` plans them with the rule
   engine (state contract, ownership, protection, quota) before any write.
4. ``apply`` creates missing groups, then per group one batched call per action and direction,
   authorize before revoke (make-before-break) unless a quota forces otherwise; a
   ``InvalidPermission.Duplicate`` or ``.NotFound`` triggers one fresh read and a re-plan.
"""

from __future__ import annotations

import hashlib

from ansible_collections.kubeguard.netsec.plugins.module_utils import lbc_topology as topo
from ansible_collections.kubeguard.netsec.plugins.module_utils.ec2_groups import Ec2Error
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import RuleInputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import compress
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import count_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import render_calls
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import tag_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import to_module_format

MANAGED_BY_TAG = "kubeguard.netsec/managed-by"
CLUSTER_TAG = "kubeguard.netsec/cluster"
NODEPORT_RANGE = "30000-32767"
WORLD = ("0.0.0.0/0", "::/0")
CONFLICT_CODES = ("InvalidPermission.Duplicate", "InvalidPermission.NotFound")


def placeholder_id(name):
    """A well-formed id for a group check mode would create (it does not exist)."""
    return "sg-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:17]


class Spec:
    """Validated module options; nothing here calls an API."""

    def __init__(self, params):
        self.params = params
        self.cluster = params["cluster_name"]
        self.mode = params["mode"]
        self.state = params["state"]
        self.purpose = params["purpose"]
        self.protect = parse_protect(params.get("protect") or [], "protect")
        quota = params.get("quota") or {}
        self.limits = QuotaLimits(rules_per_group=quota.get("rules_per_group") or 60,
                                  rules_per_eni=quota.get("rules_per_eni") or 1000)
        self.frontends = [self._frontend(f, "frontend_security_groups[%d]" % i)
                          for i, f in enumerate(params.get("frontend_security_groups") or [])]
        self.node_group_id = self._group_id(params.get("node_security_group"), "node_security_group")
        self.backend_id = self._group_id(params.get("backend_security_group"), "backend_security_group")
        self.node_rules = params.get("node_rules")
        self.node_baseline = expand(params.get("node_security_group_rules") or [], "ingress",
                                    path="node_security_group_rules")
        self._check_modes()
        self._check_node_rules()

    @staticmethod
    def _group_id(value, path):
        return parse_group_id(value, path).value if value else None

    def _frontend(self, spec, path):
        if not spec.get("name") and not spec.get("id"):
            raise RuleInputError(path, "give the name of a group to create or adopt, or the id of one to adopt")
        group_id = self._group_id(spec.get("id"), path + ".id")
        sources = {"cidr_ip": spec.get("inbound_cidrs") or [], "prefix_list_id": spec.get("prefix_lists") or []}
        if spec.get("inbound_ipv6_cidrs"):
            if not spec.get("dualstack"):
                raise RuleInputError(path + ".inbound_ipv6_cidrs", "IPv6 sources need dualstack: true (the load "
                                                                   "balancer only listens on IPv4 otherwise)")
            sources["cidr_ipv6"] = spec["inbound_ipv6_cidrs"]
        if not any(sources.values()):
            raise RuleInputError(path, "say who may reach the load balancer: inbound_cidrs, inbound_ipv6_cidrs or "
                                       "prefix_lists")
        ports = [str(p) for p in spec.get("listen_ports") or []]
        if not ports:
            raise RuleInputError(path + ".listen_ports", "list the ports the load balancer listens on")
        _check_items(ports, path + ".listen_ports", parse_port_range)
        _check_items(sources["cidr_ip"], path + ".inbound_cidrs", lambda value, at: normalise_cidr(value, "ipv4", at))
        _check_items(sources.get("cidr_ipv6") or [], path + ".inbound_ipv6_cidrs",
                     lambda value, at: normalise_cidr(value, "ipv6", at))
        _check_items(sources["prefix_list_id"], path + ".prefix_lists", parse_prefix_list_id)
        check_description(spec.get("rule_description"), path + ".rule_description")
        rule = dict((k, v) for k, v in sources.items() if v)
        rule.update(proto="tcp", ports=ports, description=spec.get("rule_description"))
        rules = expand([rule], "ingress", path=path)
        return {"name": spec.get("name"), "id": group_id, "path": path, "rules": rules,
                "description": spec.get("description") or "Load balancer frontend of EKS cluster %s (kubeguard.netsec)"
                % self.cluster, "tags": spec.get("tags") or {}}

    def _check_modes(self):
        mode = self.mode
        if mode == "auto" and self.frontends:
            raise RuleInputError("frontend_security_groups", "mode auto lets the controller create the frontend "
                                 "groups; use mode hybrid or custom to manage your own")
        if mode in ("hybrid", "custom") and not self.frontends and self.state not in ("gathered", "deleted"):
            raise RuleInputError("frontend_security_groups", "mode %s needs at least one frontend group" % mode)
        if mode == "custom" and self.backend_id:
            raise RuleInputError("backend_security_group", "mode custom does not use the controller's backend "
                                 "group; the node rules come from the frontend groups")
        if mode == "hybrid" and self.node_rules:
            raise RuleInputError("node_rules", "in mode hybrid the controller manages the node rules "
                                 "(manage-backend-security-group-rules: true); drop node_rules or use mode custom")
        if mode == "custom" and not self.node_rules and self.state not in ("gathered", "deleted"):
            raise RuleInputError("node_rules", "mode custom needs node_rules: the controller will not open the "
                                 "nodes to the load balancers")

    def _check_node_rules(self):
        rules = self.node_rules
        if not rules:
            return
        source = rules.get("ports_from") or "nodeport_range"
        if source == "ports" and not rules.get("ports"):
            raise RuleInputError("node_rules.ports", "ports_from: ports needs a list of ports")
        if source != "ports" and rules.get("ports"):
            raise RuleInputError("node_rules.ports", "only used with ports_from: ports (got ports_from: %s)" % source)
        for index, cidr in enumerate(rules.get("cidrs") or []):
            if cidr in WORLD and not self.params.get("allow_public_node_ports"):
                raise RuleInputError("node_rules.cidrs[%d]" % index, "%s opens the node ports to the internet; set "
                                     "allow_public_node_ports: true if you really mean it" % cidr)
        _check_items(rules.get("ports") or [], "node_rules.ports", parse_port_range)
        _check_items(rules.get("cidrs") or [], "node_rules.cidrs",
                     lambda value, at: normalise_cidr(value, "ipv6" if ":" in str(value) else "ipv4", at))
        check_description(rules.get("description"), "node_rules.description")


def _check_items(values, path, check):
    """Validate each item of a list option under its own path (``node_rules.ports[2]``)."""
    for index, value in enumerate(values):
        check(str(value), "%s[%d]" % (path, index))


def frontend_key(frontend):
    return frontend["id"] or frontend["name"]


class Topology:
    """What discovery found: the VPC, node groups, backend group, frontend groups, and every group read."""

    def __init__(self):
        self.vpc_id = None
        self.node_group_ids = []
        self.backend_id = None
        self.frontend_ids = {}
        self.groups = {}
        self.eni_groups = {}
        self.account_id = None
        self.to_create = []


def discover(ec2, spec):
    found = Topology()
    found.vpc_id = spec.params.get("vpc_id")
    instances = []
    if not (spec.node_group_id and found.vpc_id):
        instances = ec2.describe_instances({"tag-key": [topo.cluster_tag_key(spec.cluster)],
                                            "instance-state-name": ["running"]})
        vpcs = sorted(set(i["VpcId"] for i in instances if i.get("VpcId")))
        if found.vpc_id is None and not vpcs:  # no node running yet: ask EKS
            cluster_vpc = ec2.cluster_vpc(spec.cluster)
            vpcs = [cluster_vpc] if cluster_vpc else []
        if found.vpc_id is None:
            if len(vpcs) != 1:
                raise RuleInputError("vpc_id", "found the cluster's nodes in %s VPC(s) (%s); give vpc_id" %
                                     (len(vpcs), ", ".join(vpcs) or "none"))
            found.vpc_id = vpcs[0]
    keys = [topo.cluster_tag_key(spec.cluster), "elbv2.k8s.aws/cluster", CLUSTER_TAG]
    for group in ec2.describe_security_groups({"vpc-id": [found.vpc_id], "tag-key": keys}):
        tags = tag_dict(group.get("Tags"))
        if tags.get("elbv2.k8s.aws/cluster", spec.cluster) != spec.cluster and \
                tags.get(CLUSTER_TAG, spec.cluster) != spec.cluster:
            continue  # another cluster's controller groups in the same VPC
        found.groups[group["GroupId"]] = group
        found.account_id = found.account_id or group.get("OwnerId")
    _resolve_nodes(found, spec, instances)
    others = sorted(set(g for groups in found.eni_groups.values() for g in groups) - set(found.groups))
    if others:  # the other groups on the node ENIs count against the 1000 rules per ENI
        for group in ec2.describe_security_groups(group_ids=others):
            found.groups[group["GroupId"]] = group
    _resolve_backend(found, spec)
    _resolve_frontends(ec2, found, spec)
    missing = [g for g in [spec.node_group_id, spec.backend_id] + [f["id"] for f in spec.frontends]
               if g and g not in found.groups]
    if missing:
        for group in ec2.describe_security_groups(group_ids=missing) if _all_valid(missing) else []:
            found.groups[group["GroupId"]] = group
        still = [g for g in missing if g not in found.groups]
        if still:
            raise RuleInputError("security group", "%s not found in %s" % (", ".join(still), found.vpc_id))
        _resolve_backend(found, spec)
        _resolve_frontends(ec2, found, spec, lookup_names=False)
    return found


def _all_valid(ids):
    return all(i.startswith("sg-") for i in ids)


def _resolve_nodes(found, spec, instances):
    if spec.node_group_id:
        found.node_group_ids = [spec.node_group_id]
        return
    group_tags = dict((gid, tag_dict(g.get("Tags"))) for gid, g in found.groups.items())
    ids = []
    for instance in instances:
        for eni in instance.get("NetworkInterfaces", []):
            if eni.get("Attachment", {}).get("DeviceIndex") != 0:
                continue
            eni_groups = [g["GroupId"] for g in eni.get("Groups", [])]
            found.eni_groups[eni["NetworkInterfaceId"]] = eni_groups
            chosen = topo.endpoint_group(eni["NetworkInterfaceId"], eni_groups, group_tags, spec.cluster)
            if chosen not in ids:
                ids.append(chosen)
    if not ids:
        raise RuleInputError("node_security_group", "no running instance tagged %s: give node_security_group" %
                             topo.cluster_tag_key(spec.cluster))
    found.node_group_ids = sorted(ids)


def _resolve_backend(found, spec):
    """The controller's backend group; in custom mode too, to recognise the controller's own rules."""
    if spec.backend_id:
        found.backend_id = spec.backend_id if spec.backend_id in found.groups else None
        return
    wanted = topo.backend_sg_tags(spec.cluster)
    matches = [gid for gid, g in sorted(found.groups.items())
               if all(tag_dict(g.get("Tags")).get(k) == v for k, v in wanted.items())]
    found.backend_id = matches[0] if matches else None  # the controller takes the first match too


def _resolve_frontends(ec2, found, spec, lookup_names=True):
    by_name = dict((g.get("GroupName"), gid) for gid, g in found.groups.items())
    unnamed = []
    for frontend in spec.frontends:
        key = frontend_key(frontend)
        if frontend["id"]:
            if frontend["id"] in found.groups:
                found.frontend_ids[key] = frontend["id"]
        elif frontend["name"] in by_name:
            found.frontend_ids[key] = by_name[frontend["name"]]
        else:
            unnamed.append(frontend["name"])
    if unnamed and lookup_names:
        for group in ec2.describe_security_groups({"vpc-id": [found.vpc_id], "group-name": unnamed}):
            found.groups[group["GroupId"]] = group
            found.frontend_ids[group["GroupName"]] = group["GroupId"]


def groups_to_create(spec, found):
    """(key, name, description, tags) of every group the run must create."""
    create = []
    if spec.mode in ("auto", "hybrid") and not found.backend_id and not spec.backend_id:
        create.append(("backend", topo.backend_sg_name(spec.cluster), topo.BACKEND_SG_DESCRIPTION,
                       topo.backend_sg_tags(spec.cluster)))
    for frontend in spec.frontends:
        key = frontend_key(frontend)
        if key not in found.frontend_ids:
            if frontend["id"]:
                raise RuleInputError(frontend["path"] + ".id", "%s not found" % frontend["id"])
            tags = dict(frontend["tags"])
            tags.update({"Name": frontend["name"], MANAGED_BY_TAG: "kubeguard.netsec", CLUSTER_TAG: spec.cluster})
            create.append((key, frontend["name"], frontend["description"], tags))
    return create


def node_ports_from_cluster(spec, kube_reader):
    rules = spec.node_rules
    source = rules.get("ports_from") or "nodeport_range"
    if source != "from_services":
        return [str(p) for p in rules.get("ports") or [NODEPORT_RANGE]], []
    services, ingresses = kube_reader(rules.get("namespaces") or [])
    found, unresolved = topo.node_ports(services, ingresses, rules.get("ingress_class") or "alb",
                                        rules.get("default_target_type") or "instance")
    return [str(p["port"]) for p in found if p["protocol"] == "tcp"], unresolved


def desired_rules(spec, found, ids, node_ports):
    """group id -> desired DescribedRules (ingress) for every group this run manages."""
    desired = {}
    for frontend in spec.frontends:
        desired.setdefault(ids[frontend_key(frontend)], []).extend(frontend["rules"])
    if spec.node_rules:
        if spec.mode == "custom":
            sources = sorted(ids[frontend_key(f)] for f in spec.frontends)
        else:
            sources = [ids["backend"]]
        rule = {"proto": "tcp", "ports": node_ports, "group_id": sources,
                "description": spec.node_rules.get("description")}
        node = expand([rule], "ingress", path="node_rules") if node_ports else []
        cidrs = spec.node_rules.get("cidrs") or []
        if cidrs and node_ports:
            node += expand([dict(proto="tcp", ports=node_ports, **dict(
                (k, v) for k, v in (("cidr_ip", [c for c in cidrs if ":" not in c]),
                                    ("cidr_ipv6", [c for c in cidrs if ":" in c])) if v))], "ingress",
                path="node_rules.cidrs")
        node = compress(node, spec.node_rules.get("port_compression") or "exact", "node_rules.port_compression")
        for group_id in found.node_group_ids:
            desired.setdefault(group_id, []).extend(node + spec.node_baseline)
    elif spec.node_baseline:
        for group_id in found.node_group_ids:
            desired.setdefault(group_id, []).extend(spec.node_baseline)
    if spec.mode in ("auto", "hybrid") and spec.state in ("replaced", "overridden") and ids.get("backend"):
        desired.setdefault(ids["backend"], [])  # the controller puts no inbound rule on its backend group
    return desired


def current_rules(group, account_id):
    return from_ip_permissions(group.get("IpPermissions", []), "ingress", account_id) if group else []


def option_of(spec, found, ids, group_id):
    """The option whose rules land on ``group_id``, for error messages."""
    for frontend in spec.frontends:
        if ids.get(frontend_key(frontend)) == group_id:
            return frontend["path"]
    if group_id in found.node_group_ids:
        return "node_rules" if spec.node_rules else "node_security_group_rules"
    return "backend_security_group"


def eni_rule_counts(found, group_id):
    """{eni: {other group on it: its rule counts}} for the node ENIs that carry ``group_id``."""
    counts = {}
    for eni_id, groups in found.eni_groups.items():
        if group_id in groups:
            counts[eni_id] = dict((other, count_rules(current_rules(found.groups.get(other), found.account_id)))
                                  for other in groups if other != group_id)
    return counts


def plan_groups(spec, found, ids, desired):
    plans = {}
    for group_id, rules in sorted(desired.items()):
        group = found.groups.get(group_id)
        limits = QuotaLimits(rules_per_group=spec.limits.rules_per_group, rules_per_eni=spec.limits.rules_per_eni,
                             eni_groups=eni_rule_counts(found, group_id))
        try:
            plans[group_id] = plan(current_rules(group, found.account_id), rules, spec.state, spec.purpose,
                                   spec.protect, group_id=group_id, group_tags=(group or {}).get("Tags"),
                                   directions=("ingress",), limits=limits)
        except QuotaError as exc:
            raise RuleInputError(option_of(spec, found, ids, group_id), "%s (quota.rules_per_group and "
                                 "quota.rules_per_eni raise the limits for accounts with higher quotas)" % exc)
    return plans


def controller_warnings(spec, found, ids):
    """The seed 003 incident: hand-made rules carrying the controller's label, which it will revoke."""
    warnings = []
    expected_sources = set([ids.get("backend"), found.backend_id]) | set(
        gid for gid, g in found.groups.items() if is_controller_managed_group(g.get("Tags")))
    for group_id in found.node_group_ids:
        for entry in current_rules(found.groups.get(group_id), found.account_id):
            if is_controller_owned(entry.description) and entry.rule.source.value not in expected_sources:
                warnings.append("%s: %s carries the controller label %s but no controller rule matches it (its "
                                "source is not the backend or a managed frontend group): the controller will "
                                "revoke it on its next reconcile" % (group_id, entry.rule, CONTROLLER_LABEL))
            if entry.rule.source.value in WORLD:
                warnings.append("%s: %s is open to the internet" % (group_id, entry.rule))
    return warnings


def execute(ec2, call):
    action = call["action"]
    params = call["params"]
    direction = "ingress" if action.endswith("Ingress") else "egress"
    if action.startswith("Authorize"):
        ec2.authorize(params["GroupId"], direction, params["IpPermissions"])
    elif action.startswith("Revoke"):
        ec2.revoke(params["GroupId"], direction, params["IpPermissions"])
    else:
        ec2.update_descriptions(params["GroupId"], direction, params["IpPermissions"])


def apply_plans(ec2, plans):
    """Run every plan's calls; returns the group ids whose calls hit a Duplicate/NotFound race."""
    raced = []
    for group_id, group_plan in plans.items():
        for call in render_calls(group_plan):
            try:
                execute(ec2, call)
            except Ec2Error as exc:
                if exc.code not in CONFLICT_CODES:
                    raise
                raced.append(group_id)
                break
    return raced


def gathered(found, ids):
    out = []
    for group_id, group in sorted(found.groups.items()):
        out.append({"group_id": group_id, "name": group.get("GroupName"), "tags": tag_dict(group.get("Tags")),
                    "role": _role(group_id, found, ids),
                    "rules": to_module_format(current_rules(group, found.account_id), "ingress")})
    return out


def _role(group_id, found, ids):
    if group_id in found.node_group_ids:
        return "node"
    if group_id == ids.get("backend"):
        return "backend"
    if group_id in found.frontend_ids.values():
        return "frontend"
    tags = tag_dict(found.groups[group_id].get("Tags")) if group_id in found.groups else {}
    if is_controller_managed_group(tags):
        return "controller-frontend"
    if "aws:eks:cluster-name" in tags:
        return "eks-cluster"
    return "other"


def annotations_for(spec, ids):
    """What the Ingresses and the controller need for this mode."""
    frontends = ",".join(ids[frontend_key(f)] for f in spec.frontends)
    if spec.mode == "auto":
        return {"controller_flags": ["--enable-backend-security-group=true"] + (
            ["--backend-security-group=%s" % ids["backend"]] if spec.backend_id else []), "ingress_annotations": {}}
    manage = "true" if spec.mode == "hybrid" else "false"
    return {"controller_flags": ["--enable-backend-security-group=%s" % ("true" if spec.mode == "hybrid" else "false")],
            "ingress_annotations": {"alb.ingress.kubernetes.io/security-groups": frontends,
                                    "alb.ingress.kubernetes.io/manage-backend-security-group-rules": manage}}
