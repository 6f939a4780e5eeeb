# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Kubernetes calls of every module, over one :class:`KubeBackend` connection.

What every module needs around each call of kubernetes.core's client:

- throttling (429) and server errors (500, 502, 503, 504) are retried with jittered back-off,
  honouring ``Retry-After`` (at most 10 s a wait, ``attempts`` tries);
- a missing object is ``None`` on reads, a kind the server does not serve is ``None`` from
  ``resource``;
- every other failure is an :class:`ApiError` naming the call, the server's message (or what went
  wrong on the wire) and where the connection goes;
- the backend's ``calls`` count the requests (``reads``/``writes``/``by_operation``).
"""

from __future__ import annotations

import json
import random
import time
from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError

FIELD_MANAGER = "kubeguard.netsec"
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
MAX_RETRY_DELAY = 10.0
_RETRIABLE = (429, 500, 502, 503, 504)


def _status_of(exc: BaseException) -> Optional[int]:
    return getattr(exc, "status", None)


def _status_message(exc: BaseException) -> Optional[str]:
    """The ``message`` of the Kubernetes Status in an error's body, if there is one."""
    body = getattr(exc, "body", None)
    if body:
        try:
            decoded = json.loads(body)
        except (TypeError, ValueError):
            return None
        if isinstance(decoded, dict) and decoded.get("message"):
            return str(decoded["message"])
    return None


def http_line(exc: BaseException) -> str:
    """``HTTP <status> <reason>`` of an HTTP error of the kubernetes client."""
    return f"HTTP {_status_of(exc)} {getattr(exc, 'reason', None) or ''}".strip()


def api_message(exc: BaseException) -> str:
    """One line for an HTTP error of the kubernetes client (ApiException, the dynamic client's errors): the
    Kubernetes Status message, or else (an API server always sends one) the HTTP status and that hint."""
    found = _status_message(exc)
    if found:
        return found
    status = _status_of(exc)
    if status is None:
        return getattr(exc, "reason", None) or str(exc)
    return f"{http_line(exc)}, and no Kubernetes Status in the answer: is this the address of a Kubernetes API server?"


def _retry_after(exc: BaseException) -> Optional[float]:
    headers = getattr(exc, "headers", None) or {}
    try:
        return float(headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


class Kube:
    """Reads and writes through the backend's kubernetes.core ``K8SClient`` (connected on first use)."""

    def __init__(
        self, backend: Any, attempts: int = 5, base_delay: float = 0.5, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.backend = backend
        self.calls = backend.calls
        self.attempts = attempts
        self.base_delay = base_delay
        self._sleep = sleep
        self._resources: Dict[tuple, Any] = {}

    @property
    def client(self) -> Any:
        return self.backend.client()

    def error(self, operation: str, exc: BaseException) -> ApiError:
        if _status_of(exc) is not None:
            message = api_message(exc)
        else:
            message = self.backend.describe(exc) or str(exc)
        return ApiError(operation, message, status=_status_of(exc), where=self.backend.where)

    # plumbing

    def _call(self, operation: str, write: bool, func: Callable[[], Any]) -> Any:
        for attempt in range(1, self.attempts + 1):
            self.calls.add(operation, write)
            try:
                return func()
            except Exception as exc:  # pylint: disable=broad-exception-caught  # the client raises many types
                status = _status_of(exc)
                if status == 404 and not write:
                    return None
                if status not in _RETRIABLE or attempt == self.attempts:
                    raise self.error(operation, exc) from exc
                delay = _retry_after(exc)
                if delay is None:
                    delay = random.uniform(0, self.base_delay * (2 ** (attempt - 1)))
                self._sleep(min(delay, MAX_RETRY_DELAY))
        raise ApiError(operation, "no attempt left")  # unreachable: the loop returns or raises

    def resource(self, kind: str, api_version: str) -> Any:
        """The API resource for kind/apiVersion (discovery, cached per run), or None when not served."""
        key = (kind, api_version)
        if key not in self._resources:
            from kubernetes.dynamic.exceptions import ResourceNotFoundError

            try:  # the first one connects (kubernetes.core's client reads the discovery documents)
                self._resources[key] = self.client.resource(kind, api_version)
            except ResourceNotFoundError:
                self._resources[key] = None
            except Exception as exc:  # pylint: disable=broad-exception-caught
                raise self.error(f"discovery of {api_version} {kind}", exc) from exc
        return self._resources[key]

    def require(self, kind: str, api_version: str) -> Any:
        """The API resource for kind/apiVersion; an ApiError naming it when the server does not serve it."""
        resource = self.resource(kind, api_version)
        if resource is None:
            raise ApiError(
                f"discovery of {api_version} {kind}",
                "the API server does not serve it",
                status=404,
                where=self.backend.where,
            )
        return resource

    # reads

    def get(self, kind: str, api_version: str, name: str, namespace: Optional[str] = None) -> Optional[dict]:
        """The object as a dict, or None when it does not exist (or its kind is not served)."""
        resource = self.resource(kind, api_version)
        if resource is None:
            return None
        found = self._call(f"get {kind}", False, lambda: self.client.get(resource, name=name, namespace=namespace))
        return found.to_dict() if found is not None else None

    def list(
        self, kind: str, api_version: str, namespace: Optional[str] = None, label_selector: Optional[str] = None
    ) -> List[dict]:
        """The objects (dicts), in the server's list order; [] when the kind is not served."""
        resource = self.resource(kind, api_version)
        if resource is None:
            return []
        params: Dict[str, Any] = {"namespace": namespace}
        if label_selector:
            params["label_selector"] = label_selector
        found = self._call(f"list {kind}", False, lambda: self.client.get(resource, **params))
        return list((found.to_dict() if found is not None else {}).get("items") or [])

    # writes

    def create(self, kind: str, api_version: str, body: dict, namespace: Optional[str] = None) -> dict:
        resource = self.require(kind, api_version)
        return self._call(
            f"create {kind}",
            True,
            lambda: self.client.create(resource, body, namespace=namespace, field_manager=FIELD_MANAGER),
        ).to_dict()

    def merge_patch(self, kind: str, api_version: str, name: str, patch: dict, namespace: Optional[str] = None) -> dict:
        """RFC 7386 merge patch (``null`` deletes a key)."""
        resource = self.require(kind, api_version)
        return self._call(
            f"patch {kind}",
            True,
            lambda: self.client.patch(
                resource, patch, name=name, namespace=namespace, content_type=MERGE_PATCH, field_manager=FIELD_MANAGER
            ),
        ).to_dict()

    def json_patch(
        self, kind: str, api_version: str, name: str, operations: List[dict], namespace: Optional[str] = None
    ) -> dict:
        """RFC 6902 JSON patch; a failed ``test`` operation is the API server's 422 (ApiError, status 422)."""
        resource = self.require(kind, api_version)
        return self._call(
            f"patch {kind}",
            True,
            lambda: self.client.patch(
                resource,
                operations,
                name=name,
                namespace=namespace,
                content_type=JSON_PATCH,
                field_manager=FIELD_MANAGER,
            ),
        ).to_dict()

    def delete(self, kind: str, api_version: str, name: str, namespace: Optional[str] = None) -> None:
        """Delete with background propagation (dependents are garbage-collected); gone already is fine."""
        resource = self.require(kind, api_version)
        try:
            self._call(
                f"delete {kind}",
                True,
                lambda: self.client.delete(resource, name=name, namespace=namespace, propagation_policy="Background"),
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
