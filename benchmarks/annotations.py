"""eks_lbc_annotations vs kubernetes.core.k8s: the same annotation change on 200 and 1,000 ALB Ingresses of demo-eks
(inbound-cidrs and listen-ports on every one, then a no-op re-run, then one value changed on all of them).

    .venv/bin/python benchmarks/annotations.py [--sizes 200,1000] [--repetitions 1] [--loop-sizes 200]
                                               [--base-port 19750]

* kubeguard: one ``kubeguard.netsec.eks_lbc_annotations`` task (``namespaces: [bench-annotations]``,
  ``ingress: {inbound_cidrs, listen_ports}``, default ``state: merged``).
* kubernetes.core: one ``kubernetes.core.k8s`` task, ``state: patched``, whose ``definition`` is the list of the N
  merge patches (written by this script from the same desired annotations, in the spelling kubeguard writes):
  kubernetes.core loops over them in one module process, a GET and a PATCH per object.
* kubernetes.core loop (only on the sizes in ``--loop-sizes``, none by default): one ``kubernetes.core.k8s`` task
  with ``loop:`` over the N names, so one module process per object - 1 to 2 s each on the 2-core machine, which
  makes a 1,000-object scenario take 15 to 30 minutes.

For every size and tool, a freshly reset and seeded sandbox (the order of the tools alternates): the simulated load
balancer controller is scaled to zero (as the integration tests do, so it builds no ALB for the Ingresses and takes no
CPU from the runs; its Deployment keeps the flags kubeguard validates against), then the namespace, one shared
NodePort Service and the N Ingresses (class alb) are created through the sandbox's own client before any timing.
Each scenario is its own ansible-playbook process with its own empty TMPDIR (kubernetes.core's discovery cache cold
for every tool and run); the sandbox counts the demo-eks Kubernetes requests of each run; the tables show medians.
Checks (exit 1): after every run of every tool the N Ingresses hold exactly the annotations wanted (kubeguard's
ownership record aside), identical between the tools; kubeguard patches each object once in the first run and the
change, writes nothing and reports no change in the no-op run, and its own api_calls agree with the sandbox.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import bench_support as bs

from sandbox.k8s_client import KubeClient

STATE_DIR = bs.BENCH_DIR / "annotations-sandbox-state"
TMP_DIR = bs.BENCH_DIR / "annotations-tmp"
RESULTS = bs.BENCH_DIR / "annotations.json"
DEFAULT_BASE_PORT = 19750  # the sandbox listens on base .. base + 13; netpol.py uses 19800 .. 19813
DEFAULT_SIZES = (200, 1000)
KUBEGUARD, CORE, LOOP = "kubeguard", "kubernetes.core", "kubernetes.core-loop"
TOOLS = (KUBEGUARD, CORE)
SCENARIOS = ("first", "noop", "change")
CONTEXT = "demo-eks"
SERVICE = "k8s:demo-eks"
NAMESPACE = "bench-annotations"
BACKEND = "web"
ALB = "alb.ingress.kubernetes.io/"
RECORD = "netsec.kubeguard.io/managed-annotations"
MERGE = "application/merge-patch+json"
CONTROLLER = "apis/apps/v1/namespaces/kube-system/deployments/aws-load-balancer-controller"
INGRESSES = f"apis/networking.k8s.io/v1/namespaces/{NAMESPACE}/ingresses"
LISTEN_PORTS = [{"HTTP": 80}, {"HTTPS": 443}]
CIDRS = {"first": ["10.0.0.0/8", "203.0.113.0/24"], "change": ["10.0.0.0/8", "198.51.100.0/24"]}


def wanted(scenario: str) -> dict:
    """The module's ``ingress`` option of a scenario (the no-op run repeats the first)."""
    return {"inbound_cidrs": CIDRS["change" if scenario == "change" else "first"], "listen_ports": LISTEN_PORTS}


def annotations(scenario: str) -> dict:
    """The same, as the annotations stored (the spelling kubeguard writes, which the other tools are given)."""
    option = wanted(scenario)
    return {ALB + "inbound-cidrs": ", ".join(option["inbound_cidrs"]),
            ALB + "listen-ports": json.dumps(option["listen_ports"])}


def names(size: int) -> list:
    return [f"web-{i:04d}" for i in range(size)]


def patches(size: int, scenario: str) -> list:
    """What a team writes for kubernetes.core.k8s ``state: patched``: one merge patch per Ingress."""
    return [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
             "metadata": {"name": name, "namespace": NAMESPACE, "annotations": annotations(scenario)}}
            for name in names(size)]


def playbooks() -> dict:
    def play(name: str, task: dict) -> list:
        return [{"hosts": "localhost", "gather_facts": False, "tasks": [dict({"name": name}, **task)]}]

    kubeguard = play("eks_lbc_annotations", {"kubeguard.netsec.eks_lbc_annotations": {
        "context": CONTEXT, "namespaces": [NAMESPACE], "ingress": "{{ ingress }}"}})
    core = play("kubernetes.core.k8s, one patch per Ingress", {"kubernetes.core.k8s": {
        "context": CONTEXT, "state": "patched", "definition": "{{ lookup('file', patches_file) | from_json }}"}})
    loop = play("kubernetes.core.k8s in a loop", {"kubernetes.core.k8s": {
        "context": CONTEXT, "state": "patched", "api_version": "networking.k8s.io/v1", "kind": "Ingress",
        "namespace": NAMESPACE, "name": "{{ item }}", "definition": {"metadata": {"annotations": "{{ annotations }}"}}},
        "loop": "{{ lookup('file', names_file) | from_json }}"})
    return bs.write_playbooks("annotations", {KUBEGUARD: lambda: kubeguard, CORE: lambda: core, LOOP: lambda: loop})


def input_files(sizes: list) -> dict:
    """{size: {"names": path, scenario: patches path}} under build/bench/."""
    files = {}
    for size in sizes:
        files[size] = {"names": bs.BENCH_DIR / f"annotations_names_{size}.json"}
        files[size]["names"].write_text(json.dumps(names(size)))
        for scenario in ("first", "change"):
            files[size][scenario] = bs.BENCH_DIR / f"annotations_patches_{size}_{scenario}.json"
            files[size][scenario].write_text(json.dumps(patches(size, scenario)))
    return files


# --- the estate -----------------------------------------------------------------------------------

def quiet_controller(kube: KubeClient, admin) -> None:
    """Scale the simulated controller to zero and wait until its pods are gone and nothing is queued."""
    kube.request("PATCH", CONTROLLER, {"spec": {"replicas": 0}}, content_type=MERGE)
    deadline = time.monotonic() + 60
    while kube.request("GET", "api/v1/namespaces/kube-system/pods",
                       query={"labelSelector": "app.kubernetes.io/name=aws-load-balancer-controller"})["items"]:
        if time.monotonic() > deadline:
            raise bs.BenchError("the load balancer controller's pods did not go within 60 s")
        time.sleep(0.5)
    admin.settle(timeout=60)


def create_ingresses(kube: KubeClient, admin, size: int) -> float:
    """The namespace, one NodePort Service and ``size`` Ingresses of class alb sending / to it; seconds taken."""
    started = time.perf_counter()
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    kube.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": BACKEND, "namespace": NAMESPACE},
                 "spec": {"type": "NodePort", "selector": {"app": BACKEND},
                          "ports": [{"port": 80, "targetPort": 8080}]}})
    backend = {"service": {"name": BACKEND, "port": {"number": 80}}}
    ingresses = [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                  "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": BACKEND}},
                  "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [
                      {"path": "/", "pathType": "Prefix", "backend": backend}]}}]}} for name in names(size)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(kube.create, ingresses))
    admin.settle(timeout=60)
    return round(time.perf_counter() - started, 2)


def stored(kube: KubeClient) -> dict:
    """{name: annotations} of the benchmark's Ingresses as the API server holds them (one list)."""
    items = kube.request("GET", INGRESSES)["items"]
    return {i["metadata"]["name"]: i["metadata"].get("annotations") or {} for i in items}


def without_record(estate: dict) -> dict:
    return {name: {k: v for k, v in values.items() if k != RECORD} for name, values in estate.items()}


def describe(estate: dict, expected: dict, labels=("got", "expected")) -> str:
    """How two {name: annotations} differ: the count and the first three objects."""
    bad = sorted(n for n in set(estate) | set(expected) if estate.get(n) != expected.get(n))
    shown = "; ".join(f"{n}: {labels[0]} {estate.get(n)}, {labels[1]} {expected.get(n)}" for n in bad[:3])
    return f"{len(bad)} object(s) differ ({shown})"


# --- the runs -------------------------------------------------------------------------------------

def one_tool(tool: str, size: int, rep: int, ctx: dict) -> tuple:
    """A fresh estate with ``size`` Ingresses, then the three scenarios; ({scenario: run}, {scenario: stored})."""
    started = time.perf_counter()
    ctx["reseed"]()
    admin = ctx["admin"]
    kube = KubeClient(admin.health()["endpoints"][SERVICE])
    quiet_controller(kube, admin)
    reseed_s = round(time.perf_counter() - started, 2)
    prepared_s = create_ingresses(kube, admin, size)
    runs, estates = {}, {}
    for scenario in SCENARIOS:
        print(f"repetition {rep + 1}: {size} Ingresses, {tool}, {scenario}", file=sys.stderr)
        data = "first" if scenario == "noop" else scenario
        extra = {"ingress": wanted(scenario), "annotations": annotations(scenario),
                 "patches_file": str(ctx["files"][size][data]), "names_file": str(ctx["files"][size]["names"])}
        tmp_dir = TMP_DIR / f"{tool.replace('.', '_')}-{rep + 1}-{size}-{scenario}"
        tmp_dir.mkdir(parents=True)
        run, results = bs.run_playbook(tool, ctx["paths"][tool], extra, dict(ctx["env"], TMPDIR=str(tmp_dir)),
                                       admin, SERVICE)
        run.update(reseed_s=reseed_s, prepared_s=prepared_s)
        if tool == KUBEGUARD:
            run["module_api_calls"] = results[0].get("api_calls")
            run["module_summary"] = results[0].get("summary")
        runs[scenario] = run
        estates[scenario] = stored(kube)
    return runs, estates


def bench(args) -> dict:
    shutil.rmtree(TMP_DIR, ignore_errors=True)
    ctx = {"paths": playbooks(), "files": input_files(args.sizes)}
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    fresh_start, sandbox_vars, ctx["admin"] = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ctx["env"] = bs.tool_env(sandbox_vars)
    ctx["reseed"] = bs.Seeder(env, fresh_start)
    results = {"repetitions": args.repetitions, "sizes": args.sizes, "loop_sizes": args.loop_sizes,
               "runs": {tool: [] for tool in TOOLS + ((LOOP,) if args.loop_sizes else ())}, "problems": []}
    for rep in range(args.repetitions):
        for runs in results["runs"].values():
            runs.append({})
        for index, size in enumerate(args.sizes):
            tools = TOOLS + ((LOOP,) if size in args.loop_sizes else ())
            for tool in (tools if (rep + index) % 2 == 0 else tuple(reversed(tools))):
                runs, estates = one_tool(tool, size, rep, ctx)
                results["runs"][tool][rep].update({f"{size}/{s}": run for s, run in runs.items()})
                results["problems"] += check_estates(tool, size, rep, estates)
                ctx.setdefault("final", {}).setdefault(size, {})[tool] = estates
    results["problems"] += compare_tools(ctx["final"])
    return results


# --- checks ---------------------------------------------------------------------------------------

def check_estates(tool: str, size: int, rep: int, estates: dict) -> list:
    """Every Ingress holds exactly the wanted annotations after each run (kubeguard: plus its record)."""
    problems = []
    record = json.dumps(sorted(annotations("first")))
    for scenario, estate in estates.items():
        expected = {name: annotations(scenario) for name in names(size)}
        where = f"{tool}, {size} Ingresses, repetition {rep + 1}, {scenario}"
        if without_record(estate) != expected:
            problems.append(f"{where}: the stored annotations are not the wanted ones: "
                            + describe(without_record(estate), expected))
        records = {json.dumps(sorted(json.loads(a[RECORD]))) if RECORD in a else None for a in estate.values()}
        if tool == KUBEGUARD and records != {record}:
            problems.append(f"{where}: ownership records {sorted(map(str, records))}, not {record} on every Ingress")
    return problems


def compare_tools(final: dict) -> list:
    """The stored annotations after the other tools are kubeguard's (its ownership record aside)."""
    problems = []
    for size, by_tool in final.items():
        mine = by_tool[KUBEGUARD]
        for tool, theirs in by_tool.items():
            for scenario in SCENARIOS if tool != KUBEGUARD else ():
                if without_record(theirs[scenario]) != without_record(mine[scenario]):
                    problems.append(f"{size} Ingresses, {scenario}: the stored annotations differ between kubeguard "
                                    f"and {tool}: " + describe(without_record(mine[scenario]),
                                                               without_record(theirs[scenario]), (KUBEGUARD, tool)))
    return problems


def check_kubeguard(results: dict) -> None:
    problems = results["problems"]
    for rep, runs in enumerate(results["runs"][KUBEGUARD]):
        for key, run in runs.items():
            size, scenario = int(key.split("/")[0]), key.split("/")[1]
            where = f"kubeguard, {size} Ingresses, repetition {rep + 1}, {scenario}"
            writes = 0 if scenario == "noop" else size
            if run["calls"]["writes"] != writes or run["changed"] != bool(writes):
                problems.append(f"{where}: {run['calls']['writes']} writes (changed: {run['changed']}), "
                                f"not {writes} (changed: {bool(writes)})")
            if (run.get("module_summary") or {}).get("selected") != size:
                problems.append(f"{where}: the module selected {(run.get('module_summary') or {}).get('selected')}")
            discovery = run["calls"]["by_action"].get("get discovery", {}).get("calls", 0)
            reported = run.get("module_api_calls") or {}
            if (reported.get("reads"), reported.get("writes")) != (run["calls"]["reads"] - discovery,
                                                                   run["calls"]["writes"]):
                problems.append(f"{where}: the module reports {reported.get('reads')} reads/{reported.get('writes')} "
                                f"writes, the sandbox counted {run['calls']['reads']}/{run['calls']['writes']} "
                                f"({discovery} discovery reads not included)")


# --- report ---------------------------------------------------------------------------------------

def summary(results: dict) -> dict:
    """Medians per tool and ``size/scenario`` (bench_support's scenario_summary, on the keys each tool ran)."""
    out = {}
    for tool, reps in results["runs"].items():
        keys = tuple(reps[0]) if reps else ()
        out.update(bs.scenario_summary(results, (tool,), keys))
    return out


def table(s: dict, sizes: list, peer: str) -> str:
    rows = [("objects, scenario", "metric", "kubeguard", peer, "ratio peer/kg")]
    for size in sizes:
        for scenario in SCENARIOS:
            key = f"{size}/{scenario}"
            k, c = s[KUBEGUARD][key], s[peer][key]
            rows += [(f"{size}, {scenario}", "writes", str(k["writes"]), str(c["writes"]),
                      bs.ratio(c["writes"], k["writes"])),
                     ("", "reads", str(k["reads"]), str(c["reads"]), bs.ratio(c["reads"], k["reads"])),
                     ("", "wall time, s", "%.2f" % k["wall_s"], "%.2f" % c["wall_s"],
                      bs.ratio(c["wall_s"], k["wall_s"])),
                     ("", "changed", "/".join(str(v).lower() for v in k["changed"]),
                      "/".join(str(v).lower() for v in c["changed"]), ""), None]
    rows.pop()
    return bs.format_table(rows)


def sizes_arg(text: str) -> list:
    try:
        sizes = [int(word) for word in text.split(",") if word.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of counts: {text!r}") from None
    if any(size < 1 or size > 5000 for size in sizes) or len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"counts must be distinct, from 1 to 5000: {text!r}")
    return sizes


def parse(argv=None):
    parser = bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT)
    parser.set_defaults(repetitions=1)
    for action in parser._actions:  # bench_support's help says "default 3"
        if action.dest == "repetitions":
            action.help = "repetitions of the three scenarios per tool and size (default 1)"
    parser.add_argument("--repeat", dest="repetitions", type=int, default=argparse.SUPPRESS,
                        help="the same as --repetitions")
    parser.add_argument("--sizes", type=sizes_arg, default=list(DEFAULT_SIZES),
                        help="numbers of Ingresses, comma-separated (default %s)" % ",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--loop-sizes", type=sizes_arg, default=[],
                        help="also run kubernetes.core.k8s in an Ansible loop (one module process per object) on "
                             "these of the sizes: 1 to 2 s per object and scenario (default: none)")
    args = bs.parse_args(parser, argv)
    if set(args.loop_sizes) - set(args.sizes):
        parser.error("--loop-sizes must be among --sizes")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    load_before = os.getloadavg()
    results = bs.run_benchmark("annotations", bench, args, STATE_DIR)
    if results is None:
        return 2
    results["summary"] = s = summary(results)
    check_kubeguard(results)
    results["versions"] = bs.versions(("ansible-core", "kubernetes"), ("kubernetes.core",))
    results["machine"] = {"cpus": os.cpu_count(), "load_average_before": [round(v, 2) for v in load_before],
                          "load_average_after": [round(v, 2) for v in os.getloadavg()]}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"annotations: inbound-cidrs and listen-ports on {' and '.join(map(str, args.sizes))} ALB Ingresses of "
          f"{CONTEXT}, then a no-op re-run, then inbound-cidrs changed on all; {args.repetitions} repetition(s) per "
          f"tool; {results['elapsed_s']:.0f}s in all")
    print(f"{CORE}: one k8s task (state: patched) with the N patches as its definition")
    print(table(s, args.sizes, CORE))
    if args.loop_sizes:
        print(f"\n{LOOP}: one k8s task (state: patched) in an Ansible loop over the N names")
        print(table(s, args.loop_sizes, LOOP))
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
