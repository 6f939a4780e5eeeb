#!/usr/bin/env python3
"""Benchmark: kubeguard.netsec.ack_fixed_pod_ip vs the same change hand-written with kubernetes.core modules.

Seed 004 on the sandbox's ``ack-app`` cluster (Terway with trunking off; namespace ``abc-185-7db8e``,
Deployment ``abc-ba7b5`` with 2 replicas on shared-pool IPs) is given fixed pod IPs twice by each tool
(a first run that makes the change, then a no-op re-run), on a private sandbox started and stopped here:

* kubeguard: one ``kubeguard.netsec.ack_fixed_pod_ip`` task (``pod_networking`` podnetworking-185,
  ``release_strategy: Never``, namespace selector ``appname: "185"``, ``convert_deployment: abc-ba7b5``,
  ``wait_sleep: 1``).
* kubernetes.core: the steps of seed 004 written by hand with kubernetes.core modules only (plus
  ``set_fact``): ``k8s_info`` of kube-system/eni-config; a ``k8s`` patch of ``data.eni_conf`` with
  ``enable_eni_trunking: true`` and ``credential_path`` merged in by Jinja ``combine`` (this
  **reformats the JSON**: ``to_nice_json`` sorts the keys, indents by 2 and drops the final newline);
  ``k8s`` ``state: absent`` of the Terway pods (``app=terway-eniip``) only when that patch changed; a
  ``k8s_info`` ``until`` loop until every node is annotated ``k8s.aliyun.com/trunk-on``; the
  PodNetworking (``k8s``) and a ``k8s_info`` ``until`` loop for ``status.status: Ready``; the namespace
  label (``k8s`` ``state: patched``); the headless Service; the StatefulSet built by ``set_fact`` from
  the Deployment's template (read with ``k8s_info``); a ``k8s_info`` ``until`` loop for its pods
  Ready; ``k8s_scale`` of the Deployment to 0; ``k8s_info`` of the PodENIs for the IPs.

How the hand-written playbook is made idempotent, as a careful user would: ``kubernetes.core.k8s``
sends a PATCH for an object that exists even when nothing differs (the module then reports
``changed: false``, but the sandbox counts a write). So every write task is guarded by a read: the
eni_conf patch runs when a key is missing or different, the PodNetworking is written when missing or
when a given spec field differs, the namespace when the label is missing; the Service and the
StatefulSet are created when missing and never updated; ``k8s_scale`` writes only when the count
differs. A second run makes no write.

Not equivalent (what kubeguard does and the hand-written playbook does not):

* kubeguard runs its preflight (addon token Secret, Terway pods, PodNetworking/PodENI CRDs,
  terway-controlplane ready, eni-config JSON, nodes) and checks the PodNetworking spec as Terway's
  webhook would, and looks for competing PodNetworkings, before any write;
* it **verifies** each StatefulSet pod before scaling the Deployment down (the webhook's
  ``k8s.aliyun.com/pod-networking`` and ``pod-eni`` annotations, a ``Fixed`` PodENI allocation whose
  ipv4 is the pod's IP), and again on every re-run; the hand-written playbook only waits for
  ``readyReplicas`` and lists the PodENIs, so a pod silently left on a pool IP would pass;
* eni_conf is edited as text (only the two keys added), not rewritten;
* it restarts Terway also when trunking is configured but no node has a trunk ENI (an interrupted run);
  the hand-written one restarts only right after its own patch;
* it labels what it creates (``app.kubernetes.io/managed-by``), records the namespace labels it added
  and the Deployment's replica count (annotations), so ``state: deleted`` can roll back; it derives
  the headless Service's ports from the pod template (hand-written: port 8080, as seed 004 does);
* it reports the fixed IPs (``fixed_ips``); the hand-written playbook builds a name -> IP dict.

Per repetition, each tool starts from a freshly reset and seeded sandbox (the order alternates).
Measured per tool and run: wall time of the ``ansible-playbook`` process (startup included, the same
for both), the tasks' own time, and the Kubernetes requests the sandbox counts for ``k8s:ack-app``
(reads, writes, per action). Each run gets its own empty ``TMPDIR``, so kubernetes.core's discovery
cache starts cold in every run for both tools (the ``get discovery`` rows). The table shows medians
and the ratio kubeguard / kubernetes.core.

The script exits non-zero when a no-op run reports ``changed`` or makes a write, when the final state
after a tool is not the expected one or differs between the tools (both StatefulSet pods Ready with
their PodENI's Fixed ipv4 equal to the pod IP, Deployment at 0 replicas and without pods, eni_conf
parsed with both keys, PodNetworking Ready, the namespace label, a trunk ENI on every node), or when
kubeguard's own ``api_calls`` or ``fixed_ips`` disagree with the sandbox, or when kubeguard's no-op run does
not make fewer API calls than the hand-written playbook's (medians).

    .venv/bin/python benchmarks/ack_fixed_pod_ip.py [--repetitions 3] [--base-port 19950]

Results: a table on stdout and ``build/bench/ack_fixed_pod_ip.json``.
"""

from __future__ import annotations

import difflib
import json
import shutil
import sys

from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

import bench_support as bs

STATE_DIR = bs.BENCH_DIR / "ack_fixed_pod_ip-sandbox-state"
TMP_DIR = bs.BENCH_DIR / "ack_fixed_pod_ip-tmp"
RESULTS = bs.BENCH_DIR / "ack_fixed_pod_ip.json"
DEFAULT_BASE_PORT = 19950  # the sandbox listens on base .. base + 13; sg_engine uses 19900 .. 19913

CONTEXT = "ack-app"
SERVICE = "k8s:ack-app"
TOOLS = ("kubeguard", "kubernetes.core")
RUNS = ("first", "noop")

# Seed 004's inputs, written once; both playbooks are generated from them.
NAMESPACE = "abc-185-7db8e"
DEPLOYMENT = "abc-ba7b5"
HEADLESS_SERVICE = DEPLOYMENT + "-headless"  # kubeguard's default service_name
POD_NETWORKING = "podnetworking-185"
NAMESPACE_LABELS = {"appname": "185"}
CREDENTIAL_PATH = "/var/addon/token-config"
TERWAY_SELECTOR = "app=terway-eniip"
TRUNK_ANNOTATION = "k8s.aliyun.com/trunk-on"
REPLICAS = 2
PN_GROUP, PN_VERSION = "network.alibabacloud.com", "v1beta1"

EXPECTED_STATE = {
    "eni_conf": {"enable_eni_trunking": True, "credential_path": CREDENTIAL_PATH},
    "trunk_eni_on_every_node": True,
    "pod_networking": "Ready",
    "namespace_labels": NAMESPACE_LABELS,
    "deployment": {"replicas": 0, "pods": 0},
    "statefulset_pods": dict(("%s-%d" % (DEPLOYMENT, i), {"ready": True, "allocation": "Fixed", "fixed": True})
                             for i in range(REPLICAS)),
}


# --- the two playbooks ----------------------------------------------------------------------------

def kubeguard_playbook() -> list:
    task = {
        "name": "kubeguard: Trunk ENI, PodNetworking, namespace label, Deployment to StatefulSet",
        "kubeguard.netsec.ack_fixed_pod_ip": {
            "context": CONTEXT,
            "kubeconfig": "{{ kubeconfig }}",
            "namespace": NAMESPACE,
            "pod_networking": {"name": POD_NETWORKING, "release_strategy": "Never",
                               "namespace_selector": {"match_labels": NAMESPACE_LABELS}},
            "convert_deployment": DEPLOYMENT,
            "wait_sleep": 1,
        },
        "register": "kubeguard",
    }
    return [{"name": "ack_fixed_pod_ip benchmark - kubeguard.netsec", "hosts": "localhost", "gather_facts": False,
             "tasks": [task]}]


def k8s_info(title: str, register: str, /, **params) -> dict:
    return {"name": title, "kubernetes.core.k8s_info": params, "register": register}


def wait_until(task: dict, condition: str, retries: int = 120) -> dict:
    return dict(task, until=condition, retries=retries, delay=1)


def kubernetes_core_playbook() -> list:
    pn = {"api_version": "%s/%s" % (PN_GROUP, PN_VERSION), "kind": "PodNetworking", "name": "{{ pod_networking }}"}
    tasks = [
        k8s_info("Read eni-config", "eni_config", kind="ConfigMap", namespace="kube-system", name="eni-config"),
        {"name": "Turn Trunk ENI on in eni_conf (combine: the JSON is rewritten by to_nice_json)",
         "kubernetes.core.k8s": {
             "state": "patched", "kind": "ConfigMap", "namespace": "kube-system", "name": "eni-config",
             "definition": {"data": {"eni_conf": "{{ eni_conf | combine(trunk_keys) | to_nice_json(indent=2) }}"}}},
         "vars": {"eni_conf": "{{ eni_config.resources[0].data.eni_conf | from_json }}"},
         "when": "eni_conf | combine(trunk_keys) != eni_conf",
         "register": "eni_patch"},
        {"name": "Restart Terway so that it reads eni-config",
         "kubernetes.core.k8s": {"state": "absent", "kind": "Pod", "namespace": "kube-system",
                                 "label_selectors": [TERWAY_SELECTOR], "delete_all": True},
         "when": "eni_patch is changed"},
        wait_until(k8s_info("Wait for a trunk ENI on every node", "nodes", kind="Node"),
                   "nodes.resources | length > 0 and nodes.resources | map(attribute='metadata.annotations', "
                   "default={}) | select('contains', trunk_annotation) | list | length == nodes.resources | length"),
        k8s_info("Read the PodNetworking", "pn_info", **pn),
        {"name": "PodNetworking",
         "kubernetes.core.k8s": {"definition": {
             "apiVersion": "%s/%s" % (PN_GROUP, PN_VERSION), "kind": "PodNetworking",
             "metadata": {"name": "{{ pod_networking }}"}, "spec": "{{ pod_networking_spec }}"}},
         "when": "pn_info.resources | length == 0 or "
                 "pn_info.resources[0].spec | combine(pod_networking_spec) != pn_info.resources[0].spec"},
        wait_until(k8s_info("Wait until the PodNetworking is Ready", "pn_ready", **pn),
                   "(pn_ready.resources[0].status.status | default('')) == 'Ready'"),
        k8s_info("Read the namespace", "ns_info", kind="Namespace", name="{{ app_namespace }}"),
        {"name": "Label the namespace for the PodNetworking's namespaceSelector",
         "kubernetes.core.k8s": {"state": "patched", "kind": "Namespace", "name": "{{ app_namespace }}",
                                 "definition": {"metadata": {"labels": "{{ namespace_labels }}"}}},
         "vars": {"labels": "{{ ns_info.resources[0].metadata.labels | default({}) }}"},
         "when": "labels | combine(namespace_labels) != labels"},
        {"name": "Read the Deployment, the StatefulSet and the headless Service",
         "kubernetes.core.k8s_info": {"api_version": "{{ item.api_version }}", "kind": "{{ item.kind }}",
                                      "namespace": "{{ app_namespace }}", "name": "{{ item.name }}"},
         "loop": [{"api_version": "apps/v1", "kind": "Deployment", "name": "{{ app_deployment }}"},
                  {"api_version": "apps/v1", "kind": "StatefulSet", "name": "{{ app_deployment }}"},
                  {"api_version": "v1", "kind": "Service", "name": "{{ headless_service }}"}],
         "register": "workload"},
        {"name": "Headless Service (created when missing)",
         "kubernetes.core.k8s": {"definition": {
             "apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "{{ headless_service }}", "namespace": "{{ app_namespace }}"},
             "spec": {"clusterIP": "None", "selector": "{{ deployment.spec.selector.matchLabels }}",
                      "ports": [{"name": "http", "port": 8080, "targetPort": 8080, "protocol": "TCP"}]}}},
         "when": "workload.results[2].resources | length == 0"},
        {"name": "Build the StatefulSet from the Deployment's pod template",
         "ansible.builtin.set_fact": {"statefulset": {
             "apiVersion": "apps/v1", "kind": "StatefulSet",
             "metadata": {"name": "{{ app_deployment }}", "namespace": "{{ app_namespace }}",
                          "labels": "{{ deployment.metadata.labels }}"},
             "spec": {"replicas": "{{ deployment.spec.replicas }}", "serviceName": "{{ headless_service }}",
                      "podManagementPolicy": "Parallel",
                      "revisionHistoryLimit": "{{ deployment.spec.revisionHistoryLimit }}",
                      "selector": "{{ deployment.spec.selector }}", "template": "{{ deployment.spec.template }}"}}},
         "when": "workload.results[1].resources | length == 0"},
        {"name": "StatefulSet (created when missing)",
         "kubernetes.core.k8s": {"definition": "{{ statefulset }}"},
         "when": "workload.results[1].resources | length == 0"},
        wait_until(k8s_info("Wait until the StatefulSet's pods are Ready", "sts", api_version="apps/v1",
                            kind="StatefulSet", namespace="{{ app_namespace }}", name="{{ app_deployment }}"),
                   "sts.resources | length == 1 and "
                   "(sts.resources[0].status.readyReplicas | default(0)) == sts.resources[0].spec.replicas"),
        {"name": "Scale the Deployment to 0",
         "kubernetes.core.k8s_scale": {"api_version": "apps/v1", "kind": "Deployment",
                                       "namespace": "{{ app_namespace }}", "name": "{{ app_deployment }}",
                                       "replicas": 0}},
        k8s_info("List the PodENIs", "podenis", api_version="%s/%s" % (PN_GROUP, PN_VERSION), kind="PodENI",
                 namespace="{{ app_namespace }}"),
        {"name": "The fixed IPs",
         "ansible.builtin.set_fact": {"fixed_ips": "{{ dict(podenis.resources | map(attribute='metadata.name') | "
                                                   "zip(podenis.resources | map(attribute='spec.allocations') | "
                                                   "map('first') | map(attribute='ipv4'))) }}"}},
    ]
    play_vars = {
        "app_namespace": NAMESPACE, "app_deployment": DEPLOYMENT, "headless_service": HEADLESS_SERVICE,
        "pod_networking": POD_NETWORKING, "namespace_labels": NAMESPACE_LABELS, "trunk_annotation": TRUNK_ANNOTATION,
        "trunk_keys": {"enable_eni_trunking": True, "credential_path": CREDENTIAL_PATH},
        "pod_networking_spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"},
                                "eniOptions": {"eniType": "Trunk"},
                                "selector": {"namespaceSelector": {"matchLabels": "{{ namespace_labels }}"}}},
        "deployment": "{{ workload.results[0].resources[0] }}",
    }
    return [{"name": "ack_fixed_pod_ip benchmark - kubernetes.core", "hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/kubernetes.core.k8s": {"kubeconfig": "{{ kubeconfig }}", "context": CONTEXT}},
             "vars": play_vars, "tasks": tasks}]


PLAYBOOKS = {"kubeguard": kubeguard_playbook, "kubernetes.core": kubernetes_core_playbook}


# --- one run --------------------------------------------------------------------------------------

def run_playbook(tool: str, playbook, extra_vars: dict, env: dict, admin, tmp_dir) -> dict:
    tmp_dir.mkdir(parents=True)
    run, results = bs.run_playbook(tool, playbook, extra_vars, dict(env, TMPDIR=str(tmp_dir)), admin, SERVICE)
    run["tasks_run"] = sum(1 for r in results if not r.get("skipped"))
    run["tasks_skipped"] = sum(1 for r in results if r.get("skipped"))
    run["until_retries"] = sum(max(0, (r.get("attempts") or 1) - 1) for r in results)  # 1 s each (delay)
    if tool == "kubeguard":
        result = results[0]
        run["module_api_calls"] = result.get("api_calls")
        run["actions"] = ["%s %s %s" % (a["action"], a["kind"], a["name"]) for a in result.get("actions") or []]
        run["fixed_ips"] = dict((e["pod"], e["ip"]) for e in result.get("fixed_ips") or [])
        run["warnings_found"] = result.get("warnings_found")
        run["dropped_fields"] = result.get("dropped_fields")
    return run


# --- the cluster as the API server has it (the benchmark's own view, not a tool's) ----------------

class Cluster:
    def __init__(self, kubeconfig: str) -> None:
        self.api = k8s_config.new_client_from_config(config_file=kubeconfig, context=CONTEXT)
        self.core = k8s_client.CoreV1Api(self.api)
        self.apps = k8s_client.AppsV1Api(self.api)
        self.custom = k8s_client.CustomObjectsApi(self.api)

    def plain(self, obj):
        return self.api.sanitize_for_serialization(obj)

    def eni_conf_text(self) -> str:
        return self.core.read_namespaced_config_map("eni-config", "kube-system").data["eni_conf"]

    def state(self) -> tuple:
        """(the state compared with EXPECTED_STATE and between the tools, the pods' IPs)."""
        try:
            eni_conf = json.loads(self.eni_conf_text())
        except ValueError:
            eni_conf = {}
        nodes = self.plain(self.core.list_node())["items"]
        try:
            pn = self.custom.get_cluster_custom_object(PN_GROUP, PN_VERSION, "podnetworkings", POD_NETWORKING)
        except k8s_client.ApiException as exc:
            if exc.status != 404:
                raise
            pn = {}
        labels = self.plain(self.core.read_namespace(NAMESPACE))["metadata"].get("labels") or {}
        deployment = self.plain(self.apps.read_namespaced_deployment(DEPLOYMENT, NAMESPACE))
        podenis = dict((p["metadata"]["name"], p) for p in self.custom.list_namespaced_custom_object(
            PN_GROUP, PN_VERSION, NAMESPACE, "podenis")["items"])
        sts_pods, ips, deployment_pods = {}, {}, 0
        for pod in self.plain(self.core.list_namespaced_pod(NAMESPACE))["items"]:
            owners = [r["kind"] for r in pod["metadata"].get("ownerReferences") or []]
            if "StatefulSet" not in owners:
                deployment_pods += "ReplicaSet" in owners
                continue
            name, status = pod["metadata"]["name"], pod.get("status") or {}
            allocation = ((podenis.get(name) or {}).get("spec", {}).get("allocations") or [{}])[0]
            ready = any(c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or [])
            sts_pods[name] = {"ready": ready and status.get("phase") == "Running",
                              "allocation": (allocation.get("allocationType") or {}).get("type"),
                              "fixed": bool(status.get("podIP")) and allocation.get("ipv4") == status.get("podIP")}
            ips[name] = status.get("podIP")
        state = {
            "eni_conf": dict((key, eni_conf.get(key)) for key in EXPECTED_STATE["eni_conf"]),
            "trunk_eni_on_every_node": bool(nodes) and all(
                TRUNK_ANNOTATION in (n["metadata"].get("annotations") or {}) for n in nodes),
            "pod_networking": (pn.get("status") or {}).get("status"),
            "namespace_labels": dict((k, labels.get(k)) for k in NAMESPACE_LABELS),
            "deployment": {"replicas": deployment["spec"].get("replicas"), "pods": deployment_pods},
            "statefulset_pods": sts_pods,
        }
        return state, ips


def text_diff(before: str, after: str) -> dict:
    """Lines removed and added between two texts (how much of eni_conf a tool rewrote)."""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]
    return {"removed": sum(1 for line in lines if line.startswith("-")),
            "added": sum(1 for line in lines if line.startswith("+"))}


# --- the benchmark --------------------------------------------------------------------------------

def bench(args) -> dict:
    shutil.rmtree(TMP_DIR, ignore_errors=True)
    playbooks = bs.write_playbooks("ack_fixed_pod_ip", PLAYBOOKS)
    env = bs.sandbox_env(args.base_port, STATE_DIR)
    results = {"repetitions": args.repetitions, "base_port": args.base_port, "runs": dict((t, []) for t in TOOLS)}
    problems = []
    finals, final_ips = {}, {}

    fresh_start, sandbox_vars, admin = bs.start_sandbox(env, STATE_DIR, args.base_port)
    ansible_env = bs.tool_env(sandbox_vars)
    extra = {"kubeconfig": sandbox_vars["KUBECONFIG"]}
    reseed = bs.Seeder(env, fresh_start)
    for rep in range(args.repetitions):
        order = TOOLS if rep % 2 == 0 else tuple(reversed(TOOLS))  # alternate who goes first
        for tool in order:
            reseed()
            cluster = Cluster(sandbox_vars["KUBECONFIG"])
            seeded_eni_conf = cluster.eni_conf_text()
            pair = {"repetition": rep}
            for run in RUNS:
                print("repetition %d/%d: %s, %s run" % (rep + 1, args.repetitions, tool, run), file=sys.stderr)
                tmp_dir = TMP_DIR / ("%s-%d-%s" % (tool.replace(".", "_"), rep + 1, run))
                pair[run] = run_playbook(tool, playbooks[tool], extra, ansible_env, admin, tmp_dir)
            after, ips = cluster.state()
            pair["final_state"], pair["pod_ips"] = after, ips
            pair["eni_conf_lines"] = text_diff(seeded_eni_conf, cluster.eni_conf_text())
            results["runs"][tool].append(pair)
            problems += check_pair(tool, rep, pair, after, ips)
            finals.setdefault(tool, after)
            final_ips.setdefault(tool, ips)
            if finals[tool] != after:
                problems.append("%s: final state of repetition %d differs from repetition 1: %s" % (
                    tool, rep + 1, bs.describe_difference(finals[tool], after, ("repetition 1", "this one"))))
    kg, kc = finals.get("kubeguard"), finals.get("kubernetes.core")
    if kg != kc:
        problems.append("the final states differ between the tools: %s" % bs.describe_difference(
            kg, kc, ("kubeguard", "kubernetes.core")))
    results["final_state"] = bs.jsonable(kg)
    results["final_states_identical"] = kg == kc
    results["fixed_ips"] = final_ips
    results["problems"] = problems
    return results


def check_pair(tool: str, rep: int, pair: dict, after: dict, ips: dict) -> list:
    problems = []
    where = "%s (repetition %d)" % (tool, rep + 1)
    if not pair["first"]["changed"]:
        problems.append("%s: the first run reported no change" % where)
    if pair["noop"]["changed"]:
        problems.append("%s: the no-op run reported changed (%d task(s))" % (where, pair["noop"]["tasks_changed"]))
    if pair["noop"]["calls"]["writes"]:
        problems.append("%s: the no-op run made %d write call(s): %s" % (
            where, pair["noop"]["calls"]["writes"], dict((a, c["calls"]) for a, c in
                                                         pair["noop"]["calls"]["by_action"].items()
                                                         if c["kind"] != "read")))
    if after != EXPECTED_STATE:
        problems.append("%s: the final state is not the expected one: %s" % (
            where, bs.describe_difference(EXPECTED_STATE, after, ("expected", "found"))))
    if tool == "kubeguard":
        for run in RUNS:
            reported = pair[run].get("module_api_calls") or {}
            counted = pair[run]["calls"]
            discovery = counted["by_action"].get("get discovery", {}).get("calls", 0)  # kubernetes.core's client
            if (reported.get("reads"), reported.get("writes")) != (counted["reads"] - discovery, counted["writes"]):
                problems.append("%s, %s run: the module reports %s reads/%s writes, the sandbox counted %d/%d "
                                "(%d discovery reads not included)" % (
                                    where, run, reported.get("reads"), reported.get("writes"),
                                    counted["reads"] - discovery, counted["writes"], discovery))
            if pair[run].get("fixed_ips") != ips:
                problems.append("%s, %s run: the module returned fixed_ips %s, the pods have %s" % (
                    where, run, pair[run].get("fixed_ips"), ips))
    return problems


# --- report ---------------------------------------------------------------------------------------

def table(summary: dict, results: dict) -> str:
    def tasks(run, k, c):
        return [("", "tasks run (skipped)", "%s (%s)" % (k["tasks_run"], k["tasks_skipped"]),
                 "%s (%s)" % (c["tasks_run"], c["tasks_skipped"]), "")]

    def compare(kg, kc):
        return bs.ratio(kg, kc, zero="(k8s 0)", fmt="%.2fx")

    return bs.comparison_table(("kubeguard", "kubernetes.core", "kg/k8s"), summary["kubeguard"],
                               summary["kubernetes.core"], compare,
                               calls_label="API calls (%s)" % SERVICE, extra_rows=tasks,
                               action_order=lambda a: (a.split(" ")[0] not in ("get", "list", "watch"), a))


def main(argv=None) -> int:
    args = bs.parse_args(bs.arg_parser(__doc__.split("\n\n")[0], DEFAULT_BASE_PORT), argv)
    results = bs.run_benchmark("ack_fixed_pod_ip", bench, args, STATE_DIR)
    if results is None:
        return 2
    results["versions"] = bs.versions(("ansible-core", "ansible", "kubernetes"), ("kubernetes.core",))
    results["desired_state"] = {
        "cluster": CONTEXT, "namespace": NAMESPACE, "deployment": DEPLOYMENT, "pod_networking": POD_NETWORKING,
        "namespace_labels": NAMESPACE_LABELS, "headless_service": HEADLESS_SERVICE, "expected": EXPECTED_STATE,
        "discovery_cache": "cold in every run (own TMPDIR), for both tools",
    }
    summary = bs.summarise(results, RUNS)
    for tool in TOOLS:
        for run in RUNS:
            pairs = [p[run] for p in results["runs"][tool]]
            summary[tool][run]["tasks_run"] = bs.median_int([r["tasks_run"] for r in pairs])
            summary[tool][run]["tasks_skipped"] = bs.median_int([r["tasks_skipped"] for r in pairs])
    results["summary"] = summary
    mine, theirs = summary["kubeguard"]["noop"]["total_calls"], summary["kubernetes.core"]["noop"]["total_calls"]
    if mine >= theirs:  # a re-run is what an unattended schedule does most: it must cost less than the playbook
        results["problems"].append("the no-op run of kubeguard makes %d API calls, not fewer than kubernetes.core's "
                                   "%d" % (mine, theirs))
    results["ratios_kubeguard_over_kubernetes_core"] = bs.ratios(summary, "kubeguard", "kubernetes.core", RUNS)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")

    print("ack_fixed_pod_ip: seed 004 on %s (Trunk ENI, PodNetworking %s, namespace label, Deployment %s to a "
          "StatefulSet) by each tool twice (first run, no-op run); %d repetition(s) per tool, each from a fresh "
          "reset+seed; %.0fs in all" % (CONTEXT, POD_NETWORKING, DEPLOYMENT, args.repetitions, results["elapsed_s"]))
    first = results["runs"]["kubeguard"][0]["first"]
    print("kubeguard's first-run writes: %s" % ", ".join(first.get("actions") or []))
    print(table(summary, results))
    bs.calls_stability_notes(summary, TOOLS, RUNS)
    print("final state (fixed IPs in PodENIs, Deployment at 0, eni_conf keys, PodNetworking Ready) identical "
          "between the tools: %s" % ("yes" if results["final_states_identical"] else "NO"))
    ips = results["fixed_ips"]
    print("fixed IPs: %s" % "; ".join("%s %s" % (tool, json.dumps(ips.get(tool), sort_keys=True)) for tool in TOOLS))
    print("eni_conf lines removed/added: %s" % "; ".join(
        "%s %s" % (tool, ", ".join("-%d/+%d" % (p["eni_conf_lines"]["removed"], p["eni_conf_lines"]["added"])
                                   for p in results["runs"][tool])) for tool in TOOLS))
    return bs.finish(results, RESULTS)


if __name__ == "__main__":
    sys.exit(main())
