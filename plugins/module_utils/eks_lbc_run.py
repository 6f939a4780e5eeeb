# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_lbc_security_groups: validate, discover, plan, (apply), report."""

from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils import eks_lbc as lbc
from ansible_collections.kubeguard.netsec.plugins.module_utils.ec2_groups import Ec2Error
from ansible_collections.kubeguard.netsec.plugins.module_utils.ec2_groups import Ec2Groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_topology import TopologyError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import SecurityGroupRuleError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import render_calls
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_rules import to_module_format


def kube_reader(module):
    """Reads Services and Ingresses with kubernetes.core's client and auth options."""
    def read(namespaces):
        from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

        options = dict((k, v) for k, v in (module.params.get("kubernetes") or {}).items() if v is not None)
        client = get_api_client(**options)
        found = {}
        for kind, api_version in (("Service", "v1"), ("Ingress", "networking.k8s.io/v1")):
            resource = client.resource(kind, api_version)
            items = []
            for namespace in namespaces or [None]:
                items += client.get(resource, namespace=namespace).to_dict().get("items", [])
            found[kind] = items
        return found["Service"], found["Ingress"]
    return read


def _ids(spec, found):
    ids = {"backend": found.backend_id}
    ids.update(found.frontend_ids)
    return ids


def _rendered(spec):
    """Offline: the calls that would create the groups and authorize every rule, on empty groups."""
    if (spec.node_rules or {}).get("ports_from") == "from_services":
        raise lbc.RuleInputError("node_rules.ports_from", "state rendered works offline and cannot read the "
                                                          "cluster's Services; use ports_from: ports or nodeport_range")
    found = lbc.Topology()
    found.node_group_ids = [spec.node_group_id or "<node-security-group>"]
    ids = {"backend": spec.backend_id or lbc.placeholder_id("backend")}
    calls = []
    if spec.mode != "custom" and not spec.backend_id:
        calls.append(_create_call(lbc.topo.backend_sg_name(spec.cluster), lbc.topo.BACKEND_SG_DESCRIPTION,
                                  "<vpc-id>", lbc.topo.backend_sg_tags(spec.cluster), ids["backend"]))
    for frontend in spec.frontends:
        ids[lbc.frontend_key(frontend)] = frontend["id"] or lbc.placeholder_id(frontend["name"])
        if not frontend["id"]:
            tags = dict(frontend["tags"], Name=frontend["name"], **{lbc.MANAGED_BY_TAG: "kubeguard.netsec",
                                                                    lbc.CLUSTER_TAG: spec.cluster})
            calls.append(_create_call(frontend["name"], frontend["description"], spec.params.get("vpc_id") or
                                      "<vpc-id>", tags, ids[lbc.frontend_key(frontend)]))
    ports = [str(p) for p in (spec.node_rules or {}).get("ports") or [lbc.NODEPORT_RANGE]]
    for group_id, rules in sorted(lbc.desired_rules(spec, found, ids, ports).items()):
        plan = lbc.plan([], rules, "merged", spec.purpose, group_id=group_id, directions=("ingress",))
        calls += render_calls(plan)
    return calls


def _create_call(name, description, vpc_id, tags, placeholder):
    return {"action": "CreateSecurityGroup", "placeholder_id": placeholder,
            "params": {"GroupName": name, "Description": description, "VpcId": vpc_id,
                       "TagSpecifications": [{"ResourceType": "security-group",
                                              "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}]}}


def run(module):
    params = module.params
    result = {"changed": False, "security_groups": [], "warnings_found": [], "api_calls": {}}
    ec2 = None
    try:
        spec = lbc.Spec(params)
        if spec.state == "rendered":
            result["rendered"] = _rendered(spec)
            return result, None
        ec2 = Ec2Groups(module)
        found = lbc.discover(ec2, spec)
        ids = _ids(spec, found)
        if spec.state == "gathered":
            result["security_groups"] = lbc.gathered(found, ids)
            result["warnings_found"] = lbc.controller_warnings(spec, found, ids)
            return result, None
        create = lbc.groups_to_create(spec, found) if spec.state != "deleted" else []
        for key, name, _description, _tags in create:
            ids[key] = lbc.placeholder_id(name)
        node_ports, unresolved = lbc.node_ports_from_cluster(spec, kube_reader(module)) if spec.node_rules \
            else ([], [])
        plans = lbc.plan_groups(spec, found, ids, lbc.desired_rules(spec, found, ids, node_ports))
        warnings = lbc.controller_warnings(spec, found, ids) + unresolved
        result["changed"] = bool(create) or any(p.changed for p in plans.values())
        before = dict((gid, to_module_format(p.before(), "ingress")) for gid, p in plans.items())
        after = dict((gid, to_module_format(p.after(), "ingress")) for gid, p in plans.items())
        if result["changed"] and not module.check_mode:
            placeholders = dict((ids[key], key) for key, _n, _d, _t in create)
            plans, after, replanned = _apply(ec2, spec, found, ids, create, node_ports)
            before = dict((ids[placeholders[gid]] if gid in placeholders else gid, rules)
                          for gid, rules in before.items())
            if replanned:
                result["replanned"] = dict((gid, p.to_dict()) for gid, p in replanned.items())
        result["created"] = dict((key, {"name": name, "group_id": ids[key], "placeholder_id": module.check_mode})
                                 for key, name, _d, _t in create)
        result["plan"] = dict((gid, p.to_dict()) for gid, p in plans.items())
        result["warnings_found"] = warnings + [w for p in plans.values() for w in p.warnings]
        result["security_groups"] = lbc.gathered(found, ids)
        result["controller"] = lbc.annotations_for(spec, ids)
        if module._diff:
            result["diff"] = {"before": before, "after": after}
        return result, None
    except (SecurityGroupRuleError, TopologyError, Ec2Error) as exc:
        return result, str(exc)
    finally:  # on success and on failure: the calls made so far
        if ec2 is not None:
            result["api_calls"] = ec2.calls.as_dict()


def _apply(ec2, spec, found, ids, create, node_ports):
    """Create groups, apply the plans (one re-read and re-plan after a race), read the groups back."""
    for key, name, description, tags in create:
        ids[key] = ec2.create_security_group(name, description, found.vpc_id, tags)
        found.groups[ids[key]] = {"GroupId": ids[key], "GroupName": name, "IpPermissions": [],
                                  "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        if key != "backend":
            found.frontend_ids[key] = ids[key]
    if create:
        found.backend_id = ids.get("backend")
    plans = lbc.plan_groups(spec, found, ids, lbc.desired_rules(spec, found, ids, node_ports))
    raced = lbc.apply_plans(ec2, plans)
    again = {}
    if raced:  # someone else changed these groups under us: read them again, plan again, once
        for group in ec2.describe_security_groups(group_ids=raced):
            found.groups[group["GroupId"]] = group
        again = dict((gid, p) for gid, p in lbc.plan_groups(
            spec, found, ids, lbc.desired_rules(spec, found, ids, node_ports)).items() if gid in raced)
        still = lbc.apply_plans(ec2, again)
        if still:
            raise Ec2Error("apply", "Conflict", "%s changed again while being updated; nothing more was done "
                                                "to them, run again" % ", ".join(still))
    managed = sorted(plans)
    for group in ec2.describe_security_groups(group_ids=managed) if managed else []:
        found.groups[group["GroupId"]] = group
    after = dict((gid, to_module_format(lbc.current_rules(found.groups.get(gid), found.account_id), "ingress"))
                 for gid in managed)
    return plans, after, again
