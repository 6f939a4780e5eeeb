# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Alibaba Cloud CLB backend of every module: the official SDK, bounded, retried, counted, errors mapped.

- The client is ``alibabacloud_slb20140515.client.Client``; a call is ``call("AddAccessControlListEntry",
  AclId=..., AclEntrys=...)`` with the API's own parameter names, answered as the API's own dict.
- Every request is bounded by ``connect_timeout`` and ``read_timeout`` (seconds). Throttling*,
  ServiceUnavailable, SystemBusy, AclEntryProcessing and OperationFailed.TokenIsProcessing are retried
  ``retries`` times with jittered exponential back-off (0.5 s doubling, at most 10 s); a failure on
  the wire (refused, timed out) at most twice.
- Every error becomes an :class:`ApiError` naming the action, the code, the region and the endpoint.
- ``calls`` counts every attempt, by action, as the endpoint sees them.
"""

from __future__ import annotations

import random
import time
from typing import Any
from typing import Dict
from typing import Optional

try:
    from alibabacloud_slb20140515 import models as slb_models
    from alibabacloud_slb20140515.client import Client
    from alibabacloud_tea_openapi import models as openapi_models
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
    from alibabacloud_tea_util.models import RuntimeOptions
    from Tea.exceptions import TeaException

    HAS_SDK = True
    SDK_ERRORS = (AlibabaCloudException, TeaException)
except ImportError:
    HAS_SDK = False
    SDK_ERRORS = ()

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.credentials import resolve
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError

SDK_REQUIREMENT = "alibabacloud-slb20140515, alibabacloud-tea-openapi and alibabacloud-credentials"
RETRYABLE = (
    "Throttling",
    "ServiceUnavailable",
    "SystemBusy",
    "AclEntryProcessing",
    "OperationFailed.TokenIsProcessing",
)
WIRE_RETRIES = 2
BASE_DELAY = 0.5
MAX_DELAY = 10.0


def retryable(code: Optional[str]) -> bool:
    return bool(code) and (code in RETRYABLE or code.startswith("Throttling"))


def endpoint_of(params: dict) -> tuple:
    """(host[:port] for the SDK, protocol) from the ``endpoint`` option (a host name or a URL)."""
    endpoint = params.get("endpoint") or f"slb.{params['region_id']}.aliyuncs.com"
    if "://" in endpoint:
        scheme, _separator, rest = endpoint.partition("://")
        return rest.rstrip("/"), scheme.lower()
    return endpoint.rstrip("/"), "https"


def _code(exc: BaseException) -> Optional[str]:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and code not in ("", "None") else None


def _message(exc: BaseException) -> str:
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and (data.get("Message") or data.get("message")):
        return str(data.get("Message") or data.get("message"))
    return str(getattr(exc, "message", "") or exc)


def wire_reason(exc: BaseException) -> str:
    """What went wrong on the wire, in a few words (the transport's own text names pools and retries)."""
    text = _message(exc).lower()
    if "timed out" in text or "timeout" in text:
        return "timed out"
    if "refused" in text:
        return "connection refused"
    if "resolve" in text or "name or service not known" in text or "nodename nor servname" in text:
        return "host name not resolved"
    return "connection failed"


class SlbBackend:
    """The CLB API of one run: one SDK client, one call counter, and where it talks to."""

    def __init__(self, params: dict, sleep=time.sleep) -> None:
        self.region = params["region_id"]
        host, protocol = endpoint_of(params)
        self.where = f"Alibaba Cloud region {self.region}, endpoint {protocol}://{host}"
        self.calls = CallCounter()
        self.retries = max(params.get("retries") or 0, 0)
        self.timeouts = (params["connect_timeout"], params["read_timeout"])
        self.sleep = sleep
        self.runtime = RuntimeOptions(autoretry=False, ignore_ssl=not params.get("validate_certs", True))
        config = openapi_models.Config(
            region_id=self.region,
            endpoint=host,
            protocol=protocol,
            connect_timeout=params["connect_timeout"] * 1000,
            read_timeout=params["read_timeout"] * 1000,
            **resolve(params),
        )
        self.client = Client(config)
        self._methods = {
            name[: -len("_with_options")].replace("_", ""): name
            for name in dir(self.client)
            if name.endswith("_with_options")
        }

    def call(self, action: str, **params: Any) -> Dict[str, Any]:
        """One API action with the API's parameter names; retried as the module docstring says."""
        method = getattr(self.client, self._methods[action.lower()])
        request = getattr(slb_models, f"{action}Request")().from_map({"RegionId": self.region, **params})
        attempt = 0
        while True:
            self.calls.add(action, not action.startswith("Describe"))
            try:
                return method(request, self.runtime).body.to_map()
            except SDK_ERRORS as exc:
                code = _code(exc)
                limit = self.retries if retryable(code) else (WIRE_RETRIES if code is None else 0)
                if attempt >= limit:
                    raise self.error(action, exc, attempt) from exc
            attempt += 1
            self.sleep(min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))

    def error(self, action: str, exc: BaseException, retried: int) -> ApiError:
        code = _code(exc)
        connect, read = self.timeouts
        message = (
            _message(exc)
            if code
            else f"no answer from the endpoint ({wire_reason(exc)}; connect timeout {connect}s, read timeout {read}s)"
        )
        if retried:
            message += f" (after {retried} retries)"
        return ApiError(action, message, code=code, status=getattr(exc, "status_code", None), where=self.where)

    def describe(self, exc: BaseException) -> Optional[str]:
        if isinstance(exc, SDK_ERRORS):
            code = _code(exc)
            return f"{code}: {_message(exc)}" if code else _message(exc)
        return None
