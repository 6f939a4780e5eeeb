"""A small SLB client for the sandbox's own use (the CCM simulation, the seed, the oracle).

It speaks the classic RPC signature (``Signature`` / ``SignatureMethod=HMAC-SHA1`` parameters, as the
V1 and Go SDKs send it), so the emulator is exercised in both wire formats: the official Python SDK
uses the V3 one. Nothing of the collection is used.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

from sandbox.alibaba import credentials, wire


class SlbApiError(RuntimeError):
    def __init__(self, action: str, code: str, message: str, status: int) -> None:
        super().__init__(f"{action}: {code} (HTTP {status}): {message}")
        self.action, self.code, self.message, self.status = action, code, message, status


def _encode(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


class SlbClient:
    def __init__(self, url: str, key: credentials.AccessKey, region: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.key = key
        self.region = region
        self.timeout = timeout

    def _signed(self, action: str, params: dict) -> dict:
        query = {"Action": action, "Version": wire.VERSION, "Format": "JSON", "AccessKeyId": self.key.key_id,
                 "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
                 "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "RegionId": self.region, **{k: str(v) for k, v in params.items() if v is not None}}
        if self.key.security_token:
            query["SecurityToken"] = self.key.security_token
        canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
        digest = hmac.new(f"{self.key.secret}&".encode(), f"POST&%2F&{_encode(canonical)}".encode(), hashlib.sha1)
        query["Signature"] = base64.b64encode(digest.digest()).decode()
        return query

    def call(self, action: str, **params) -> dict:
        body = urllib.parse.urlencode(self._signed(action, params)).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
            "User-Agent": "kubeguard-sandbox"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                error = json.loads(exc.read())
            except ValueError:
                error = {}
            raise SlbApiError(action, error.get("Code", "Unknown"), error.get("Message", ""), exc.code) from None

    def all_pages(self, action: str, list_key: str, item_key: str, page_param: str = "PageNumber",
                  **params) -> list[dict]:
        """Every item of a PageNumber/PageSize-paged Describe call."""
        items, number = [], 1
        while True:
            data = self.call(action, **{page_param: number, "PageSize": 50}, **params)
            chunk = (data.get(list_key) or {}).get(item_key) or []
            items += chunk
            total = data.get("TotalCount", data.get("TotalAclEntry", 0))
            if not chunk or len(items) >= total:
                return items
            number += 1
