"""The gateway in front of the CLB API: both signature styles, credentials, errors in the service's JSON,
seeded faults in its own codes, and the call accounting per action and per caller."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from alibabacloud_slb20140515 import models
from slb_support import REGION, create_acl, fails

from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbApiError, SlbClient

UNKNOWN = credentials.AccessKey("KUBEGUARD-SANDBOX-UNKNOWN-KEY-ID", "secret")


def _raw(slb, query: str = "", headers: dict | None = None, body: bytes = b"") -> tuple[int, dict]:
    request = urllib.request.Request(f"{slb.url}/?{query}", data=body or None, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_an_unknown_access_key_gets_the_real_code(slb):
    error = fails(create_acl, slb.client(UNKNOWN), "x")
    assert (error.code, error.status_code) == ("InvalidAccessKeyId.NotFound", 404)
    assert "RequestId" in error.data and error.data["Code"] == "InvalidAccessKeyId.NotFound"


def test_sts_credentials_need_their_token(slb):
    assert create_acl(slb.client(credentials.STS), "with-token")
    assert fails(create_acl, slb.client(credentials.STS, token=""), "x").code == "MissingSecurityToken"
    assert fails(create_acl, slb.client(credentials.STS, token="forged"), "x").code == \
        "InvalidSecurityToken.MismatchWithAccessKey"


def test_the_classic_rpc_signature_is_accepted_too(slb):
    client = SlbClient(slb.url, credentials.USER, REGION)
    acl = client.call("CreateAccessControlList", AclName="classic")["AclId"]
    assert client.call("DescribeAccessControlListAttribute", AclId=acl)["AclName"] == "classic"
    with pytest.raises(SlbApiError) as info:
        SlbClient(slb.url, UNKNOWN, REGION).call("DescribeAccessControlLists")
    assert (info.value.code, info.value.status) == ("InvalidAccessKeyId.NotFound", 404)


@pytest.mark.parametrize("headers, query, code", [
    ({}, "Action=DescribeAccessControlLists&Version=2014-05-15&RegionId=cn-hangzhou", "MissingParameter"),
    ({"Authorization": f"ACS3-HMAC-SHA256 Credential={credentials.USER.key_id},Signature=abc",
      "x-acs-action": "DescribeAccessControlLists", "x-acs-version": "2014-05-15",
      "x-acs-date": "2026-11-29T00:00:00Z", "x-acs-signature-nonce": "n"}, "RegionId=cn-hangzhou",
     "IncompleteSignature"),
    ({}, "Action=DescribeAccessControlLists&Version=2014-05-15&RegionId=cn-hangzhou&AccessKeyId=x&Signature=abc"
         "&SignatureMethod=HMAC-SHA1&SignatureNonce=n&Timestamp=2026-11-29T00:00:00Z", "IncompleteSignature"),
    ({}, "Version=2014-05-15", "MissingParameter"),
    ({}, "Action=DescribeAccessControlLists&Version=2016-01-01", "InvalidVersion"),
])
def test_malformed_requests_are_refused_before_any_action(slb, headers, query, code):
    status, body = _raw(slb, query, headers)
    assert (status, body["Code"]) == (400, code)
    assert set(body) >= {"RequestId", "Code", "Message", "HostId"}


def test_an_unknown_action_is_404(slb):
    client = SlbClient(slb.url, credentials.USER, REGION)
    with pytest.raises(SlbApiError) as info:
        client.call("DescribeTheMoon")
    assert (info.value.code, info.value.status) == ("InvalidAction.NotFound", 404)


@pytest.mark.parametrize("kind, code, status, exception", [
    ("throttle", "Throttling", 400, "ClientException"),
    ("server_error", "ServiceUnavailable", 503, "ServerException"),
    ("conflict", "SystemBusy", 400, "ClientException"),
])
def test_seeded_faults_use_the_services_codes(slb, kind, code, status, exception):
    slb.faults.configure([{"service": "slb", "action": "CreateAccessControlList", kind: 1.0}])
    error = fails(create_acl, slb.client(), "x")
    assert (error.code, error.status_code, type(error).__name__) == (code, status, exception)
    assert slb.app.account.regions.get(REGION) is None or not slb.app.account.regions[REGION].acls
    snapshot = slb.ledger.snapshot()["services"]["slb"]
    assert snapshot["faults"] == {code: 1} and snapshot["actions"]["CreateAccessControlList"]["calls"] == 1


def test_calls_are_accounted_per_action_kind_and_caller(slb):
    client = slb.client()
    acl = create_acl(client, "x")
    client.describe_access_control_list_attribute(models.DescribeAccessControlListAttributeRequest(
        region_id=REGION, acl_id=acl))
    SlbClient(slb.url, credentials.CCM, REGION).call("DescribeLoadBalancers")
    services = slb.ledger.snapshot()["services"]
    assert services["slb"]["actions"] == {
        "CreateAccessControlList": {"kind": "write", "calls": 1, "faults": {}},
        "DescribeAccessControlListAttribute": {"kind": "read", "calls": 1, "faults": {}}}
    assert services["slb:ccm"]["actions"] == {"DescribeLoadBalancers": {"kind": "read", "calls": 1, "faults": {}}}
    slb.faults.configure([{"service": "slb", "throttle": 1.0}])  # a rule for users leaves the CCM alone
    SlbClient(slb.url, credentials.CCM, REGION).call("DescribeLoadBalancers")
