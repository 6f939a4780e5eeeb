"""The CLB emulator served on an ephemeral port behind the accounting middleware, and SDK clients for it."""

from __future__ import annotations

import threading

from alibabacloud_slb20140515 import models
from alibabacloud_slb20140515.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from werkzeug.serving import make_server

from sandbox.alibaba import credentials
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware
from sandbox.services import slb

REGION = "cn-hangzhou"


class Served:
    """A running emulator: its URL, the app (for settings), the ledger and the fault plan."""

    def __init__(self) -> None:
        self.app, adapter = slb.make()
        self.ledger, self.faults = CallLedger(), FaultPlan()
        middleware = AccountingMiddleware(self.app, adapter, self.ledger, self.faults)
        self.server = make_server("127.0.0.1", 0, middleware, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.endpoint = f"127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def client(self, key: credentials.AccessKey = credentials.USER, token: str | None = None,
               region: str = REGION) -> Client:
        return Client(openapi.Config(
            access_key_id=key.key_id, access_key_secret=key.secret,
            security_token=token if token is not None else key.security_token, region_id=region,
            endpoint=self.endpoint, protocol="http", read_timeout=5000, connect_timeout=2000))

    def stop(self) -> None:
        self.server.shutdown()


def entries(*pairs) -> str:
    """AclEntrys JSON from (cidr, comment) pairs or bare CIDRs."""
    import json

    items = [{"entry": p, "comment": ""} if isinstance(p, str) else {"entry": p[0], "comment": p[1]} for p in pairs]
    return json.dumps(items)


def create_acl(client: Client, name: str, version: str = "ipv4", region: str = REGION) -> str:
    return client.create_access_control_list(models.CreateAccessControlListRequest(
        region_id=region, acl_name=name, address_ipversion=version)).body.acl_id


def fails(call, *args, **kwargs) -> AlibabaCloudException:
    """The SDK's exception for a call that must fail (code, status_code, message, data)."""
    try:
        call(*args, **kwargs)
    except AlibabaCloudException as exc:
        return exc
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded; an error was expected")


def acl_attribute(client: Client, acl_id: str, **kwargs):
    return client.describe_access_control_list_attribute(models.DescribeAccessControlListAttributeRequest(
        region_id=REGION, acl_id=acl_id, **kwargs)).body


def add(client: Client, acl_id: str, *pairs) -> None:
    client.add_access_control_list_entry(models.AddAccessControlListEntryRequest(
        region_id=REGION, acl_id=acl_id, acl_entrys=entries(*pairs)))


def remove(client: Client, acl_id: str, *pairs) -> None:
    client.remove_access_control_list_entry(models.RemoveAccessControlListEntryRequest(
        region_id=REGION, acl_id=acl_id, acl_entrys=entries(*pairs)))
