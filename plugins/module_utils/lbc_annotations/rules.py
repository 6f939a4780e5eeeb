# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Mode validation: the annotations, as they will be, against the controller's flags (reference B.2-B.4).

Each rule names the options it concerns. A finding is an ``error`` (the run fails before any write, every
finding listed) when the task sets, wants or removes one of those annotations on the object - the task would
write, or keep asking for, what the controller refuses or ignores - or when ``audit`` (``validate_only``
without annotation options: the annotations as they are); otherwise it is a ``warning`` about what was
already there.

- ``backend-security-group-required``: custom frontend groups with managed backend rules need
  ``--enable-backend-security-group=true`` (the controller's "backendSG feature is required ...");
- ``ignored-without-custom-groups``: manage-backend-security-group-rules means nothing with a managed frontend;
- ``ignored-with-custom-groups``: inbound CIDRs, source ranges and prefix lists open nothing on custom groups;
- ``source-ranges-annotation-ignored``: a Service's ``spec.loadBalancerSourceRanges`` wins over the annotation;
- ``world-on-internal``: 0.0.0.0/0 or ::/0 on an internal load balancer (every address routed into the VPC);
- ``ipv6-without-dualstack``: IPv6 sources are ignored by an ALB and refused for an NLB unless dualstack;
- ``frontend-rules-quota``: listen ports x sources over 60 rules per address family on the managed group;
- ``security-groups-per-load-balancer``: more than 5 groups, the backend group included;
- ``unreadable-value``: an annotation the controller cannot parse;
- ``ingress-group-conflict`` (``groups``): members of one IngressGroup disagree.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import Iterator
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.facts import DUALSTACK
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.facts import Subject
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS

RULES_PER_FAMILY = 60
MAX_GROUPS = values.MAX_SECURITY_GROUPS
Hit = Tuple[str, Tuple[str, ...], str]  # (rule, the options it concerns, message)


@dataclass(frozen=True)
class Finding:
    kind: str
    namespace: str
    name: str
    rule: str
    severity: str
    message: str

    def as_dict(self) -> Dict[str, Any]:
        return dict(self.__dict__)

    def line(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}: {self.message} [{self.rule}]"


def finding(subject: Subject, hit: Hit, audit: bool, involved: Optional[bool] = None) -> Finding:
    rule, options, message = hit
    touched = subject.touches(*options) if involved is None else involved
    severity = "error" if audit or touched else "warning"
    if severity == "warning":
        message += " (already so; this task does not change it)"
    return Finding(subject.kind.name, subject.namespace, subject.name, rule, severity, message)


def _backend(subject: Subject, flags: Optional[ControllerFlags]) -> Iterator[Hit]:
    if flags is None or flags.enable_backend_security_group or subject.nlb_without_groups:
        return
    if subject.custom and subject.manage_backend(flags):
        yield (
            "backend-security-group-required",
            ("security_groups", "manage_backend_security_group_rules"),
            "custom frontend security groups with manage-backend-security-group-rules need the controller's "
            "--enable-backend-security-group=true (it is false): the controller refuses to build this load balancer "
            "('backendSG feature is required to manage worker node SG rules when frontendSG manually specified')",
        )


def _ignored(subject: Subject) -> Iterator[Hit]:
    manage = subject.raw("manage_backend_security_group_rules")
    if manage is not None and not subject.custom and not subject.nlb_without_groups:
        yield (
            "ignored-without-custom-groups",
            ("manage_backend_security_group_rules", "security_groups"),
            "manage-backend-security-group-rules is ignored without security-groups: the controller makes the "
            "frontend group and the node rules itself",
        )
    sources = [o for o in (subject.cidr_option, "security_group_prefix_lists") if subject.raw(o)]
    if subject.custom and (sources or subject.spec_source_ranges):
        names = ", ".join(subject.key(o).split("/")[1] for o in sources) or "spec.loadBalancerSourceRanges"
        yield (
            "ignored-with-custom-groups",
            ("security_groups", subject.cidr_option, "security_group_prefix_lists"),
            f"{names} ignored: with custom security groups (security-groups) the controller opens nothing; "
            "the groups' own rules decide who reaches the load balancer",
        )


def _source_ranges(subject: Subject) -> Iterator[Hit]:
    if subject.spec_source_ranges and subject.raw("load_balancer_source_ranges"):
        yield (
            "source-ranges-annotation-ignored",
            ("load_balancer_source_ranges",),
            "load-balancer-source-ranges is ignored: the Service's spec.loadBalancerSourceRanges "
            f"({', '.join(subject.spec_source_ranges)}) wins",
        )


def _networks(cidrs: List[str]) -> List[Any]:
    found = []
    for text in cidrs:
        try:
            found.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            continue
    return found


def _world(subject: Subject) -> Iterator[Hit]:
    world = [str(n) for n in _networks(subject.cidrs) if n.prefixlen == 0]
    if world and not subject.custom and subject.scheme == "internal":
        yield (
            "world-on-internal",
            ("scheme", subject.cidr_option),
            f"{', '.join(world)} on an internal load balancer admits every address routed into the VPC (peering, "
            "VPN, Transit Gateway, on-premises) - not only the internet: name the networks meant",
        )


def _ipv6(subject: Subject) -> Iterator[Hit]:
    six = [str(n) for n in _networks(subject.cidrs) if n.version == 6]
    if six and subject.ip_address_type not in DUALSTACK:
        effect = "ignored by the ALB" if subject.kind.name == INGRESS else "refused by the controller for the NLB"
        yield (
            "ipv6-without-dualstack",
            (subject.cidr_option, "ip_address_type"),
            f"IPv6 sources {', '.join(six)} are {effect}: ip-address-type is {subject.ip_address_type}, not dualstack",
        )


def _quota(subject: Subject) -> Iterator[Hit]:
    if subject.custom:
        return
    ports = len(subject.listen_ports) if subject.kind.name == INGRESS else subject.ports
    nets = _networks(subject.cidrs)
    for version in (4, 6):
        count = ports * len([n for n in nets if n.version == version])
        if count > RULES_PER_FAMILY:
            yield (
                "frontend-rules-quota",
                ("listen_ports", subject.cidr_option),
                f"the managed frontend group would need {count} IPv{version} rules (listen ports x sources); EC2 "
                f"allows {RULES_PER_FAMILY} per group and address family",
            )


def _group_count(subject: Subject, flags: Optional[ControllerFlags]) -> Iterator[Hit]:
    backend = subject.manage_backend(flags) and (flags is None or flags.enable_backend_security_group)
    count = len(subject.security_groups) + (1 if backend else 0)
    if subject.security_groups and count > MAX_GROUPS:
        yield (
            "security-groups-per-load-balancer",
            ("security_groups", "manage_backend_security_group_rules"),
            f"{count} security groups on the load balancer (the backend group included): at most {MAX_GROUPS}",
        )


def _unreadable(subject: Subject) -> Iterator[Hit]:
    for option, annotation in subject.kind.keys.items():
        text = subject.annotations.get(annotation)
        if text is not None and values.codec(subject.kind.name, option).parse(text) is None:
            yield ("unreadable-value", (option,), f"{annotation}={text!r} cannot be read by the controller")


def check_subject(subject: Subject, flags: Optional[ControllerFlags], audit: bool = False) -> List[Finding]:
    """The findings of one selected object."""
    hits: List[Hit] = []
    for rule in (_backend(subject, flags), _ignored(subject), _source_ranges(subject), _world(subject)):
        hits.extend(rule)
    for rule in (_ipv6(subject), _quota(subject), _group_count(subject, flags), _unreadable(subject)):
        hits.extend(rule)
    return [finding(subject, hit, audit) for hit in hits]
