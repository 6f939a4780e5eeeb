# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared security-group rule engine: one import point for the modules.

Pure functions, no boto3 and no network; the EC2 calls live in thin wrappers elsewhere.
The pieces, each documented in its own file:

``sg_model``   typed errors (RuleInputError, QuotaError, PlanError), the immutable rule model
               ``Rule(direction, protocol, from_port, to_port, Source(kind, value, owner))``
               with ``DescribedRule(rule, description)``, the normalisers (protocols, ports,
               CIDRs and host bits, ``sg-``/``pl-`` ids), description limits, the
               ``kubeguard:<purpose>`` ownership marker and the controller label.
``sg_format``  the module input format: ``expand`` into atomic rules and back with
               ``to_module_format``; EC2 ``IpPermissions`` in (``from_ip_permissions``) and
               out (``to_ip_permissions``).
``sg_ports``   ``compress(rules, mode)``: ``exact``, ``adjacent`` or the controller's ``span``.
``sg_plan``    protection, ownership and ``plan()`` for merged/replaced/overridden/deleted,
               and ``render_calls()`` for the batched EC2 calls in make-before-break order.
``sg_quota``   ``check_quota()``: rules per group per direction and family, prefix lists at
               their max entries, rules across the groups of an ENI.

Typical use in a module::

    desired = expand(params["rules"], "ingress", path="rules")
    desired = compress(desired, params["port_compression"])
    current = from_ip_permissions(group["IpPermissions"], "ingress", account_id)
    group_plan = plan(current, desired, params["state"], purpose, params["protect"],
                      group_id=group["GroupId"], group_tags=group.get("Tags"),
                      directions=("ingress",), limits=QuotaLimits(prefix_list_sizes=sizes))
    for call in render_calls(group_plan):
        ...
"""

from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import ALL_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import CONTROLLER_LABEL
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import CONTROLLER_LABEL_KEY
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import CONTROLLER_LABEL_VALUE
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import DIRECTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import FAMILIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import ICMP_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import MARKER_PREFIX
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import MAX_DESCRIPTION_LENGTH
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import PORT_PROTOCOLS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import PREFIX_LIST_ID_RE
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import SG_ID_RE
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import SOURCE_KINDS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import QuotaError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import QuotaOverage
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import RuleInputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import SecurityGroupRuleError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import Source
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import build_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import check_purpose
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import controller_labels
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import described
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import has_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import is_controller_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import marker_purposes
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import mentions_controller_label
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import normalise_protocol
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import unique_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_model import with_marker
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import RULE_OPTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import SOURCE_OPTIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import from_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import parse_ports
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import parse_sources
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import to_ip_permissions
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_format import to_module_format
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_ports import COMPRESSION_MODES
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_ports import compress
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_ports import merge_ranges
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_ports import port_count
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_ports import span_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import DEFAULT_RULES_PER_ENI
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import DEFAULT_RULES_PER_GROUP
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import QuotaLimits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import as_limits
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import check_quota
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import count_rules
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_quota import prefix_list_weight
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import STATES
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import Plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import is_controller_managed_group
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import tag_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import is_owned
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import is_protected
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import protection_reason
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg_plan import render_calls

__all__ = (
    "ALL_PROTOCOLS",
    "CONTROLLER_LABEL",
    "CONTROLLER_LABEL_KEY",
    "CONTROLLER_LABEL_VALUE",
    "DIRECTIONS",
    "FAMILIES",
    "ICMP_PROTOCOLS",
    "MARKER_PREFIX",
    "MAX_DESCRIPTION_LENGTH",
    "PORT_PROTOCOLS",
    "PREFIX_LIST_ID_RE",
    "SG_ID_RE",
    "SOURCE_KINDS",
    "DescribedRule",
    "PlanError",
    "QuotaError",
    "QuotaOverage",
    "Rule",
    "RuleInputError",
    "SecurityGroupRuleError",
    "Source",
    "build_marker",
    "check_description",
    "check_purpose",
    "controller_labels",
    "described",
    "has_marker",
    "is_controller_owned",
    "marker_purposes",
    "mentions_controller_label",
    "normalise_cidr",
    "normalise_protocol",
    "parse_group_id",
    "parse_port_range",
    "parse_prefix_list_id",
    "unique_rules",
    "with_marker",
    "RULE_OPTIONS",
    "SOURCE_OPTIONS",
    "expand",
    "from_ip_permissions",
    "parse_ports",
    "parse_sources",
    "to_ip_permissions",
    "to_module_format",
    "COMPRESSION_MODES",
    "compress",
    "merge_ranges",
    "port_count",
    "span_range",
    "DEFAULT_RULES_PER_ENI",
    "DEFAULT_RULES_PER_GROUP",
    "QuotaLimits",
    "as_limits",
    "check_quota",
    "count_rules",
    "prefix_list_weight",
    "STATES",
    "Plan",
    "ProtectPattern",
    "is_controller_managed_group",
    "tag_dict",
    "is_owned",
    "is_protected",
    "parse_protect",
    "plan",
    "protection_reason",
    "render_calls",
)
