"""The RPC wire format of Alibaba Cloud's POP API, as both SDK generations send it.

- V3 signature (the Tea / darabonba SDKs' default): action and version in the ``x-acs-action`` and
  ``x-acs-version`` headers, parameters in the query string (and a form body), ``Authorization:
  ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=...,Signature=<hex>``, STS token in
  ``x-acs-security-token``.
- Classic RPC signature (V1 SDKs, the Go SDK): ``Action``, ``Version``, ``AccessKeyId``,
  ``Signature``, ``SignatureMethod``, ``SignatureNonce``, ``Timestamp`` ... as query or form parameters,
  STS token in ``SecurityToken``.
Signatures are checked for presence and shape only: the sandbox never needs the secret.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
import urllib.parse
import uuid

from sandbox.alibaba import credentials, errors

VERSION = "2014-05-15"
_ACS3 = re.compile(r"^(ACS3-HMAC-SHA256|ACS3-HMAC-SM3|ACS3-RSA-SHA256) Credential=([^,\s]+),"
                   r"SignedHeaders=([a-z0-9;\-]+),Signature=([0-9a-f]{64})$")
_CLASSIC_REQUIRED = ("AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp")
_COMMON = {"Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
           "SignatureNonce", "Timestamp", "SecurityToken", "SignatureType"}


@dataclasses.dataclass
class RpcRequest:
    action: str
    params: dict  # business parameters only (the common ones removed)
    key: credentials.AccessKey | None = None


def params_of(environ: dict, body: bytes) -> dict:
    """Query and form parameters, the form winning (first value of each)."""
    merged = {k: v[0] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", ""),
                                                         keep_blank_values=True).items()}
    if "application/x-www-form-urlencoded" in environ.get("CONTENT_TYPE", "") and body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        merged.update({k: v[0] for k, v in form.items()})
    return merged


def action_of(environ: dict, params: dict) -> str | None:
    return environ.get("HTTP_X_ACS_ACTION") or params.get("Action")


def parse(environ: dict, body: bytes) -> RpcRequest:
    """Name the action and authenticate the caller, or raise the gateway's error."""
    params = params_of(environ, body)
    action = action_of(environ, params)
    if not action:
        raise errors.missing("Action")
    version = environ.get("HTTP_X_ACS_VERSION") or params.get("Version")
    if not version:
        raise errors.missing("Version")
    if version != VERSION:
        raise errors.gateway(errors.BAD_VERSION)
    key = _authenticate(environ, params)
    return RpcRequest(action, {k: v for k, v in params.items() if k not in _COMMON}, key)


def _authenticate(environ: dict, params: dict) -> credentials.AccessKey:
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if authorization:
        match = _ACS3.match(authorization)
        if match is None or not environ.get("HTTP_X_ACS_SIGNATURE_NONCE") or not environ.get("HTTP_X_ACS_DATE"):
            raise errors.gateway(errors.BAD_SIGNATURE)
        key_id, token = match.group(2), environ.get("HTTP_X_ACS_SECURITY_TOKEN")
    else:
        for name in _CLASSIC_REQUIRED:
            if not params.get(name):
                raise errors.missing(name)
        if params["SignatureMethod"] != "HMAC-SHA1" or not _is_sha1_base64(params["Signature"]):
            raise errors.gateway(errors.BAD_SIGNATURE)
        key_id, token = params["AccessKeyId"], params.get("SecurityToken")
    key = credentials.lookup(key_id)
    if key is None:
        raise errors.gateway(errors.UNKNOWN_KEY)
    if key.security_token is not None and not token:
        raise errors.gateway(errors.MISSING_TOKEN)
    if key.security_token is not None and token != key.security_token:
        raise errors.gateway(errors.TOKEN_MISMATCH)
    return key


def _is_sha1_base64(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 20
    except (binascii.Error, ValueError):
        return False


def request_id() -> str:
    return str(uuid.uuid4()).upper()


def ok_body(data: dict) -> bytes:
    return json.dumps({"RequestId": request_id(), **data}).encode()


def error_body(code: str, message: str) -> bytes:
    rid = request_id()
    return json.dumps({"RequestId": rid, "HostId": "slb.aliyuncs.com", "Code": code, "Message": message,
                       "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=Slb&requestId={rid}"}
                      ).encode()


JSON_HEADERS = (("Content-Type", "application/json;charset=utf-8"),)
