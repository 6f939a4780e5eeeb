"""A sandbox of our own for the integration tests: its own ports and state dir, started and stopped here (one per
pytest-xdist worker: ``make integration`` runs the test files on INTEGRATION_WORKERS processes)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config

from sandbox.client import AdminClient

REPO = pathlib.Path(__file__).resolve().parents[2]
# Each pytest-xdist worker (gw0, gw1, ...) has a sandbox of its own, 100 ports further on: the sandbox takes
# base..base+13, the demo test (test_demo.py) base+20..base+33 and the lifecycle tests base+50..base+83.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
TEST_BASE_PORT = int(os.environ.get("KUBEGUARD_TEST_BASE_PORT", "18900")) + 100 * WORKER


def run_cli(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sandbox", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, check=check, timeout=180)


def reseed(env: dict, admin: AdminClient) -> dict:
    """A freshly seeded sandbox (faults cleared, every resource dropped, seeded, counters zeroed): seed.json."""
    admin.clear_faults()
    admin.reset()
    run_cli("seed", env=env)
    seed = json.loads((pathlib.Path(env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "seed.json").read_text())
    admin.reset_calls()
    return seed


def read_env_file(path: pathlib.Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        values[key] = value.strip("'")
    return values


@pytest.fixture(scope="session")
def sandbox_env(tmp_path_factory):
    """Start a sandbox; yield the environment a client uses (os.environ + the sandbox's env file)."""
    state_dir = tmp_path_factory.mktemp("sandbox-state")
    env = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(state_dir),
               KUBEGUARD_SANDBOX_BASE_PORT=str(TEST_BASE_PORT))
    run_cli("up", env=env)
    try:
        env.update(read_env_file(state_dir / "env"))
        env["KUBEGUARD_SANDBOX_STATE_DIR"] = str(state_dir)
        yield env
    finally:
        result = run_cli("down", env=env, check=False)
        print(result.stdout, result.stderr)


@pytest.fixture(scope="session")
def admin(sandbox_env) -> AdminClient:
    return AdminClient(sandbox_env["KUBEGUARD_SANDBOX_ADMIN_URL"])


@pytest.fixture
def fresh(sandbox_env, admin):
    """An empty sandbox: no resources, counters at zero, no faults."""
    admin.reset()
    return admin


@pytest.fixture
def seeded(sandbox_env, fresh):
    """The seeded 'before' estate; yields the ids seed.json records."""
    run_cli("seed", env=sandbox_env)
    return json.loads((pathlib.Path(sandbox_env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "seed.json").read_text())["aws"]


@pytest.fixture
def aws(sandbox_env):
    """boto3 client factory against the sandbox, standard retry mode.

    Note botocore's convention: ``max_attempts`` in a Config retries dict counts retries (so 10 means
    up to 11 attempts), while ``total_max_attempts`` counts attempts including the first.
    """

    def make(service: str, **retries):
        return boto3.client(service, endpoint_url=sandbox_env["AWS_ENDPOINT_URL"],
                            region_name=sandbox_env["AWS_REGION"],
                            aws_access_key_id=sandbox_env["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=sandbox_env["AWS_SECRET_ACCESS_KEY"],
                            config=Config(retries={"mode": "standard", **(retries or {"max_attempts": 10})}))

    return make
