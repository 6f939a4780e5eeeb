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

import json
import sys

import boto3

import bench_support as bs

STATE_DIR = bs.BENCH_DIR / "sandbox-state"
RESULTS = bs.BENCH_DIR / "sg_engine.json"
DEFAULT_BASE_PORT = 19900

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


def run_playbook(tool: str, playbook, extra_vars: dict, env: dict, admin) -> dict:
    run, results = bs.run_playbook(tool, playbook, extra_vars, env, admin)
    if tool == "kubeguard":
        result = results[0]
        run["module_api_calls"] = result.get("api_calls")
        run["plan_rules"] = plan_counts(result)
        run["plan"] = result.get("plan")
        run["warnings_found"] = result.get("warnings_found")
        run["created"] = result.get("created")
    return run


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


# --- the benchmark --------------------------------------------------------------------------------

def bench(args) -> dict:
    playbooks = bs.write_playbooks("sg_engine", PLAYBOOKS)
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    results = {"repetitions": args.repetitions, "base_port": args.base_port, "runs": dict((t, []) for t in TOOLS)}
    problems = []
    finals = {}

    fresh_start, sandbox_vars, admin = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ansible_env = bs.tool_env(sandbox_vars)
    ec2 = ec2_client(sandbox_vars)
    reseed = bs.Seeder(env, fresh_start)
    for rep in range(args.repetitions):
        order = TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))  # alternate who goes first
        for tool in order:
            reseed()
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
        problems.append("the final estates differ between the tools: %s" % bs.describe_difference(
            kg, aa, ("only with kubeguard", "only with amazon.aws")))
    results["final_estate"] = bs.jsonable(kg)
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
                where, name, bs.describe_difference(rules, got)))
    added = sum(len(after[n]["ingress"]) for n in after) - len(before[node_name]["ingress"])
    if added != EXPECTED_RULES:
        problems.append("%s: the three groups gained %d inbound rules, expected %d" % (where, added, EXPECTED_RULES))
    return problems


# --- report ---------------------------------------------------------------------------------------

def plan_summary(run: dict) -> str:
    names = dict((c["group_id"], key) for key, c in (run.get("created") or {}).items())
    counts = run.get("plan_rules") or {}
    parts = ["%s %d" % (names.get(gid, "node group"), c["authorize"]) for gid, c in sorted(
        counts.items(), key=lambda item: names.get(item[0], "~"))]
    revoked = sum(c["revoke"] for c in counts.values())
    return "%d (%s)%s" % (sum(c["authorize"] for c in counts.values()), ", ".join(parts),
                          ", revoked %d" % revoked if revoked else "")


def table(summary: dict, results: dict) -> str:
    return bs.comparison_table(("kubeguard", "amazon.aws", "aa/kg"), summary["kubeguard"], summary["amazon.aws"],
                               lambda kg, aa: bs.ratio(aa, kg))


def main(argv=None) -> int:
    args = bs.parse_args(bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT), argv)
    results = bs.run_benchmark("sg_engine", bench, args, STATE_DIR)
    if results is None:
        return 2
    results["versions"] = bs.versions(("ansible-core", "ansible", "boto3", "botocore", "moto"), ("amazon.aws",))
    results["desired_state"] = {
        "groups": [f["name"] for f in FRONTENDS] + ["<seeded node group>"],
        "inbound_rules": EXPECTED_RULES,
        "frontends": FRONTENDS, "node_ports": NODE_PORTS, "node_rule_sources": [f["name"] for f in FRONTENDS],
        "amazon_aws_node_group": "purge_rules: false (the seeded baseline stays, as with kubeguard state merged)",
        "inputs_given_to_both": ["vpc_id", "node security group id"],
    }
    summary = bs.summarise(results, RUNS)
    results["summary"] = summary
    results["ratios_amazon_aws_over_kubeguard"] = bs.ratios(summary, "amazon.aws", "kubeguard", RUNS)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")

    print("sg_engine: the same desired state, 3 security groups and %d inbound rules, applied by each tool twice "
          "(first run, no-op run); %d repetition(s) per tool, each from a fresh reset+seed; %.0fs in all" % (
              EXPECTED_RULES, args.repetitions, results["elapsed_s"]))
    print("kubeguard's first-run plans authorized: %s" % "; ".join(
        plan_summary(pair["first"]) for pair in results["runs"]["kubeguard"]))
    print(table(summary, results))
    bs.calls_stability_notes(summary, TOOLS, RUNS)
    print("final state of the three groups (in+out rules, descriptions, tags) identical between the tools: %s" %
          ("yes" if results["final_estates_identical"] else "NO"))
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
