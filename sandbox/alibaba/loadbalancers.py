"""Load balancer instances and their default backend server group.

CreateLoadBalancer places an intranet CLB in a known vSwitch (an address of its CIDR, the requested
one if free) and an internet CLB on a documentation-range address. Delete protection is honoured.
"""

from __future__ import annotations

import ipaddress

from sandbox.alibaba import errors, network, params
from sandbox.alibaba.errors import SlbError
from sandbox.alibaba.model import Account, LoadBalancer

SPECS = ("slb.s1.small", "slb.s2.small", "slb.s2.medium", "slb.s3.small", "slb.s3.medium", "slb.s3.large",
         "slb.s3.xlarge", "slb.s3.xxlarge")
BACKEND_TYPES = ("ecs", "eni", "eci")


def _address(account: Account, p: dict, address_type: str, version: str) -> tuple[str, str, str, str]:
    """(address, vpc id, vswitch id, zone) for a new load balancer."""
    if address_type == "internet":
        pool = network.PUBLIC_IPV6 if version == "ipv6" else network.PUBLIC_IPV4
        address = next(a for a in network.candidates(pool, 10) if account.claim_address(a))
        return address, "", "", p.get("MasterZoneId") or ""
    vswitch_id = params.required(p, "VSwitchId")
    if vswitch_id not in network.VSWITCHES:
        raise SlbError("InvalidVSwitchId.NotExist", f"The specified VSwitchId {vswitch_id} does not exist.")
    vpc_id, zone, cidr = network.VSWITCHES[vswitch_id]
    if p.get("VpcId") and p["VpcId"] != vpc_id:
        raise errors.invalid("VpcId", f"The vSwitch {vswitch_id} belongs to {vpc_id}.")
    wanted = p.get("Address")
    if wanted:
        if ipaddress.ip_address(wanted) not in ipaddress.ip_network(cidr) or not account.claim_address(wanted):
            raise errors.invalid("Address", f"{wanted} is not a free address of {vswitch_id} ({cidr}).")
        return wanted, vpc_id, vswitch_id, zone
    address = next(a for a in network.candidates(cidr, network.INTRANET_OFFSET) if account.claim_address(a))
    return address, vpc_id, vswitch_id, zone


def create(account: Account, p: dict) -> dict:
    region_id, region = account.region(p)
    address_type = params.choice(p, "AddressType", ("internet", "intranet"), "internet")
    version = params.choice(p, "AddressIPVersion", ("ipv4", "ipv6"), "ipv4")
    spec = params.choice(p, "LoadBalancerSpec", SPECS, "slb.s1.small")
    protection = params.choice(p, "DeleteProtection", ("on", "off"), "off")
    if version == "ipv6" and address_type == "intranet":
        raise errors.invalid("AddressIPVersion", "IPv6 is only available for internet-facing instances.")
    address, vpc_id, vswitch_id, zone = _address(account, p, address_type, version)
    lb_id = account.new_id("lb", region_id)
    created, stamp = account.now()
    region.load_balancers[lb_id] = LoadBalancer(
        lb_id, p.get("LoadBalancerName") or "auto_named_slb", region_id, address, address_type, version,
        "vpc" if vpc_id else "classic", vpc_id, vswitch_id, spec, zone or f"{region_id}-h", created, stamp,
        delete_protection=protection,
        modification_protection=params.choice(p, "ModificationProtectionStatus",
                                              ("NonProtection", "ConsoleProtection"), "NonProtection"),
        resource_group_id=p.get("ResourceGroupId") or "rg-acfmsandbox")
    lb = region.load_balancers[lb_id]
    return {"LoadBalancerId": lb_id, "Address": address, "AddressIPVersion": version, "NetworkType": lb.network_type,
            "VpcId": vpc_id, "VSwitchId": vswitch_id, "LoadBalancerName": lb.name,
            "ResourceGroupId": lb.resource_group_id, "OrderId": 0}


def _summary(lb: LoadBalancer) -> dict:
    return {"LoadBalancerId": lb.lb_id, "LoadBalancerName": lb.name, "LoadBalancerStatus": lb.status,
            "Address": lb.address, "AddressType": lb.address_type, "AddressIPVersion": lb.address_ip_version,
            "RegionId": lb.region, "RegionIdAlias": lb.region, "VSwitchId": lb.vswitch_id, "VpcId": lb.vpc_id,
            "NetworkType": lb.network_type, "MasterZoneId": lb.master_zone, "SlaveZoneId": "",
            "LoadBalancerSpec": lb.spec, "InternetChargeType": "paybytraffic", "PayType": "PayOnDemand",
            "InstanceChargeType": "PayBySpec", "CreateTime": lb.create_time, "CreateTimeStamp": lb.create_stamp,
            "DeleteProtection": lb.delete_protection, "ModificationProtectionStatus": lb.modification_protection,
            "ResourceGroupId": lb.resource_group_id, "Bandwidth": 5120, "Tags": {"Tag": []}}


def describe_many(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    number = params.integer(p, "PageNumber", 1, 1, 1_000_000)
    size = params.integer(p, "PageSize", 10, 1, 100)
    ids = set(params.indexed(p, "LoadBalancerId"))
    filters = {"LoadBalancerName": "name", "AddressType": "address_type", "VSwitchId": "vswitch_id",
               "VpcId": "vpc_id", "Address": "address", "NetworkType": "network_type"}
    found = [lb for lb in region.load_balancers.values()
             if (not ids or lb.lb_id in ids)
             and all(not p.get(key) or getattr(lb, attr) == p[key] for key, attr in filters.items())]
    shown = params.page(found, number, size)
    return {"LoadBalancers": {"LoadBalancer": [_summary(lb) for lb in shown]}, "TotalCount": len(found),
            "PageNumber": number, "PageSize": size}


def describe_one(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    listeners = sorted(lb.listeners.values(), key=lambda listener: listener.port)
    return {**_summary(lb), "Description": "",
            "ListenerPorts": {"ListenerPort": [listener.port for listener in listeners]},
            "ListenerPortsAndProtocol": {"ListenerPortAndProtocol": [
                {"ListenerPort": listener.port, "ListenerProtocol": listener.protocol} for listener in listeners]},
            "ListenerPortsAndProtocal": {"ListenerPortAndProtocal": [
                {"ListenerPort": listener.port, "ListenerProtocal": listener.protocol} for listener in listeners]},
            "BackendServers": {"BackendServer": [dict(server) for server in lb.backends.values()]}}


def delete(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    if lb.delete_protection == "on":
        raise SlbError("DeleteProtectionIsOn", f"The load balancer {lb.lb_id} has delete protection on; "
                                               f"turn it off with SetLoadBalancerDeleteProtection first.")
    account.release_address(lb.address)
    del region.load_balancers[lb.lb_id]
    return {}


def set_delete_protection(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    lb.delete_protection = params.choice(p, "DeleteProtection", ("on", "off")) or lb.delete_protection
    return {}


def _servers(p: dict) -> list[dict]:
    servers = []
    for item in params.json_list(p, "BackendServers"):
        server_id = item.get("ServerId")
        if not isinstance(server_id, str) or not server_id:
            raise errors.invalid("BackendServers", "Every server needs a \"ServerId\".")
        kind = str(item.get("Type") or "ecs")
        if kind not in BACKEND_TYPES:
            raise errors.invalid("BackendServers", f"Type must be one of {', '.join(BACKEND_TYPES)}.")
        server = {"ServerId": server_id, "Weight": int(item.get("Weight", 100)), "Type": kind,
                  "ServerIp": str(item.get("ServerIp") or ""), "Description": str(item.get("Description") or "")}
        if kind in ("eni", "eci") and not server["ServerIp"]:
            raise errors.invalid("BackendServers", f"ServerIp is required for a server of type {kind}.")
        servers.append(server)
    return servers


def _backends_view(lb: LoadBalancer) -> dict:
    return {"LoadBalancerId": lb.lb_id,
            "BackendServers": {"BackendServer": [dict(server) for server in lb.backends.values()]}}


def add_backends(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    for server in _servers(p):
        lb.backends[server["ServerId"]] = server
    return _backends_view(lb)


def remove_backends(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    for server in _servers(p):
        lb.backends.pop(server["ServerId"], None)
    return _backends_view(lb)
