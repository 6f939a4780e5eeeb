"""up / status / down of a separate sandbox: state files, process and ports."""

import json
import os
import socket

import yaml

from conftest import TEST_BASE_PORT, read_env_file, run_cli


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_up_writes_state_and_down_leaves_nothing_behind(tmp_path):
    base = TEST_BASE_PORT + 50
    env = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(tmp_path), KUBEGUARD_SANDBOX_BASE_PORT=str(base))
    try:
        run_cli("up", env=env)
        pid = int((tmp_path / "sandbox.pid").read_text())
        assert json.loads(run_cli("status", env=env).stdout)["running"] is True
        endpoints = json.loads((tmp_path / "endpoints.json").read_text())
        assert endpoints == {"admin": f"http://127.0.0.1:{base}", "aws": f"http://127.0.0.1:{base + 1}",
                             "slb": f"http://127.0.0.1:{base + 2}", "k8s:demo-eks": f"http://127.0.0.1:{base + 11}",
                             "k8s:ack-app": f"http://127.0.0.1:{base + 12}",
                             "k8s:ack-db": f"http://127.0.0.1:{base + 13}"}
        variables = read_env_file(tmp_path / "env")
        assert variables["AWS_ENDPOINT_URL"] == endpoints["aws"]
        assert variables["ALIBABA_CLOUD_SLB_ENDPOINT"] == endpoints["slb"]
        assert variables["ALIBABA_CLOUD_REGION_ID"] == "cn-hangzhou"
        assert variables["KUBECONFIG"] == str(tmp_path / "kubeconfig")
        kubeconfig = yaml.safe_load((tmp_path / "kubeconfig").read_text())
        assert kubeconfig["current-context"] == "demo-eks"
        assert {c["name"]: c["cluster"]["server"] for c in kubeconfig["clusters"]} == {
            name: endpoints[f"k8s:{name}"] for name in ("demo-eks", "ack-app", "ack-db")}
        inventory = yaml.safe_load((tmp_path / "inventory.yml").read_text())
        assert "localhost" in inventory["all"]["children"]["sandbox"]["hosts"]
        assert "already running" in run_cli("up", env=env).stdout
    finally:
        run_cli("down", env=env)
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
    assert not any(port_open(port) for port in (base, base + 1, base + 2, base + 11, base + 12, base + 13))
    assert not (tmp_path / "sandbox.pid").exists()
    status = run_cli("status", env=env, check=False)
    assert status.returncode == 3 and json.loads(status.stdout)["running"] is False
    assert "was not running" in run_cli("down", env=env).stdout


def test_commands_that_need_a_running_sandbox_say_so(tmp_path):
    env = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(tmp_path), KUBEGUARD_SANDBOX_BASE_PORT=str(TEST_BASE_PORT + 60))
    result = run_cli("calls", env=env, check=False)
    assert result.returncode == 1
    assert "not running" in result.stderr


def test_a_second_sandbox_on_taken_ports_fails_instead_of_adopting_the_first(tmp_path):
    base = TEST_BASE_PORT + 70
    first = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(tmp_path / "first"), KUBEGUARD_SANDBOX_BASE_PORT=str(base))
    second = dict(first, KUBEGUARD_SANDBOX_STATE_DIR=str(tmp_path / "second"))
    try:
        run_cli("up", env=first)
        pid = int((tmp_path / "first" / "sandbox.pid").read_text())
        result = run_cli("up", env=second, check=False)
        assert result.returncode == 1, result.stdout
        assert f"ports from {base} are taken by another sandbox (pid {pid})" in result.stderr
        assert run_cli("status", env=second, check=False).returncode == 3  # not reported as running
        assert json.loads(run_cli("status", env=first).stdout)["running"] is True  # the first one untouched
    finally:
        run_cli("down", env=first)
