"""How EC2 decides one packet: security-group rules, network ACL entries and route lookup.

Security groups (stateful, allow-only): an inbound rule admits a packet (an outbound rule lets one out) when
its protocol matches (``-1`` is every protocol, and then every port) and, for TCP and UDP, the port lies in
``FromPort``-``ToPort``, and its source (destination) matches: a CIDR that contains every address of the peer,
or a security group the peer carries. A peer whose address is unknown matches only 0.0.0.0/0. Prefix lists
and IPv6 ranges are not modelled.

Network ACLs (stateless): the entries of one direction are tried in ascending rule number; the first whose
protocol, port range and CIDR match decides, allow or deny; the ``*`` entry (32767) denies the rest. For a
peer range a deny that touches any of its addresses counts, an allow only when it holds all of them. For a
port range (the ephemeral ports of a reply) every port must be allowed by the first entry that covers it.

Routes: the most specific route whose destination holds the peer's addresses wins (longest prefix).

Listeners: an ALB listener (HTTP, HTTPS) and an NLB TCP or TLS listener carry TCP, a UDP listener UDP, a
TCP_UDP listener both.
"""

from __future__ import annotations

import ipaddress

PROTOCOLS = {"tcp": "6", "udp": "17", "icmp": "1", "-1": "-1", "all": "-1"}
EPHEMERAL = (1024, 65535)
LISTENER_CARRIES = {"HTTP": ("tcp",), "HTTPS": ("tcp",), "TCP": ("tcp",), "TLS": ("tcp",), "UDP": ("udp",),
                    "TCP_UDP": ("tcp", "udp")}
ANY = ipaddress.ip_network("0.0.0.0/0")


def protocol_number(protocol: str) -> str:
    return PROTOCOLS.get(str(protocol).lower(), str(protocol))


def listener_carries(listener_protocol: str, protocol: str) -> bool:
    """Whether a listener of ``listener_protocol`` (TCP, UDP, TCP_UDP, HTTP...) accepts ``protocol`` (tcp, udp)."""
    return str(protocol).lower() in LISTENER_CARRIES.get(str(listener_protocol).upper(), ())


def _ports_match(perm: dict, port: int) -> bool:
    if protocol_number(perm["IpProtocol"]) == "-1" or "FromPort" not in perm:
        return True
    low, high = perm["FromPort"], perm["ToPort"]
    return low == -1 or low <= port <= high


def _describe_perm(perm: dict, source: str) -> str:
    if protocol_number(perm["IpProtocol"]) == "-1":
        return f"all traffic from {source}"
    return f"{perm['IpProtocol']} {perm.get('FromPort')}-{perm.get('ToPort')} from {source}"


def perm_admits(perm: dict, protocol: str, port: int, peer, peer_groups) -> str | None:
    """The matching part of one IpPermission, described, or None. ``peer`` is an ip_network or None."""
    if protocol_number(perm["IpProtocol"]) not in ("-1", protocol_number(protocol)) or not _ports_match(perm, port):
        return None
    for item in perm.get("IpRanges") or []:
        cidr = ipaddress.ip_network(item["CidrIp"], strict=False)
        if cidr == ANY or (peer is not None and peer.subnet_of(cidr)):
            return _describe_perm(perm, item["CidrIp"]) + (f" ({item['Description']})" if item.get("Description")
                                                          else "")
    for pair in perm.get("UserIdGroupPairs") or []:
        if pair.get("GroupId") in peer_groups:
            return _describe_perm(perm, pair["GroupId"])
    return None


def group_admits(group: dict, protocol: str, port: int, peer, peer_groups) -> str | None:
    """The first inbound rule of ``group`` that admits the peer, described, or None."""
    for perm in group.get("IpPermissions") or []:
        found = perm_admits(perm, protocol, port, peer, peer_groups)
        if found:
            return found
    return None


def group_releases(group: dict, protocol: str, port: int, peer, peer_groups) -> str | None:
    """The first outbound rule of ``group`` that lets a packet out to the peer, described, or None."""
    for perm in group.get("IpPermissionsEgress") or []:
        found = perm_admits(perm, protocol, port, peer, peer_groups)
        if found:
            return found.replace(" from ", " to ", 1)
    return None


def group_references(group: dict, protocol: str, port: int) -> list[str]:
    """The security groups that inbound rules of ``group`` admit on this protocol and port."""
    return [pair["GroupId"] for perm in group.get("IpPermissions") or []
            if protocol_number(perm["IpProtocol"]) in ("-1", protocol_number(protocol)) and _ports_match(perm, port)
            for pair in perm.get("UserIdGroupPairs") or [] if pair.get("GroupId")]


def _entry_matches_peer(entry: dict, peer, action: str) -> bool:
    cidr = ipaddress.ip_network(entry.get("CidrBlock") or "0.0.0.0/0", strict=False)
    if cidr == ANY:
        return True
    if peer is None:
        return False
    return peer.overlaps(cidr) if action == "deny" else peer.subnet_of(cidr)


def nacl_decides(nacl: dict, egress: bool, peer, protocol: str, ports: tuple[int, int]) -> tuple[bool, str]:
    """Evaluate one direction of a network ACL; returns (allowed, which rule decided)."""
    remaining = [ports]
    entries = sorted((e for e in nacl.get("Entries") or [] if bool(e.get("Egress")) == egress),
                     key=lambda e: e["RuleNumber"])
    for entry in entries:
        if protocol_number(entry.get("Protocol", "-1")) not in ("-1", protocol_number(protocol)):
            continue
        if not _entry_matches_peer(entry, peer, entry["RuleAction"]):
            continue
        span = entry.get("PortRange") or {}
        low, high = (span.get("From", 0), span.get("To", 65535)) if protocol_number(entry["Protocol"]) != "-1" \
            else (0, 65535)
        hit = [(max(a, low), min(b, high)) for a, b in remaining if max(a, low) <= min(b, high)]
        if not hit:
            continue
        number = "*" if entry["RuleNumber"] == 32767 else entry["RuleNumber"]
        if entry["RuleAction"] == "deny":
            return False, f"rule {number} denies ({_describe_entry(entry)})"
        remaining = [part for a, b in remaining for part in ((a, min(b, low - 1)), (max(a, high + 1), b))
                     if part[0] <= part[1]]
        if not remaining:
            return True, f"rule {number} allows ({_describe_entry(entry)})"
    return False, "rule * denies (no entry matched)"


def _describe_entry(entry: dict) -> str:
    proto = entry.get("Protocol", "-1")
    name = {"6": "tcp", "17": "udp", "1": "icmp", "-1": "all"}.get(str(proto), str(proto))
    span = entry.get("PortRange")
    ports = f" {span['From']}-{span['To']}" if span and name != "all" else ""
    return f"{name}{ports} {entry.get('CidrBlock')}"


def route_for(table: dict, peer) -> dict | None:
    """The most specific IPv4 route of ``table`` holding every address of ``peer`` (None: any route fits)."""
    best, best_len = None, -1
    for route in table.get("Routes") or []:
        dest = route.get("DestinationCidrBlock")
        if not dest:
            continue
        cidr = ipaddress.ip_network(dest)
        if (peer is None or peer.subnet_of(cidr)) and cidr.prefixlen > best_len:
            best, best_len = route, cidr.prefixlen
    return best


def route_target(route: dict) -> str:
    for key in ("GatewayId", "NatGatewayId", "TransitGatewayId", "VpcPeeringConnectionId", "NetworkInterfaceId",
                "InstanceId"):
        if route.get(key):
            return route[key]
    return "?"
