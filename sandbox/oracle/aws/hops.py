"""The four checks of one leg of a connection (client -> load balancer, load balancer -> target, or client ->
instance), in the order one troubleshoots them:

1. attachment: the security groups that matter are those attached to the receiving end (the load balancer's
   ``SecurityGroups``, the target ENI's groups); an NLB without security groups filters nothing (``guarded``
   is False) and passes this stage and the next. The leg fails here when the attached groups admit nothing
   but a group meant for this path exists and is not where it should be: a group tagged for the same
   Ingress stack, or one whose rule names a group the sender carries, is not attached to the receiver; or
   an attached group's rule names a group that the sender does not carry;
2. rules: an inbound rule of an attached group admits the protocol and port from the sender (CIDR holding
   the sender's addresses, or a group the sender carries), and, when the sender carries groups, an outbound
   rule of one of them lets it out (a CIDR holding the receiver's addresses, or a group the receiver carries).
   Groups are stateful: the reply needs no rule. Behind an NLB that preserves the client's IP (``preserves``),
   the target sees the client's address, not the load balancer's;
3. network ACLs, stateless: the request leaves the sender's subnet (outbound entries) and enters the
   receiver's (inbound entries); the reply goes back on the ephemeral ports 1024-65535 (outbound of the
   receiver's subnet, inbound of the sender's). Traffic inside one subnet does not cross an ACL;
4. routes: each end's subnet route table must route the other end's addresses: ``local`` (the VPC CIDR)
   inside the VPC; an internet gateway attached to the VPC for an address outside it, and then the
   receiver must be publicly addressable (an internet-facing load balancer, an ENI with a public IP).
"""

from __future__ import annotations

import dataclasses
import ipaddress

from sandbox.oracle.aws import rules
from sandbox.oracle.aws.state import AwsState


@dataclasses.dataclass(frozen=True)
class End:
    """One end of a leg: its addresses (None: unknown), groups, subnet (None: outside the VPC or unknown)."""

    label: str
    network: ipaddress.IPv4Network | None
    groups: tuple[str, ...]
    subnet: str | None
    vpc: str | None
    public: bool = False
    related: tuple[str, ...] = ()  # groups made for this end (same Ingress stack), for the attachment check
    guarded: bool = True  # False: no security group filters traffic to this end (an NLB without groups)
    preserves: End | None = None  # the client whose address this load balancer node passes on to its targets


@dataclasses.dataclass(frozen=True)
class Leg:
    src: End
    dst: End
    port: int
    group: str = ""  # the target group this leg serves ("" for the client side)

    def name(self) -> str:
        return f"{self.src.label} -> {self.dst.label}:{self.port}"


def source_network(end: End) -> ipaddress.IPv4Network | None:
    """The source address a receiver sees from ``end``: the client's own when ``end`` preserves it."""
    return end.preserves.network if end.preserves is not None else end.network


def _source_text(end: End) -> str:
    text = str(source_network(end) or "an unknown address")
    return f"{text} (the client's, preserved by {end.label})" if end.preserves is not None else text


def _groups(state: AwsState, groups) -> str:
    return ", ".join(state.group_label(g) for g in groups) or "none"


def admitting_rule(state: AwsState, leg: Leg, protocol: str) -> tuple[str, str] | None:
    for group_id in leg.dst.groups:
        found = rules.group_admits(state.groups.get(group_id, {}), protocol, leg.port, source_network(leg.src),
                                   leg.src.groups)
        if found:
            return group_id, found
    return None


def attachment(state: AwsState, leg: Leg, protocol: str) -> str | None:
    """Why the attached groups miss this leg when a group meant for it is not in place, or None."""
    if not leg.dst.guarded or admitting_rule(state, leg, protocol):
        return None
    for group_id, group in state.groups.items():
        if group_id in leg.dst.groups or group.get("VpcId") != leg.dst.vpc:
            continue
        meant = group_id in leg.dst.related or set(rules.group_references(group, protocol, leg.port)) & set(
            leg.src.groups)
        found = meant and rules.group_admits(group, protocol, leg.port, source_network(leg.src), leg.src.groups)
        if found:
            return (f"{state.group_label(group_id)} admits {protocol}/{leg.port} from {leg.src.label} ({found}) but "
                    f"is not attached to {leg.dst.label}, which carries {_groups(state, leg.dst.groups)}")
    for group_id in leg.dst.groups:
        missing = [g for g in rules.group_references(state.groups.get(group_id, {}), protocol, leg.port)
                   if g not in leg.src.groups]
        if missing:
            return (f"{state.group_label(group_id)} on {leg.dst.label} admits {protocol}/{leg.port} from "
                    f"{_groups(state, missing)}, which {leg.src.label} does not carry (it carries "
                    f"{_groups(state, leg.src.groups)})")
    return None


def releasing_rule(state: AwsState, leg: Leg, protocol: str) -> tuple[str, str] | None:
    """The sender's group and outbound rule that let this leg out."""
    for group_id in leg.src.groups:
        found = rules.group_releases(state.groups.get(group_id, {}), protocol, leg.port, leg.dst.network,
                                     leg.dst.groups)
        if found:
            return group_id, found
    return None


def _egress(state: AwsState, leg: Leg, protocol: str) -> tuple[bool, str]:
    if not leg.src.groups:
        return True, ""
    found = releasing_rule(state, leg, protocol)
    if found:
        return True, f"; {state.group_label(found[0])} lets it out: {found[1]}"
    return False, (f"{leg.name()}: no outbound rule of {_groups(state, leg.src.groups)} lets {protocol}/{leg.port} "
                   f"out to {leg.dst.network or 'an unknown address'} or groups {_groups(state, leg.dst.groups)}")


def sg_rules(state: AwsState, leg: Leg, protocol: str) -> tuple[bool, str]:
    released, out = _egress(state, leg, protocol)
    if not released:
        return False, out
    if not leg.dst.guarded:
        return True, f"{leg.name()}: {leg.dst.label} has no security groups, nothing filters here{out}"
    found = admitting_rule(state, leg, protocol)
    if found:
        return True, f"{leg.name()}: {state.group_label(found[0])} admits it: {found[1]}{out}"
    return False, (f"{leg.name()}: no inbound rule of {_groups(state, leg.dst.groups)} admits {protocol}/{leg.port} "
                   f"from {_source_text(leg.src)} or groups {_groups(state, leg.src.groups)}")


def _acl_step(state: AwsState, subnet: str | None, egress: bool, peer, protocol: str, ports) -> tuple[bool, str]:
    nacl = state.nacl_of(subnet)
    allowed, why = rules.nacl_decides(nacl, egress, peer, protocol, ports)
    span = f"{ports[0]}" if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
    direction = "outbound" if egress else "inbound"
    return allowed, f"{nacl['NetworkAclId']} on {state.short_subnet(subnet)} {direction} {protocol}/{span}: {why}"


def nacl(state: AwsState, leg: Leg, protocol: str) -> tuple[bool, str]:
    src, dst, seen = leg.src, leg.dst, source_network(leg.src)
    if src.subnet is not None and src.subnet == dst.subnet:
        return True, f"{leg.name()}: both in {state.short_subnet(src.subnet)}, no network ACL is crossed"
    steps = [("request", src.subnet, True, dst.network, (leg.port, leg.port)),
             ("request", dst.subnet, False, seen, (leg.port, leg.port)),
             ("reply on ephemeral ports", dst.subnet, True, seen, rules.EPHEMERAL),
             ("reply on ephemeral ports", src.subnet, False, dst.network, rules.EPHEMERAL)]
    said = []
    for what, subnet, egress, peer, ports in steps:
        if subnet is None:
            continue
        allowed, text = _acl_step(state, subnet, egress, peer, protocol, ports)
        said.append(f"{what}: {text}")
        if not allowed:
            return False, f"{leg.name()}: {what} blocked by {text}"
    return True, f"{leg.name()}: " + "; ".join(said)


def _route_step(state: AwsState, end: End, peer: End) -> tuple[bool, str]:
    table, main = state.route_table_of(end.subnet)
    network = peer.network if peer.network is not None else state.vpcs[end.vpc]
    route = rules.route_for(table, network)
    where = f"{table['RouteTableId']}{' (main)' if main else ''} of {state.short_subnet(end.subnet)}"
    if route is None:
        return False, f"{where} has no route to {network}"
    target, dest = rules.route_target(route), route["DestinationCidrBlock"]
    if route.get("State", "active") != "active":
        return False, f"{where} routes {network} by {dest} to {target}, which is a blackhole"
    inside = peer.vpc == end.vpc
    if inside and target == "local":
        return True, f"{where}: {dest} local"
    if not inside and target.startswith("igw-") and state.igw_attached(target, end.vpc):
        return True, f"{where}: {dest} -> {target}"
    need = "the local route" if inside else "an internet gateway attached to the VPC"
    return False, f"{where} routes {network} by {dest} to {target}, not by {need}"


def route(state: AwsState, leg: Leg) -> tuple[bool, str]:
    src, dst = leg.src, leg.dst
    if src.vpc != dst.vpc and not dst.public:
        return False, f"{leg.name()}: {dst.label} has no public address to reach from outside its VPC"
    said = []
    for end, peer in ((src, dst), (dst, src)):
        if end.subnet is None:
            continue
        allowed, text = _route_step(state, end, peer)
        said.append(text)
        if not allowed:
            return False, f"{leg.name()}: {text}"
    return True, f"{leg.name()}: " + "; ".join(said)
