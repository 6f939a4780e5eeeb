# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin wrappers around the Kubernetes calls of our modules: one error type, retries, call counting.

The client is kubernetes.core's (``get_api_client``: its authentication options, its discovery
cache); this layer adds what every module of ours needs around each call:

- throttling (429) and server errors (500, 502, 503, 504) are retried with jittered backoff,
  honouring ``Retry-After``;
- a missing object is ``None`` on reads, a missing kind (discovery) is ``None`` from ``resource``;
- every other failure is a ``KubeError`` that names the call and carries the server's message;
- ``calls`` counts the requests as this module made them (``reads``/``writes``/``by_operation``).
"""

from __future__ import annotations

import json
import random
import time

FIELD_MANAGER = "kubeguard.netsec"
MERGE_PATCH = "application/merge-patch+json"
_RETRIABLE = (429, 500, 502, 503, 504)


class KubeError(Exception):
    """A Kubernetes call failed; ``status`` is the HTTP status when there was one."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class CallCounter:
    """Requests made, by operation (``get PodNetworking``, ``patch ConfigMap`` ...)."""

    def __init__(self):
        self.by_operation = {}
        self.reads = 0
        self.writes = 0

    def add(self, operation, write):
        self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
        if write:
            self.writes += 1
        else:
            self.reads += 1

    def as_dict(self):
        return {"reads": self.reads, "writes": self.writes, "by_operation": dict(sorted(self.by_operation.items()))}


def _status_of(exc):
    return getattr(exc, "status", None)


def _message_of(exc):
    body = getattr(exc, "body", None)
    if body:
        try:
            decoded = json.loads(body)
            if isinstance(decoded, dict) and decoded.get("message"):
                return decoded["message"]
        except (TypeError, ValueError):
            pass
    return getattr(exc, "reason", None) or str(exc)


def _retry_after(exc):
    headers = getattr(exc, "headers", None) or {}
    try:
        return float(headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


class Kube:
    """The calls our modules make, over one kubernetes.core ``K8SClient``."""

    def __init__(self, client, attempts=5, base_delay=0.5, sleep=time.sleep):
        self.client = client
        self.calls = CallCounter()
        self.attempts = attempts
        self.base_delay = base_delay
        self._sleep = sleep
        self._resources = {}

    # ------------------------------------------------------------------ plumbing

    def _call(self, operation, write, func):
        for attempt in range(1, self.attempts + 1):
            self.calls.add(operation, write)
            try:
                return func()
            except Exception as exc:  # pylint: disable=broad-except  # the client raises many types
                status = _status_of(exc)
                if status == 404 and not write:
                    return None
                if status in _RETRIABLE and attempt < self.attempts:
                    delay = _retry_after(exc)
                    if delay is None:
                        delay = random.uniform(0, self.base_delay * (2 ** (attempt - 1)))
                    self._sleep(min(delay, 10.0))
                    continue
                raise KubeError("%s: %s" % (operation, _message_of(exc)), status) from exc
        raise KubeError("%s: no attempt left" % operation)  # unreachable: the loop returns or raises

    def resource(self, kind, api_version):
        """The API resource for kind/apiVersion (discovery, cached per run), or None when not served."""
        key = (kind, api_version)
        if key not in self._resources:
            from kubernetes.dynamic.exceptions import ResourceNotFoundError  # pylint: disable=import-error

            try:
                self._resources[key] = self.client.resource(kind, api_version)
            except ResourceNotFoundError:
                self._resources[key] = None
            except Exception as exc:  # pylint: disable=broad-except
                raise KubeError("discovery of %s %s: %s" % (api_version, kind, _message_of(exc)),
                                _status_of(exc)) from exc
        return self._resources[key]

    def _required(self, kind, api_version):
        resource = self.resource(kind, api_version)
        if resource is None:
            raise KubeError("the API server does not serve %s %s" % (api_version, kind), 404)
        return resource

    # ------------------------------------------------------------------ reads

    def get(self, kind, api_version, name, namespace=None):
        """The object as a dict, or None when it does not exist (or its kind is not served)."""
        resource = self.resource(kind, api_version)
        if resource is None:
            return None
        found = self._call("get %s" % kind, False,
                           lambda: self.client.get(resource, name=name, namespace=namespace))
        return found.to_dict() if found is not None else None

    def list(self, kind, api_version, namespace=None, label_selector=None):
        """The objects (dicts), in the server's list order; [] when the kind is not served."""
        resource = self.resource(kind, api_version)
        if resource is None:
            return []
        params = {"namespace": namespace}
        if label_selector:
            params["label_selector"] = label_selector
        found = self._call("list %s" % kind, False, lambda: self.client.get(resource, **params))
        return list((found.to_dict() if found is not None else {}).get("items") or [])

    # ------------------------------------------------------------------ writes

    def create(self, kind, api_version, body, namespace=None):
        resource = self._required(kind, api_version)
        return self._call("create %s" % kind, True, lambda: self.client.create(
            resource, body, namespace=namespace, field_manager=FIELD_MANAGER)).to_dict()

    def merge_patch(self, kind, api_version, name, patch, namespace=None):
        """RFC 7386 merge patch (``null`` deletes a key)."""
        resource = self._required(kind, api_version)
        return self._call("patch %s" % kind, True, lambda: self.client.patch(
            resource, patch, name=name, namespace=namespace, content_type=MERGE_PATCH,
            field_manager=FIELD_MANAGER)).to_dict()

    def delete(self, kind, api_version, name, namespace=None):
        """Delete with background propagation (dependents are garbage-collected); gone already is fine."""
        resource = self._required(kind, api_version)
        try:
            self._call("delete %s" % kind, True, lambda: self.client.delete(
                resource, name=name, namespace=namespace, propagation_policy="Background"))
        except KubeError as exc:
            if exc.status != 404:
                raise
