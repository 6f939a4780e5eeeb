# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Load Balancer Controller's Kubernetes side, judged with the collection's own knowledge of it.

- KG-LBC-002: the controller's node rules (labelled ``elbv2.k8s.aws/targetGroupBinding=shared``) span ports the
  Services and Ingresses do not use: the controller opens min-max of the ports it needs, so NodePorts 30080 and
  32050 open 1,971 ports; found with the ports ``lbc.service_ports`` says the load balancers must reach;
- KG-LBC-003 and KG-LBC-004: annotations the controller ignores or refuses under its flags, and IngressGroups
  whose members disagree - eks_lbc_annotations' validation rules, run on every handled object as it is.
"""

from __future__ import annotations

from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.service_ports import node_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import select
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import SERVICE_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.validation import subject
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.validation import validate
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned

GROUP_RULE = "ingress-group-conflict"


def broad_node_rules(view: VpcView, services: List[dict], ingresses: List[dict], ingress_class: str) -> List[Finding]:
    """KG-LBC-002: controller rules whose port range holds ports no load balancer needs."""
    needed, _unresolved = node_ports(services, ingresses, ingress_class)
    wanted: Dict[str, set] = {}
    for port in needed:
        if port["frontend_groups"] is None:  # served from the backend group, the source of the controller's rules
            wanted.setdefault(port["protocol"], set()).add(port["port"])
    found = []
    for group_id in view.node_group_ids:
        for entry in view.rules(group_id):
            rule = entry.rule
            if rule.direction != "ingress" or not is_controller_owned(entry.description) or not rule.has_port_range:
                continue
            used = sorted(p for p in wanted.get(rule.protocol, ()) if rule.from_port <= p <= rule.to_port)
            span = rule.to_port - rule.from_port + 1
            if span > len(used):
                evidence = f"{entry}: {span} ports open, {len(used)} used ({', '.join(map(str, used)) or 'none'})"
                found.append(Finding("KG-LBC-002", view.label(group_id), evidence, details={"ports_used": used}))
    return found


def _annotations(obj: dict) -> Dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def annotation_findings(
    cluster: str, services: List[dict], ingresses: List[dict], flags: Optional[ControllerFlags]
) -> List[Finding]:
    """KG-LBC-003 (ignored or refused annotations) and KG-LBC-004 (IngressGroups that disagree)."""
    ingress_class = flags.ingress_class if flags else "alb"
    subjects = [subject(INGRESS_KIND, o, _annotations(o)) for o in select.handled("Ingress", ingresses, ingress_class)]
    subjects += [subject(SERVICE_KIND, o, _annotations(o)) for o in select.handled("Service", services, ingress_class)]
    found = []
    for problem in validate(subjects, flags, audit=True):
        kind = "KG-LBC-004" if problem.rule == GROUP_RULE else "KG-LBC-003"
        resource = f"{cluster}/{problem.namespace}/{problem.name} ({problem.kind})"
        found.append(Finding(kind, resource, f"{problem.message} [{problem.rule}]", details={"rule": problem.rule}))
    return found
