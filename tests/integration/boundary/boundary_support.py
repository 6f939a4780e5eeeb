"""What the boundary suites share: one failing module run through ansible-playbook, and its checks.

Deliberately not a ``conftest.py`` (it would shadow tests/integration/conftest.py in ``sys.modules``).
"""

from __future__ import annotations

import contextlib
import copy
import http.server
import pathlib
import socket
import threading
import uuid
from dataclasses import dataclass

import yaml

import module_steps

LBC = "kubeguard.netsec.eks_lbc_security_groups"
ACK = "kubeguard.netsec.ack_fixed_pod_ip"
REGION = "us-east-1"


def free_port() -> int:
    """A port nothing listens on (bound once by the kernel, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NotFound(http.server.BaseHTTPRequestHandler):
    """Answers every request 404 with an empty body, as a proxy or another service at the address would."""

    def _answer(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *_args) -> None:
        pass


@contextlib.contextmanager
def not_an_api_server():
    """The URL of a local HTTP server that is no API at all (every answer a bare 404)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def kubeconfig_with(env: dict, path: pathlib.Path, **extra_servers: str) -> pathlib.Path:
    """A copy of the sandbox kubeconfig with extra contexts ``name -> server URL`` (same user)."""
    config = yaml.safe_load(pathlib.Path(env["KUBECONFIG"]).read_text())
    user = config["contexts"][0]["context"]["user"]
    for name, server in extra_servers.items():
        config["clusters"].append({"name": name, "cluster": {"server": server}})
        config["contexts"].append({"name": name, "context": {"cluster": name, "user": user}})
    path.write_text(yaml.safe_dump(config))
    return path


@dataclass
class TaskRun:
    """One module run: its result, ansible-playbook's output, the wall time and the sandbox's counts."""

    result: dict
    stdout: str
    seconds: float
    counts: dict

    @property
    def msg(self) -> str:
        return self.result.get("msg", "")

    def assert_clean(self, *named: str) -> None:
        """Failed once, cleanly: no MODULE FAILURE, no traceback in msg (it is in ``exception``), the calls
        made so far reported, and every ``named`` text (endpoint, region, context, option) in the message."""
        assert self.result.get("failed") is True, self
        assert "MODULE FAILURE" not in self.msg and "MODULE FAILURE" not in self.stdout, self
        assert "Traceback" not in self.msg and "HTTPConnectionPool" not in self.msg, self
        assert "Traceback (most recent call last)" in self.result.get("exception", ""), self
        assert "api_calls" in self.result, self
        for text in named:
            assert text in self.msg, f"{text!r} not in {self.msg!r}"

    def calls_of(self, service: str) -> dict:
        """{action: calls} the sandbox counted on one service."""
        actions = ((self.counts.get("services") or {}).get(service) or {}).get("actions", {})
        return {action: entry["calls"] for action, entry in actions.items()}

    @property
    def writes(self) -> int:
        return self.counts.get("totals", {}).get("writes", 0)

    def calls_on(self, service: str) -> int:
        return sum(self.calls_of(service).values())


def run_task(module: str, params: dict, env: dict, admin, tmp_path: pathlib.Path, timeout: float = 300,
             play: dict | None = None, check: bool = False) -> TaskRun:
    """One task of ``module`` (ignore_errors) through ansible-playbook; the sandbox counter is reset first.
    ``play`` adds play keywords (``vars``, ``module_defaults``).

    Tracebacks are kept in the result (as -vvv shows them), so that the test sees where they go."""
    run_dir = tmp_path / f"run-{uuid.uuid4().hex[:8]}"
    run_dir.mkdir()
    admin.reset_calls()
    task = module_steps.module_task(module, 0, {"params": copy.deepcopy(params), "check": check})
    env = dict(env, ANSIBLE_DISPLAY_TRACEBACK="error")
    run = module_steps.play_and_output([task], "{'r': r0}", run_dir, env, timeout=timeout, play=play)
    return TaskRun(run.results["r"], run.stdout, run.seconds, admin.reset_calls())
