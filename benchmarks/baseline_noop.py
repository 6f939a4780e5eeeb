#!/usr/bin/env python3
"""Benchmark: the prod baseline's no-op re-run (playbooks/harden.yml) against the same end state written with
amazon.aws and kubernetes.core modules only (benchmarks/plain_baseline/harden.yml).

    .venv/bin/python benchmarks/baseline_noop.py [--repetitions 3] [--base-port 19700]

On a private sandbox (started and stopped here): ``seed``, then playbooks/harden.yml on inventories/sandbox
(demo-eks, ack-app, ack-db; forks 5) converges the estate. The script then reads the converged estate (boto3, the
Kubernetes API, the CLB API) and writes it as the plain playbook's data (build/bench/baseline_noop/plain-inventory):
the security groups kubeguard manages with their rules as they stand (the VPC's default group included), the
NetworkPolicies, the Ingresses' and the database Service's annotations, the load balancer controller's args, the
amazon-vpc-cni key, and the fixed-IP end state on ack-app (eni-config, the PodNetworking, the namespace label, the
StatefulSet and its headless Service, the Deployment at 0 replicas); the CLB whitelist goes through
benchmarks/plain_acl.py, the SDK loop of slb_acl.py.

Each repetition (the order alternates) runs, on the converged estate:

* kubeguard: ``playbooks/harden.yml --skip-tags audit`` (the EKS and ACK plays; the plain playbook has no audit);
* plain: ``benchmarks/plain_baseline/harden.yml`` on the plain inventory (the same three hosts, forks 5);
* audit: ``playbooks/audit.yml`` alone, harden.yml's third play (read only), for the record.

Every run is its own ansible-playbook process with an empty TMPDIR (kubernetes.core's discovery cache is cold for
both). Measured: wall time, the calls the sandbox counted on the client services (ec2, elbv2, eks, sts, slb,
k8s:<cluster>; not the simulated controllers' ec2:lbc, elbv2:lbc, slb:ccm), reads and writes per service, and the
changed tasks. After every run the script reads the estate again and compares it with the converged one.

Checks (exit 1): kubeguard's and the audit's no-op runs make no write on the client services and report no change;
after every run of every tool the estate is the converged one. The plain playbook's writes and changed tasks are
reported, not checked. Exit 2 when the benchmark could not run.

Results: a table on stdout and build/bench/baseline_noop.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys

import boto3
import yaml

import bench_support as bs
import plain_acl
from sg_engine import normalise_permissions

from sandbox.k8s_client import KubeClient

STATE_DIR = bs.BENCH_DIR / "baseline_noop-sandbox-state"
WORK = bs.BENCH_DIR / "baseline_noop"
RESULTS = bs.BENCH_DIR / "baseline_noop.json"
DEFAULT_BASE_PORT = 19700  # the sandbox listens on base .. base + 13

INVENTORY = bs.REPO / "inventories" / "sandbox"
HARDEN = bs.REPO / "playbooks" / "harden.yml"
AUDIT = bs.REPO / "playbooks" / "audit.yml"
PLAIN = bs.REPO / "benchmarks" / "plain_baseline" / "harden.yml"
PLAIN_INVENTORY = WORK / "plain-inventory"
FORKS = 5
HOSTS = ("demo-eks", "ack-app", "ack-db")
TOOLS = ("kubeguard", "plain", "audit")
COMPARED = ("kubeguard", "plain")
LBC_DEPLOYMENT = ("kube-system", "aws-load-balancer-controller")
VPC_CNI = ("kube-system", "amazon-vpc-cni", "enable-network-policy-controller")  # what eks.yml patches
ENI_CONFIG = ("kube-system", "eni-config", "eni_conf")
MANAGED = "netsec.kubeguard.io/managed-annotations"
PN_API = "apis/network.alibabacloud.com/v1beta1"
NOT_COMPARED = [
    "the audit (harden.yml's third play, read only): measured alone, no plain equivalent",
    "the plain playbook holds the end state, it could not produce it: no make-before-break, no plan before the "
    "first write, no verification of the pods' fixed IPs (kubeguard re-verifies them on every run: the PodENI "
    "and pod reads on ack-app), and the IPs are written in, not followed when pods move",
    "the Terway restart and the nodes' trunk ENIs (events and controller state, nothing to declare)",
]


# --- what the baseline manages, from the sandbox inventory's host_vars ----------------------------

def host_vars() -> dict:
    return {host: yaml.safe_load((INVENTORY / "host_vars" / ("%s.yml" % host)).read_text()) for host in HOSTS}


def ns_path(api: str, plural: str, namespace: str, name: str = "") -> str:
    return "%s/namespaces/%s/%s%s" % (api, namespace, plural, "/" + name if name else "")


def targets(hv: dict) -> dict:
    """Per plain host (a cluster, its kubeconfig context): the namespaces whose NetworkPolicies the baseline writes,
    the other objects it writes (``objects``: whole, REST paths; ``patches``: (REST path, which fields)), and on
    demo-eks the frontend groups, on ack-db the CLB whitelist."""
    eks = hv["demo-eks"]
    app, db = hv["ack-db"]["ack_fixed_ip_whitelist_app"], hv["ack-db"]["ack_fixed_ip_whitelist_database"]
    app_ns, deploy = app["namespace"], app["convert_deployment"]
    ingresses = [ns_path("apis/networking.k8s.io/v1", "ingresses", ns, name)
                 for item in eks["eks_lbc_security_annotations"] for ns in item["namespaces"] for name in item["names"]]
    return {
        "demo-eks": {
            "policy_namespaces": eks["k8s_network_isolation_namespaces"],
            "objects": [],
            "patches": [(p, "managed-annotations") for p in ingresses] + [
                (ns_path("apis/apps/v1", "deployments", *LBC_DEPLOYMENT), "container-args"),
                (ns_path("api/v1", "configmaps", VPC_CNI[0], VPC_CNI[1]), ("data", VPC_CNI[2]))],
            "frontends": [f["name"] for f in eks["eks_lbc_security_security_groups"]["frontend_security_groups"]],
        },
        "ack-app": {
            "policy_namespaces": hv["ack-app"]["k8s_network_isolation_namespaces"],
            "objects": ["%s/podnetworkings/%s" % (PN_API, app["pod_networking"]["name"]),
                        ns_path("api/v1", "services", app_ns, deploy + "-headless"),
                        ns_path("apis/apps/v1", "statefulsets", app_ns, deploy)],
            "patches": [(ns_path("api/v1", "configmaps", ENI_CONFIG[0], ENI_CONFIG[1]), ("data", ENI_CONFIG[2])),
                        ("api/v1/namespaces/%s" % app_ns,
                         ("labels", *app["pod_networking"]["namespace_selector"]["match_labels"])),
                        (ns_path("apis/apps/v1", "deployments", app_ns, deploy), "replicas")],
        },
        "ack-db": {
            "policy_namespaces": [db["namespace"]] + hv["ack-db"]["k8s_network_isolation_namespaces"],
            "objects": [],
            "patches": [(ns_path("api/v1", "services", db["namespace"], db["service"]), "managed-annotations")],
            "acl": {"name": db["acl_name"], "port": db.get("port", 3306)},
        },
    }


# --- the estate as the APIs have it (the script's own view) ---------------------------------------

class Estate:
    def __init__(self, sandbox_vars: dict, admin, seed: dict, hv: dict) -> None:
        self.ec2 = boto3.client("ec2", endpoint_url=sandbox_vars["AWS_ENDPOINT_URL"],
                                region_name=sandbox_vars["AWS_REGION"],
                                aws_access_key_id=sandbox_vars["AWS_ACCESS_KEY_ID"],
                                aws_secret_access_key=sandbox_vars["AWS_SECRET_ACCESS_KEY"])
        os.environ.update((k, v) for k, v in sandbox_vars.items() if k.startswith("ALIBABA_CLOUD_"))
        self.slb = plain_acl.client()
        endpoints = admin.health()["endpoints"]
        self.kube = {host: KubeClient(endpoints["k8s:%s" % host]) for host in HOSTS}
        self.seed = seed
        self.targets = targets(hv)
        self.vpc_id = seed["aws"]["vpc_id"]
        self.lb_id = seed["alibaba"]["db_load_balancer_id"]

    # security groups
    def groups(self) -> list:
        answer = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])
        return answer["SecurityGroups"]

    def managed_groups(self, groups: list) -> list:
        """The groups the baseline manages: the cluster and node groups, the frontend groups, the VPC's default."""
        ids = {self.seed["aws"]["security_groups"]["cluster"], self.seed["aws"]["security_groups"]["node"]}
        names = set(self.targets["demo-eks"]["frontends"]) | {"default"}
        found = [g for g in groups if g["GroupId"] in ids or g["GroupName"] in names]
        if len(found) != len(ids) + len(names):
            raise bs.BenchError("expected the groups %s and %s, found %s" % (sorted(ids), sorted(names),
                                                                           [g["GroupName"] for g in found]))
        return sorted(found, key=lambda g: g["GroupName"])

    # Kubernetes
    def get(self, host: str, path: str) -> dict:
        return self.kube[host].request("GET", path)

    def policies(self, host: str) -> list:
        out = []
        for ns in self.targets[host]["policy_namespaces"]:
            out += [dict(item, apiVersion="networking.k8s.io/v1", kind="NetworkPolicy")  # list items carry neither
                    for item in self.get(host, ns_path("apis/networking.k8s.io/v1", "networkpolicies", ns))["items"]]
        return out

    # CLB
    def acl(self, name: str, port: int) -> dict:
        from alibabacloud_slb20140515 import models

        region = os.environ["ALIBABA_CLOUD_REGION_ID"]
        found = [a for a in plain_acl.patiently(self.slb.describe_access_control_lists,
                                                models.DescribeAccessControlListsRequest(
                                                    region_id=region, acl_name=name, page_size=50)).acls.acl
                 if a.acl_name == name]
        entries, acl_id = [], None
        if found:
            acl_id, page = found[0].acl_id, 1
            while True:
                body = plain_acl.patiently(self.slb.describe_access_control_list_attribute,
                                           models.DescribeAccessControlListAttributeRequest(
                                               region_id=region, acl_id=acl_id, page=page, page_size=50))
                entries += [{"cidr": e.acl_entry_ip, "comment": e.acl_entry_comment} for e in body.acl_entrys.acl_entry]
                if len(entries) >= body.total_acl_entry or not body.acl_entrys.acl_entry:
                    break
                page += 1
        listener = plain_acl.patiently(self.slb.describe_load_balancer_tcplistener_attribute,
                                       models.DescribeLoadBalancerTCPListenerAttributeRequest(
                                           region_id=region, load_balancer_id=self.lb_id, listener_port=port))
        return {"acl_id": acl_id, "entries": sorted(entries, key=lambda e: e["cidr"]),
                "listener": {"acl_status": listener.acl_status, "acl_type": listener.acl_type,
                             "acl_id": listener.acl_id}}

    def snapshot(self) -> dict:
        """Everything the baseline manages, normalised; ``resource_versions`` apart (not part of the state)."""
        groups = self.groups()
        names = {g["GroupId"]: g["GroupName"] for g in groups}
        state = {"security_groups": {g["GroupName"]: {
            "description": g.get("Description"),
            "tags": dict(sorted((t["Key"], t["Value"]) for t in g.get("Tags", []))),
            "ingress": normalise_permissions(g.get("IpPermissions", []), names),
            "egress": normalise_permissions(g.get("IpPermissionsEgress", []), names)} for g in groups}}
        versions = {}
        for host in HOSTS:
            objects = {}
            paths = [p for p in self.targets[host]["objects"]] + [p for p, _ in self.targets[host]["patches"]]
            items = [(p, self.get(host, p)) for p in paths]
            items += [(ns_path("apis/networking.k8s.io/v1", "networkpolicies", o["metadata"]["namespace"],
                               o["metadata"]["name"]), o) for o in self.policies(host)]
            for path, obj in items:
                meta = obj["metadata"]
                objects[path] = {"labels": meta.get("labels") or {}, "annotations": meta.get("annotations") or {},
                                 "spec": obj.get("spec"), "data": obj.get("data")}
                versions["%s %s" % (host, path)] = meta.get("resourceVersion")
            state[host] = objects
        target = self.targets["ack-db"]["acl"]
        state["clb"] = self.acl(target["name"], target["port"])
        return {"state": bs.jsonable(state), "resource_versions": versions}


# --- the plain playbook's data ----------------------------------------------------------------------

def ec2_rules(permissions: list) -> list:
    """amazon.aws.ec2_security_group rules, one per source, descriptions as they stand."""
    rules = []
    for perm in permissions:
        proto = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(str(perm["IpProtocol"]), perm["IpProtocol"])
        base = {"proto": proto}
        if proto != "all":
            base.update(from_port=perm.get("FromPort"), to_port=perm.get("ToPort"))
        sources = ([("cidr_ip", e["CidrIp"], e) for e in perm.get("IpRanges", [])] +
                   [("cidr_ipv6", e["CidrIpv6"], e) for e in perm.get("Ipv6Ranges", [])] +
                   [("ip_prefix", e["PrefixListId"], e) for e in perm.get("PrefixListIds", [])] +
                   [("group_id", e["GroupId"], e) for e in perm.get("UserIdGroupPairs", [])])
        for key, value, entry in sources:
            rule = dict(base, **{key: value})
            if entry.get("Description"):
                rule["rule_desc"] = entry["Description"]
            rules.append(rule)
    return rules


def manifest(obj: dict) -> dict:
    meta = obj["metadata"]
    out = {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
           "metadata": {k: meta[k] for k in ("name", "namespace", "labels", "annotations") if meta.get(k)}}
    for key in ("spec", "data"):
        if key in obj:
            out[key] = obj[key]
    return out


def patch(obj: dict, fields) -> dict:
    """Only the fields the baseline sets, as they stand."""
    meta = obj["metadata"]
    out = {"apiVersion": obj["apiVersion"], "kind": obj["kind"],
           "metadata": {k: meta[k] for k in ("name", "namespace") if meta.get(k)}}
    if fields == "managed-annotations":
        keys = json.loads(meta["annotations"][MANAGED])
        out["metadata"]["annotations"] = {k: meta["annotations"][k] for k in keys}
    elif fields == "container-args":
        out["spec"] = {"template": {"spec": {"containers": [{"name": c["name"], "args": c["args"]}
                                                            for c in obj["spec"]["template"]["spec"]["containers"]]}}}
    elif fields == "replicas":
        out["spec"] = {"replicas": obj["spec"]["replicas"]}
    elif fields[0] == "data":
        out["data"] = {fields[1]: obj["data"][fields[1]]}
    elif fields[0] == "labels":
        out["metadata"]["labels"] = {k: meta["labels"][k] for k in fields[1:]}
    return out


def write_plain_inventory(estate: Estate) -> dict:
    """The converged estate as the plain playbook's host_vars; returns what was written, per host."""
    if PLAIN_INVENTORY.exists():
        shutil.rmtree(PLAIN_INVENTORY)
    (PLAIN_INVENTORY / "host_vars").mkdir(parents=True)
    inventory = {"all": {"vars": {"ansible_connection": "local",
                                  "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                         "hosts": {host: None for host in HOSTS}}}
    (PLAIN_INVENTORY / "hosts.yml").write_text("# generated by benchmarks/baseline_noop.py - do not edit\n" +
                                               yaml.safe_dump(inventory, sort_keys=False))
    data = {}
    for host in HOSTS:
        t = estate.targets[host]
        hv = {"plain_context": host}
        if host == "demo-eks":
            hv["plain_security_groups"] = [{
                "group_id": g["GroupId"], "name": g["GroupName"], "description": g["Description"],
                "vpc_id": estate.vpc_id, "rules": ec2_rules(g.get("IpPermissions", [])),
                "rules_egress": ec2_rules(g.get("IpPermissionsEgress", []))}
                for g in estate.managed_groups(estate.groups())]
        hv["plain_objects"] = ([manifest(p) for p in estate.policies(host)] +
                               [manifest(estate.get(host, path)) for path in t["objects"]])
        hv["plain_patches"] = [patch(estate.get(host, path), fields) for path, fields in t["patches"]]
        if "acl" in t:
            acl = estate.acl(t["acl"]["name"], t["acl"]["port"])
            entries_file = WORK / "plain_acl_entries.json"
            entries_file.write_text(json.dumps(acl["entries"], indent=1) + "\n")
            hv["plain_acl"] = {"name": t["acl"]["name"], "load_balancer_id": estate.lb_id, "port": t["acl"]["port"],
                               "entries_file": str(entries_file)}
        (PLAIN_INVENTORY / "host_vars" / ("%s.yml" % host)).write_text(
            "# generated by benchmarks/baseline_noop.py from the converged estate - do not edit\n" +
            yaml.safe_dump(hv, sort_keys=False, width=120))
        data[host] = {"security_groups": len(hv.get("plain_security_groups", [])),
                      "security_group_rules": sum(len(g["rules"]) + len(g["rules_egress"])
                                                  for g in hv.get("plain_security_groups", [])),
                      "objects": len(hv["plain_objects"]), "patches": len(hv["plain_patches"]),
                      "acl_entries": len(acl["entries"]) if "acl" in t else 0}
    return data


# --- the benchmark --------------------------------------------------------------------------------

# what each run is: (playbook, inventory, extra arguments)
RUNS = {"converge": (HARDEN, INVENTORY, ()),
        "kubeguard": (HARDEN, INVENTORY, ("--skip-tags", "audit")),
        "plain": (PLAIN, PLAIN_INVENTORY, ()),
        "audit": (AUDIT, INVENTORY, ())}


def run(tool: str, ansible_env: dict, admin, tmp_name: str) -> dict:
    """One ansible-playbook process (forks 5, an empty TMPDIR), once the simulated controllers have settled."""
    admin.settle(60)
    playbook, inventory, args = RUNS[tool]
    return bs.run_inventory_playbook(tool, playbook, inventory, ansible_env, admin, FORKS, args=args,
                                     tmp_dir=WORK / "tmp" / tmp_name, state_dir=STATE_DIR)


def bench(args) -> dict:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    fresh_start, sandbox_vars, admin = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ansible_env = dict(bs.tool_env(sandbox_vars), KUBEGUARD_REPORT_DIR=str(WORK / "reports"))
    bs.Seeder(env, fresh_start)()
    seed = json.loads((STATE_DIR / "seed.json").read_text())
    estate = Estate(sandbox_vars, admin, seed, host_vars())
    results = {"repetitions": args.repetitions, "base_port": args.base_port, "forks": FORKS,
               "runs": {tool: [] for tool in TOOLS}, "problems": [], "not_compared": NOT_COMPARED}

    print("converging: playbooks/harden.yml on inventories/sandbox", file=sys.stderr)
    results["converge"] = run("converge", ansible_env, admin, "converge")
    if not results["converge"]["changed"]:
        results["problems"].append("the converge changed nothing: was the sandbox freshly seeded?")
    admin.settle(60)
    converged = estate.snapshot()
    results["converged_state"] = converged["state"]
    results["plain_data"] = write_plain_inventory(estate)
    if estate.snapshot()["state"] != converged["state"]:
        results["problems"].append("the estate moved between two reads after the converge (the simulated "
                                   "controllers were not settled): the comparison is not reliable")

    for rep in range(args.repetitions):
        order = TOOLS if rep % 2 == 0 else ("plain", "kubeguard", "audit")
        for tool in order:
            print("repetition %d/%d: %s no-op run" % (rep + 1, args.repetitions, tool), file=sys.stderr)
            result = run(tool, ansible_env, admin, "%s-%d" % (tool, rep))
            admin.settle(60)
            after = estate.snapshot()
            result["state_is_converged"] = after["state"] == converged["state"]
            if not result["state_is_converged"]:
                result["state_difference"] = bs.describe_difference(converged["state"], after["state"],
                                                                    ("converged", "after"))[:3000]
            result["resource_versions_moved"] = sorted(k for k, v in after["resource_versions"].items()
                                                       if converged["resource_versions"].get(k) != v)
            converged["resource_versions"] = after["resource_versions"]
            results["runs"][tool].append(result)
    check(results)
    return results


def check(results: dict) -> None:
    problems = results["problems"]
    for tool in TOOLS:
        for rep, r in enumerate(results["runs"][tool]):
            where = "%s, repetition %d" % (tool, rep + 1)
            if not r["state_is_converged"]:
                problems.append("%s: the estate after the run is not the converged one: %s" %
                                (where, r["state_difference"]))
            if tool == "plain":
                continue
            if r["calls"]["writes"]:
                problems.append("%s: the no-op run made %d write(s) on the client services: %s" %
                                (where, r["calls"]["writes"], bs.writes_by_action(r["calls"])))
            if r["changed"]:
                problems.append("%s: the no-op run reported %d changed task(s): %s" %
                                (where, r["changed"], r["changed_tasks"][:5]))


# --- the report -----------------------------------------------------------------------------------

def summary(results: dict) -> dict:
    out = {}
    for tool in TOOLS:
        runs = results["runs"][tool]
        services = sorted(set(s for r in runs for s in r["calls"]["per_service"]))
        per_service = {}
        for s in services:
            per_service[s] = {k: bs.median_int([r["calls"]["per_service"].get(s, {}).get(k, 0) for r in runs])
                              for k in ("reads", "writes")}
        writes = sorted(set(a for r in runs for a in bs.writes_by_action(r["calls"])))
        out[tool] = {
            "wall_s": round(statistics.median(r["wall_s"] for r in runs), 2),
            "wall_s_all": [r["wall_s"] for r in runs],
            "reads": bs.median_int([r["calls"]["reads"] for r in runs]),
            "writes": bs.median_int([r["calls"]["writes"] for r in runs]),
            "module_runs": bs.median_int([r["module_runs"] for r in runs]),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 1),
            "sandbox_cpu_s": round(statistics.median(r["sandbox_cpu_s"] or 0 for r in runs), 1),
            "load_average": [r["load_average"] for r in runs],
            "per_service": per_service,
            "writes_by_action": {a: bs.median_int([bs.writes_by_action(r["calls"]).get(a, 0) for r in runs])
                                 for a in writes},
            "changed": [r["changed"] for r in runs],
            "state_is_converged": [r["state_is_converged"] for r in runs],
            "resource_versions_moved": bs.median_int([len(r["resource_versions_moved"]) for r in runs]),
        }
    return out


def table(s: dict) -> str:
    k, p, a = s["kubeguard"], s["plain"], s["audit"]
    rows = [("service", "metric", "kubeguard", "plain", "plain/kg", "audit.yml")]
    rows.append(("all", "wall time, s", "%.2f" % k["wall_s"], "%.2f" % p["wall_s"],
                 bs.ratio(p["wall_s"], k["wall_s"]), "%.2f" % a["wall_s"]))
    for key, name in (("cpu_s", "CPU, ansible-playbook + modules, s"), ("sandbox_cpu_s", "CPU, sandbox, s")):
        rows.append(("", name, "%.1f" % k[key], "%.1f" % p[key], bs.ratio(p[key], k[key]), "%.1f" % a[key]))
    for key, name in (("module_runs", "module processes"), ("reads", "reads"), ("writes", "writes")):
        rows.append(("", name, str(k[key]), str(p[key]), bs.ratio(p[key], k[key]), str(a[key])))
    rows.append(("", "changed tasks", "/".join(map(str, k["changed"])), "/".join(map(str, p["changed"])), "",
                 "/".join(map(str, a["changed"]))))
    rows.append(("", "end state = converged", "/".join("yes" if v else "NO" for v in k["state_is_converged"]),
                 "/".join("yes" if v else "NO" for v in p["state_is_converged"]), "",
                 "/".join("yes" if v else "NO" for v in a["state_is_converged"])))
    for service in sorted(set(k["per_service"]) | set(p["per_service"]) | set(a["per_service"]),
                          key=lambda x: (x.startswith("k8s:"), x)):
        rows.append(None)
        for key in ("reads", "writes"):
            values = [t["per_service"].get(service, {}).get(key, 0) for t in (k, p, a)]
            rows.append((service if key == "reads" else "", key, str(values[0]), str(values[1]),
                         bs.ratio(values[1], values[0]), str(values[2])))
    actions = sorted(set(k["writes_by_action"]) | set(p["writes_by_action"]))
    if actions:
        rows.append(None)
        for i, action in enumerate(actions):
            values = [t["writes_by_action"].get(action, 0) for t in (k, p, a)]
            rows.append(("writes" if i == 0 else "", action, str(values[0]), str(values[1]), "", str(values[2])))
    return bs.format_wide_table(rows)


def main(argv=None) -> int:
    args = bs.parse_args(bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT,
                                       repeated="the kubeguard, plain and audit no-op runs"), argv)
    results = bs.run_benchmark("baseline_noop", bench, args, STATE_DIR)
    if results is None:
        return 2
    s = bs.save_results(results, summary, RESULTS)
    c = results["converge"]
    d = results["plain_data"]
    loads = [x for t in TOOLS for r in results["runs"][t] for x in r["load_average"]]
    print("baseline_noop: the prod baseline's no-op re-run (harden.yml, inventories/sandbox, forks %d) vs the same end "
          "state with amazon.aws + kubernetes.core; %d repetition(s); %.0fs in all; load average %.1f-%.1f" %
          (FORKS, args.repetitions, results["elapsed_s"], min(loads), max(loads)))
    print("converge (first run of harden.yml, audit included): %.1fs, %d reads, %d writes, %d changed tasks" %
          (c["wall_s"], c["calls"]["reads"], c["calls"]["writes"], c["changed"]))
    print("plain data: %d security groups with %d rules, %d whole objects, %d patched objects, %d ACL entries" %
          (sum(v["security_groups"] for v in d.values()), sum(v["security_group_rules"] for v in d.values()),
           sum(v["objects"] for v in d.values()), sum(v["patches"] for v in d.values()),
           sum(v["acl_entries"] for v in d.values())))
    print("no-op runs, medians (kubeguard: harden.yml --skip-tags audit; audit.yml: harden.yml's third play alone):")
    print(table(s))
    for note in NOT_COMPARED:
        print("not compared: %s" % note)
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
