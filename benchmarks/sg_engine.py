#!/usr/bin/env python3
"""Benchmark: kubeguard.netsec.eks_lbc_security_groups vs amazon.aws.ec2_security_group.

The same desired state -- 3 security groups, 40 inbound rules -- is applied twice (a first run that
creates it, then a no-op re-run) by each tool, on a private sandbox (moto) started and stopped here:

* kubeguard: one ``kubeguard.netsec.eks_lbc_security_groups`` task, ``mode: custom``: two frontend
  groups (listen ports x CIDRs) and the node rules from both of them on the seeded node group.
* amazon.aws: three ``amazon.aws.ec2_security_group`` tasks producing the same groups (name,
  description, tags) and the same rules, descriptions included. The node group task uses
  ``purge_rules: false`` (the default ``true`` would revoke the node group's 8 seeded baseline rules,
  which the kubeguard task, in its default ``state: merged``, leaves alone).

Both tools get the same inputs: the VPC id and the node group id from the seed (so kubeguard does not
discover the node group; discovery would add one DescribeInstances read).

Per repetition, each tool starts from a freshly reset and seeded estate. Measured per tool and run:
wall time of the ``ansible-playbook`` process (startup included, the same for both), the tasks' own
time, and the API calls counted by the sandbox (reads, writes, per action).

The script exits non-zero when a no-op run reports ``changed`` or makes a write, when kubeguard's plan
does not authorize exactly the 40 rules, or when the final inbound rules of the three groups differ
between the tools or from the expected state (seeded baseline + the 40 rules).

    .venv/bin/python benchmarks/sg_engine.py [--repetitions 3] [--base-port 19900]

Results: a table on stdout and ``build/bench/sg_engine.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import boto3  # noqa: E402
import yaml  # noqa: E402

from sandbox.client import AdminClient  # noqa: E402

BENCH_DIR = REPO / "build" / "bench"
STATE_DIR = BENCH_DIR / "sandbox-state"
RESULTS = BENCH_DIR / "sg_engine.json"
DEFAULT_BASE_PORT = 19900
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else pathlib.Path(sys.executable)
ANSIBLE_PLAYBOOK = VENV_BIN / "ansible-playbook"
COLLECTION_LINK = REPO / "build" / "collections" / "ansible_collections" / "kubeguard" / "netsec"

CLUSTER = "demo-eks"
TOOLS = ("kubeguard", "amazon.aws")
RUNS = ("first", "noop")
MARKER = "kubeguard:lbc"  # what kubeguard appends to the descriptions it writes (purpose "lbc")
GROUP_TAG_KEYS = {"kubeguard.netsec/managed-by": "kubeguard.netsec", "kubeguard.netsec/cluster": CLUSTER}

# The desired state, written once; both playbooks are generated from it.
FRONTENDS = [
    {"name": "bench-alb-public", "description": "ALB frontend, public listeners (sg_engine benchmark)",
     "listen_ports": ["80", "443"],
     "inbound_cidrs": ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "100.64.0.0/16", "172.16.0.0/12",
                       "10.20.0.0/16"],
     "rule_description": "public listeners"},
    {"name": "bench-alb-partners", "description": "ALB frontend, partner listeners (sg_engine benchmark)",
     "listen_ports": ["443", "8443"],
     "inbound_cidrs": ["198.18.0.0/24", "198.18.1.0/24", "198.18.2.0/24", "198.18.3.0/24", "198.18.4.0/24"],
     "rule_description": "partner listeners"},
]
NODE_PORTS = ["30080", "30180", "30443", "30500", "31080", "31443", "31500", "32050", "32500"]
NODE_DESCRIPTION = "ALB to NodePorts"
EXPECTED_RULES = 40  # 2x6 + 2x5 frontend rules, 9 ports x 2 frontend sources on the node group


class BenchError(RuntimeError):
    """The benchmark could not run (sandbox, playbook failure); exit code 2."""


# --- the two playbooks ----------------------------------------------------------------------------

def kubeguard_playbook() -> list:
    task = {
        "name": "kubeguard: frontend groups and node rules (mode custom)",
        "kubeguard.netsec.eks_lbc_security_groups": {
            "cluster_name": CLUSTER,
            "mode": "custom",
            "vpc_id": "{{ vpc_id }}",
            "node_security_group": "{{ node_sg }}",
            "frontend_security_groups": [
                {k: f[k] for k in ("name", "description", "listen_ports", "inbound_cidrs", "rule_description")}
                for f in FRONTENDS],
            "node_rules": {"ports_from": "ports", "ports": NODE_PORTS, "port_compression": "exact",
                           "description": NODE_DESCRIPTION},
        },
        "register": "kubeguard",
    }
    return [{"name": "sg_engine benchmark - kubeguard.netsec", "hosts": "localhost", "gather_facts": False,
             "tasks": [task]}]


def amazon_aws_playbook() -> list:
    tasks = []
    for index, frontend in enumerate(FRONTENDS):
        tasks.append({
            "name": "amazon.aws: frontend group %s" % frontend["name"],
            "amazon.aws.ec2_security_group": {
                "name": frontend["name"],
                "description": frontend["description"],
                "vpc_id": "{{ vpc_id }}",
                # the tags kubeguard puts on a group it creates, so that the groups are the same
                "tags": dict({"Name": frontend["name"]}, **GROUP_TAG_KEYS),
                "rules": [{"proto": "tcp", "ports": frontend["listen_ports"], "cidr_ip": frontend["inbound_cidrs"],
                           "rule_desc": "%s %s" % (frontend["rule_description"], MARKER)}],
            },
            "register": "frontend%d" % index,
        })
    tasks.append({
        "name": "amazon.aws: node rules from the frontend groups",
        "amazon.aws.ec2_security_group": {
            "group_id": "{{ node_sg }}",
            # name and description are required with state present; these are the seeded group's
            "name": "{{ node_sg_name }}",
            "description": "{{ node_sg_description }}",
            "vpc_id": "{{ vpc_id }}",
            "purge_rules": False,  # keep the seeded baseline, as kubeguard's state merged does
            "rules": [{"proto": "tcp", "ports": NODE_PORTS,
                       "group_id": ["{{ frontend%d.group_id }}" % i for i in range(len(FRONTENDS))],
                       "rule_desc": "%s %s" % (NODE_DESCRIPTION, MARKER)}],
        },
    })
    return [{"name": "sg_engine benchmark - amazon.aws", "hosts": "localhost", "gather_facts": False,
             "tasks": tasks}]


PLAYBOOKS = {"kubeguard": kubeguard_playbook, "amazon.aws": amazon_aws_playbook}


# --- sandbox --------------------------------------------------------------------------------------

def sandbox_env(base_port: int) -> dict:
    env = dict(os.environ, KUBEGUARD_SANDBOX_STATE_DIR=str(STATE_DIR), KUBEGUARD_SANDBOX_BASE_PORT=str(base_port))
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


# --- one run --------------------------------------------------------------------------------------

def count_entry(entry: dict) -> int:
    """Atomic rules in one module-format rule: ports x sources."""
    sources = sum(len(entry.get(k) or []) for k in ("cidr_ip", "cidr_ipv6", "prefix_list_id", "group_id"))
    return max(1, len(entry.get("ports") or [])) * sources


def plan_counts(result: dict) -> dict:
    counts = {}
    for group_id, group_plan in (result.get("plan") or {}).items():
        counts[group_id] = dict((action, sum(count_entry(e) for e in (group_plan.get(action) or {}).get("ingress", [])))
                                for action in ("authorize", "revoke", "update_descriptions"))
    return counts


def summarise_calls(snapshot: dict) -> dict:
    by_action = {}
    for service, data in sorted(snapshot.get("services", {}).items()):
        for action, entry in sorted(data.get("actions", {}).items()):
            by_action["%s %s" % (service, action)] = {"kind": entry["kind"], "calls": entry["calls"]}
    totals = snapshot.get("totals", {})
    return {"reads": totals.get("reads", 0), "writes": totals.get("writes", 0),
            "total": totals.get("reads", 0) + totals.get("writes", 0), "faults": totals.get("faults", 0),
            "by_action": by_action}


def run_playbook(tool: str, playbook: pathlib.Path, extra_vars: dict, env: dict, admin: AdminClient) -> dict:
    command = [str(ANSIBLE_PLAYBOOK), "-c", "local", "-i", "localhost,",
               "-e", "ansible_python_interpreter=%s" % PYTHON, "-e", json.dumps(extra_vars), str(playbook)]
    admin.reset_calls()
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env=env, text=True, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - start
    calls = summarise_calls(admin.calls())
    try:
        output = json.loads(proc.stdout)
    except ValueError:
        output = None
    if proc.returncode != 0 or output is None:
        detail = proc.stdout[-3000:] if output is None else json.dumps(failed_results(output), indent=1)[-3000:]
        raise BenchError("%s playbook failed (rc %d):\n%s\n%s" % (tool, proc.returncode, detail, proc.stderr[-2000:]))
    tasks = [t for play in output["plays"] for t in play["tasks"]]
    results = [t["hosts"]["localhost"] for t in tasks]
    task_seconds = sum(duration(t["task"]) for t in tasks)
    run = {"wall_s": round(wall, 3), "task_s": round(task_seconds, 3),
           "changed": any(r.get("changed") for r in results),
           "tasks_changed": output["stats"]["localhost"].get("changed", 0), "calls": calls}
    if tool == "kubeguard":
        result = results[0]
        run["module_api_calls"] = result.get("api_calls")
        run["plan_rules"] = plan_counts(result)
        run["plan"] = result.get("plan")
        run["warnings_found"] = result.get("warnings_found")
        run["created"] = result.get("created")
    return run


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


# --- the estate as EC2 has it ---------------------------------------------------------------------

def ec2_client(sandbox_vars: dict):
    return boto3.client("ec2", endpoint_url=sandbox_vars["AWS_ENDPOINT_URL"], region_name=sandbox_vars["AWS_REGION"],
                        aws_access_key_id=sandbox_vars["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=sandbox_vars["AWS_SECRET_ACCESS_KEY"])


def normalise_permissions(permissions: list, names: dict) -> list:
    """Atomic rules (proto, from, to, source kind, source, description); group ids replaced by names."""
    protocols = {"6": "tcp", "17": "udp", "1": "icmp", "-1": "all"}
    rules = []
    for perm in permissions:
        proto = protocols.get(str(perm.get("IpProtocol")), str(perm.get("IpProtocol")))
        ports = (perm.get("FromPort", -1), perm.get("ToPort", -1))
        for entry in perm.get("IpRanges", []):
            rules.append((proto, *ports, "cidr_ip", entry["CidrIp"], entry.get("Description", "")))
        for entry in perm.get("Ipv6Ranges", []):
            rules.append((proto, *ports, "cidr_ipv6", entry["CidrIpv6"], entry.get("Description", "")))
        for entry in perm.get("PrefixListIds", []):
            rules.append((proto, *ports, "prefix_list_id", entry["PrefixListId"], entry.get("Description", "")))
        for entry in perm.get("UserIdGroupPairs", []):
            rules.append((proto, *ports, "group", names.get(entry["GroupId"], entry["GroupId"]),
                          entry.get("Description", "")))
    return sorted(rules)


def estate(ec2, vpc_id: str, node_sg: str) -> dict:
    """The three groups (node group + the frontend groups, by name), normalised; ids replaced by names."""
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    names = dict((g["GroupId"], g["GroupName"]) for g in groups)
    wanted = set([names.get(node_sg)] + [f["name"] for f in FRONTENDS])
    out = {}
    for group in groups:
        if group["GroupName"] not in wanted:
            continue
        out[group["GroupName"]] = {
            "description": group.get("Description"),
            "tags": dict(sorted((t["Key"], t["Value"]) for t in group.get("Tags", []))),
            "ingress": normalise_permissions(group.get("IpPermissions", []), names),
            "egress": normalise_permissions(group.get("IpPermissionsEgress", []), names),
        }
    return out


def expected_estate(before: dict, node_name: str) -> dict:
    """Seeded node group + the 40 desired rules, computed from the desired state (not from a tool)."""
    node_rules = [("tcp", int(p), int(p), "group", f["name"], "%s %s" % (NODE_DESCRIPTION, MARKER))
                  for p in NODE_PORTS for f in FRONTENDS]
    expected = {node_name: sorted(set(before[node_name]["ingress"]) | set(node_rules))}
    for frontend in FRONTENDS:
        expected[frontend["name"]] = sorted(
            ("tcp", int(p), int(p), "cidr_ip", c, "%s %s" % (frontend["rule_description"], MARKER))
            for p in frontend["listen_ports"] for c in frontend["inbound_cidrs"])
    return expected


def jsonable(value):
    return json.loads(json.dumps(value, default=list))


# --- the benchmark --------------------------------------------------------------------------------

def bench(args) -> dict:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    playbooks = {}
    for tool, build in PLAYBOOKS.items():
        path = BENCH_DIR / ("sg_engine_%s.yml" % tool.replace(".", "_"))
        path.write_text("# generated by benchmarks/sg_engine.py - do not edit\n" +
                        yaml.safe_dump(build(), sort_keys=False, width=120))
        playbooks[tool] = path
    env = sandbox_env(args.base_port)
    results = {"repetitions": args.repetitions, "base_port": args.base_port, "runs": dict((t, []) for t in TOOLS)}
    problems = []
    finals = {}

    print("starting a private sandbox (state %s, base port %d)" % (STATE_DIR.relative_to(REPO), args.base_port),
          file=sys.stderr)
    fresh_start = "already running" not in sandbox(env, "up")
    sandbox_vars = read_env_file(STATE_DIR / "env")
    admin = AdminClient(sandbox_vars["KUBEGUARD_SANDBOX_ADMIN_URL"])
    ansible_env = tool_env(sandbox_vars)
    ec2 = ec2_client(sandbox_vars)
    first_seed = fresh_start
    for rep in range(args.repetitions):
        order = TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))  # alternate who goes first
        for tool in order:
            if first_seed:
                sandbox(env, "seed")
                first_seed = False
            else:
                sandbox(env, "reset", "--seed")
            seed = json.loads((STATE_DIR / "seed.json").read_text())["aws"]
            vpc_id, node_sg = seed["vpc_id"], seed["security_groups"]["node"]
            before = estate(ec2, vpc_id, node_sg)
            node_name = next(name for name in before if name not in [f["name"] for f in FRONTENDS])
            extra = {"vpc_id": vpc_id, "node_sg": node_sg, "node_sg_name": node_name,
                     "node_sg_description": ec2.describe_security_groups(
                         GroupIds=[node_sg])["SecurityGroups"][0]["Description"]}
            pair = {"repetition": rep}
            for run in RUNS:
                print("repetition %d/%d: %s, %s run" % (rep + 1, args.repetitions, tool, run), file=sys.stderr)
                pair[run] = run_playbook(tool, playbooks[tool], extra, ansible_env, admin)
            after = estate(ec2, vpc_id, node_sg)
            pair["final_ingress_rules"] = dict((name, len(g["ingress"])) for name, g in after.items())
            results["runs"][tool].append(pair)
            problems += check_pair(tool, rep, pair, before, after, node_name)
            finals.setdefault(tool, after)
            if finals[tool] != after:
                problems.append("%s: final estate of repetition %d differs from repetition 1" % (tool, rep + 1))
    kg, aa = finals.get("kubeguard"), finals.get("amazon.aws")
    if kg != aa:
        problems.append("the final estates differ between the tools: %s" % describe_difference(
            kg, aa, ("only with kubeguard", "only with amazon.aws")))
    results["final_estate"] = jsonable(kg)
    results["final_estates_identical"] = kg == aa
    results["problems"] = problems
    return results


def check_pair(tool: str, rep: int, pair: dict, before: dict, after: dict, node_name: str) -> list:
    problems = []
    where = "%s (repetition %d)" % (tool, rep + 1)
    if not pair["first"]["changed"]:
        problems.append("%s: the first run reported no change" % where)
    if pair["noop"]["changed"]:
        problems.append("%s: the no-op run reported changed (%d task(s))" % (where, pair["noop"]["tasks_changed"]))
    if pair["noop"]["calls"]["writes"]:
        problems.append("%s: the no-op run made %d write call(s)" % (where, pair["noop"]["calls"]["writes"]))
    if tool == "kubeguard":
        authorized = sum(c["authorize"] for c in pair["first"]["plan_rules"].values())
        revoked = sum(c["revoke"] for c in pair["first"]["plan_rules"].values())
        if authorized != EXPECTED_RULES or revoked:
            problems.append("%s: the first run's plan authorizes %d and revokes %d rules (expected %d and 0)" %
                            (where, authorized, revoked, EXPECTED_RULES))
        if any(sum(c.values()) for c in pair["noop"]["plan_rules"].values()):
            problems.append("%s: the no-op run's plan is not empty: %s" % (where, pair["noop"]["plan_rules"]))
        for run in RUNS:
            reported = pair[run].get("module_api_calls") or {}
            counted = pair[run]["calls"]
            if (reported.get("reads"), reported.get("writes")) != (counted["reads"], counted["writes"]):
                problems.append("%s, %s run: the module reports %s reads/%s writes, the sandbox counted %d/%d" %
                                (where, run, reported.get("reads"), reported.get("writes"), counted["reads"],
                                 counted["writes"]))
    expected = expected_estate(before, node_name)
    for name, rules in expected.items():
        got = after.get(name, {}).get("ingress")
        if got != rules:
            problems.append("%s: group %s does not hold the expected inbound rules: %s" % (
                where, name, describe_difference(rules, got)))
    added = sum(len(after[n]["ingress"]) for n in after) - len(before[node_name]["ingress"])
    if added != EXPECTED_RULES:
        problems.append("%s: the three groups gained %d inbound rules, expected %d" % (where, added, EXPECTED_RULES))
    return problems


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


# --- report ---------------------------------------------------------------------------------------

def summarise(results: dict) -> dict:
    summary = {}
    for tool, pairs in results["runs"].items():
        summary[tool] = {}
        for run in RUNS:
            runs = [p[run] for p in pairs]
            actions = sorted(set(a for r in runs for a in r["calls"]["by_action"]))
            by_action = dict((a, median_int([r["calls"]["by_action"].get(a, {}).get("calls", 0) for r in runs]))
                             for a in actions)
            summary[tool][run] = {
                "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 3),
                "wall_s": [r["wall_s"] for r in runs],
                "task_s_median": round(statistics.median(r["task_s"] for r in runs), 3),
                "reads": median_int([r["calls"]["reads"] for r in runs]),
                "writes": median_int([r["calls"]["writes"] for r in runs]),
                "total_calls": median_int([r["calls"]["total"] for r in runs]),
                "calls_stable": len(set(json.dumps(r["calls"], sort_keys=True) for r in runs)) == 1,
                "by_action": by_action,
                "changed": [r["changed"] for r in runs],
            }
    return summary


def plan_summary(run: dict) -> str:
    names = dict((c["group_id"], key) for key, c in (run.get("created") or {}).items())
    counts = run.get("plan_rules") or {}
    parts = ["%s %d" % (names.get(gid, "node group"), c["authorize"]) for gid, c in sorted(
        counts.items(), key=lambda item: names.get(item[0], "~"))]
    revoked = sum(c["revoke"] for c in counts.values())
    return "%d (%s)%s" % (sum(c["authorize"] for c in counts.values()), ", ".join(parts),
                          ", revoked %d" % revoked if revoked else "")


def median_int(values: list):
    value = statistics.median(values)
    return int(value) if float(value).is_integer() else value


def ratio(aa, kg) -> str:
    if not kg:
        return "-" if not aa else "(kg 0)"
    return "%.1fx" % (aa / kg)


def table(summary: dict, results: dict) -> str:
    kg, aa = summary["kubeguard"], summary["amazon.aws"]
    rows = [("", "metric", "kubeguard", "amazon.aws", "aa/kg")]
    for run, label in (("first", "first run"), ("noop", "no-op run")):
        k, a = kg[run], aa[run]
        rows.append((label, "wall time, s (median)", "%.2f" % k["wall_s_median"], "%.2f" % a["wall_s_median"],
                     ratio(a["wall_s_median"], k["wall_s_median"])))
        rows.append(("", "  of which in tasks, s", "%.2f" % k["task_s_median"], "%.2f" % a["task_s_median"],
                     ratio(a["task_s_median"], k["task_s_median"])))
        for key, name in (("total_calls", "API calls"), ("reads", "  reads"), ("writes", "  writes")):
            rows.append(("", name, str(k[key]), str(a[key]), ratio(a[key], k[key])))
        for action in sorted(set(k["by_action"]) | set(a["by_action"])):
            kv, av = k["by_action"].get(action, 0), a["by_action"].get(action, 0)
            rows.append(("", "    " + action, str(kv), str(av), ratio(av, kv)))
        rows.append(("", "changed", "/".join(str(c).lower() for c in k["changed"]),
                     "/".join(str(c).lower() for c in a["changed"]), ""))
        rows.append(None)
    rows.pop()
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


def versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("ansible-core", "ansible", "boto3", "botocore", "moto"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    try:
        import ansible_collections.amazon.aws as amazon_aws

        manifest = pathlib.Path(list(amazon_aws.__path__)[0]) / "MANIFEST.json"
        out["amazon.aws"] = json.loads(manifest.read_text())["collection_info"]["version"]
    except (ImportError, OSError, ValueError, KeyError):
        out["amazon.aws"] = None
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", "-n", type=int, default=3,
                        help="repetitions of the first + no-op pair per tool (default 3)")
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("KUBEGUARD_BENCH_BASE_PORT",
                                                                             DEFAULT_BASE_PORT)),
                        help="base port of the private sandbox (default %d or $KUBEGUARD_BENCH_BASE_PORT)" %
                        DEFAULT_BASE_PORT)
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")
    if not ANSIBLE_PLAYBOOK.exists():
        print("sg_engine: %s not found; run `make venv`" % ANSIBLE_PLAYBOOK, file=sys.stderr)
        return 2
    if not COLLECTION_LINK.exists():
        print("sg_engine: %s not found; run `make collection-link`" % COLLECTION_LINK, file=sys.stderr)
        return 2

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    started = time.perf_counter()
    env = sandbox_env(args.base_port)
    try:
        results = bench(args)
    except BenchError as exc:
        print("sg_engine: %s" % exc, file=sys.stderr)
        return 2
    finally:
        try:
            print(sandbox(env, "down", timeout=60).strip(), file=sys.stderr)
        except (BenchError, subprocess.TimeoutExpired) as exc:
            print("sg_engine: stopping the sandbox failed: %s" % exc, file=sys.stderr)
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    results["versions"] = versions()
    results["desired_state"] = {
        "groups": [f["name"] for f in FRONTENDS] + ["<seeded node group>"],
        "inbound_rules": EXPECTED_RULES,
        "frontends": FRONTENDS, "node_ports": NODE_PORTS, "node_rule_sources": [f["name"] for f in FRONTENDS],
        "amazon_aws_node_group": "purge_rules: false (the seeded baseline stays, as with kubeguard state merged)",
        "inputs_given_to_both": ["vpc_id", "node security group id"],
    }
    summary = summarise(results)
    results["summary"] = summary
    results["ratios_amazon_aws_over_kubeguard"] = dict(
        (run, dict((key, round(summary["amazon.aws"][run][key] / summary["kubeguard"][run][key], 2)
                    if summary["kubeguard"][run][key] else None)
                   for key in ("wall_s_median", "task_s_median", "total_calls", "reads", "writes")))
        for run in RUNS)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")

    print("sg_engine: the same desired state, 3 security groups and %d inbound rules, applied by each tool twice "
          "(first run, no-op run); %d repetition(s) per tool, each from a fresh reset+seed; %.0fs in all" % (
              EXPECTED_RULES, args.repetitions, results["elapsed_s"]))
    print("kubeguard's first-run plans authorized: %s" % "; ".join(
        plan_summary(pair["first"]) for pair in results["runs"]["kubeguard"]))
    print(table(summary, results))
    for tool in TOOLS:
        for run in RUNS:
            if not summary[tool][run]["calls_stable"]:
                print("note: %s %s run: the call counts varied between repetitions (medians shown)" % (tool, run))
    print("final state of the three groups (in+out rules, descriptions, tags) identical between the tools: %s" %
          ("yes" if results["final_estates_identical"] else "NO"))
    print("results: %s" % RESULTS.relative_to(REPO))
    for problem in results["problems"]:
        print("FAIL: %s" % problem)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
