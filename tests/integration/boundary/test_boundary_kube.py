"""The Kubernetes side of the run boundary: a kubeconfig path that does not exist, a context it does not
hold, an API server that refuses connections and one that accepts and never answers. Each is one clean
failure naming the kubeconfig, the context or the API server, within ``request_timeout``."""

from __future__ import annotations

import json
import pathlib

import pytest

from boundary_support import ACK, LBC, free_port, kubeconfig_with, not_an_api_server, run_task

GATHER = {"namespace": "abc-185-7db8e", "state": "gathered"}
SILENT = [{"service": "k8s:ack-app", "latency_ms": 600_000}]  # every request to ack-app held ten minutes


def test_a_kubeconfig_path_that_does_not_exist(sandbox_env, fresh, tmp_path):
    missing = tmp_path / "no-such-dir" / "kubeconfig"
    run = run_task(ACK, dict(GATHER, kubeconfig=str(missing), context="ack-app"), sandbox_env, fresh, tmp_path)
    # the option is no_log in kubernetes.core, so its value is masked: the file and its directory are named apart
    run.assert_clean(f"kubeconfig: 'kubeconfig' in {missing.parent} does not exist")
    assert run.counts.get("totals", {}).get("reads", 0) == 0 and run.writes == 0


def test_a_context_the_kubeconfig_does_not_hold(sandbox_env, fresh, tmp_path):
    run = run_task(ACK, dict(GATHER, context="ack-prod"), sandbox_env, fresh, tmp_path)
    run.assert_clean("context: 'ack-prod' is not a context of kubeconfig 'kubeconfig' in",
                     str(pathlib.Path(sandbox_env["KUBECONFIG"]).parent), "(its contexts: ack-app, ack-db, demo-eks)")
    assert run.counts.get("totals", {}).get("reads", 0) == 0


def test_the_nested_connection_of_the_eks_module_is_checked_before_any_aws_call(sandbox_env, fresh, tmp_path):
    params = {"cluster_name": "demo-eks", "mode": "auto", "node_rules": {"ports_from": "from_services"},
              "kubernetes": {"context": "eks-prod"}}
    run = run_task(LBC, params, sandbox_env, fresh, tmp_path)
    run.assert_clean("kubernetes.context: 'eks-prod' is not a context of kubeconfig")
    assert run.calls_on("ec2") == 0 and run.result["api_calls"]["reads"] == 0


def test_an_api_server_that_refuses_connections(sandbox_env, fresh, tmp_path):
    port = free_port()
    kubeconfig = kubeconfig_with(sandbox_env, tmp_path / "kubeconfig", gone=f"http://127.0.0.1:{port}")
    run = run_task(ACK, dict(GATHER, kubeconfig=str(kubeconfig), context="gone"), sandbox_env, fresh, tmp_path)
    run.assert_clean("cannot connect to the API server", "Connection refused", f"Kubernetes API http://127.0.0.1:{port}",
                     "context gone of kubeconfig 'kubeconfig' in")
    assert run.seconds < 60, run.seconds


def test_an_address_that_is_no_api_server(sandbox_env, fresh, tmp_path):
    with not_an_api_server() as url:
        kubeconfig = kubeconfig_with(sandbox_env, tmp_path / "kubeconfig", other=url)
        run = run_task(ACK, dict(GATHER, kubeconfig=str(kubeconfig), context="other"), sandbox_env, fresh, tmp_path)
    # the dynamic client's 404 carries its traceback in its text: it must not reach msg
    run.assert_clean("HTTP 404", "no Kubernetes Status in the answer", f"Kubernetes API {url}", "context other")
    assert "Original traceback" not in run.msg and "HTTPHeaderDict" not in run.msg, run


def test_an_api_server_that_never_answers_fails_within_request_timeout(sandbox_env, fresh, tmp_path):
    fresh.set_faults(SILENT)
    run = run_task(ACK, dict(GATHER, context="ack-app", request_timeout=3), sandbox_env, fresh, tmp_path)
    endpoints = json.loads((pathlib.Path(sandbox_env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "endpoints.json").read_text())
    run.assert_clean("no answer within the request timeout of 3s", "context ack-app of kubeconfig",
                     f"Kubernetes API {endpoints['k8s:ack-app']}")
    assert run.calls_on("k8s:ack-app") == 1  # one request, not retried
    assert run.seconds < 45, run.seconds


@pytest.mark.slow
def test_an_api_server_that_never_answers_fails_within_the_default_request_timeout(sandbox_env, fresh, tmp_path):
    fresh.set_faults(SILENT)
    run = run_task(ACK, dict(GATHER, context="ack-app"), sandbox_env, fresh, tmp_path)
    run.assert_clean("no answer within the request timeout of 30s", "context ack-app")
    assert 30 <= run.seconds < 90, run.seconds
