# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of eks_cluster_security_groups: validate, discover, check the cluster tags, plan, (apply), report.

Every option is validated before the first call (``spec``), again with the discovered ids before the first
write; the tag check and the plans of every group come before any write too. Check mode stops at the plans.
"""

from __future__ import annotations

from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import AwsBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.ec2 import Ec2
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.rule_writes import apply_with_replan
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import ModuleRun
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline import report
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.desired import desired_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import Estate
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import discover
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.plan import plan_groups
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import PLACEHOLDERS
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import Plan

SYMBOLS = {PLACEHOLDERS["cluster"][0]: "<cluster security group>", PLACEHOLDERS["nodes"][0]: "<node security group>"}


def execute(run: ModuleRun) -> None:
    spec = Spec.from_params(run.params)
    result = run.result
    result.update(warnings_found=[])
    if spec.state == "rendered":
        result["rendered"] = rendered(spec)
        return
    ec2 = Ec2(run.attach(AwsBackend(run.module)))
    estate = discover(ec2, spec)
    spec.check(estate.ids())
    check = report.tag_check(spec, estate)
    result.update(cluster=report.cluster(spec, estate), tag_check=check)
    result["warnings_found"] += check["notes"]
    if spec.state == "gathered":
        groups = sorted(set(estate.ids()["cluster"]) | set(estate.node_group_ids))
        current = report.read_rules(estate, groups)
        result["security_groups"] = report.security_groups(estate, groups)
        result["rules"] = result["gathered"] = report.effective_rules(
            spec, estate, desired_rules(spec, estate), current
        )
        result["warnings_found"] += check["problems"] + report.open_warnings(spec, estate, current)
        return
    if check["problems"]:
        if spec.tag_check == "fail":
            raise PlanError(report.tag_failure(check))
        result["warnings_found"] += check["problems"]
    converge(run, spec, ec2, estate)


def converge(run: ModuleRun, spec: Spec, ec2: Ec2, estate: Estate) -> None:
    result = run.result
    desired = desired_rules(spec, estate)
    plans = plan_groups(spec, estate, desired)
    groups = sorted(plans.by_group)
    before = _sides(plans.by_group, "before")
    after = _sides(plans.by_group, "after")
    result["changed"] = plans.changed
    if plans.changed and not run.check_mode:
        result["actions"] = []

        def replan(raced: List[str]) -> Dict[str, Plan]:
            for group in ec2.describe_security_groups(group_ids=raced):
                estate.groups[group["GroupId"]] = group
            again = plan_groups(spec, estate, desired)
            return {group_id: p for group_id, p in again.by_group.items() if group_id in raced}

        replanned = apply_with_replan(ec2, plans.by_group, replan, result["actions"])
        if replanned:
            result["replanned"] = {group_id: p.to_dict() for group_id, p in replanned.items()}
        for group in ec2.describe_security_groups(group_ids=groups):
            estate.groups[group["GroupId"]] = group
        after = report.read_rules(estate, groups)
    result["security_groups"] = report.security_groups(estate, groups)
    result["plan"] = {group_id: p.to_dict() for group_id, p in plans.by_group.items()}
    result["covered"] = plans.covered
    result["rules"] = report.effective_rules(spec, estate, desired, after)
    result["warnings_found"] += (
        plans.warnings
        + [warning for p in plans.by_group.values() for warning in p.warnings]
        + report.open_warnings(spec, estate, after)
        + report.egress_warnings(spec)
    )
    if run.diff:
        result["diff"] = {"before": _module_format(before), "after": _module_format(after)}


def _sides(plans: Dict[str, Plan], side: str) -> Dict[str, List[DescribedRule]]:
    return {group_id: getattr(p, side)() for group_id, p in plans.items()}


def _module_format(rules: Dict[str, List[DescribedRule]]) -> Dict[str, dict]:
    return {
        group_id: {direction: to_module_format(entries, direction) for direction in DIRECTIONS}
        for group_id, entries in sorted(rules.items())
    }


def rendered(spec: Spec) -> dict:
    """The rules the options give, between symbolic groups, without any call."""
    estate = Estate(
        vpc_id="<vpc>",
        cluster_group_id=PLACEHOLDERS["cluster"][0],
        control_plane_group_ids=(),
        ip_family="ipv4",
        node_group_ids=PLACEHOLDERS["nodes"],
    )
    desired = desired_rules(spec, estate)
    rules = []
    for group_id in sorted(desired.rules):
        for entry in sorted(desired.of(group_id), key=lambda item: item.sort_key()):
            item = to_module_format([entry], entry.rule.direction)[0]
            if item.get("group_id"):
                item["group_id"] = [SYMBOLS.get(ref, ref) for ref in item["group_id"]]
            item.update(
                group=SYMBOLS.get(group_id, group_id),
                direction=entry.rule.direction,
                why=desired.why[(group_id, entry.rule)],
            )
            rules.append(item)
    return {"baseline": spec.profile, "egress": spec.egress, "rules": rules}
