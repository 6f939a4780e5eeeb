"""Start and stop the background sandbox process, by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sandbox import config, state
from sandbox.client import AdminClient, SandboxUnavailable


def running_pid() -> int | None:
    """The pid from sandbox.pid if that process is alive, else None."""
    try:
        pid = int(state.path("sandbox.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) and _is_sandbox(pid) else None


def _is_sandbox(pid: int) -> bool:
    """Guard against a stale pid file whose pid now belongs to another program."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
    except FileNotFoundError:
        return False
    return b"sandbox" in argv and b"serve" in argv


def start(ports: config.Ports, timeout: float = 90.0) -> int:
    """Start ``python -m sandbox serve`` detached; return its pid once the admin API answers."""
    pid = running_pid()
    if pid is not None:
        return pid
    directory = config.state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    log = open(state.path("sandbox.log"), "ab")  # noqa: SIM115 - handed to the child
    env = dict(os.environ, KUBEGUARD_SANDBOX_BASE_PORT=str(ports.base))
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    child = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "sandbox", "serve", "--base-port", str(ports.base)],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    log.close()
    state.path("sandbox.pid").write_text(f"{child.pid}\n")
    client = AdminClient(config.url(ports.admin), timeout=2)
    deadline = time.monotonic() + timeout
    other = None  # the pid of another sandbox answering on these ports (another state directory)
    while time.monotonic() < deadline:
        if child.poll() is not None:
            state.clear_runtime()
            taken = f"ports from {ports.base} are taken by another sandbox (pid {other}); " if other else ""
            raise RuntimeError(f"sandbox exited with code {child.returncode}: {taken}see {state.path('sandbox.log')}")
        try:
            answered = client.health().get("pid")
        except SandboxUnavailable:
            answered = None
        if answered == child.pid:
            return child.pid
        other = answered or other
        time.sleep(0.2)
    stop()
    raise RuntimeError(f"sandbox did not answer within {timeout:.0f}s; see {state.path('sandbox.log')}")


def stop(timeout: float = 15.0) -> int | None:
    """Stop the sandbox process group; return the pid that was stopped, if any."""
    pid = running_pid()
    if pid is None:
        state.clear_runtime()
        return None
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    state.clear_runtime()
    return pid


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)  # the child is a session (and group) leader
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers kill(0); it is gone for our purposes
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
