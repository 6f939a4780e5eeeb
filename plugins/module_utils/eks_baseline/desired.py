# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The desired rules per group, each with why it exists.

From the profile's table (``profiles``) between the discovered groups, their egress mirrors under ``egress:
restricted`` or the all-traffic egress under ``egress: all``, and the rule options (``extra_rules``,
``egress_extra``, ``nodeport_sources``, ``ssh``). The same rule reached twice (a node group that is also the
cluster group) is kept once, with the first description and every reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.discovery import Estate
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import CLUSTER
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import EGRESS_ALL_WHY
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import REQUIRED
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import ProfileRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import mirror_key
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.profiles import profile_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.eks_baseline.spec import rules_for
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Source

WORLD = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}


@dataclass
class Desired:
    """Desired rules per group id, and why each exists (several reasons when several keys lead to it)."""

    rules: Dict[str, Dict[Rule, DescribedRule]] = field(default_factory=dict)
    why: Dict[Tuple[str, Rule], List[str]] = field(default_factory=dict)
    required: Dict[str, set] = field(default_factory=dict)  # group id -> rules the cluster needs

    def add(self, group_id: str, entry: DescribedRule, why: str, required: bool = False) -> None:
        group = self.rules.setdefault(group_id, {})
        group.setdefault(entry.rule, entry)
        reasons = self.why.setdefault((group_id, entry.rule), [])
        if why not in reasons:
            reasons.append(why)
        if required:
            self.required.setdefault(group_id, set()).add(entry.rule)

    def of(self, group_id: str) -> List[DescribedRule]:
        return list(self.rules.get(group_id, {}).values())


def desired_rules(spec: Spec, estate: Estate) -> Desired:
    desired = Desired()
    ids = estate.ids()
    for rule in profile_rules(spec.profile, spec.keep_required):
        _add_profile_rule(desired, spec, ids, rule)
    if spec.egress == "all":
        for role in (CLUSTER, "nodes"):
            for group_id in ids[role]:
                for family in ("ipv4", "ipv6") if estate.ip_family == "ipv6" else ("ipv4",):
                    rule = Rule("egress", ALL_PROTOCOLS, None, None, Source(family, WORLD[family]))
                    desired.add(group_id, DescribedRule(rule, "All outbound traffic", "egress"), EGRESS_ALL_WHY[role])
    for option in spec.rule_options:
        for group_id, entry in rules_for(option, ids):
            desired.add(group_id, entry, f"{option.path}: {entry.description or 'given in the options'}")
    return desired


def _add_profile_rule(desired: Desired, spec: Spec, ids: dict, rule: ProfileRule) -> None:
    low, high = rule.ports if rule.ports else (None, None)
    required = rule.key in REQUIRED and spec.keep_required
    for group_id in ids[rule.group]:
        for peer_id in ids[rule.peer]:
            inbound = Rule("ingress", rule.protocol, low, high, Source("group", peer_id))
            desired.add(group_id, DescribedRule(inbound, rule.description, rule.key), rule.why, required)
            if spec.egress == "restricted":
                outbound = Rule("egress", rule.protocol, low, high, Source("group", group_id))
                why = f"{mirror_key(rule.key)}: the way out for {rule.key} ({rule.description}; egress: restricted)"
                desired.add(peer_id, DescribedRule(outbound, rule.description, mirror_key(rule.key)), why, required)
