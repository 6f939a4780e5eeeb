"""netsec_audit, target ack, on seed 004's estates (ack-db audited, ack-app as its client cluster).

Every ACK kind is produced on the seed or by a change someone could make by hand, with its evidence; each
reachability claim is checked with the sandbox's oracle; after seed 004 is applied with the collection's
modules no ACK finding is left (the false-positive run of every kind), and the oracle agrees."""

from __future__ import annotations

import json

import module_steps

module_steps.use_suites("ack_slb_acl", "boundary")

from boundary_support import run_task  # noqa: E402
from slb_acl_support import DB_SERVICE, DBA, PROD, UAT, AclPlayer, Clb, estate, player  # noqa: E402,F401

from sandbox.k8s_client import KubeClient  # noqa: E402
from sandbox.oracle import reach  # noqa: E402
from sandbox.seed.k8s import cluster_id  # noqa: E402

MODULE = "kubeguard.netsec.netsec_audit"
DB_REF = f"ack-db/{UAT}/{DB_SERVICE}"
AUDIT = {"target": "ack", "cluster_name": "ack-db", "environment": "uat", "kubernetes": {"context": "ack-db"},
         "client_clusters": [{"name": "ack-app", "kubernetes": {"context": "ack-app"}}]}
FIXED_IP = {"context": "ack-app", "namespace": UAT, "convert_deployment": "abc-ba7b5", "wait_sleep": 1,
            "wait_timeout": 60,
            "pod_networking": {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"appname": "185"}}}}


def _audit(estate: Clb, sandbox_env, tmp_path, **extra) -> dict:
    run = run_task(MODULE, dict(AUDIT, **extra), module_steps.make_env(sandbox_env), estate.admin, tmp_path)
    assert not run.result.get("failed"), run.result.get("msg")
    assert run.result["api_calls"]["writes"] == 0
    return run.result


def _by_kind(result: dict, prefix: str = "KG-ACK-") -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in result["findings"]:
        if finding["id"].startswith(prefix):
            found.setdefault(finding["id"], []).append(finding)
    return found


def _reachable(estate: Clb, cluster: str, namespace: str, pod: str) -> bool:
    endpoints = estate.admin.health()["endpoints"]
    return reach(endpoints, f"{cluster}/{namespace}/{pod}", DB_REF, 3306).reachable


def _apply_seed_004(player: AclPlayer, estate: Clb) -> dict:
    """Seed 004 with the collection's modules: fixed IPs, the whitelist with the hostname, the policies."""
    db_policies = {"context": "ack-db", "namespaces": [UAT], "default_deny": "both", "state": "replaced",
                   "allow_from_ips": [{"name": "mysql-from-uat-app", "sources": "{{ app_ips.fixed_ips }}",
                                       "ports": [{"port": 3306}],
                                       "pod_selector": {"match_labels": {"app": "abc-185-mysql"}}}]}
    tasks = [
        {"name": "fixed IPs", "kubeguard.netsec.ack_fixed_pod_ip": FIXED_IP, "register": "app_ips"},
        {"name": "whitelist", "kubeguard.netsec.ack_slb_acl": {
            "name": "abc-185-mysql-uat", "state": "replaced", "entries": "{{ app_ips.fixed_ips }}",
            "listeners": [{"load_balancer_id": estate.lb_id, "port": 3306}],
            "service": {"namespace": UAT, "name": DB_SERVICE, "hostname": "abc-185-mysql-svc.uat.internal"},
            "kubernetes": {"context": "ack-db"}}, "register": "acl"},
        {"name": "policies", "kubeguard.netsec.k8s_network_policies": db_policies, "register": "db_np"},
        {"name": "dba isolation", "kubeguard.netsec.k8s_network_policies": {
            "context": "ack-db", "namespaces": [DBA], "default_deny": "both"}, "register": "dba_np"},
    ]
    results = player.run_tasks(tasks, "{'app_ips': app_ips, 'acl': acl, 'db_np': db_np, 'dba_np': dba_np}")
    for name, result in results.items():
        assert not result.get("failed"), (name, result.get("msg"))
    return results


def test_seed_004_findings_then_none_after_the_collection_applies_it(player, estate, sandbox_env, tmp_path):
    before = _audit(estate, sandbox_env, tmp_path, output={"sarif": str(tmp_path / "ack.sarif")})
    found = _by_kind(before)
    assert set(found) == {"KG-ACK-002", "KG-ACK-003", "KG-ACK-005"}, found
    assert found["KG-ACK-002"][0]["evidence"] == (
        f"listener TCP:3306 of {estate.lb_id}: access control off: every source is forwarded")
    assert "10.10.0.200" in found["KG-ACK-003"][0]["evidence"]
    [crossing] = found["KG-ACK-005"]
    assert crossing["resource"] == DB_REF and crossing["severity"] == "critical" and crossing["error"]
    assert crossing["details"]["source_cluster"] == "ack-app" and crossing["details"]["source_namespace"] == PROD
    prod_pods = _pods(estate, "ack-app", PROD)
    assert sorted(crossing["details"]["pods"]) == sorted(prod_pods) and len(prod_pods) == 2
    assert all(_reachable(estate, "ack-app", PROD, pod) for pod in prod_pods)  # the oracle agrees
    assert before["databases"] == [{"service": f"{UAT}/{DB_SERVICE}", "load_balancer_id": estate.lb_id, "port": 3306}]
    k8s = _by_kind(before, "KG-K8S-")
    assert {f["resource"] for f in k8s["KG-K8S-001"]} == {f"ack-db/{UAT}", f"ack-db/{DBA}"}
    assert "KG-SG-001" not in before["checked"] and "KG-ACK-004" in before["checked"]
    sarif = json.loads((tmp_path / "ack.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"KG-ACK-002", "KG-ACK-003", "KG-ACK-005"}

    results = _apply_seed_004(player, estate)
    after = _audit(estate, sandbox_env, tmp_path, environment="prod")
    assert _by_kind(after) == {}, _by_kind(after)  # every ACK kind: no false positive on the applied estate
    assert _by_kind(after, "KG-K8S-") == {}, _by_kind(after, "KG-K8S-")
    assert not any(_reachable(estate, "ack-app", PROD, pod) for pod in _pods(estate, "ack-app", PROD))
    fixed = [item["pod"] for item in results["app_ips"]["fixed_ips"]]
    assert fixed and all(_reachable(estate, "ack-app", UAT, pod) for pod in fixed)


def _pods(estate: Clb, cluster: str, namespace: str) -> list[str]:
    kube = KubeClient(estate.admin.health()["endpoints"][f"k8s:{cluster}"])
    return [p["metadata"]["name"] for p in kube.request("GET", f"api/v1/namespaces/{namespace}/pods")["items"]
            if (p.get("status") or {}).get("phase") == "Running"]


def test_drift_an_empty_whitelist_and_pool_ips_are_found(player, estate, sandbox_env, tmp_path):
    results = _apply_seed_004(player, estate)
    acl_id = results["acl"]["acl"]["id"]
    # someone adds an address to the whitelist by hand: the policies no longer mirror it
    estate.api.call("AddAccessControlListEntry", AclId=acl_id,
                    AclEntrys=json.dumps([{"entry": "10.9.9.9/32", "comment": "dba laptop"}]))
    drift = _by_kind(_audit(estate, sandbox_env, tmp_path))
    assert set(drift) == {"KG-ACK-001"}, drift
    assert drift["KG-ACK-001"][0]["evidence"] == f"only in whitelist {acl_id}: 10.9.9.9/32"
    estate.api.call("RemoveAccessControlListEntry", AclId=acl_id, AclEntrys=json.dumps([{"entry": "10.9.9.9/32"}]))

    # an empty whitelist bound to the listener admits everyone again
    empty = estate.create_acl("abc-185-mysql-empty")
    estate.api.call("SetLoadBalancerTCPListenerAttribute", LoadBalancerId=estate.lb_id, ListenerPort=3306,
                    AclStatus="on", AclType="white", AclId=empty)
    # and a StatefulSet whose pods existed before the Fixed PodNetworking that now selects them
    app = KubeClient(estate.admin.health()["endpoints"]["k8s:ack-app"])
    stray = _stray_statefulset(app)
    found = _by_kind(_audit(estate, sandbox_env, tmp_path))
    assert found["KG-ACK-002"][0]["evidence"].endswith(
        f"whitelist {empty} is bound with no entry: an empty whitelist forwards every source")
    assert "KG-ACK-001" not in found  # nothing to mirror while the whitelist is empty (KG-ACK-002 says why)
    # the CLB now forwards prod's pods, but the database pods' NetworkPolicy still refuses them: no crossing,
    # and the oracle agrees hop by hop
    assert "KG-ACK-005" not in found
    assert not any(_reachable(estate, "ack-app", PROD, pod) for pod in _pods(estate, "ack-app", PROD))
    [pool] = found["KG-ACK-004"]
    assert pool["resource"] == f"ack-app/{PROD}" and "pn-stray" in pool["evidence"]
    assert all(f"{PROD}/{pod}" in pool["evidence"] for pod in stray) and "shared-pool IP" in pool["evidence"]


def _stray_statefulset(app: KubeClient) -> list[str]:
    labels = {"app": "stray-cache", "fixed": "yes"}
    app.request("POST", f"apis/apps/v1/namespaces/{PROD}/statefulsets", {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "stray-cache", "namespace": PROD},
        "spec": {"serviceName": "stray-cache", "replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "cache", "image": "redis:7"}]}}}})
    pods = module_steps.wait_for(lambda: [p["metadata"]["name"] for p in app.request(
        "GET", f"api/v1/namespaces/{PROD}/pods", query={"labelSelector": "app=stray-cache"})["items"]
        if (p.get("status") or {}).get("phase") == "Running"], timeout=30, message="the stray pod runs")
    app.request("POST", "apis/network.alibabacloud.com/v1beta1/podnetworkings", {
        "apiVersion": "network.alibabacloud.com/v1beta1", "kind": "PodNetworking", "metadata": {"name": "pn-stray"},
        "spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"},
                 "selector": {"podSelector": {"matchLabels": {"fixed": "yes"}}}}})
    module_steps.wait_for(lambda: (app.request("GET", "apis/network.alibabacloud.com/v1beta1/podnetworkings/pn-stray")
                                   .get("status") or {}).get("status") == "Ready", timeout=30,
                          message="pn-stray is Ready")
    return pods


def test_a_context_that_is_not_the_named_cluster_is_refused(estate, sandbox_env, tmp_path):
    env = module_steps.make_env(sandbox_env)
    wrong = run_task(MODULE, dict(AUDIT, cluster_id=cluster_id("ack-db"), kubernetes={"context": "ack-app"}),
                     env, estate.admin, tmp_path)
    wrong.assert_clean("cluster_id", f"is not ACK cluster ack-db ({cluster_id('ack-db')})",
                       f"ack.aliyun.com={cluster_id('ack-app')}")
    client = dict(AUDIT, cluster_id=cluster_id("ack-db"),
                  client_clusters=[{"name": "ack-app", "cluster_id": cluster_id("ack-app"),
                                    "kubernetes": {"context": "ack-db"}}])
    run_task(MODULE, client, env, estate.admin, tmp_path).assert_clean("client_clusters[0].cluster_id")
    right = dict(AUDIT, cluster_id=cluster_id("ack-db"),
                 client_clusters=[{"name": "ack-app", "cluster_id": cluster_id("ack-app"),
                                   "kubernetes": {"context": "ack-app"}}])
    assert not run_task(MODULE, right, env, estate.admin, tmp_path).result.get("failed")


def test_bad_ack_input_is_refused_and_a_silent_clb_endpoint_is_bounded(estate, sandbox_env, tmp_path):
    env = module_steps.make_env(sandbox_env)
    cases = [
        (dict(AUDIT, target="eks"), ["client_clusters", "is not an option of target eks"]),
        (dict(AUDIT, node_security_groups=["sg-0123456789abcdef0"]), ["node_security_groups", "target ack"]),
        (dict(AUDIT, database_ports=[]), ["database_ports", "is empty"]),
        (dict(AUDIT, database_ports=[70000]), ["database_ports[0]", "is not a port"]),
        (dict(AUDIT, environment_label="env label"), ["environment_label"]),
        (dict(AUDIT, client_clusters=[{"name": "ack-db", "kubernetes": {"context": "ack-app"}}]),
         ["client_clusters[0].name", "audited cluster"]),
        (dict(AUDIT, alicloud={"region_id": ""}), ["alicloud.region_id", "give the region"]),
    ]
    for params, texts in cases:
        run = run_task(MODULE, params, dict(env, ALIBABA_CLOUD_REGION_ID=""), estate.admin, tmp_path)
        run.assert_clean(*texts)
        assert run.result["api_calls"]["writes"] == 0
    missing = run_task(MODULE, dict(AUDIT, client_clusters=[{"name": "ack-app"}]), env, estate.admin, tmp_path)
    assert missing.result.get("failed") and "kubernetes" in missing.msg and "MODULE FAILURE" not in missing.msg
    estate.admin.set_faults([{"service": "slb", "latency_ms": 600_000}])
    try:
        slow = run_task(MODULE, dict(AUDIT, alicloud={"read_timeout": 2, "connect_timeout": 2}), env, estate.admin,
                        tmp_path)
    finally:
        estate.admin.clear_faults()
    slow.assert_clean("DescribeLoadBalancerAttribute", "no answer from the endpoint")
    assert slow.seconds < 60, slow.seconds
