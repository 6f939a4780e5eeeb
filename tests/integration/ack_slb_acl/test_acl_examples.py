"""Every EXAMPLES entry of ack_slb_acl, as written (only the account's CLB id substituted), in order in one
play on the seeded estate, where the Service of the second example has been created first."""

from __future__ import annotations

from slb_acl_support import UAT, AclPlayer, Clb, estate, player  # noqa: F401 - fixtures

import module_steps
from sandbox.k8s_client import KubeClient

EXAMPLE_LB = "lb-bp1abcdefghijklmnopqrs"
PREFIX = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"


def _reports_service(estate: Clb) -> str:
    db = KubeClient(estate.admin.health()["endpoints"]["k8s:ack-db"])
    db.request("POST", "api/v1/namespaces", {"metadata": {"name": "reports"}})
    db.request("POST", "api/v1/namespaces/reports/services", {
        "metadata": {"name": "reports-db", "annotations": {PREFIX + "address-type": "intranet",
                                                           PREFIX + "vswitch-id": "vsw-bp1db00node0h0000000d"}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "reports-db"}, "ports": [{"port": 3306}]}})
    service = module_steps.wait_for(lambda: (s := db.request("GET", "api/v1/namespaces/reports/services/reports-db"))
                                    .get("metadata", {}).get("labels", {}).get("service.k8s.alibaba/loadbalancer-id")
                                    and s, message="the CCM to create the CLB of reports-db")
    return service["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]


def test_the_examples_run_as_written(player: AclPlayer, estate: Clb):
    reports_lb = _reports_service(estate)
    tasks = module_steps.module_examples("ack_slb_acl", {EXAMPLE_LB: estate.lb_id})
    assert EXAMPLE_LB not in repr(tasks) and len(tasks) == 5
    names = ["app_ips", "whitelist", "reports", "acl", "defaults"]
    for task, name in zip(tasks, names):
        task.update(register=task.get("register", name), ignore_errors=True)
    results = player.run_tasks(tasks, "{" + ", ".join(f"'{n}': {n}" for n in names) + "}")
    for name in names:
        assert not results[name].get("failed"), (name, results[name].get("msg"))
    acl = estate.acl("abc-185-mysql-uat")["AclId"]
    fixed = {f"{item['ip']}/32" for item in results["app_ips"]["fixed_ips"]}
    assert set(estate.entries(acl)) == fixed and estate.listener()["AclId"] == acl
    assert results["acl"]["gathered"]["entries"] == results["whitelist"]["entries_after"]
    assert not results["defaults"]["changed"]
    reports_acl = estate.acl("reports-db-allow")["AclId"]
    assert estate.listener(lb_id=reports_lb)["AclId"] == reports_acl
