"""Would a client reach an ALB Ingress, an instance or a pod IP on AWS, and which hop stops it?

The client is a CIDR or address (``203.0.113.9``), a security group (``sg-...``: something carrying it; its
address is that of an ENI carrying the group, unknown when none does) or an instance (``i-...``: its primary
ENI). The target is an Ingress (``CLUSTER/NS/NAME``: the ALB the load balancer controller tagged
``elbv2.k8s.aws/cluster`` and ``ingress.k8s.aws/stack``), an instance (its primary ENI), or an address held
by an ENI (a VPC CNI pod IP on a node).

Through an ALB the connection has two legs: client -> the load balancer in each of its subnets, on the
listener port; then, since an ALB balances across zones, the load balancer in each subnet -> each registered
target of every target group the listener forwards to, on the target's port (the NodePort for instance
targets). The legs go through the checks of ``hops`` stage by stage (attachment, rules, network ACLs,
routes); a leg that fails a stage is dropped. The Ingress is reachable when at least one client leg
survives and every forwarded target group keeps a surviving leg from a load balancer subnet the client
reaches; a target cut off while others of its group survive is reported but does not decide.
"""

from __future__ import annotations

import ipaddress

from sandbox.oracle.aws import hops
from sandbox.oracle.aws.hops import End, Leg
from sandbox.oracle.aws.state import AwsState
from sandbox.oracle.verdict import NONE, Verdict

ALB = "alb"  # through the load balancer of an Ingress
INSTANCE = "instance"  # straight to an instance's or a pod's address

STAGES = (("attachment", None), ("security group", hops.sg_rules), ("network ACL", hops.nacl),
          ("route", lambda state, leg, protocol: hops.route(state, leg)))


def _eni_end(state: AwsState, eni: dict, label: str) -> End:
    public = bool((eni.get("Association") or {}).get("PublicIp"))
    return End(label, ipaddress.ip_network(eni["PrivateIpAddress"]), tuple(g["GroupId"] for g in eni["Groups"]),
               eni["SubnetId"], eni["VpcId"], public)


def source_end(state: AwsState, source: str) -> End:
    """The client: a security group, an instance, or a CIDR (inside a subnet of a VPC, or outside every VPC)."""
    if source.startswith("sg-"):
        if source not in state.groups:
            raise ValueError(f"no security group {source}")
        carriers = state.enis_with_group(source)
        if carriers:
            return _eni_end(state, carriers[0], f"{source} on {carriers[0]['NetworkInterfaceId']}")
        return End(source, None, (source,), None, state.groups[source]["VpcId"])
    if source.startswith("i-"):
        return _eni_end(state, state.primary_eni(source), source)
    network = ipaddress.ip_network(source, strict=False)
    vpc = state.vpc_of_network(network)
    if vpc is None and any(network.overlaps(cidr) for cidr in state.vpcs.values()):
        raise ValueError(f"{source} straddles a VPC's CIDR")
    subnet = state.subnet_containing(network) if vpc else None
    if vpc and subnet is None:
        raise ValueError(f"{source} is inside VPC {vpc} but in none of its subnets")
    return End(str(network), network, (), subnet, vpc)


def _ingress_legs(state: AwsState, verdict: Verdict, client: End, ref: str, port: int) -> tuple[list, dict]:
    cluster, _, stack = ref.partition("/")
    lb = state.load_balancer_of_ingress(cluster, stack)
    groups = tuple(lb.get("SecurityGroups") or [])
    related = tuple(g for g in state.groups if state.group_tags(g).get("ingress.k8s.aws/stack") == stack)
    nodes = [End(f"{lb['LoadBalancerName']}@{state.short_subnet(zone['SubnetId'])}",
                 state.subnet_cidr(zone["SubnetId"]), groups, zone["SubnetId"], lb["VpcId"],
                 lb.get("Scheme") == "internet-facing", related) for zone in lb["AvailabilityZones"]]
    verdict.hop("load balancer", f"{lb['LoadBalancerName']} ({lb.get('Scheme')}) in "
                                 f"{', '.join(state.short_subnet(z['SubnetId']) for z in lb['AvailabilityZones'])}")
    listener = state.listener(lb["LoadBalancerArn"], port)
    if listener is None:
        verdict.hop("listener", f"{lb['LoadBalancerName']} has no listener on port {port}")
        return [], {}
    back: dict[str, list[Leg]] = {}
    for arn, why in state.forwarded_target_groups(listener):
        group, targets = state.target_group(arn)
        name = group["TargetGroupName"]
        back[name] = [Leg(node, _target_end(state, group, target), target.get("Port") or group["Port"], name)
                      for target in targets for node in nodes]
        verdict.hop("listener", f"{listener['Protocol']}:{port} {why} -> {name} ({group['TargetType']} targets: "
                                f"{', '.join(t['Id'] + ':' + str(t.get('Port') or group['Port']) for t in targets)})")
    return [Leg(client, node, port) for node in nodes], back


def _target_end(state: AwsState, group: dict, target: dict) -> End:
    if group["TargetType"] == "instance":
        return _eni_end(state, state.primary_eni(target["Id"]), target["Id"])
    eni = state.eni_holding(target["Id"])
    if eni is None:
        raise ValueError(f"no network interface holds target address {target['Id']}")
    return _eni_end(state, eni, target["Id"])


def _direct_end(state: AwsState, target: str) -> End:
    if target.startswith("i-"):
        return _eni_end(state, state.primary_eni(target), target)
    eni = state.eni_holding(target)
    if eni is None:
        raise ValueError(f"no network interface holds {target}")
    owner = (eni.get("Attachment") or {}).get("InstanceId")
    return _eni_end(state, eni, f"{target} on {owner or eni['NetworkInterfaceId']}")


def _describe_attachments(state: AwsState, verdict: Verdict, legs: list[Leg]) -> None:
    seen: set[str] = set()
    for leg in legs:
        key = leg.dst.label.split("@")[0]
        if key not in seen:
            seen.add(key)
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


def reach_aws(aws_endpoint: str, source: str, target: str, port: int, protocol: str = "tcp") -> Verdict:
    """Would ``source`` (CIDR, sg-..., i-...) reach ``target`` (CLUSTER/NS/INGRESS, i-..., an ENI address)?"""
    protocol = protocol.lower()
    state = AwsState(aws_endpoint)
    client = source_end(state, source)
    verdict = Verdict(source, target, port)
    verdict.hop("client", f"{client.label} in {_where(state, client)}"
                          f"{', carrying ' + ', '.join(client.groups) if client.groups else ''}")
    if _is_address(target) or target.startswith("i-"):
        verdict.path = INSTANCE
        return _stages(state, verdict, [Leg(client, _direct_end(state, target), port)], {}, protocol)
    if target.count("/") != 2:
        raise ValueError(f"target must be CLUSTER/NS/INGRESS, i-... or an address, not {target!r}")
    verdict.path = ALB
    front, back = _ingress_legs(state, verdict, client, target, port)
    if not front:
        verdict.path = NONE
        return verdict.decide(False, verdict.hops[-1].what)
    return _stages(state, verdict, front, back, protocol)


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
