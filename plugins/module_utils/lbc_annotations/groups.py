# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""IngressGroups: the Ingresses sharing ``alb.ingress.kubernetes.io/group.name`` share one ALB, in any namespace.

The controller refuses to build a group whose members disagree (reference B.2, B.4). Every member of the
cluster counts, selected or not, each with its annotations as they will be after the run. The values compared
are those in effect, the default standing for a member without the annotation (as the simulated controller
does; the real one skips such members for some keys, so this is at worst stricter):

- ``security-groups`` (in order, as the controller compares them; none for a member without it),
- ``manage-backend-security-group-rules`` (default: the controller's flag),
- ``scheme`` (default internal) and ``ip-address-type`` (default ipv4),
- the protocol of each listen port (one port cannot be HTTP on one member and HTTPS on another).
"""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.facts import Subject
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.rules import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.rules import finding

RULE = "ingress-group-conflict"


def _agreed(flags: Optional[ControllerFlags]) -> List[Tuple[str, Callable[[Subject], Any]]]:
    return [
        ("security_groups", lambda s: ", ".join(s.security_groups) or "none"),
        ("manage_backend_security_group_rules", lambda s: str(s.manage_backend(flags)).lower()),
        ("scheme", lambda s: s.scheme),
        ("ip_address_type", lambda s: s.ip_address_type),
    ]


def by_group(subjects: List[Subject]) -> Dict[str, List[Subject]]:
    """The explicit IngressGroups that have at least one selected member: ``{group: members}``."""
    groups: Dict[str, List[Subject]] = {}
    for subject in subjects:
        if subject.group:
            groups.setdefault(subject.group, []).append(subject)
    return {name: members for name, members in groups.items() if any(m.selected for m in members)}


def _disagreements(members: List[Subject], flags: Optional[ControllerFlags]) -> List[Tuple[str, str]]:
    """``(option, what each member says)`` for every key the members disagree on."""
    found = []
    for option, value in _agreed(flags):
        seen: Dict[str, List[str]] = {}
        for member in members:
            seen.setdefault(value(member), []).append(member.ref)
        if len(seen) > 1:
            said = "; ".join(f"{v} ({', '.join(refs)})" for v, refs in sorted(seen.items()))
            found.append((option, f"{members[0].key(option).split('/')[1]}: {said}"))
    ports: Dict[int, Dict[str, List[str]]] = {}
    for member in members:
        for protocol, port in member.listen_ports:
            ports.setdefault(port, {}).setdefault(protocol, []).append(member.ref)
    for port, protocols in sorted(ports.items()):
        if len(protocols) > 1:
            said = "; ".join(f"{p} ({', '.join(refs)})" for p, refs in sorted(protocols.items()))
            found.append(("listen_ports", f"listen port {port}: {said}"))
    return found


def check_groups(subjects: List[Subject], flags: Optional[ControllerFlags], audit: bool = False) -> List[Finding]:
    """A finding on each selected member of each group whose members disagree."""
    findings = []
    for name, members in sorted(by_group(subjects).items()):
        for option, said in _disagreements(members, flags):
            involved = any(m.touches(option) for m in members)
            hit = (
                RULE,
                (option,),
                f"IngressGroup {name!r}: the members disagree on {said}; the controller builds "
                "nothing for the group until they agree",
            )
            findings.extend(finding(m, hit, audit, involved) for m in members if m.selected)
    return findings


def custom_groups(subjects: List[Subject]) -> Dict[str, bool]:
    """``{group: whether any member names security groups}``."""
    found: Dict[str, bool] = {}
    for subject in subjects:
        if subject.group:
            found[subject.group] = found.get(subject.group, False) or bool(subject.security_groups)
    return found
