"""ack_slb_acl vs plain tasks (a loop calling the CLB API through the SDK): 300 whitelist entries from empty,
then a 10 % churn of them (30 out, 30 in), on the seeded database CLB's listener.

    .venv/bin/python benchmarks/slb_acl.py [--repetitions 3] [--base-port 19850]

Each tool gets a fresh seed per repetition; each scenario is its own ansible-playbook process (the plain
tool's one task runs benchmarks/plain_acl.py). The sandbox counts the CLB calls of each run; the table
shows them against the minimum possible number of writes (1 create + 6 adds of 50 + 1 bind from empty;
1 add + 1 remove for the churn), and the wall time.
"""

from __future__ import annotations

import json
import sys

import bench_support as bs

STATE_DIR = bs.BENCH_DIR / "slb_acl-sandbox-state"
RESULTS = bs.BENCH_DIR / "slb_acl.json"
DEFAULT_BASE_PORT = 19850
TOOLS = ("kubeguard", "plain")
SCENARIOS = ("from_empty", "churn")
MINIMUM_WRITES = {"from_empty": 8, "churn": 2}
NAME = "abc-185-mysql-uat"


def entries(scenario: str) -> list:
    first = [{"cidr": f"10.{20 + i // 250}.{i % 250}.1/32", "comment": f"kubeguard:bench/pod-{i}"}
             for i in range(300)]
    if scenario == "from_empty":
        return first
    return first[30:] + [{"cidr": f"10.30.{i}.1/32", "comment": f"kubeguard:bench/new-{i}"} for i in range(30)]


def playbooks() -> dict:
    kubeguard = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "ack_slb_acl", "kubeguard.netsec.ack_slb_acl": {
            "name": NAME, "state": "replaced", "entries": "{{ lookup('file', entries_file) | from_json }}",
            "listeners": [{"load_balancer_id": "{{ lb_id }}", "port": 3306}]}}]}]
    plain = [{"hosts": "localhost", "gather_facts": False, "tasks": [{
        "name": "a loop calling the API through the SDK",
        "ansible.builtin.command": {"argv": ["{{ ansible_playbook_python }}", str(bs.REPO / "benchmarks/plain_acl.py"),
                                             NAME, "{{ lb_id }}", "3306", "{{ entries_file }}"]},
        "register": "out", "changed_when": "(out.stdout | from_json).changed"}]}]
    return bs.write_playbooks("slb_acl", {"kubeguard": lambda: kubeguard, "plain": lambda: plain})


def bench(args) -> dict:
    paths = playbooks()
    files = {}
    for scenario in SCENARIOS:
        files[scenario] = bs.BENCH_DIR / f"slb_acl_{scenario}.json"
        files[scenario].write_text(json.dumps(entries(scenario)))
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    fresh_start, sandbox_vars, admin = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ansible_env = bs.tool_env(sandbox_vars)
    reseed = bs.Seeder(env, fresh_start)
    results = {"repetitions": args.repetitions, "runs": {tool: [] for tool in TOOLS}, "problems": []}
    for rep in range(args.repetitions):
        for tool in (TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))):
            reseed()
            lb_id = json.loads((STATE_DIR / "seed.json").read_text())["alibaba"]["db_load_balancer_id"]
            pair = {}
            for scenario in SCENARIOS:
                print(f"repetition {rep + 1}/{args.repetitions}: {tool}, {scenario}", file=sys.stderr)
                run, _ = bs.run_playbook(tool, paths[tool], {"lb_id": lb_id, "entries_file": str(files[scenario])},
                                         ansible_env, admin, "slb")
                pair[scenario] = run
            results["runs"][tool].append(pair)
    return results


def table(s: dict) -> str:
    rows = [("scenario", "metric", "kubeguard", "plain", "minimum")]
    for scenario in SCENARIOS:
        k, p = s["kubeguard"][scenario], s["plain"][scenario]
        rows += [(scenario, "writes", str(k["writes"]), str(p["writes"]), str(MINIMUM_WRITES[scenario])),
                 ("", "reads", str(k["reads"]), str(p["reads"]), ""),
                 ("", "injected faults", str(k["faults"]), str(p["faults"]), ""),
                 ("", "wall time, s", "%.2f" % k["wall_s"], "%.2f" % p["wall_s"], ""), None]
    rows.pop()
    return bs.format_table(rows)


def main(argv=None) -> int:
    args = bs.parse_args(bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT), argv)
    results = bs.run_benchmark("slb_acl", bench, args, STATE_DIR)
    if results is None:
        return 2
    results["summary"] = s = bs.scenario_summary(results, TOOLS, SCENARIOS)
    for scenario in SCENARIOS:
        if s["kubeguard"][scenario]["writes"] != MINIMUM_WRITES[scenario]:
            results["problems"].append(f"kubeguard made {s['kubeguard'][scenario]['writes']} writes in {scenario}, "
                                       f"not the minimum {MINIMUM_WRITES[scenario]}")
    results["versions"] = bs.versions(("ansible-core", "alibabacloud-slb20140515"))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"slb_acl: 300 entries from empty, then a 10 % churn, on the database CLB's listener; "
          f"{args.repetitions} repetition(s) per tool; {results['elapsed_s']:.0f}s in all")
    print(table(s))
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
