# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eks_lbc_security_groups' options, validated before any API call.

``Spec.from_params`` checks modes, ids, CIDRs, ports and the guardrails, and expands the rules that do
not depend on discovered ids (frontend listener rules, the node baseline). Every failure is an
InputError naming the option path.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import check_items
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.format import expand
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import check_description
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import normalise_cidr
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_group_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_port_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import parse_prefix_list_id
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import ProtectPattern
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.plan import parse_protect
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.quota import QuotaLimits

NODEPORT_RANGE = "30000-32767"
_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class Frontend:
    """One custom frontend group: created (by name) or adopted (by id), with its listener rules."""

    name: Optional[str]
    id: Optional[str]
    path: str
    rules: Tuple[DescribedRule, ...]
    description: str
    tags: Dict[str, str]

    @property
    def key(self) -> str:
        """How the run refers to the group before its id is known."""
        return self.id or self.name


@dataclass(frozen=True)
class NodeRules:
    """The ``node_rules`` option: which ports load balancers may reach on the nodes, from where."""

    ports_from: str
    ports: Tuple[str, ...]
    port_compression: str
    cidrs: Tuple[str, ...]
    namespaces: Tuple[str, ...]
    ingress_class: str
    default_target_type: str
    description: Optional[str]


@dataclass(frozen=True)
class Spec:
    """The validated options of one run."""

    cluster: str
    mode: str
    state: str
    purpose: str
    vpc_id: Optional[str]
    protect: Tuple[ProtectPattern, ...]
    limits: QuotaLimits
    frontends: Tuple[Frontend, ...]
    node_group_id: Optional[str]
    backend_id: Optional[str]
    node_rules: Optional[NodeRules]
    node_baseline: Tuple[DescribedRule, ...]
    allow_empty: bool = False
    keep_eks_baseline: bool = True
    adopt_disowned_controller_rules: bool = False

    @property
    def lists_nothing(self) -> bool:
        """No rule or group given: with state deleted, everything this collection owns for the cluster goes."""
        return not (self.node_rules or self.node_baseline or self.frontends)

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "Spec":
        allow_public = bool(params.get("allow_public_node_ports"))
        spec = cls(
            cluster=_cluster_name(params.get("cluster_name")),
            mode=params["mode"],
            state=params["state"],
            purpose=params["purpose"],
            vpc_id=params.get("vpc_id"),
            protect=parse_protect(params.get("protect") or [], "protect"),
            limits=_limits(params.get("quota") or {}),
            frontends=tuple(
                _frontend(params["cluster_name"], item, f"frontend_security_groups[{index}]")
                for index, item in enumerate(params.get("frontend_security_groups") or [])
            ),
            node_group_id=_group_id(params.get("node_security_group"), "node_security_group"),
            backend_id=_group_id(params.get("backend_security_group"), "backend_security_group"),
            node_rules=_node_rules(params.get("node_rules")),
            node_baseline=_node_baseline(params.get("node_security_group_rules") or [], allow_public),
            allow_empty=bool(params.get("allow_empty")),
            keep_eks_baseline=params.get("keep_eks_baseline") is not False,
            adopt_disowned_controller_rules=bool(params.get("adopt_disowned_controller_rules")),
        )
        spec.check_modes()
        if spec.node_rules:
            spec = replace(spec, node_rules=_check_node_rules(spec.node_rules, allow_public))
        return spec

    def check_modes(self) -> None:
        """The combinations of mode, state and options that the controller cannot work with."""
        mode, writes = self.mode, self.state not in ("gathered", "deleted")
        if mode == "auto" and self.frontends:
            raise InputError(
                "frontend_security_groups",
                "mode auto lets the controller create the frontend "
                "groups; use mode hybrid or custom to manage your own",
            )
        if mode in ("hybrid", "custom") and not self.frontends and writes:
            raise InputError("frontend_security_groups", f"mode {mode} needs at least one frontend group")
        if mode == "custom" and self.backend_id:
            raise InputError(
                "backend_security_group",
                "mode custom does not use the controller's backend group; the node rules come from the frontend groups",
            )
        if mode == "hybrid" and self.node_rules:
            raise InputError(
                "node_rules",
                "in mode hybrid the controller manages the node rules "
                "(manage-backend-security-group-rules: true); drop node_rules or use "
                "mode custom",
            )
        if mode == "custom" and not self.node_rules and writes:
            raise InputError(
                "node_rules",
                "mode custom needs node_rules: the controller will not open the nodes to the load balancers",
            )


def _group_id(value: Optional[str], path: str) -> Optional[str]:
    return parse_group_id(value, path).value if value else None


def _frontend(cluster: str, option: Dict[str, Any], path: str) -> Frontend:
    if not option.get("name") and not option.get("id"):
        raise InputError(path, "give the name of a group to create or adopt, or the id of one to adopt")
    group_id = _group_id(option.get("id"), f"{path}.id")
    sources = {"cidr_ip": option.get("inbound_cidrs") or [], "prefix_list_id": option.get("prefix_lists") or []}
    if option.get("inbound_ipv6_cidrs"):
        if not option.get("dualstack"):
            raise InputError(
                f"{path}.inbound_ipv6_cidrs",
                "IPv6 sources need dualstack: true (the load balancer only listens on IPv4 otherwise)",
            )
        sources["cidr_ipv6"] = option["inbound_ipv6_cidrs"]
    if not any(sources.values()):
        raise InputError(path, "say who may reach the load balancer: inbound_cidrs, inbound_ipv6_cidrs or prefix_lists")
    ports = [str(port) for port in option.get("listen_ports") or []]
    if not ports:
        raise InputError(f"{path}.listen_ports", "list the ports the load balancer listens on")
    check_items(ports, f"{path}.listen_ports", parse_port_range)
    check_items(sources["cidr_ip"], f"{path}.inbound_cidrs", lambda value, at: normalise_cidr(value, "ipv4", at))
    check_items(
        sources.get("cidr_ipv6") or [],
        f"{path}.inbound_ipv6_cidrs",
        lambda value, at: normalise_cidr(value, "ipv6", at),
    )
    check_items(sources["prefix_list_id"], f"{path}.prefix_lists", parse_prefix_list_id)
    check_description(option.get("rule_description"), f"{path}.rule_description")
    rule = {key: value for key, value in sources.items() if value}
    rule.update(proto="tcp", ports=ports, description=option.get("rule_description"))
    description = option.get("description") or f"Load balancer frontend of EKS cluster {cluster} (kubeguard.netsec)"
    return Frontend(
        name=option.get("name"),
        id=group_id,
        path=path,
        rules=tuple(expand([rule], "ingress", path=path)),
        description=description,
        tags=dict(option.get("tags") or {}),
    )


def _node_rules(option: Optional[Dict[str, Any]]) -> Optional[NodeRules]:
    if not option:
        return None
    return NodeRules(
        ports_from=option.get("ports_from") or "nodeport_range",
        ports=tuple(str(port) for port in option.get("ports") or []),
        port_compression=option.get("port_compression") or "exact",
        cidrs=tuple(option.get("cidrs") or []),
        namespaces=tuple(option.get("namespaces") or []),
        ingress_class=option.get("ingress_class") or "alb",
        default_target_type=option.get("default_target_type") or "instance",
        description=option.get("description"),
    )


def _check_node_rules(rules: NodeRules, allow_public: bool) -> NodeRules:
    """The node rules with their CIDRs normalised; the world (in any spelling) only when allowed."""
    if rules.ports_from == "ports" and not rules.ports:
        raise InputError("node_rules.ports", "ports_from: ports needs a list of ports")
    if rules.ports_from != "ports" and rules.ports:
        raise InputError("node_rules.ports", f"only used with ports_from: ports (got ports_from: {rules.ports_from})")
    for index, port in enumerate(rules.ports):
        if parse_port_range(port, f"node_rules.ports[{index}]")[0] == 0:
            raise InputError(f"node_rules.ports[{index}]", f"{port} includes port 0, which no Service can use")
    cidrs = tuple(check_items(rules.cidrs, "node_rules.cidrs", _node_cidr))
    if not allow_public:
        for index, cidr in enumerate(cidrs):
            if is_world(cidr):
                raise InputError(f"node_rules.cidrs[{index}]", _world_message(rules.cidrs[index], cidr))
    check_description(rules.description, "node_rules.description")
    return replace(rules, cidrs=cidrs)


def _node_cidr(value: Any, path: str) -> str:
    return normalise_cidr(value, "ipv6" if ":" in str(value) else "ipv4", path)


def is_world(cidr: str) -> bool:
    """True for the whole IPv4 or IPv6 space (a normalised CIDR)."""
    return ipaddress.ip_network(cidr).prefixlen == 0


def _world_message(given: Any, cidr: str) -> str:
    spelled = f"{given!r} is {cidr}, which" if str(given) != cidr else f"{cidr}"
    return f"{spelled} opens the nodes to the internet; set allow_public_node_ports: true if you really mean it"


def _node_baseline(rules: List[dict], allow_public: bool) -> Tuple[DescribedRule, ...]:
    """The node group's other rules; none of them open to the whole internet unless allowed."""
    expanded = expand(rules, "ingress", path="node_security_group_rules")
    for entry in expanded:
        source = entry.rule.source
        if not allow_public and source.kind in ("ipv4", "ipv6") and is_world(source.value):
            option = "cidr_ip" if source.kind == "ipv4" else "cidr_ipv6"
            raise InputError(f"{entry.origin}.{option}", _world_message(source.value, source.value))
    return tuple(expanded)


def _cluster_name(value: Any) -> str:
    """A name EKS accepts: 1-100 of letters, digits, - and _, starting with a letter or digit."""
    if not isinstance(value, str) or not _CLUSTER_NAME.match(value):
        raise InputError(
            "cluster_name",
            f"{value!r} is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)",
        )
    return value


def _limits(quota: Dict[str, Any]) -> QuotaLimits:
    """The quota limits; a value of 0 or less is refused (QuotaLimits), never replaced by the default."""
    per_group, per_eni = quota.get("rules_per_group"), quota.get("rules_per_eni")
    return QuotaLimits(
        rules_per_group=60 if per_group is None else per_group, rules_per_eni=1000 if per_eni is None else per_eni
    )
