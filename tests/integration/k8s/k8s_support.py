"""Shared helpers for the Kubernetes conformance tests: the three real clients pointed at the session sandbox.

Deliberately *not* a ``conftest.py``: the sibling modules in tests/integration do ``from conftest import
...``, and a second (non-package) conftest.py would shadow theirs in ``sys.modules``. Each test module
does ``from k8s_support import *`` instead, which brings the fixtures below into its namespace.

- ``kube`` (fixture): a :class:`Kube` with ``kubectl(...)``, typed Python API objects, a DynamicClient,
  raw HTTP and ``playbook(...)`` (kubernetes.core modules through ``ansible-playbook``).
- ``module_reset`` (fixture, module scope): one ``admin.reset()`` before a module's first test.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient

from module_steps import wait_for

REPO = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = pathlib.Path(sys.executable).parent
KUBECTL = str(VENV_BIN / "kubectl") if (VENV_BIN / "kubectl").exists() else str(REPO / ".venv/bin/kubectl")
ANSIBLE_PLAYBOOK = str(VENV_BIN / "ansible-playbook") if (VENV_BIN / "ansible-playbook").exists() else str(
    REPO / ".venv/bin/ansible-playbook")
CONTEXTS = ("demo-eks", "ack-app", "ack-db")
DEFAULT_CONTEXT = "demo-eks"

__all__ = ["ApiException", "CONTEXTS", "DEFAULT_CONTEXT", "Kube", "error_body", "eventually", "kube",
           "module_reset", "unique", "wait_for"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def error_body(exc: ApiException) -> dict:
    """The Status object of a failed call."""
    return json.loads(exc.body)


eventually = wait_for


class Kube:
    """The sandbox's clusters, seen through kubectl, the kubernetes Python client and kubernetes.core."""

    def __init__(self, env: dict, tmp_dir: pathlib.Path) -> None:
        self.env = env
        self.tmp_dir = tmp_dir
        self.kubeconfig = env["KUBECONFIG"]
        self._clients: dict[str, k8s_client.ApiClient] = {}
        config = yaml.safe_load(pathlib.Path(self.kubeconfig).read_text())
        clusters = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
        users = {u["name"]: u["user"].get("token") for u in config["users"]}
        self.servers = {c["name"]: clusters[c["context"]["cluster"]] for c in config["contexts"]}
        self.tokens = {c["name"]: users[c["context"]["user"]] for c in config["contexts"]}

    # ------------------------------------------------------------------ kubectl

    def kubectl(self, *args: str, context: str = DEFAULT_CONTEXT, input: str | None = None, check: bool = True,
                timeout: float = 60) -> subprocess.CompletedProcess:
        argv = [KUBECTL, "--context", context, *args]
        result = subprocess.run(argv, env=self.env, input=input, text=True, capture_output=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv[1:])} failed ({result.returncode}):\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    def kubectl_json(self, *args: str, context: str = DEFAULT_CONTEXT) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json", context=context).stdout)

    def kubectl_apply(self, manifest: dict | list | str, *args: str, context: str = DEFAULT_CONTEXT,
                      verb: str = "apply", check: bool = True) -> subprocess.CompletedProcess:
        if not isinstance(manifest, str):
            docs = manifest if isinstance(manifest, list) else [manifest]
            manifest = yaml.safe_dump_all(docs)
        return self.kubectl(verb, "-f", "-", *args, context=context, input=manifest, check=check)

    # ------------------------------------------------------------------ python client

    def api_client(self, context: str = DEFAULT_CONTEXT) -> k8s_client.ApiClient:
        if context not in self._clients:
            self._clients[context] = k8s_config.new_client_from_config(config_file=self.kubeconfig, context=context)
        return self._clients[context]

    def core(self, context: str = DEFAULT_CONTEXT) -> k8s_client.CoreV1Api:
        return k8s_client.CoreV1Api(self.api_client(context))

    def apps(self, context: str = DEFAULT_CONTEXT) -> k8s_client.AppsV1Api:
        return k8s_client.AppsV1Api(self.api_client(context))

    def net(self, context: str = DEFAULT_CONTEXT) -> k8s_client.NetworkingV1Api:
        return k8s_client.NetworkingV1Api(self.api_client(context))

    def custom(self, context: str = DEFAULT_CONTEXT) -> k8s_client.CustomObjectsApi:
        return k8s_client.CustomObjectsApi(self.api_client(context))

    def dyn(self, context: str = DEFAULT_CONTEXT) -> DynamicClient:
        """A DynamicClient with a discovery cache of its own (never a stale one from an earlier run)."""
        cache = self.tmp_dir / f"discovery-{context}-{uuid.uuid4().hex[:8]}.json"
        return DynamicClient(self.api_client(context), cache_file=str(cache))

    def raw(self, method: str, path: str, body=None, content_type: str = "application/json",
            context: str = DEFAULT_CONTEXT, headers: dict | None = None) -> tuple[int, dict, object]:
        """A plain HTTP request: (status, headers, decoded JSON body or text)."""
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        request = urllib.request.Request(self.servers[context] + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.tokens[context]}", "Accept": "application/json",
            **({"Content-Type": content_type} if data is not None else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, hdrs, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, hdrs, raw = exc.code, dict(exc.headers), exc.read()
        try:
            return status, hdrs, json.loads(raw)
        except ValueError:
            return status, hdrs, raw.decode("utf-8", "replace")

    def namespace(self, name: str, context: str = DEFAULT_CONTEXT, labels: dict | None = None) -> str:
        """Create a namespace (idempotently) and return its name."""
        try:
            self.core(context).create_namespace({"metadata": {"name": name, "labels": labels or {}}})
        except ApiException as exc:
            if exc.status != 409:
                raise
        return name

    # ------------------------------------------------------------------ kubernetes.core

    def playbook(self, tasks: list[dict], context: str = DEFAULT_CONTEXT, check: bool = True,
                 timeout: float = 120) -> tuple[subprocess.CompletedProcess, list[dict]]:
        """Run ``tasks`` in one play on localhost; return the process and each task's registered result."""
        run_dir = self.tmp_dir / f"play-{uuid.uuid4().hex[:8]}"
        run_dir.mkdir()
        out = run_dir / "results.json"
        registered = []
        for index, task in enumerate(tasks):
            task = dict(task)
            task.setdefault("register", f"t{index}")
            registered.append(task["register"])
            tasks[index] = task
        mapping = ", ".join(f"'{name}': {name} | default({{}})" for name in registered)
        dump = {"name": "dump results", "ansible.builtin.copy": {
            "content": "{{ {" + mapping + "} | to_json }}", "dest": str(out)}}
        play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks + [dump]}]
        path = run_dir / "playbook.yml"
        path.write_text(yaml.safe_dump(play, sort_keys=False))
        (run_dir / "tmp").mkdir()
        # TMPDIR: kubernetes.core keeps its discovery cache in the temp dir; a fresh one per run means no stale
        # discovery from an earlier sandbox on the same port (and deterministic discovery calls)
        env = dict(self.env, K8S_AUTH_KUBECONFIG=self.kubeconfig, K8S_AUTH_CONTEXT=context, ANSIBLE_NOCOLOR="1",
                   ANSIBLE_LOCAL_TEMP=str(run_dir / "tmp"), ANSIBLE_RETRY_FILES_ENABLED="0",
                   TMPDIR=str(run_dir / "tmp"))
        result = subprocess.run([ANSIBLE_PLAYBOOK, "-c", "local", "-i", "localhost,",
                                 "-e", f"ansible_python_interpreter={sys.executable}", str(path)],
                                env=env, cwd=run_dir, text=True, capture_output=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"ansible-playbook failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        results = json.loads(out.read_text()) if out.exists() else {}
        return result, [results.get(name, {}) for name in registered]


@pytest.fixture(scope="module")
def kube(sandbox_env, tmp_path_factory) -> Kube:
    env = dict(sandbox_env)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
    env.pop("K8S_AUTH_HOST", None)
    env.pop("K8S_AUTH_API_KEY", None)
    return Kube(env, tmp_path_factory.mktemp("k8s-conformance"))


@pytest.fixture(scope="module")
def module_reset(admin):
    """Every cluster empty (system namespaces, nodes, default/kubernetes) before this module runs."""
    admin.clear_faults()
    admin.reset()
    yield admin
    admin.clear_faults()
