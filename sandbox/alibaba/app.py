"""The CLB (SLB 2014-05-15) API emulator as a WSGI app: authenticate, dispatch by action, answer JSON."""

from __future__ import annotations

import functools
import logging

from sandbox.alibaba import acls, listeners, loadbalancers, wire
from sandbox.alibaba.errors import SlbError
from sandbox.alibaba.model import Account

LOG = logging.getLogger(__name__)


def _listener_actions() -> dict:
    table = {}
    for protocol in listeners.PROTOCOLS:
        name = protocol.upper()
        table[f"CreateLoadBalancer{name}Listener"] = functools.partial(listeners.create, protocol=protocol)
        table[f"SetLoadBalancer{name}ListenerAttribute"] = functools.partial(listeners.set_attribute,
                                                                             protocol=protocol)
        table[f"DescribeLoadBalancer{name}ListenerAttribute"] = functools.partial(listeners.describe_attribute,
                                                                                  protocol=protocol)
    return table


ACTIONS = {
    "CreateAccessControlList": acls.create,
    "DeleteAccessControlList": acls.delete,
    "DescribeAccessControlLists": acls.describe_many,
    "DescribeAccessControlListAttribute": acls.describe_one,
    "AddAccessControlListEntry": acls.add_entries,
    "RemoveAccessControlListEntry": acls.remove_entries,
    "SetAccessControlListAttribute": acls.rename,
    "CreateLoadBalancer": loadbalancers.create,
    "DeleteLoadBalancer": loadbalancers.delete,
    "DescribeLoadBalancers": loadbalancers.describe_many,
    "DescribeLoadBalancerAttribute": loadbalancers.describe_one,
    "SetLoadBalancerDeleteProtection": loadbalancers.set_delete_protection,
    "AddBackendServers": loadbalancers.add_backends,
    "RemoveBackendServers": loadbalancers.remove_backends,
    "DescribeLoadBalancerListeners": listeners.describe_many,
    "DeleteLoadBalancerListener": listeners.delete,
    "StartLoadBalancerListener": listeners.start,
    "StopLoadBalancerListener": listeners.stop,
    **_listener_actions(),
}


class SlbApp:
    """One account's CLB API; ``reset`` drops every resource and restores the default settings."""

    def __init__(self) -> None:
        self.account = Account()

    def reset(self) -> None:
        self.account = Account()

    def __call__(self, environ, start_response):
        status, body = self.handle(environ, environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                       list(wire.JSON_HEADERS) + [("Content-Length", str(len(body)))])
        return [body]

    def handle(self, environ: dict, body: bytes) -> tuple[int, bytes]:
        try:
            request = wire.parse(environ, body)
            handler = ACTIONS.get(request.action)
            if handler is None:
                raise SlbError("InvalidAction.NotFound", f"Specified api {request.action} is not found, please "
                                                         f"check your url and method.", 404)
            with self.account.lock:
                return 200, wire.ok_body(handler(self.account, request.params))
        except SlbError as exc:
            return exc.status, wire.error_body(exc.code, exc.message)
        except Exception:  # noqa: BLE001 - the service answers, whatever went wrong inside
            LOG.exception("SLB emulator failure")
            return 500, wire.error_body("InternalError", "The request processing has failed due to some unknown "
                                                         "error, exception or failure.")
