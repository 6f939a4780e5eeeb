"""The Alibaba base against the sandbox's CLB emulator in process: the official SDK, retries, bounds, counts,
errors naming the action, the region, the endpoint and the code."""

from __future__ import annotations

import socket
import threading

import pytest
from werkzeug.serving import make_server

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import SlbBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import endpoint_of
from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.credentials import resolve
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from sandbox.alibaba import credentials
from sandbox.proxy.faults import FaultPlan
from sandbox.proxy.ledger import CallLedger
from sandbox.proxy.middleware import AccountingMiddleware
from sandbox.services import slb


@pytest.fixture(scope="module")
def emulator():
    app, adapter = slb.make()
    ledger, faults = CallLedger(), FaultPlan()
    server = make_server("127.0.0.1", 0, AccountingMiddleware(app, adapter, ledger, faults), threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "faults": faults, "ledger": ledger, "app": app}
    server.shutdown()


def params(url: str, **extra) -> dict:
    base = {
        "access_key_id": credentials.USER.key_id,
        "access_key_secret": credentials.USER.secret,
        "security_token": None,
        "profile": None,
        "region_id": "cn-hangzhou",
        "endpoint": url,
        "connect_timeout": 2,
        "read_timeout": 2,
        "retries": 5,
        "validate_certs": True,
    }
    base.update(extra)
    return base


@pytest.fixture
def fresh(emulator):
    emulator["faults"].clear()
    emulator["ledger"].reset()
    emulator["app"].reset()
    return emulator


def test_a_call_answers_the_apis_own_fields_and_is_counted(fresh):
    backend = SlbBackend(params(fresh["url"]), sleep=lambda s: None)
    acl_id = backend.call("CreateAccessControlList", AclName="x")["AclId"]
    page = backend.call("DescribeAccessControlLists", AclName="x", PageNumber=1, PageSize=50)
    assert page["Acls"]["Acl"][0]["AclId"] == acl_id and page["TotalCount"] == 1
    assert backend.calls.as_dict() == {
        "reads": 1,
        "writes": 1,
        "by_operation": {"CreateAccessControlList": 1, "DescribeAccessControlLists": 1},
    }
    assert backend.where == f"Alibaba Cloud region cn-hangzhou, endpoint {fresh['url']}"


def test_throttling_is_retried_with_backoff_and_every_attempt_counted(fresh):
    fresh["faults"].configure([{"service": "slb", "throttle": 1.0}])
    delays = []
    backend = SlbBackend(params(fresh["url"], retries=3), sleep=delays.append)
    with pytest.raises(ApiError) as info:
        backend.call("DescribeAccessControlLists")
    assert info.value.code == "Throttling" and "after 3 retries" in str(info.value)
    assert "DescribeAccessControlLists failed" in str(info.value) and "cn-hangzhou" in str(info.value)
    assert backend.calls.by_operation == {"DescribeAccessControlLists": 4} and len(delays) == 3
    assert all(0.25 <= d <= 10 for d in delays) and delays[2] > delays[0] / 2


@pytest.mark.parametrize("kind, code", [("server_error", "ServiceUnavailable"), ("conflict", "SystemBusy")])
def test_transient_codes_are_retried_until_they_pass(fresh, kind, code):
    fresh["faults"].configure([{"service": "slb", kind: 0.5}], seed=3)
    backend = SlbBackend(params(fresh["url"], retries=10), sleep=lambda s: None)
    for _ in range(5):
        backend.call("DescribeAccessControlLists")
    assert fresh["ledger"].snapshot()["services"]["slb"]["faults"].get(code, 0) > 0


def test_other_errors_are_not_retried(fresh):
    backend = SlbBackend(params(fresh["url"]), sleep=lambda s: pytest.fail("no retry expected"))
    with pytest.raises(ApiError) as info:
        backend.call("DescribeAccessControlListAttribute", AclId="acl-bp1nothere")
    assert (info.value.code, info.value.status) == ("AclNotExist", 400)
    assert backend.calls.by_operation == {"DescribeAccessControlListAttribute": 1}


def test_a_silent_endpoint_is_bounded_and_retried_twice():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        backend = SlbBackend(params(url, read_timeout=1), sleep=lambda s: None)
        with pytest.raises(ApiError) as info:
            backend.call("DescribeAccessControlLists")
        assert "no answer from the endpoint (timed out; connect timeout 2s, read timeout 1s)" in str(info.value)
        assert "HTTPConnectionPool" not in str(info.value)  # the transport's text stays in the traceback
        assert backend.calls.by_operation == {"DescribeAccessControlLists": 3}
    finally:
        listener.close()


def test_endpoint_and_credentials_resolution():
    assert endpoint_of({"endpoint": "http://127.0.0.1:18702/", "region_id": "x"}) == ("127.0.0.1:18702", "http")
    assert endpoint_of({"endpoint": None, "region_id": "cn-shanghai"}) == ("slb.cn-shanghai.aliyuncs.com", "https")
    assert resolve({"access_key_id": "a", "access_key_secret": "b", "security_token": ""}) == {
        "access_key_id": "a",
        "access_key_secret": "b",
        "security_token": None,
    }
    with pytest.raises(InputError, match="give both"):
        resolve({"access_key_id": "a", "access_key_secret": None})
    with pytest.raises(InputError, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        resolve({})
    with pytest.raises(InputError, match="no usable profile 'nobody'"):
        resolve({"profile": "nobody"})
