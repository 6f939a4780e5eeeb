"""What the integration suites share about a module run and waiting (a plain module, not a conftest).

- ``Step``: one module run through ansible-playbook - its registered result and the sandbox's call
  counts for exactly that run (``calls``, ``writes``, ``reads``); suites subclass it for their extras.
- ``module_task`` / ``run_play`` / ``play_and_output``: one play of module tasks through ansible-playbook,
  its registered results dumped to a file and returned (with the output and the wall time).
- ``wait_for``: poll until a predicate holds.
- ``Player``: runs one module step by step in one play, each step with the sandbox's counts for exactly it,
  and its EXAMPLES as written (``run_examples``).
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from dataclasses import field

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent
ANSIBLE_PLAYBOOK = str(VENV_BIN / "ansible-playbook") if (VENV_BIN / "ansible-playbook").exists() else str(
    REPO / ".venv/bin/ansible-playbook")


def use_suites(*names: str) -> None:
    """Make the support modules of other integration suites importable (``lbc_support``, ``boundary_support``):
    a suite's directory is on ``sys.path`` only while pytest imports its own tests."""
    for name in names:
        path = str(REPO / "tests" / "integration" / name)
        if path not in sys.path:
            sys.path.insert(0, path)


def module_examples(module: str, substitutions: dict[str, str] | None = None) -> list[dict]:
    """The EXAMPLES of plugins/modules/<module>.py as tasks, with the given literal ids replaced (an example
    is meant to be copied; only the ids of someone else's account differ)."""
    source = (REPO / "plugins" / "modules" / f"{module}.py").read_text()
    text = next(node.value.value for node in ast.parse(source).body if isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", None) == "EXAMPLES")
    for old, new in (substitutions or {}).items():
        text = text.replace(old, new)
    return yaml.safe_load(text)


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def module_task(module: str, index: int, step: dict) -> dict:
    """The task of one step ``{"params": {...}, "check": bool, "diff": bool}``, registered as ``r<index>``."""
    task = {"name": f"step {index}", module: step["params"], "register": f"r{index}", "ignore_errors": True}
    if step.get("check"):
        task["check_mode"] = True
    if step.get("diff"):
        task["diff"] = True
    return task


@dataclass
class PlayRun:
    """One ansible-playbook run: the dumped results, its output, and how long it took."""

    results: dict
    stdout: str
    stderr: str
    seconds: float


def play_and_output(tasks: list, results: str, run_dir: pathlib.Path, env: dict, flags: tuple = (),
                    timeout: float = 240, play: dict | None = None) -> PlayRun:
    """Run ``tasks`` on localhost in one play (``play`` adds play keywords such as ``module_defaults``);
    ``results`` is the Jinja expression (a dict) dumped as JSON at the end. ansible-playbook's output is in
    the assertion error when the play breaks."""
    out = run_dir / "results.json"
    tasks = tasks + [{"name": "dump results", "ansible.builtin.copy": {
        "content": "{{ " + results + " | to_json }}", "dest": str(out)}, "check_mode": False, "diff": False}]
    path = run_dir / "playbook.yml"
    play = dict({"hosts": "localhost", "gather_facts": False}, **(play or {}), tasks=tasks)
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    started = time.monotonic()
    completed = subprocess.run([ANSIBLE_PLAYBOOK, "-c", "local", "-i", "localhost,",
                                "-e", f"ansible_python_interpreter={sys.executable}", *flags, str(path)],
                               env=env, cwd=run_dir, text=True, capture_output=True, timeout=timeout)
    seconds = time.monotonic() - started
    if not out.exists():
        raise AssertionError(f"ansible-playbook failed ({completed.returncode}):\n{completed.stdout}\n"
                             f"{completed.stderr}")
    return PlayRun(json.loads(out.read_text()), completed.stdout, completed.stderr, seconds)


def run_play(tasks: list, results: str, run_dir: pathlib.Path, env: dict, flags: tuple = (),
             timeout: float = 240) -> dict:
    """``play_and_output``'s results only."""
    return play_and_output(tasks, results, run_dir, env, flags, timeout).results


@dataclass
class Step:
    """One module run: its registered result and the sandbox's counts for exactly that run."""

    result: dict
    counts: dict = field(default_factory=dict)

    SHOWN = ("changed", "failed", "msg", "plan", "warnings_found", "api_calls")  # in a failing assertion
    SHOWN_CHARS = 4000

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return self.result.get("msg", "")

    def calls(self, service: str, kind: str | None = None) -> dict:
        """{action: calls} of one service, optionally only reads or writes."""
        actions = (self.counts.get("services", {}).get(service) or {}).get("actions", {})
        return dict((name, a["calls"]) for name, a in sorted(actions.items()) if kind in (None, a["kind"]))

    @property
    def writes(self) -> int:
        """Writes to every service of the sandbox."""
        return self.counts.get("totals", {}).get("writes", 0)

    @property
    def reads(self) -> int:
        return self.counts.get("totals", {}).get("reads", 0)

    def all_calls(self) -> dict:
        return dict((service, self.calls(service)) for service in sorted(self.counts.get("services", {})))

    def __repr__(self) -> str:  # what pytest shows when an assertion on a step fails
        shown = {k: v for k, v in self.result.items() if k in self.SHOWN}
        return (f"{type(self).__name__}(msg={self.msg!r}, calls={self.all_calls()}, "
                f"result={json.dumps(shown, sort_keys=True, default=str)[:self.SHOWN_CHARS]})")


def counts_delta(before: dict, after: dict) -> dict:
    """The sandbox counts of what happened between two cumulative snapshots (``GET /calls``)."""
    services = {}
    for name, svc in (after.get("services") or {}).items():
        old = ((before.get("services") or {}).get(name) or {}).get("actions") or {}
        actions = {}
        for action, entry in (svc.get("actions") or {}).items():
            calls = entry["calls"] - (old.get(action) or {}).get("calls", 0)
            if calls:
                actions[action] = {"kind": entry["kind"], "calls": calls}
        if actions:
            services[name] = {"actions": actions,
                              "reads": sum(a["calls"] for a in actions.values() if a["kind"] == "read"),
                              "writes": sum(a["calls"] for a in actions.values() if a["kind"] != "read")}
    totals = dict((key, (after.get("totals") or {}).get(key, 0) - (before.get("totals") or {}).get(key, 0))
                  for key in ("reads", "writes", "faults"))
    return {"services": services, "totals": totals}


class Player:
    """Runs one module (``MODULE``) through ansible-playbook against the session sandbox, step by step, each
    step's result a ``STEP`` with the sandbox's counts for exactly that step."""

    MODULE = ""
    STEP = Step

    def __init__(self, env: dict, admin, tmp_dir: pathlib.Path) -> None:
        self.env = env
        self.admin = admin
        self.tmp_dir = tmp_dir

    def play(self, steps: list[dict], timeout: float = 300) -> list[Step]:
        """Run the steps in one play; each is ``{"params": {...}, "check": bool, "diff": bool}``.

        The counter is reset before the play; after each module task the play reads the cumulative counts
        (``GET /calls`` through the ``url`` lookup: in the controller process, and the admin API is not
        counted), and each step gets the difference to the snapshot before it.
        """
        calls_url = self.env["KUBEGUARD_SANDBOX_ADMIN_URL"] + "/calls"
        tasks = []
        for index, step in enumerate(steps):
            tasks.append(module_task(self.MODULE, index, step))
            tasks.append({"name": f"counts {index}", "ansible.builtin.set_fact": {
                f"c{index}": "{{ lookup('ansible.builtin.url', '%s', split_lines=False) | from_json }}" % calls_url}})
        mapping = "{" + ", ".join(f"'r{i}': r{i}, 'c{i}': c{i}" for i in range(len(steps))) + "}"
        self.admin.reset_calls()
        results = self.run_tasks(tasks, mapping, timeout=timeout)
        out_steps, previous = [], {}
        for i in range(len(steps)):
            out_steps.append(self.STEP(results[f"r{i}"], counts_delta(previous, results[f"c{i}"])))
            previous = results[f"c{i}"]
        return out_steps

    def run(self, params: dict, check: bool = False, diff: bool = False) -> Step:
        return self.play([{"params": params, "check": check, "diff": diff}])[0]

    def run_examples(self, names: list[str], substitutions: dict[str, str] | None = None) -> dict:
        """Every EXAMPLES entry of the module, as written (but ``substitutions``), in order in one play; each
        registered under its ``register`` or the next of ``names``, none failed. Returns the results by name."""
        tasks = module_examples(self.MODULE.rsplit(".", 1)[-1], substitutions)
        assert len(tasks) == len(names), [task.get("name") for task in tasks]
        registered = []
        for task, name in zip(tasks, names):
            task.update(register=task.get("register", name), ignore_errors=True)
            registered.append(task["register"])
        results = self.run_tasks(tasks, "{" + ", ".join(f"'{n}': {n}" for n in registered) + "}")
        for name in registered:
            assert not results[name].get("failed"), (name, results[name].get("msg"))
        return results

    def run_tasks(self, tasks: list[dict], results: str, timeout: float = 300) -> dict:
        """Any tasks in one play, in a fresh run directory and TMPDIR; ``results`` is the Jinja dict dumped."""
        run_dir = self.tmp_dir / f"play-{uuid.uuid4().hex[:8]}"
        (run_dir / "tmp").mkdir(parents=True)
        env = dict(self.env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(run_dir / "tmp"),
                   ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_PIPELINING="1", TMPDIR=str(run_dir / "tmp"))
        return run_play(tasks, results, run_dir, env, timeout=timeout)


def make_env(sandbox_env: dict) -> dict:
    """The sandbox's environment for ansible-playbook: the venv first on PATH, the repository's ansible.cfg,
    kubernetes.core pointed at the sandbox's kubeconfig (and nothing else of the caller's)."""
    env = dict(sandbox_env)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
    env["K8S_AUTH_KUBECONFIG"] = env["KUBECONFIG"]
    for name in ("K8S_AUTH_HOST", "K8S_AUTH_API_KEY", "K8S_AUTH_CONTEXT"):
        env.pop(name, None)
    return env
