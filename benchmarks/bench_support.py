"""What the benchmarks share: the private sandbox, ansible-playbook runs, call counts, the report.

Each benchmark (``sg_engine.py``, ``ack_fixed_pod_ip.py``) starts its own sandbox on its own base port
and state directory, runs every playbook as its own ``ansible-playbook -c local -i localhost,`` process
with the ``ansible.posix.json`` callback, reads the sandbox call counter (reset before each run), and
prints a table of medians. This module is not a benchmark; it is imported by them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from sandbox.client import AdminClient  # noqa: E402
from sandbox.client import is_client_service  # noqa: E402

BENCH_DIR = REPO / "build" / "bench"
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else pathlib.Path(sys.executable)
ANSIBLE_PLAYBOOK = VENV_BIN / "ansible-playbook"
COLLECTION_LINK = REPO / "build" / "collections" / "ansible_collections" / "kubeguard" / "netsec"


class BenchError(RuntimeError):
    """The benchmark could not run (sandbox, playbook failure); exit code 2."""


# --- sandbox --------------------------------------------------------------------------------------

def sandbox_env(base_port: int, state_dir: pathlib.Path) -> dict:
    env = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(state_dir), KUBEGUARD_SANDBOX_BASE_PORT=str(base_port))
    env.pop("KUBEGUARD_SANDBOX_ADMIN_URL", None)
    return env


def sandbox(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run([str(PYTHON), "-m", "sandbox", *args], cwd=REPO, env=env, text=True,
                            capture_output=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise BenchError("python -m sandbox %s failed (%d): %s" % (" ".join(args), result.returncode,
                                                                  (result.stderr or result.stdout).strip()))
    return result.stdout


def read_env_file(path: pathlib.Path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line)
        if words[:1] == ["export"]:
            words = words[1:]
        for word in words:
            key, _, value = word.partition("=")
            values[key] = value
    return values


def tool_env(sandbox_vars: dict) -> dict:
    """The environment of ansible-playbook: ours without any AWS_*/EC2_* variable, plus the sandbox's."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("AWS_", "EC2_", "K8S_AUTH_")))
    env.update(sandbox_vars)
    env.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_DEPRECATION_WARNINGS="False", ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="False",
               PATH=os.pathsep.join([str(VENV_BIN), env.get("PATH", "")]))
    return env


def start_sandbox(env: dict, state_dir: pathlib.Path, base_port: int):
    """``up``; returns (started now, the env file's variables, an AdminClient)."""
    print("starting a private sandbox (state %s, base port %d)" % (state_dir.relative_to(REPO), base_port),
          file=sys.stderr)
    fresh_start = "already running" not in sandbox(env, "up")
    sandbox_vars = read_env_file(state_dir / "env")
    return fresh_start, sandbox_vars, AdminClient(sandbox_vars["KUBEGUARD_SANDBOX_ADMIN_URL"])


class Seeder:
    """A freshly seeded estate on each call: ``seed`` on a sandbox started empty, ``reset --seed`` after."""

    def __init__(self, env: dict, fresh_start: bool) -> None:
        self.env = env
        self.first_seed = fresh_start

    def __call__(self) -> None:
        if self.first_seed:
            sandbox(self.env, "seed")
            self.first_seed = False
        else:
            sandbox(self.env, "reset", "--seed")


# --- one run --------------------------------------------------------------------------------------

def summarise_calls(snapshot: dict, service: str | None = None) -> dict:
    """Reads, writes and calls per action of a ``/calls`` snapshot: every service, or only ``service``."""
    by_action = {}
    for name, data in sorted(snapshot.get("services", {}).items()):
        if service is not None and name != service:
            continue
        for action, entry in sorted(data.get("actions", {}).items()):
            by_action[action if service else "%s %s" % (name, action)] = {"kind": entry["kind"],
                                                                          "calls": entry["calls"]}
    if service is None:
        totals = snapshot.get("totals", {})
        faults = totals.get("faults", 0)
    else:
        totals = snapshot.get("services", {}).get(service) or {}
        faults = sum((totals.get("faults") or {}).values())
    return {"reads": totals.get("reads", 0), "writes": totals.get("writes", 0),
            "total": totals.get("reads", 0) + totals.get("writes", 0), "faults": faults,
            "by_action": by_action}


def run_playbook(label: str, playbook: pathlib.Path, extra_vars: dict, env: dict, admin: AdminClient,
                 service: str | None = None) -> tuple:
    """One ``ansible-playbook`` process; returns (run summary, the tasks' host results in order).

    The sandbox counter is reset just before the process starts and read just after it ends.
    """
    command = [str(ANSIBLE_PLAYBOOK), "-c", "local", "-i", "localhost,",
               "-e", "ansible_python_interpreter=%s" % PYTHON, "-e", json.dumps(extra_vars), str(playbook)]
    admin.reset_calls()
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, text=True, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - start
    calls = summarise_calls(admin.calls(), service)
    output = playbook_output(label, proc)
    tasks = [t for play in output["plays"] for t in play["tasks"]]
    results = [t["hosts"]["localhost"] for t in tasks]
    task_seconds = sum(duration(t["task"]) for t in tasks)
    run = {"wall_s": round(wall, 3), "task_s": round(task_seconds, 3),
           "changed": any(r.get("changed") for r in results),
           "tasks_changed": output["stats"]["localhost"].get("changed", 0), "calls": calls}
    return run, results


def playbook_output(label: str, proc: subprocess.CompletedProcess) -> dict:
    """The JSON callback's output of a finished ansible-playbook process; BenchError when it failed."""
    try:
        output = json.loads(proc.stdout)
    except ValueError:
        output = None
    if proc.returncode != 0 or output is None:
        detail = proc.stdout[-3000:] if output is None else json.dumps(failed_results(output), indent=1)[-3000:]
        raise BenchError("%s playbook failed (rc %d):\n%s\n%s" % (label, proc.returncode, detail, proc.stderr[-2000:]))
    return output


def failed_results(output: dict) -> list:
    return [dict(task=t["task"]["name"], msg=r.get("msg")) for play in output.get("plays", [])
            for t in play.get("tasks", []) for r in t.get("hosts", {}).values() if r.get("failed")]


def duration(task: dict) -> float:
    span = task.get("duration") or {}
    try:
        start = datetime.datetime.fromisoformat(span["start"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(span["end"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (end - start).total_seconds()


# --- checks and report ----------------------------------------------------------------------------

def jsonable(value):
    return json.loads(json.dumps(value, default=list))


def describe_difference(left, right, labels=("missing", "unexpected")) -> str:
    """What differs between two estates (or rule lists), at most 5 rules each way."""
    if isinstance(left, dict) and isinstance(right, dict):
        parts = []
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                parts.append("%s: %s" % (key, describe_difference(left.get(key), right.get(key), labels)))
        return "; ".join(parts)
    if isinstance(left, list) and isinstance(right, list):
        only_left = [r for r in left if r not in right]
        only_right = [r for r in right if r not in left]
        return "%s %s, %s %s" % (labels[0], only_left[:5], labels[1], only_right[:5])
    return "%r != %r" % (left, right)


def median_int(values: list):
    value = statistics.median(values)
    return int(value) if float(value).is_integer() else value


def summarise(results: dict, runs: tuple) -> dict:
    """Medians per tool and run over the repetitions in ``results["runs"]``."""
    summary = {}
    for tool, pairs in results["runs"].items():
        summary[tool] = {}
        for run in runs:
            one = [p[run] for p in pairs]
            actions = sorted(set(a for r in one for a in r["calls"]["by_action"]))
            by_action = dict((a, median_int([r["calls"]["by_action"].get(a, {}).get("calls", 0) for r in one]))
                             for a in actions)
            summary[tool][run] = {
                "wall_s_median": round(statistics.median(r["wall_s"] for r in one), 3),
                "wall_s": [r["wall_s"] for r in one],
                "task_s_median": round(statistics.median(r["task_s"] for r in one), 3),
                "reads": median_int([r["calls"]["reads"] for r in one]),
                "writes": median_int([r["calls"]["writes"] for r in one]),
                "total_calls": median_int([r["calls"]["total"] for r in one]),
                "calls_stable": len(set(json.dumps(r["calls"], sort_keys=True) for r in one)) == 1,
                "by_action": by_action,
                "changed": [r["changed"] for r in one],
            }
    return summary


def scenario_summary(results: dict, tools: tuple, scenarios: tuple) -> dict:
    """Per tool and scenario, the medians over the repetitions (``results["runs"][tool]``: one dict of runs by
    scenario per repetition): writes, reads, total calls, wall time, and every run's ``changed``."""
    out = {}
    for tool in tools:
        out[tool] = {}
        for scenario in scenarios:
            runs = [pair[scenario] for pair in results["runs"][tool]]
            out[tool][scenario] = {key: median_int([r["calls"][key] for r in runs])
                                   for key in ("writes", "reads", "total", "faults")}
            out[tool][scenario]["wall_s"] = round(statistics.median(r["wall_s"] for r in runs), 2)
            out[tool][scenario]["changed"] = [r["changed"] for r in runs]
    return out


def ratio(numerator, denominator, zero: str = "(kg 0)", fmt: str = "%.1fx") -> str:
    if not denominator:
        return "-" if not numerator else zero
    return fmt % (numerator / denominator)


def write_playbooks(name: str, builders: dict) -> dict:
    """Write each tool's generated playbook to build/bench/<name>_<tool>.yml; {tool: path}."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    paths = {}
    for tool, build in builders.items():
        path = BENCH_DIR / ("%s_%s.yml" % (name, tool.replace(".", "_")))
        path.write_text("# generated by benchmarks/%s.py - do not edit\n" % name +
                        yaml.safe_dump(build(), sort_keys=False, width=120))
        paths[tool] = path
    return paths


def ratios(summary: dict, numerator: str, denominator: str, runs: tuple) -> dict:
    """Per run, numerator / denominator of the times and call counts (None where the denominator is 0)."""
    return dict((run, dict((key, round(summary[numerator][run][key] / summary[denominator][run][key], 2)
                            if summary[denominator][run][key] else None)
                           for key in ("wall_s_median", "task_s_median", "total_calls", "reads", "writes")))
                for run in runs)


def calls_stability_notes(summary: dict, tools: tuple, runs: tuple) -> None:
    for tool in tools:
        for run in runs:
            if not summary[tool][run]["calls_stable"]:
                print("note: %s %s run: the call counts varied between repetitions (medians shown)" % (tool, run))


def finish(results: dict, path: pathlib.Path) -> int:
    """Say where the results are and every problem found; the exit code (1 when there is a problem)."""
    print("results: %s" % path.relative_to(REPO))
    for problem in results["problems"]:
        print("FAIL: %s" % problem)
    return 1 if results["problems"] else 0


def comparison_table(header: tuple, summary_mine: dict, summary_theirs: dict, compare, calls_label: str = "API calls",
                     action_order=None, extra_rows=None) -> str:
    """The table of both runs (first, no-op): wall and task time, tasks (``extra_rows(run, mine, theirs)``),
    API calls, reads, writes and each action, changed. ``compare(mine, theirs)`` gives the ratio cell."""
    rows = [("", "metric") + tuple(header)]
    for run, label in (("first", "first run"), ("noop", "no-op run")):
        k, t = summary_mine[run], summary_theirs[run]
        rows.append((label, "wall time, s (median)", "%.2f" % k["wall_s_median"], "%.2f" % t["wall_s_median"],
                     compare(k["wall_s_median"], t["wall_s_median"])))
        rows.append(("", "  of which in tasks, s", "%.2f" % k["task_s_median"], "%.2f" % t["task_s_median"],
                     compare(k["task_s_median"], t["task_s_median"])))
        rows.extend(extra_rows(run, k, t) if extra_rows else ())
        for key, name in (("total_calls", calls_label), ("reads", "  reads"), ("writes", "  writes")):
            rows.append(("", name, str(k[key]), str(t[key]), compare(k[key], t[key])))
        for action in sorted(set(k["by_action"]) | set(t["by_action"]), key=action_order):
            kv, tv = k["by_action"].get(action, 0), t["by_action"].get(action, 0)
            rows.append(("", "    " + action, str(kv), str(tv), compare(kv, tv)))
        rows.append(("", "changed", "/".join(str(c).lower() for c in k["changed"]),
                     "/".join(str(c).lower() for c in t["changed"]), ""))
        rows.append(None)
    rows.pop()
    return format_table(rows)


def format_table(rows: list) -> str:
    """Rows of 5 cells (label, metric, three right-aligned values), the first one the header; None = rule."""
    widths = [max(len(r[i]) for r in rows if r) for i in range(5)]
    lines = []
    for row in rows:
        if row is None:
            lines.append("-" * (sum(widths) + 8))
            continue
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])] + [c.rjust(w) for c, w in zip(row[2:], widths[2:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "=" * (sum(widths) + 8))
    return "\n".join(lines)


def versions(dists: tuple, collections: tuple = ()) -> dict:
    """Python, the given distributions and the given collections (``namespace.name``) as installed."""
    from importlib import import_module
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in dists:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    for collection in collections:
        try:
            package = import_module("ansible_collections.%s" % collection)
            manifest = pathlib.Path(list(package.__path__)[0]) / "MANIFEST.json"
            out[collection] = json.loads(manifest.read_text())["collection_info"]["version"]
        except (ImportError, OSError, ValueError, KeyError):
            out[collection] = None
    return out


# --- main -----------------------------------------------------------------------------------------

def arg_parser(description: str, default_base_port: int, repetitions: int = 3,
               repeated: str = "the first + no-op pair per tool") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repetitions", "-n", type=int, default=repetitions,
                        help="repetitions of %s (default %d)" % (repeated, repetitions))
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("KUBEGUARD_BENCH_BASE_PORT",
                                                                             default_base_port)),
                        help="base port of the private sandbox (default %d or $KUBEGUARD_BENCH_BASE_PORT)" %
                        default_base_port)
    return parser


def parse_args(parser: argparse.ArgumentParser, argv=None):
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    return args


def missing_prerequisite(name: str) -> bool:
    """Prints what is missing (ansible-playbook, the collection link) and returns True, or returns False."""
    if not ANSIBLE_PLAYBOOK.exists():
        print("%s: %s not found; run `make venv`" % (name, ANSIBLE_PLAYBOOK), file=sys.stderr)
        return True
    if not COLLECTION_LINK.exists():
        print("%s: %s not found; run `make collection-link`" % (name, COLLECTION_LINK), file=sys.stderr)
        return True
    return False


def run_benchmark(name: str, bench, args, state_dir: pathlib.Path):
    """Prerequisites, then ``bench(args)`` around a private sandbox: the results with ``elapsed_s``, or None
    when the benchmark could not run (exit code 2)."""
    if missing_prerequisite(name):
        return None
    started = time.perf_counter()
    results = run_with_sandbox(name, bench, args, sandbox_env(args.base_port, state_dir))
    if results is not None:
        results["elapsed_s"] = round(time.perf_counter() - started, 1)
    return results


def run_with_sandbox(name: str, bench, args, env: dict):
    """``bench(args)``, then ``sandbox down`` whatever happens (SIGTERM included); None when it raised BenchError."""

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        return bench(args)
    except BenchError as exc:
        print("%s: %s" % (name, exc), file=sys.stderr)
        return None
    finally:
        try:
            print(sandbox(env, "down", timeout=60).strip(), file=sys.stderr)
        except (BenchError, subprocess.TimeoutExpired) as exc:
            print("%s: stopping the sandbox failed: %s" % (name, exc), file=sys.stderr)


# --- inventory runs (baseline_noop.py, fleet.py) --------------------------------------------------

def summarise_client_calls(snapshot: dict) -> dict:
    """Reads, writes and calls per action of the client services of a ``/calls`` snapshot, in all and per service;
    ``background``: what the sandbox's own controllers did meanwhile (reads, writes), for the record."""
    per_service, background = {}, {}
    for name, data in sorted(snapshot.get("services", {}).items()):
        if is_client_service(name):
            per_service[name] = summarise_calls(snapshot, name)
        elif data.get("reads") or data.get("writes"):
            background[name] = {"reads": data.get("reads", 0), "writes": data.get("writes", 0)}
    reads = sum(s["reads"] for s in per_service.values())
    writes = sum(s["writes"] for s in per_service.values())
    return {"reads": reads, "writes": writes, "total": reads + writes, "per_service": per_service,
            "background": background}


def writes_by_action(calls: dict) -> dict:
    """``{"<service> <action>": calls}`` of the writes in a ``summarise_client_calls`` summary."""
    return {"%s %s" % (service, action): entry["calls"]
            for service, data in calls["per_service"].items()
            for action, entry in data["by_action"].items() if entry["kind"] == "write"}


def process_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of a running process (the sandbox), from /proc; None when it cannot be read."""
    try:
        fields = pathlib.Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (TypeError, OSError, ValueError, IndexError):
        return None


def sandbox_pid(state_dir: pathlib.Path) -> int | None:
    try:
        return int((state_dir / "sandbox.pid").read_text().strip())
    except (OSError, ValueError):
        return None


INVENTORY_RUN_VERSIONS = (("ansible-core", "boto3", "kubernetes"), ("amazon.aws", "kubernetes.core"))


def save_results(results: dict, summary, path: pathlib.Path) -> dict:
    """``summary(results)`` and the versions (of an inventory run's tools) into the results, written to ``path``;
    returns the summary."""
    results["summary"] = summary(results)
    results["versions"] = versions(*INVENTORY_RUN_VERSIONS)
    path.write_text(json.dumps(results, indent=2) + "\n")
    return results["summary"]


def run_inventory_playbook(label: str, playbook: pathlib.Path, inventory: pathlib.Path, env: dict, admin: AdminClient,
                           forks: int, args: tuple = (), tmp_dir: pathlib.Path | None = None,
                           state_dir: pathlib.Path | None = None) -> dict:
    """One ``ansible-playbook -i INVENTORY -f FORKS`` process over the inventory's hosts (their own connection
    and interpreter); returns the run: wall time, CPU time, per-host stats, the hosts' changed and failed tasks, and
    the calls of the client services (``summarise_client_calls``).

    ``cpu_s``: the user + system CPU seconds of ansible-playbook and every process under it (forks, modules), which
    the machine's other load does not change; ``sandbox_cpu_s``: the sandbox process's meanwhile (its pid from
    ``state_dir``), which includes its simulated controllers; ``load_average``: the 1-minute load average before
    and after.

    The sandbox counter is reset just before the process starts and read just after it ends. ``tmp_dir`` (created
    empty) becomes the run's TMPDIR, so that kubernetes.core's discovery cache starts cold.
    """
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), "-f", str(forks), *args, str(playbook)]
    if tmp_dir is not None:
        tmp_dir.mkdir(parents=True)
        env = dict(env, TMPDIR=str(tmp_dir))
    pid = sandbox_pid(state_dir) if state_dir is not None else None
    load_before = os.getloadavg()[0]
    admin.reset_calls()
    sandbox_before = process_cpu_s(pid)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, text=True, capture_output=True, timeout=3600, check=False)
    wall = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sandbox_after = process_cpu_s(pid)
    calls = summarise_client_calls(admin.calls())
    cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    output = playbook_output(label, proc)
    stats = output["stats"]
    changed_tasks = sorted(set("%s: %s" % (host, t["task"]["name"]) for play in output["plays"] for t in play["tasks"]
                               for host, r in t["hosts"].items() if r.get("changed")))
    per_host = dict.fromkeys(stats, 0)  # module processes: results with an invocation (set_fact, assert have none)
    for play in output["plays"]:
        for task in play["tasks"]:
            for host, r in task["hosts"].items():
                items = r.get("results") if isinstance(r.get("results"), list) else [r]
                runs = sum(1 for i in items if isinstance(i, dict) and "invocation" in i)
                per_host[host] = per_host.get(host, 0) + runs
    module_runs = sum(per_host.values())
    sandbox_cpu = None if None in (sandbox_before, sandbox_after) else round(sandbox_after - sandbox_before, 2)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 2), "sandbox_cpu_s": sandbox_cpu,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "forks": forks, "hosts": len(stats), "module_runs": module_runs,
            "module_runs_per_host": per_host if len(per_host) <= 10 else None,
            "changed": sum(s.get("changed", 0) for s in stats.values()),
            "failed": sum(s.get("failures", 0) + s.get("unreachable", 0) for s in stats.values()),
            "changed_tasks": changed_tasks, "stats": stats, "calls": calls}


def format_wide_table(rows: list, left: int = 2) -> str:
    """Like ``format_table`` for any number of cells: the first ``left`` cells left-aligned, the others
    right-aligned; the first row is the header, None a rule."""
    cells = max(len(r) for r in rows if r)
    rows = [None if r is None else tuple(r) + ("",) * (cells - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in rows if r) for i in range(cells)]
    lines = []
    for row in rows:
        if row is None:
            lines.append("-" * (sum(widths) + 2 * (cells - 1)))
            continue
        lines.append("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    lines.insert(1, "=" * (sum(widths) + 2 * (cells - 1)))
    return "\n".join(lines)
