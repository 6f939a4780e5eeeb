# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The annotations eks_lbc_annotations manages, per kind, and the option each one comes from.

Keys and defaults are the AWS Load Balancer Controller's (reference B.4): Ingress annotations under
``alb.ingress.kubernetes.io/``, Service annotations under ``service.beta.kubernetes.io/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import ANN_MANAGED_ANNOTATIONS

INGRESS = "Ingress"
SERVICE = "Service"
ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/"

RECORD = ANN_MANAGED_ANNOTATIONS
REPLACED_RECORD = "netsec.kubeguard.io/replaced-annotations"
GROUP_NAME = ALB + "group.name"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
LB_TYPE = NLB + "aws-load-balancer-type"
LB_TYPES = ("external", "nlb-ip")  # the values the controller (not the in-tree provider) takes
NLB_CLASS = "service.k8s.aws/nlb"
DISABLE_NLB_SG = NLB + "aws-load-balancer-disable-nlb-sg"

SCHEMES = ("internal", "internet-facing")
TARGET_TYPES = ("instance", "ip")
INGRESS_IP_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
SERVICE_IP_TYPES = ("ipv4", "dualstack")
LISTEN_PROTOCOLS = ("HTTP", "HTTPS")


@dataclass(frozen=True)
class Kind:
    """One kind of object the module annotates: its API, its option and ``{option key: annotation}``."""

    name: str
    api_version: str
    option: str
    keys: Dict[str, str]

    @property
    def plural(self) -> str:
        return f"{self.name}es" if self.name.endswith("s") else f"{self.name}s"

    def annotation(self, option_key: str) -> str:
        return self.keys[option_key]

    def option_of(self, annotation: str) -> str:
        return {v: k for k, v in self.keys.items()}[annotation]

    @property
    def annotations(self) -> Tuple[str, ...]:
        return tuple(self.keys.values())


INGRESS_KIND = Kind(
    INGRESS,
    "networking.k8s.io/v1",
    "ingress",
    {
        "security_groups": ALB + "security-groups",
        "manage_backend_security_group_rules": ALB + "manage-backend-security-group-rules",
        "inbound_cidrs": ALB + "inbound-cidrs",
        "listen_ports": ALB + "listen-ports",
        "target_type": ALB + "target-type",
        "security_group_prefix_lists": ALB + "security-group-prefix-lists",
        "ip_address_type": ALB + "ip-address-type",
        "scheme": ALB + "scheme",
    },
)

SERVICE_KIND = Kind(
    SERVICE,
    "v1",
    "service",
    {
        "security_groups": NLB + "aws-load-balancer-security-groups",
        "manage_backend_security_group_rules": NLB + "aws-load-balancer-manage-backend-security-group-rules",
        "load_balancer_source_ranges": NLB + "load-balancer-source-ranges",
        "nlb_target_type": NLB + "aws-load-balancer-nlb-target-type",
        "security_group_prefix_lists": NLB + "aws-load-balancer-security-group-prefix-lists",
        "ip_address_type": NLB + "aws-load-balancer-ip-address-type",
        "scheme": NLB + "aws-load-balancer-scheme",
    },
)

KINDS = (INGRESS_KIND, SERVICE_KIND)
CIDR_OPTIONS = ("inbound_cidrs", "load_balancer_source_ranges")


def kind_named(name: str) -> Kind:
    return INGRESS_KIND if name == INGRESS else SERVICE_KIND
