"""The call wrappers: retries on throttling and server errors, 404 as None, one error type, counting."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube


class ApiFailure(Exception):
    def __init__(self, status, body=None, headers=None):
        super().__init__(f"HTTP {status}")
        self.status, self.body, self.headers = status, body, headers or {}


class Result:
    def __init__(self, value):
        self.value = value

    def to_dict(self):
        return self.value


class ScriptedClient:
    """Answers each call with the next item of ``script`` (an exception to raise, or a dict)."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def resource(self, kind, api_version):
        return kind

    def _next(self, verb, **kwargs):
        self.calls.append((verb, kwargs))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return Result(item)

    def get(self, resource, **kwargs):
        return self._next("get", **kwargs)

    def patch(self, resource, body, **kwargs):
        return self._next("patch", **kwargs)

    def create(self, resource, body, **kwargs):
        return self._next("create", **kwargs)

    def delete(self, resource, **kwargs):
        return self._next("delete", **kwargs)


class ScriptedBackend:
    """The connection side of a Kube: the client, the counter, where it goes."""

    where = "Kubernetes API https://api.test:6443, context test of kubeconfig /tmp/kubeconfig"

    def __init__(self, client):
        self._client = client
        self.calls = CallCounter()

    def client(self):
        return self._client

    def describe(self, exc):
        return None


def kube_and_sleeps(*script):
    slept = []
    return Kube(ScriptedBackend(ScriptedClient(*script)), attempts=3, sleep=slept.append), slept


def kube(*script):
    return kube_and_sleeps(*script)[0]


def test_throttling_and_server_errors_are_retried_and_counted():
    k, slept = kube_and_sleeps(
        ApiFailure(429, headers={"Retry-After": "1"}), ApiFailure(503), {"metadata": {"name": "x"}}
    )
    assert k.get("ConfigMap", "v1", "x", "ns") == {"metadata": {"name": "x"}}
    assert slept[0] == 1.0 and len(slept) == 2
    assert k.calls.as_dict() == {"reads": 3, "writes": 0, "by_operation": {"get ConfigMap": 3}}


def test_a_missing_object_is_none_but_a_missing_target_of_a_write_is_an_error():
    k = kube(ApiFailure(404), ApiFailure(404, body='{"message": "deployments \\"x\\" not found"}'))
    assert k.get("Deployment", "apps/v1", "x", "ns") is None
    with pytest.raises(ApiError, match='patch Deployment failed: deployments "x" not found'):
        k.merge_patch("Deployment", "apps/v1", "x", {"spec": {"replicas": 0}}, "ns")


def test_writes_use_merge_patch_and_our_field_manager():
    k = kube({"metadata": {}})
    k.merge_patch("Namespace", "v1", "ns", {"metadata": {"labels": {"a": "b"}}})
    kwargs = k.client.calls[0][1]
    assert kwargs["content_type"] == "application/merge-patch+json" and kwargs["field_manager"] == "kubeguard.netsec"


def test_giving_up_after_the_attempts_names_the_call():
    k = kube(ApiFailure(500), ApiFailure(500), ApiFailure(500, body='{"message": "etcd down"}'))
    with pytest.raises(ApiError) as caught:
        k.create("Service", "v1", {"metadata": {"name": "s"}}, "ns")
    assert str(caught.value) == f"create Service failed: etcd down ({ScriptedBackend.where})"
    assert caught.value.status == 500


def test_deleting_what_is_gone_is_fine_and_a_forbidden_call_is_not_retried():
    k, slept = kube_and_sleeps(ApiFailure(404), ApiFailure(403, body='{"message": "forbidden"}'))
    k.delete("StatefulSet", "apps/v1", "s", "ns")
    with pytest.raises(ApiError, match="forbidden"):
        k.list("Pod", "v1", "ns")
    assert slept == []
