"""Listeners: Create / Set / Describe LoadBalancer{TCP,UDP,HTTP,HTTPS}Listener(Attribute), the paged
DescribeLoadBalancerListeners, Start / Stop / DeleteLoadBalancerListener.

Access control is part of every listener: ``AclStatus`` on needs ``AclType`` (white | black) and an
existing ``AclId`` of the load balancer's IP version; turning it off unbinds the ACL. The service does
not refuse an empty whitelist: such a listener forwards everything, as the real one does.
"""

from __future__ import annotations

from sandbox.alibaba import errors, params
from sandbox.alibaba.errors import SlbError
from sandbox.alibaba.model import Account, Listener, LoadBalancer, Region

PROTOCOLS = ("tcp", "udp", "http", "https")
_ACL_FIELDS = ("AclStatus", "AclType", "AclId")
_ECHOED = ("HealthCheck", "StickySession", "StickySessionType", "ServerCertificateId", "XForwardedFor",
           "PersistenceTimeout", "EstablishedTimeout", "HealthCheckType", "HealthCheckConnectPort")


def _find(lb: LoadBalancer, p: dict, protocol: str | None) -> Listener:
    port = params.integer(p, "ListenerPort", None, 1, 65535)
    if port is None:
        raise errors.missing("ListenerPort")
    listener = lb.listeners.get(port)
    if listener is None or (protocol and listener.protocol != protocol):
        raise errors.listener_not_exist(lb.lb_id, port)
    return listener


def _apply_acl(account: Account, region: Region, lb: LoadBalancer, listener: Listener, p: dict) -> None:
    status = params.choice(p, "AclStatus", ("on", "off")) or listener.acl_status
    if status == "off":
        if "AclStatus" in p:
            listener.acl_status, listener.acl_type, listener.acl_id = "off", "", ""
        return
    acl_type = params.choice(p, "AclType", ("white", "black")) or listener.acl_type
    acl_id = p.get("AclId") or listener.acl_id
    if not acl_type:
        raise errors.missing("AclType")
    if not acl_id:
        raise errors.missing("AclId")
    acl = account.find_acl(region, acl_id)
    if acl.ip_version != lb.address_ip_version:
        raise errors.invalid("AclId", f"The acl {acl_id} is {acl.ip_version}; the load balancer is "
                                      f"{lb.address_ip_version}.")
    listener.acl_status, listener.acl_type, listener.acl_id = "on", acl_type, acl_id


def _apply_settings(listener: Listener, p: dict) -> None:
    listener.backend_port = params.integer(p, "BackendServerPort", listener.backend_port, 1, 65535)
    listener.bandwidth = params.integer(p, "Bandwidth", listener.bandwidth, -1, 10000)
    listener.description = p.get("Description", listener.description)
    listener.scheduler = params.choice(p, "Scheduler", ("wrr", "rr", "wlc", "sch", "tch", "qch"), listener.scheduler)
    listener.vserver_group_id = p.get("VServerGroupId", listener.vserver_group_id)
    listener.extra.update({key: p[key] for key in _ECHOED if key in p})


def create(account: Account, p: dict, protocol: str) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    port = params.integer(p, "ListenerPort", None, 1, 65535)
    if port is None:
        raise errors.missing("ListenerPort")
    if port in lb.listeners:
        raise SlbError("ListenerAlreadyExists", f"The listener port {port} of {lb.lb_id} is already in use.")
    if not p.get("BackendServerPort") and not p.get("VServerGroupId"):
        raise errors.missing("BackendServerPort")
    if protocol in ("http", "https"):
        for name in ("StickySession", "HealthCheck"):
            params.required(p, name)
            params.choice(p, name, ("on", "off"))
    if protocol == "https":
        params.required(p, "ServerCertificateId")
    listener = Listener(port, protocol, None, status="stopped")
    _apply_settings(listener, p)
    _apply_acl(account, region, lb, listener, p)
    lb.listeners[port] = listener
    return {}


def set_attribute(account: Account, p: dict, protocol: str) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    listener = _find(lb, p, protocol)
    if p.get("AclStatus") == "on" and not all(p.get(name) for name in _ACL_FIELDS):
        raise errors.missing(next(name for name in _ACL_FIELDS if not p.get(name)))
    _apply_settings(listener, p)
    _apply_acl(account, region, lb, listener, p)
    return {}


def view(lb: LoadBalancer, listener: Listener) -> dict:
    acl_ids = [listener.acl_id] if listener.acl_id else []
    return {"LoadBalancerId": lb.lb_id, "ListenerPort": listener.port, "ListenerProtocol": listener.protocol,
            "BackendServerPort": listener.backend_port, "Bandwidth": listener.bandwidth, "Status": listener.status,
            "AclStatus": listener.acl_status, "AclType": listener.acl_type, "AclId": listener.acl_id,
            "AclIds": acl_ids, "Description": listener.description, "Scheduler": listener.scheduler,
            "VServerGroupId": listener.vserver_group_id, **listener.extra}


def describe_attribute(account: Account, p: dict, protocol: str) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    listener = _find(lb, p, protocol)
    data = view(lb, listener)
    data.pop("ListenerProtocol")
    data["AclIds"] = {"AclId": data["AclIds"]}
    return data


def describe_many(account: Account, p: dict) -> dict:
    """Paged with NextToken / MaxResults (1-100, default 20), over one or more load balancers."""
    _, region = account.region(p)
    size = params.integer(p, "MaxResults", 20, 1, 100)
    start = params.integer(p, "NextToken", 0, 0, 1_000_000)
    ids = params.indexed(p, "LoadBalancerId")
    lbs = [account.find_lb(region, lb_id) for lb_id in ids] if ids else list(region.load_balancers.values())
    protocol = params.choice(p, "ListenerProtocol", PROTOCOLS)
    port = params.integer(p, "ListenerPort", None, 1, 65535)
    found = [view(lb, listener) for lb in lbs for listener in sorted(lb.listeners.values(), key=lambda x: x.port)
             if (not protocol or listener.protocol == protocol) and (port is None or listener.port == port)]
    shown = found[start:start + size]
    following = start + size
    return {"Listeners": shown, "TotalCount": len(found), "MaxResults": size,
            "NextToken": str(following) if following < len(found) else ""}


def delete(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    listener = _find(lb, p, params.choice(p, "ListenerProtocol", PROTOCOLS))
    del lb.listeners[listener.port]
    return {}


def start(account: Account, p: dict) -> dict:
    return _set_status(account, p, "running")


def stop(account: Account, p: dict) -> dict:
    return _set_status(account, p, "stopped")


def _set_status(account: Account, p: dict, status: str) -> dict:
    _, region = account.region(p)
    lb = account.find_lb(region, p.get("LoadBalancerId"))
    _find(lb, p, params.choice(p, "ListenerProtocol", PROTOCOLS)).status = status
    return {}
