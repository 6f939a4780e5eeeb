"""Kubernetes connections: the target named before connecting, checked, and every request bounded."""

import pytest
import urllib3
import yaml

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import connection
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import KubeBackend
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_options
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import describe
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import shown_path


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("K8S_AUTH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def kubeconfig(path, **servers):
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": next(iter(servers)),
                "clusters": [{"name": name, "cluster": {"server": server}} for name, server in servers.items()],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": name, "context": {"cluster": name, "user": "u"}} for name in servers],
            }
        )
    )
    return str(path)


def test_the_spec_is_kubernetes_core_s_plus_a_request_timeout():
    spec = connection_spec()
    assert {"kubeconfig", "context", "host", "no_proxy", "proxy_headers", "impersonate_user"} <= set(spec)
    assert spec["request_timeout"] == {"type": "int", "default": 30}
    assert connection_options({"context": "a", "namespace": "ignored"})["context"] == "a"


def test_where_names_the_context_the_file_and_its_api_server(clean_env, tmp_path):
    path = kubeconfig(tmp_path / "config", prod="https://prod:6443", uat="https://uat:6443")
    backend = KubeBackend(connection_options({"kubeconfig": path, "context": "uat"}))
    assert backend.where == f"Kubernetes API https://uat:6443, context uat of kubeconfig 'config' in {tmp_path}"
    current = KubeBackend(connection_options({"kubeconfig": path}))
    assert current.context == "prod" and "https://prod:6443" in current.where


def test_a_missing_file_and_an_unknown_context_are_input_errors(clean_env, tmp_path):
    with pytest.raises(InputError, match=rf"^kubernetes.kubeconfig: 'nope' in {tmp_path} does not exist"):
        KubeBackend(connection_options({"kubeconfig": str(tmp_path / "nope")}), "kubernetes.")
    path = kubeconfig(tmp_path / "config", prod="https://prod:6443", uat="https://uat:6443")
    with pytest.raises(InputError, match=r"^context: 'dev' is not a context .* \(its contexts: prod, uat\)$"):
        KubeBackend(connection_options({"kubeconfig": path, "context": "dev"}))


def test_the_default_kubeconfig_and_the_environment_are_read_as_kubernetes_core_reads_them(
    clean_env, tmp_path, monkeypatch
):
    with pytest.raises(InputError, match=r"'config' in .*/home/\.kube does not exist .*\(KUBECONFIG or ~/\.kube"):
        KubeBackend(connection_options({}))
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", kubeconfig(tmp_path / "from-env", dev="https://dev:6443"))
    monkeypatch.setenv("K8S_AUTH_CONTEXT", "dev")
    assert KubeBackend(connection_options({})).where.startswith("Kubernetes API https://dev:6443, context dev")


def test_host_and_token_need_no_kubeconfig(clean_env):
    backend = KubeBackend(connection_options({"host": "https://api:6443", "api_key": "secret"}))
    assert backend.where == "Kubernetes API https://api:6443" and backend.kubeconfig is None


def test_shown_path_keeps_a_no_log_value_readable():
    assert shown_path("/etc/k/config") == "'config' in /etc/k"
    assert shown_path("/a/one:/b/two") == "'one' in /a and 'two' in /b"


def test_urllib3_errors_are_described_without_pool_noise():
    refused = urllib3.exceptions.MaxRetryError(
        None,
        "/api",
        urllib3.exceptions.NewConnectionError(
            None, "Failed to establish a new connection: [Errno 111] Connection refused"
        ),
    )
    assert describe(refused) == "cannot connect to the API server: Connection refused"
    timeout = urllib3.exceptions.ReadTimeoutError(None, "/api", "Read timed out. (read timeout=3)")
    assert describe(timeout, 3) == "no answer within the request timeout of 3s (request_timeout)"
    assert describe(ValueError("mine")) is None


@pytest.fixture
def restored_rest_client():
    from kubernetes.client import rest

    cls = rest.RESTClientObject
    saved = {
        name: cls.__dict__.get(name) for name in ("__init__", "request", "kubeguard_unbounded", "kubeguard_bounds")
    }
    yield cls
    for name, value in saved.items():
        if value is None:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, value)


def test_every_request_gets_the_timeout_and_read_timeouts_are_not_retried(restored_rest_client):
    from kubernetes.client import Configuration

    connection.bound_requests(7)
    connection.bound_requests(7)  # idempotent: installed once
    client = restored_rest_client(Configuration())
    retries = client.pool_manager.connection_pool_kw["retries"]
    assert retries.read == 0 and retries.connect == 3
    seen = {}

    def fake_request(method, url, **kwargs):
        seen.update(kwargs)
        raise urllib3.exceptions.ReadTimeoutError(None, url, "held")

    client.pool_manager.request = fake_request
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        client.request("GET", "http://api/version")
    assert (seen["timeout"].connect_timeout, seen["timeout"].read_timeout) == (7, 7)
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        client.request("GET", "http://api/version", _request_timeout=(1, 2))  # a caller's own timeout is kept
    assert (seen["timeout"].connect_timeout, seen["timeout"].read_timeout) == (1, 2)


@pytest.mark.parametrize("value", [0, -1, 601])
def test_request_timeout_is_validated_before_any_connection(clean_env, tmp_path, value):
    path = kubeconfig(tmp_path / "config", dev="https://dev:6443")
    with pytest.raises(InputError, match=rf"^kubernetes.request_timeout: {value} must be between 1 and 600 seconds$"):
        KubeBackend(connection_options({"kubeconfig": path, "request_timeout": value}), "kubernetes.")


def _dynamic_error(status, reason, body):
    """What kubernetes' dynamic client raises: its text carries the headers, the body and a traceback."""
    from kubernetes.client.rest import ApiException
    from kubernetes.dynamic.exceptions import api_exception

    error = ApiException(status=status, reason=reason)
    error.body, error.headers = body, {"server": "proxy"}
    try:
        raise error
    except ApiException as raised:
        return api_exception(raised)


def test_dynamic_client_errors_are_one_line_without_their_traceback():
    bare = _dynamic_error(404, "Not Found", "")
    assert "Original traceback" in str(bare)
    assert describe(bare) == (
        "HTTP 404 Not Found, and no Kubernetes Status in the answer: is this the address of a Kubernetes API server?"
    )
    forbidden = _dynamic_error(403, "Forbidden", '{"kind": "Status", "message": "pods is forbidden"}')
    assert describe(forbidden) == "HTTP 403 Forbidden: pods is forbidden"
