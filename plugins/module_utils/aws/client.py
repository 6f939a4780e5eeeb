# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS backend of every module: boto3 clients from amazon.aws, bounded, retried, counted, errors mapped.

- Clients come from ``AnsibleAWSModule.client`` (credentials, profile, region, endpoint, CA bundle and
  ``aws_config`` as amazon.aws resolves them), wrapped in amazon.aws' ``AWSRetry.jittered_backoff``
  for throttling and service-unavailable codes; pages come from ``paginated_query_with_retries``.
- Every request is bounded: connect timeout 10 s, read timeout 20 s and 3 attempts in botocore's
  ``standard`` retry mode (which also retries connection errors and timeouts) unless the module's
  ``aws_config`` option says otherwise (``{read_timeout: 60, retries: {total_max_attempts: 5}}``);
  ``AWS_MAX_ATTEMPTS`` and ``AWS_RETRY_MODE`` in the environment are honoured. A silent endpoint
  fails a call within about attempts x (connect + read timeout) plus the back-off: about a minute.
- Every error becomes an :class:`ApiError` naming the operation, the AWS error code (or what went
  wrong on the wire), the region and the endpoint.
- ``calls`` counts the calls as the module makes them, by operation (each page is one; botocore's own
  retries of a call happen below it, so only the endpoint's side counts those).
"""

from __future__ import annotations

import os
from typing import Any
from typing import Dict
from typing import Optional

try:
    import botocore.exceptions
    from botocore.config import Config
    from botocore.parsers import ResponseParserError

    # what botocore raises for a call: an error answer, a failure on the wire, an answer that is not AWS's
    BOTOCORE_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, ResponseParserError)
except ImportError:
    BOTOCORE_ERRORS = ()  # AnsibleAWSModule reports a missing boto3/botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError

CONNECT_TIMEOUT = 10
READ_TIMEOUT = 20
MAX_ATTEMPTS = 3
RETRY_MODE = "standard"
THROTTLE_RETRIES = 5
_READ_PREFIXES = ("Describe", "Get", "List")
_NO_CREDENTIALS = (
    "no AWS credentials found: give access_key and secret_key or a profile, or set "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (in AWX, attach an Amazon Web Services credential)"
)


def default_config() -> "Config":
    """The bounds applied under the module's ``aws_config`` (which wins) and the environment's retry settings."""
    retries = {}
    if not os.environ.get("AWS_RETRY_MODE"):
        retries["mode"] = RETRY_MODE
    if not os.environ.get("AWS_MAX_ATTEMPTS"):
        retries["total_max_attempts"] = MAX_ATTEMPTS
    return Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT, retries=retries or None)


def describe(exc: BaseException, config: Any = None) -> Optional[str]:
    """What went wrong, for an exception of botocore (None for anything else)."""
    if not isinstance(exc, BOTOCORE_ERRORS):
        return None
    if isinstance(exc, ResponseParserError):
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"the answer is not an AWS API response - is the endpoint an AWS API? ({first})"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Unknown')}: {error.get('Message', '')}"
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return _NO_CREDENTIALS
    if isinstance(exc, botocore.exceptions.ReadTimeoutError):
        seconds = getattr(config, "read_timeout", None)
        return f"no answer within the read timeout{f' of {seconds}s' if seconds else ''}, on every attempt ({exc})"
    if isinstance(exc, botocore.exceptions.ConnectTimeoutError):
        seconds = getattr(config, "connect_timeout", None)
        return f"no connection within the connect timeout{f' of {seconds}s' if seconds else ''} ({exc})"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"cannot connect, on every attempt ({exc})"
    return f"{type(exc).__name__}: {exc}"


class AwsClient:
    """One service's boto3 client: every call retried, bounded, counted and mapped to ApiError."""

    def __init__(self, module: Any, service: str, calls: CallCounter) -> None:
        self.retry = AWSRetry.jittered_backoff(retries=THROTTLE_RETRIES, delay=1, max_delay=20)
        self.client = module.client(service, retry_decorator=self.retry, config=default_config())
        self.calls = calls
        meta = self.client.client.meta
        meta.events.register(f"before-call.{meta.service_model.service_id.hyphenize()}", self._count)
        self.where = f"AWS region {meta.region_name}, endpoint {meta.endpoint_url}"

    def _count(self, model: Any = None, **_kwargs: Any) -> None:
        name = model.name if model is not None else "Unknown"
        self.calls.add(name, not name.startswith(_READ_PREFIXES))

    def _error(self, operation: str, exc: BaseException) -> ApiError:
        if isinstance(exc, botocore.exceptions.ClientError):
            error = exc.response.get("Error", {})
            return ApiError(operation, error.get("Message", ""), code=error.get("Code", "Unknown"), where=self.where)
        return ApiError(operation, describe(exc, self.client.client.meta.config), where=self.where)

    def call(self, operation: str, **params: Any) -> Dict[str, Any]:
        """One API call (``describe_cluster``), throttling retried by AWSRetry."""
        try:
            return getattr(self.client, operation)(aws_retry=True, **params)
        except BOTOCORE_ERRORS as exc:
            raise self._error(operation, exc) from exc

    def paginate(self, operation: str, key: str, **params: Any) -> list:
        """Every page of a paginated call, concatenated under ``key``."""
        try:
            return paginated_query_with_retries(self.client, operation, retry_decorator=self.retry, **params)[key]
        except BOTOCORE_ERRORS as exc:
            raise self._error(operation, exc) from exc


class AwsBackend:
    """The AWS side of one run: one client per service, one call counter, and where they talk to."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.calls = CallCounter()
        self._clients: Dict[str, AwsClient] = {}

    def client(self, service: str) -> AwsClient:
        if service not in self._clients:
            self._clients[service] = AwsClient(self.module, service, self.calls)
        return self._clients[service]

    @property
    def where(self) -> str:
        if not self._clients:
            return f"AWS region {self.module.region}"
        return "; ".join(dict.fromkeys(client.where for client in self._clients.values()))

    def describe(self, exc: BaseException) -> Optional[str]:
        return describe(exc)
