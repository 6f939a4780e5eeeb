"""Seed 004 end to end, judged by the reachability oracle: ack_fixed_pod_ip on ack-app's UAT application,
then ack_slb_acl on ack-db's UAT database with its fixed_ips and the hostname. Afterwards exactly the UAT
application's pods reach the UAT database; prod's pods do not, nor do ack-db's other pods."""

from __future__ import annotations

from slb_acl_support import DB_SERVICE, DBA, PROD, UAT, AclPlayer, Clb, estate, player  # noqa: F401

from sandbox.k8s_client import KubeClient
from sandbox.oracle import reach

TARGET = f"ack-db/{UAT}/{DB_SERVICE}"
FIXED_IP = {"context": "ack-app", "namespace": UAT, "convert_deployment": "abc-ba7b5", "wait_sleep": 1,
            "wait_timeout": 60,
            "pod_networking": {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"appname": "185"}}}}


def _verdicts(endpoints: dict, cluster: str, namespace: str) -> dict:
    pods = KubeClient(endpoints[f"k8s:{cluster}"]).request("GET", f"api/v1/namespaces/{namespace}/pods")["items"]
    return {pod["metadata"]["name"]: reach(endpoints, f"{cluster}/{namespace}/{pod['metadata']['name']}", TARGET, 3306)
            for pod in pods}


def test_only_the_uat_application_reaches_the_uat_database(player: AclPlayer, estate: Clb):
    endpoints = estate.admin.health()["endpoints"]
    assert all(v.reachable for v in _verdicts(endpoints, "ack-app", PROD).values())  # before: everyone
    tasks = [
        {"name": "fixed IPs", "kubeguard.netsec.ack_fixed_pod_ip": FIXED_IP, "register": "app_ips"},
        {"name": "whitelist", player.MODULE: {
            "name": "abc-185-mysql-uat", "state": "replaced", "entries": "{{ app_ips.fixed_ips }}",
            "listeners": [{"load_balancer_id": estate.lb_id, "port": 3306}],
            "service": {"namespace": UAT, "name": DB_SERVICE, "hostname": "abc-185-mysql-svc.uat.internal"},
            "kubernetes": {"context": "ack-db"}}, "register": "acl"},
    ]
    results = player.run_tasks(tasks, "{'app_ips': app_ips, 'acl': acl}")
    assert not results["acl"].get("failed"), results["acl"].get("msg")
    fixed = {item["pod"]: item["ip"] for item in results["app_ips"]["fixed_ips"]}
    assert len(fixed) == 2
    assert {e["cidr"] for e in results["acl"]["entries_after"]} == {f"{ip}/32" for ip in fixed.values()}
    uat = _verdicts(endpoints, "ack-app", UAT)
    assert set(uat) == set(fixed) and all(v.reachable and v.path == "clb" for v in uat.values()), uat
    for verdicts in (_verdicts(endpoints, "ack-app", PROD), _verdicts(endpoints, "ack-db", DBA),
                     _verdicts(endpoints, "ack-db", UAT)):
        for verdict in verdicts.values():
            assert not verdict.reachable and verdict.path == "clb", verdict.trace()
            assert "is not in whitelist" in verdict.decided_by
