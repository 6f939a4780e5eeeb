"""Would a client reach an Ingress (its ALB), a Service (its NLB), an instance or a pod IP on AWS, and which
hop stops it?

The client is a CIDR or address (``203.0.113.9``), a security group (``sg-...``: something carrying it; its
address is that of an ENI carrying the group, unknown when none does) or an instance (``i-...``: its primary
ENI); see ``ends``. The target is ``CLUSTER/NS/NAME``, an Ingress (``target_kind="ingress"``) or a
``type: LoadBalancer`` Service (``target_kind="service"``), whose load balancer ``lookup`` finds (by the
hostname in the object's status when a Kubernetes endpoint is given, else by the controller's tags); or an
instance (its primary ENI); or an address held by an ENI (a VPC CNI pod IP on a node).

Through a load balancer the connection has two legs (``balancer``): client -> the load balancer in each of
its subnets, on the listener port; then the load balancer in each subnet -> each registered target of every
target group the listener forwards to, on the target's port (the NodePort for instance targets) - every
target from every subnet for an ALB, only the targets of the subnet's zone for an NLB without cross-zone load
balancing. The legs go through the checks of ``hops`` stage by stage (attachment, rules, network ACLs,
routes); a leg that fails a stage is dropped. The target is reachable when at least one client leg survives
and every forwarded target group keeps a surviving leg from a load balancer subnet the client reaches; a
target cut off while others of its group survive is reported but does not decide.
"""

from __future__ import annotations

import ipaddress

from sandbox.oracle.aws import balancer, hops, lookup
from sandbox.oracle.aws.ends import direct_end, source_end
from sandbox.oracle.aws.hops import End, Leg
from sandbox.oracle.aws.state import AwsState
from sandbox.oracle.verdict import NONE, Verdict

ALB = "alb"  # through the application load balancer of an Ingress
NLB = "nlb"  # through the network load balancer of a Service
INSTANCE = "instance"  # straight to an instance's or a pod's address

STAGES = (("attachment", None), ("security group", hops.sg_rules), ("network ACL", hops.nacl),
          ("route", lambda state, leg, protocol: hops.route(state, leg)))


def _describe_attachments(state: AwsState, verdict: Verdict, legs: list[Leg]) -> None:
    seen: set[str] = set()
    for leg in legs:
        key = leg.dst.label.split("@")[0]
        if key in seen:
            continue
        seen.add(key)
        if not leg.dst.guarded:
            verdict.hop("attachment", f"{key} carries no security group: nothing filters clients at the load "
                                      f"balancer (no frontend check); the targets' groups must admit the traffic")
        else:
            verdict.hop("attachment", f"{key} carries {', '.join(map(state.group_label, leg.dst.groups)) or 'none'}")


def _check(state: AwsState, stage: str, check, leg: Leg, protocol: str) -> tuple[bool, str]:
    if check is None:
        gap = hops.attachment(state, leg, protocol)
        return gap is None, f"{leg.name()}: {gap}"
    return check(state, leg, protocol)


def _filter(state: AwsState, verdict: Verdict, stage: str, check, legs: list[Leg], protocol: str,
            failures: list) -> list[Leg]:
    kept = []
    for leg in legs:
        allowed, text = _check(state, stage, check, leg, protocol)
        if allowed:
            kept.append(leg)
            if check is not None:
                verdict.hop(stage, text)
        else:
            failures.append((leg, text))
            verdict.hop(stage, f"BLOCKED {text}")
    return kept


def _lost(front: list[Leg], back: dict, failures: list, stage: str) -> str | None:
    """What makes the target unreachable after this stage, or None while a way through remains."""
    if not front:
        text = next((t for leg, t in failures if not leg.group), "no leg from the client")
        return f"{stage}: {text}"
    for name, legs in back.items():
        if not legs:
            text = next((t for leg, t in failures if leg.group == name),
                        f"no target of {name} is reached from a load balancer subnet the client reaches")
            return f"{stage}: target group {name}: {text}"
    return None


def _stages(state: AwsState, verdict: Verdict, front: list[Leg], back: dict, protocol: str) -> Verdict:
    _describe_attachments(state, verdict, front + [leg for legs in back.values() for leg in legs])
    for stage, check in STAGES:
        failures: list = []
        front = _filter(state, verdict, stage, check, front, protocol, failures)
        reached = {leg.dst.label for leg in front}
        back = {name: [leg for leg in _filter(state, verdict, stage, check, legs, protocol, failures)
                       if leg.src.label in reached] for name, legs in back.items()}
        lost = _lost(front, back, failures, stage)
        if lost:
            return verdict.decide(False, lost)
    ends = sorted({leg.dst.label for legs in back.values() for leg in legs}) or sorted(reached)
    return verdict.decide(True, f"a way through every hop to {', '.join(ends)} on {protocol}")


def reach_aws(aws_endpoint: str, source: str, target: str, port: int, protocol: str = "tcp", *,
              target_kind: str = "ingress", kube_endpoint: str | None = None) -> Verdict:
    """Would ``source`` (CIDR, sg-..., i-...) reach ``target`` (CLUSTER/NS/NAME of an Ingress or, with
    ``target_kind="service"``, a Service; i-...; an ENI address)? ``kube_endpoint``: that cluster's Kubernetes
    API, to find the load balancer by the object's status hostname rather than by tags."""
    protocol = protocol.lower()
    state = AwsState(aws_endpoint)
    client = source_end(state, source)
    verdict = Verdict(source, target, port)
    verdict.hop("client", f"{client.label} in {_where(state, client)}"
                          f"{', carrying ' + ', '.join(client.groups) if client.groups else ''}")
    if _is_address(target) or target.startswith("i-"):
        verdict.path = INSTANCE
        return _stages(state, verdict, [Leg(client, direct_end(state, target), port)], {}, protocol)
    if target.count("/") != 2:
        raise ValueError(f"target must be CLUSTER/NS/NAME, i-... or an address, not {target!r}")
    found = lookup.find(state, target, target_kind, kube_endpoint)
    verdict.path = NLB if balancer.is_nlb(found.lb) else ALB
    verdict.hop("load balancer", found.how)
    legs = balancer.legs(state, verdict, client, found, port, protocol)
    if legs.stopped:
        verdict.path = NONE
        return verdict.decide(False, legs.stopped)
    return _stages(state, verdict, legs.front, legs.back, protocol)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _where(state: AwsState, end: End) -> str:
    if end.vpc is None:
        return "the internet"
    if end.subnet is None:
        return f"{end.vpc} (no ENI carries it: address and subnet unknown, only group references match)"
    return state.short_subnet(end.subnet)
