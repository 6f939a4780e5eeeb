"""k8s_network_policies vs kubernetes.core.k8s: seed 004's policies (default-deny both ways with the DNS
exception, and a 40-address whitelist on MySQL) in 10 namespaces of ack-db; then a no-op re-run; then a churn
of 4 addresses per whitelist.

    .venv/bin/python benchmarks/netpol.py [--repetitions 3] [--base-port 19800]

* kubeguard: one ``kubeguard.netsec.k8s_network_policies`` task (``namespaces``, ``default_deny: both``,
  ``allow_from_ips`` from a file of ``fixed_ips``-shaped items, ``state: replaced``).
* kubernetes.core: one ``kubernetes.core.k8s`` task (``state: present``) with the 30 manifests, written by
  this script from the same address file (not by the module), the way a team writes them without it.

Each tool gets a fresh seed per repetition (the order alternates); each scenario is its own ansible-playbook
process. The sandbox counts the ack-db Kubernetes requests of each run; the table shows medians. Checks
(exit 1): kubeguard's no-op run makes no write, its churn makes one write per namespace, and both tools end
with the same stored specs in every namespace.
"""

from __future__ import annotations

import json
import sys

import bench_support as bs

from sandbox.k8s_client import KubeClient

STATE_DIR = bs.BENCH_DIR / "netpol-sandbox-state"
RESULTS = bs.BENCH_DIR / "netpol.json"
DEFAULT_BASE_PORT = 19800
TOOLS = ("kubeguard", "kubernetes.core")
SCENARIOS = ("first", "noop", "churn")
NAMESPACES = [f"bench-db-{i:02d}" for i in range(10)]
SELECTOR = {"app": "mysql"}
SERVICE = "k8s:ack-db"


def sources(scenario: str) -> list:
    ips = [f"192.168.{64 + i // 200}.{10 + i % 200}" for i in range(40)]
    if scenario == "churn":
        ips = ips[4:] + [f"192.168.70.{i}" for i in range(1, 5)]
    return [{"pod": f"app-{i}", "namespace": "bench-app", "ip": ip} for i, ip in enumerate(ips)]


def manifests(scenario: str) -> list:
    """What a team writes by hand for kubernetes.core.k8s: three policies per namespace."""
    dns = {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}
    blocks = [{"ipBlock": {"cidr": f"{item['ip']}/32"}} for item in sources(scenario)]
    docs = []
    for namespace in NAMESPACES:
        specs = {
            "kubeguard-default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            "kubeguard-allow-dns": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [dns]},
            "mysql-from-app": {"podSelector": {"matchLabels": SELECTOR}, "policyTypes": ["Ingress"], "ingress": [
                {"from": blocks, "ports": [{"port": 3306, "protocol": "TCP"}]}]},
        }
        docs += [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                  "metadata": {"name": name, "namespace": namespace}, "spec": spec} for name, spec in specs.items()]
    return docs


def playbooks() -> dict:
    kubeguard = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "k8s_network_policies", "kubeguard.netsec.k8s_network_policies": {
            "context": "ack-db", "namespaces": NAMESPACES, "default_deny": "both", "state": "replaced",
            "allow_from_ips": [{"name": "mysql-from-app", "sources": "{{ lookup('file', sources_file) | from_json }}",
                                "ports": [{"port": 3306}], "pod_selector": {"match_labels": SELECTOR}}]}}]}]
    core = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "kubernetes.core.k8s", "kubernetes.core.k8s": {
            "context": "ack-db", "state": "present",
            "definition": "{{ lookup('file', manifests_file) | from_json }}"}}]}]
    return bs.write_playbooks("netpol", {"kubeguard": lambda: kubeguard, "kubernetes.core": lambda: core})


def stored(kube: KubeClient) -> dict:
    """{namespace: {name: spec}} as the API server holds them."""
    return {ns: {p["metadata"]["name"]: p["spec"] for p in kube.request(
        "GET", f"apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies")["items"]} for ns in NAMESPACES}


def one_tool(tool: str, path, files: dict, ansible_env: dict, admin, kube: KubeClient) -> tuple:
    for namespace in NAMESPACES:
        kube.request("POST", "api/v1/namespaces", {"metadata": {"name": namespace}})
    runs = {}
    for scenario in SCENARIOS:
        data = "first" if scenario == "noop" else scenario
        run, _ = bs.run_playbook(tool, path, {"sources_file": str(files["sources"][data]),
                                              "manifests_file": str(files["manifests"][data])},
                                 ansible_env, admin, SERVICE)
        runs[scenario] = run
    return runs, stored(kube)


def bench(args) -> dict:
    paths = playbooks()
    files = {"sources": {}, "manifests": {}}
    for scenario in ("first", "churn"):
        for kind, build in (("sources", sources), ("manifests", manifests)):
            files[kind][scenario] = bs.BENCH_DIR / f"netpol_{kind}_{scenario}.json"
            files[kind][scenario].write_text(json.dumps(build(scenario)))
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    fresh_start, sandbox_vars, admin = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ansible_env = bs.tool_env(sandbox_vars)
    reseed = bs.Seeder(env, fresh_start)
    results = {"repetitions": args.repetitions, "runs": {tool: [] for tool in TOOLS}, "problems": [], "final": {}}
    for rep in range(args.repetitions):
        for tool in (TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))):
            print(f"repetition {rep + 1}/{args.repetitions}: {tool}", file=sys.stderr)
            reseed()
            kube = KubeClient(admin.health()["endpoints"][SERVICE])
            runs, final = one_tool(tool, paths[tool], files, ansible_env, admin, kube)
            results["runs"][tool].append(runs)
            results["final"][tool] = final
    return results


def table(s: dict) -> str:
    rows = [("scenario", "metric", "kubeguard", "kubernetes.core", "ratio k.c/kg")]
    for scenario in SCENARIOS:
        k, c = s["kubeguard"][scenario], s["kubernetes.core"][scenario]
        rows += [(scenario, "writes", str(k["writes"]), str(c["writes"]), bs.ratio(c["writes"], k["writes"])),
                 ("", "reads", str(k["reads"]), str(c["reads"]), bs.ratio(c["reads"], k["reads"])),
                 ("", "wall time, s", "%.2f" % k["wall_s"], "%.2f" % c["wall_s"], bs.ratio(c["wall_s"], k["wall_s"])),
                 ("", "changed", "/".join(str(v).lower() for v in k["changed"]),
                  "/".join(str(v).lower() for v in c["changed"]), ""), None]
    rows.pop()
    return bs.format_table(rows)


def check(results: dict, s: dict) -> None:
    problems = results["problems"]
    if s["kubeguard"]["noop"]["writes"] or any(s["kubeguard"]["noop"]["changed"]):
        problems.append(f"kubeguard's no-op run wrote {s['kubeguard']['noop']['writes']} times or reported changed")
    if s["kubeguard"]["churn"]["writes"] != len(NAMESPACES):
        problems.append(f"kubeguard's churn made {s['kubeguard']['churn']['writes']} writes, not one per namespace")
    mine, theirs = results["final"]["kubeguard"], results["final"]["kubernetes.core"]
    if mine != theirs:
        problems.append("the stored specs differ between the tools: " + bs.describe_difference(mine, theirs))


def main(argv=None) -> int:
    args = bs.parse_args(bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT), argv)
    results = bs.run_benchmark("netpol", bench, args, STATE_DIR)
    if results is None:
        return 2
    results["summary"] = s = bs.scenario_summary(results, TOOLS, SCENARIOS)
    check(results, s)
    results["versions"] = bs.versions(("ansible-core", "kubernetes"), ("kubernetes.core",))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"netpol: 3 policies x {len(NAMESPACES)} namespaces, 40-address whitelists, then a no-op run and a "
          f"4-address churn; {args.repetitions} repetition(s) per tool; {results['elapsed_s']:.0f}s in all")
    print(table(s))
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
