"""Seed 004 end to end, judged by the reachability oracle: ack_fixed_pod_ip on ack-app's UAT application,
ack_slb_acl on ack-db's UAT database (whitelist and hostname), then this module: default-deny and the same
fixed_ips as NetworkPolicy in ack-db, and environment isolation in ack-app.

Afterwards the UAT database is reachable from exactly the UAT application's pods (through the CLB), from
nothing inside ack-db, uat and prod cannot reach each other, and DNS still resolves."""

from __future__ import annotations

from netpol_support import DB_SERVICE, DBA, PROD, UAT, Estate, NetpolPlayer, estate, player  # noqa: F401

from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbClient

DB = f"ack-db/{UAT}/{DB_SERVICE}"
FIXED_IP = {"context": "ack-app", "namespace": UAT, "convert_deployment": "abc-ba7b5", "wait_sleep": 1,
            "wait_timeout": 60,
            "pod_networking": {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"appname": "185"}}}}
ENVIRONMENTS = {"match_expressions": [{"key": "env", "operator": "In", "values": ["uat", "prod"]}]}


def _tasks(estate: Estate) -> list[dict]:
    return [
        {"name": "fixed IPs", "kubeguard.netsec.ack_fixed_pod_ip": FIXED_IP, "register": "app_ips"},
        {"name": "CLB whitelist", "kubeguard.netsec.ack_slb_acl": {
            "name": "abc-185-mysql-uat", "state": "replaced", "entries": "{{ app_ips.fixed_ips }}",
            "listeners": [{"load_balancer_id": estate.lb_id, "port": 3306}],
            "service": {"namespace": UAT, "name": DB_SERVICE, "hostname": "abc-185-mysql-svc.uat.internal"},
            "kubernetes": {"context": "ack-db"}}, "register": "acl"},
        {"name": "the same IPs behind it", "kubeguard.netsec.k8s_network_policies": {
            "context": "ack-db", "namespaces": [UAT], "default_deny": "both", "state": "replaced",
            "allow_from_ips": [{"name": "mysql-from-uat-app", "sources": "{{ app_ips.fixed_ips }}",
                                "ports": [{"port": 3306}],
                                "pod_selector": {"match_labels": {"app": "abc-185-mysql"}}}]},
         "register": "db"},
        {"name": "environments apart", "kubeguard.netsec.k8s_network_policies": {
            "context": "ack-app", "namespace_selector": ENVIRONMENTS, "isolate_environments": True},
         "register": "app"},
    ]


def _acl_entries(estate: Estate, acl_id: str) -> set[str]:
    slb = SlbClient(estate.endpoints["slb"], credentials.USER, "cn-hangzhou")
    items = slb.all_pages("DescribeAccessControlListAttribute", "AclEntrys", "AclEntry", page_param="Page",
                          AclId=acl_id)
    return {item["AclEntryIP"] for item in items}


def _refs(estate: Estate, cluster: str, namespace: str) -> list[str]:
    return [f"{cluster}/{namespace}/{name}" for name in sorted(estate.pods(cluster, namespace))]


def test_seed_004_whitelist_policies_and_isolation(player: NetpolPlayer, estate: Estate):
    results = player.run_tasks(_tasks(estate), "{'app_ips': app_ips, 'acl': acl, 'db': db, 'app': app}")
    for name in ("app_ips", "acl", "db", "app"):
        assert not results[name].get("failed"), (name, results[name].get("msg"))
    fixed = {f"{item['ip']}/32" for item in results["app_ips"]["fixed_ips"]}
    policy = estate.policies("ack-db", UAT)["mysql-from-uat-app"]
    blocks = {peer["ipBlock"]["cidr"] for peer in policy["spec"]["ingress"][0]["from"]}
    assert blocks == fixed == _acl_entries(estate, results["acl"]["acl"]["id"])  # one list, two places

    uat_apps = _refs(estate, "ack-app", UAT)
    assert len(uat_apps) == 2
    for src in uat_apps:
        verdict = estate.reach(src, DB, 3306)
        assert verdict.reachable and verdict.path == "clb", verdict.trace()
        assert "mysql-from-uat-app ingress[0] allows" in verdict.trace()
    for src in _refs(estate, "ack-app", PROD) + _refs(estate, "ack-db", DBA):
        verdict = estate.reach(src, DB, 3306)
        assert not verdict.reachable and "is not in whitelist" in verdict.decided_by, verdict.trace()

    (database,) = _refs(estate, "ack-db", UAT)
    for src in _refs(estate, "ack-db", DBA):  # straight to the pod, past the CLB: the policies decide
        verdict = estate.reach_pod(src, database, 3306)
        assert not verdict.reachable and "kubeguard-default-deny" in verdict.decided_by, verdict.trace()
    for protocol in ("UDP", "TCP"):
        dns = estate.reach(database, "ack-db/kube-system/kube-dns", 53, protocol)
        assert dns.reachable and "kubeguard-allow-dns" in dns.trace(), dns.trace()
    out = estate.reach_pod(database, _refs(estate, "ack-db", DBA)[0], 3306)
    assert not out.reachable and "isolated for egress" in out.decided_by

    for src, dst in ((uat_apps[0], _refs(estate, "ack-app", PROD)[0]), (_refs(estate, "ack-app", PROD)[0],
                                                                        uat_apps[0])):
        verdict = estate.reach_pod(src, dst, 8080)
        assert not verdict.reachable and "kubeguard-same-environment" in verdict.decided_by, verdict.trace()
    assert estate.reach_pod(uat_apps[0], uat_apps[1], 8080).reachable
