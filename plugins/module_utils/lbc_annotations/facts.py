# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the controller makes of one object's annotations (reference B.2-B.4), for the mode rules.

A :class:`Subject` is an Ingress or a Service with its annotations as they will be after the run (as they are,
for an IngressGroup member the task does not select), the annotations the task touches on it, and the
controller's flags (``None`` offline: the controller's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import FrozenSet
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import ControllerFlags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values

DUALSTACK = ("dualstack", "dualstack-without-public-ipv4")
DEFAULT_LISTEN_PORTS = (("HTTP", 80),)


@dataclass(frozen=True)
class Subject:
    kind: keys.Kind
    namespace: str
    name: str
    annotations: Dict[str, str]
    involved: FrozenSet[str] = frozenset()  # the annotations the task sets, wants or removes here
    selected: bool = True
    spec_source_ranges: Tuple[str, ...] = ()  # a Service's spec.loadBalancerSourceRanges
    ports: int = 1  # a Service's number of ports
    group_custom: bool = False  # another member of its IngressGroup names security groups
    group: Optional[str] = field(default=None)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    def key(self, option: str) -> str:
        return self.kind.annotation(option)

    def raw(self, option: str) -> Optional[str]:
        return self.annotations.get(self.key(option))

    @property
    def security_groups(self) -> Tuple[str, ...]:
        return values.split(self.raw("security_groups"))

    @property
    def custom(self) -> bool:
        """Frontend groups named by annotation (on it, or on another member of its IngressGroup)."""
        return bool(self.security_groups) or self.group_custom

    @property
    def nlb_without_groups(self) -> bool:
        return self.kind.name == keys.SERVICE and self.annotations.get(keys.DISABLE_NLB_SG) == "true"

    def manage_backend(self, flags: Optional[ControllerFlags]) -> bool:
        """The manage-backend value in effect (the flag's default when unset)."""
        parsed = values.parse_bool(self.raw("manage_backend_security_group_rules") or "")
        if parsed is not None:
            return parsed
        return bool(flags and flags.enable_manage_backend_security_group_rules)

    @property
    def scheme(self) -> str:
        return self.raw("scheme") or "internal"

    @property
    def ip_address_type(self) -> str:
        return self.raw("ip_address_type") or "ipv4"

    @property
    def cidr_option(self) -> str:
        return "inbound_cidrs" if self.kind.name == keys.INGRESS else "load_balancer_source_ranges"

    @property
    def cidrs(self) -> List[str]:
        """The explicit sources: a Service's spec field wins over its annotation."""
        if self.spec_source_ranges:
            return list(self.spec_source_ranges)
        return list(values.split(self.raw(self.cidr_option)))

    @property
    def listen_ports(self) -> Tuple[Tuple[str, int], ...]:
        text = self.raw("listen_ports") if self.kind.name == keys.INGRESS else None
        return (values.parse_listen_ports(text) if text else None) or DEFAULT_LISTEN_PORTS

    def touches(self, *options: str) -> bool:
        return any(self.key(option) in self.involved for option in options if option in self.kind.keys)
