"""The legs through the load balancer of an Ingress (ALB) or a Service (NLB), from what its listener forwards.

Both kinds: client -> the load balancer in each of its subnets (a "node" per zone) on the listener port, whose
protocol must carry the question's (HTTP, HTTPS, TCP, TLS: tcp; UDP: udp; TCP_UDP: both); then node -> each
registered target of every target group the listener forwards to, on the target's port (the NodePort for
instance targets).

ALB: the listener's rules and default action; it balances across zones, so every node reaches every target,
and the targets see the node (its subnet's address, the ALB's groups).

NLB: the default action only (an NLB listener has no rules). Cross-zone load balancing is off by default
(``load_balancing.cross_zone.enabled``; a target group's own attribute of that name overrides it): then a node
forwards only to the targets in its own zone. With security groups its front is filtered as an ALB's and the
targets may admit its groups; without (the Service opted out), nothing filters the front. Client IP
preservation (``preserve_client_ip.enabled``; by default on for instance targets and for UDP or TCP_UDP ip
targets) makes the targets see the client's address instead of the node's.
"""

from __future__ import annotations

import dataclasses

from sandbox.oracle.aws import rules
from sandbox.oracle.aws.ends import target_end
from sandbox.oracle.aws.hops import End, Leg
from sandbox.oracle.aws.lookup import Found
from sandbox.oracle.aws.state import AwsState
from sandbox.oracle.verdict import Verdict

CROSS_ZONE = "load_balancing.cross_zone.enabled"
PRESERVE_CLIENT_IP = "preserve_client_ip.enabled"


@dataclasses.dataclass
class Legs:
    """The client legs, the node -> target legs per target group, and why nothing gets through before the
    stages are checked (no listener, a protocol it does not carry, targets out of every node's zone)."""

    front: list[Leg]
    back: dict[str, list[Leg]]
    stopped: str | None = None


def is_nlb(lb: dict) -> bool:
    return lb.get("Type") == "network"


def legs(state: AwsState, verdict: Verdict, client: End, found: Found, port: int, protocol: str) -> Legs:
    """Every leg through ``found``'s load balancer for this question; the hops describe the load balancer, its
    listener, the target groups and, for an NLB without cross-zone load balancing, which node serves what."""
    lb, nlb = found.lb, is_nlb(found.lb)
    nodes = _nodes(state, found)
    cross_zone = _enabled(state.load_balancer_attribute(lb["LoadBalancerArn"], CROSS_ZONE)) if nlb else True
    verdict.hop("load balancer", _describe(state, lb, cross_zone))
    listener, why_not = _listener(state, lb, port, protocol)
    if listener is None:
        verdict.hop("listener", f"BLOCKED {why_not}")
        return Legs([], {}, f"listener: {why_not}")
    back: dict[str, list[Leg]] = {}
    forwarded = state.default_target_groups(listener) if nlb else state.forwarded_target_groups(listener)
    for arn, why in forwarded:
        group, targets = state.target_group(arn)
        name = group["TargetGroupName"]
        verdict.hop("listener", f"{listener['Protocol']}:{port} {why} -> {name} ({group['TargetType']} targets: "
                                f"{', '.join(t['Id'] + ':' + str(_port(group, t)) for t in targets)})")
        if nlb:
            back[name] = _nlb_legs(state, verdict, client, nodes, group, targets, cross_zone)
        else:
            back[name] = [Leg(node, target_end(state, group, t), _port(group, t), name) for t in targets
                          for node in nodes]
    empty = [name for name, group_legs in back.items() if not group_legs]
    stopped = _why_empty(verdict, empty[0]) if empty else None
    return Legs([Leg(client, node, port) for node in nodes], back, stopped)


def _nodes(state: AwsState, found: Found) -> list[End]:
    """The load balancer in each of its subnets; an NLB without security groups filters nothing."""
    lb = found.lb
    groups = tuple(lb.get("SecurityGroups") or [])
    stack = found.tags.get(found.stack_key)
    related = tuple(g for g in state.groups if stack and state.group_tags(g).get(found.stack_key) == stack)
    return [End(f"{lb['LoadBalancerName']}@{state.short_subnet(zone['SubnetId'])}",
                state.subnet_cidr(zone["SubnetId"]), groups, zone["SubnetId"], lb["VpcId"],
                lb.get("Scheme") == "internet-facing", related, guarded=bool(groups) or not is_nlb(lb))
            for zone in lb["AvailabilityZones"]]


def _describe(state: AwsState, lb: dict, cross_zone: bool) -> str:
    zones = ", ".join(f"{state.short_subnet(z['SubnetId'])} ({z.get('ZoneName')})" for z in lb["AvailabilityZones"])
    text = f"{lb['LoadBalancerName']} ({lb.get('Type', 'application')}, {lb.get('Scheme')}) in {zones}"
    if is_nlb(lb):
        text += (f"; cross-zone load balancing {'on' if cross_zone else 'off'} ({CROSS_ZONE}="
                 f"{str(cross_zone).lower()})" + ("" if cross_zone else ": a node forwards only within its zone"))
    return text


def _listener(state: AwsState, lb: dict, port: int, protocol: str) -> tuple[dict | None, str]:
    listener = state.listener(lb["LoadBalancerArn"], port)
    if listener is None:
        return None, f"{lb['LoadBalancerName']} has no listener on port {port}"
    if not rules.listener_carries(listener["Protocol"], protocol):
        return None, (f"{lb['LoadBalancerName']} listens on {listener['Protocol']}:{port}, which does not carry "
                      f"{protocol}")
    return listener, ""


def _port(group: dict, target: dict) -> int:
    return target.get("Port") or group["Port"]


def _enabled(value: str | None) -> bool:
    return str(value).lower() == "true"


def _nlb_legs(state: AwsState, verdict: Verdict, client: End, nodes: list[End], group: dict, targets: list[dict],
              cross_zone: bool) -> list[Leg]:
    """Node -> target legs of one NLB target group: within each zone unless cross-zone load balancing is on;
    the node passes the client's address on when the group preserves it."""
    attributes = state.target_group_attributes(group["TargetGroupArn"])
    own = attributes.get(CROSS_ZONE, "use_load_balancer_configuration")
    cross_zone = _enabled(own) if own in ("true", "false") else cross_zone
    preserve = _preserves_client_ip(group, attributes)
    senders = [dataclasses.replace(node, preserves=client) for node in nodes] if preserve else nodes
    name, legs = group["TargetGroupName"], []
    seen = "on: targets see the client's address" if preserve else "off: targets see the load balancer node's"
    verdict.hop("listener", f"{name}: client IP preservation {seen}")
    for target in targets:
        end = target_end(state, group, target)
        zone = state.subnet_zone(end.subnet)
        serving = senders if cross_zone else [n for n in senders if state.subnet_zone(n.subnet) == zone]
        if not cross_zone:
            verdict.hop("cross-zone", _zone_note(name, end, zone, serving))
        legs += [Leg(node, end, _port(group, target), name) for node in serving]
    return legs


def _zone_note(name: str, end: End, zone: str | None, serving: list[End]) -> str:
    if serving:
        return f"{name}: {end.label} in {zone} is served by {', '.join(n.label for n in serving)} only"
    return (f"BLOCKED {name}: {end.label} is in {zone}, where the load balancer has no node, and cross-zone load "
            f"balancing is off: no node forwards to it")


def _preserves_client_ip(group: dict, attributes: dict[str, str]) -> bool:
    """``preserve_client_ip.enabled`` when set, else AWS's default: on for instance targets and for UDP or
    TCP_UDP ip targets, off for TCP or TLS ip targets."""
    if PRESERVE_CLIENT_IP in attributes:
        return _enabled(attributes[PRESERVE_CLIENT_IP])
    return group["TargetType"] == "instance" or group.get("Protocol") in ("UDP", "TCP_UDP")


def _why_empty(verdict: Verdict, name: str) -> str:
    """Why a forwarded target group has no leg at all, before any stage."""
    blocked = [h.what for h in verdict.hops if h.where == "cross-zone" and h.what.startswith(f"BLOCKED {name}:")]
    if blocked:
        return f"cross-zone: {blocked[0].removeprefix('BLOCKED ')}"
    return f"listener: target group {name} has no registered target"
