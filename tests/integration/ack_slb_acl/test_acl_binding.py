"""Both binding paths (listeners through the API, the Service's annotations through the CCM), the hostname,
and the AWX credential type: the module run with exactly the environment its injector produces."""

from __future__ import annotations

import json
import pathlib

import jinja2
import yaml
from slb_acl_support import DB_SERVICE, UAT, AclPlayer, Clb, cidrs, estate, params, player  # noqa: F401

import module_steps
from sandbox.k8s_client import KubeClient

PREFIX = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
REPO = pathlib.Path(__file__).resolve().parents[3]


def _db(estate: Clb) -> KubeClient:
    return KubeClient(estate.admin.health()["endpoints"]["k8s:ack-db"])


def _service(estate: Clb, name: str) -> dict:
    return _db(estate).request("GET", f"api/v1/namespaces/{UAT}/services/{name}")


def test_the_seeded_service_reuses_its_clb_so_annotations_are_refused_before_writing(player: AclPlayer,
                                                                                      estate: Clb):
    step = player.run({"name": "abc-185-mysql-uat", "entries": cidrs(11),
                       "service": {"namespace": UAT, "name": DB_SERVICE}, "kubernetes": {"context": "ack-db"}})
    assert step.failed and "force-override-listeners" in step.msg and "listeners:" in step.msg, step
    assert step.writes == 0, step


def test_listeners_through_the_api_and_the_hostname_on_the_service(player: AclPlayer, estate: Clb):
    wanted = params(estate, entries=cidrs(11), service={"namespace": UAT, "name": DB_SERVICE,
                                                        "hostname": "abc-185-mysql-svc.uat.internal"},
                    kubernetes={"context": "ack-db"})
    first, again = player.play([{"params": wanted}, {"params": wanted}])
    assert first.changed and not first.failed, first
    assert any("no IP any more" in w for w in first.result["warnings_found"])
    service = _service(estate, DB_SERVICE)
    assert service["status"]["loadBalancer"]["ingress"] == [{"hostname": "abc-185-mysql-svc.uat.internal"}]
    recorded = json.loads(service["metadata"]["annotations"]["netsec.kubeguard.io/managed-annotations"])
    assert recorded == [PREFIX + "hostname"]
    assert not again.changed and again.writes == 0, again
    other = player.run(dict(wanted, service=dict(wanted["service"], hostname="other.uat.internal")))
    assert other.changed, other  # the annotation is ours (recorded), so it may change


def test_a_foreign_hostname_is_not_replaced_without_the_opt_in(player: AclPlayer, estate: Clb):
    _db(estate).request("PATCH", f"api/v1/namespaces/{UAT}/services/{DB_SERVICE}",
                        {"metadata": {"annotations": {PREFIX + "hostname": "set-by-hand"}}},
                        content_type="application/merge-patch+json")
    wanted = params(estate, entries=cidrs(11), service={"namespace": UAT, "name": DB_SERVICE, "hostname": "mine"},
                    kubernetes={"context": "ack-db"})
    refused = player.run(wanted)
    assert refused.failed and "set-by-hand" in refused.msg and refused.writes == 0, refused
    assert player.run(dict(wanted, overwrite_annotations=True)).changed


def test_annotations_on_a_clb_the_ccm_created_are_applied_and_verified(player: AclPlayer, estate: Clb):
    db = _db(estate)
    db.request("POST", f"api/v1/namespaces/{UAT}/services", {
        "metadata": {"name": "reports-db", "annotations": {PREFIX + "address-type": "intranet",
                                                           PREFIX + "vswitch-id": "vsw-bp1db00node0h0000000d"}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "abc-185-mysql"},
                 "ports": [{"name": "mysql", "port": 3306, "targetPort": "mysql"}]}})
    service = module_steps.wait_for(lambda: (s := _service(estate, "reports-db")).get("status", {}).get(
        "loadBalancer", {}).get("ingress") and s, message="the CCM to create the CLB")
    lb_id = service["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    step = player.run({"name": "reports-db-allow", "entries": cidrs(21, 22),
                       "service": {"namespace": UAT, "name": "reports-db"}, "kubernetes": {"context": "ack-db"},
                       "wait_timeout": 60})
    assert step.changed and not step.failed, step
    acl = estate.acl("reports-db-allow")["AclId"]
    listener = estate.listener(lb_id=lb_id)
    assert (listener["AclStatus"], listener["AclType"], listener["AclId"]) == ("on", "white", acl)
    annotations = _service(estate, "reports-db")["metadata"]["annotations"]
    assert (annotations[PREFIX + "acl-status"], annotations[PREFIX + "acl-id"]) == ("on", acl)
    assert step.calls("slb:ccm", "write").get("SetLoadBalancerTCPListenerAttribute") == 1  # the CCM bound it


def test_the_awx_credential_type_injects_what_the_module_reads(player: AclPlayer, estate: Clb, sandbox_env):
    definition = yaml.safe_load((REPO / "awx" / "alibaba_cloud_credential_type.yml").read_text())
    inputs = {"access_key_id": sandbox_env["ALIBABA_CLOUD_ACCESS_KEY_ID"],
              "access_key_secret": sandbox_env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
              "region_id": "cn-hangzhou", "slb_endpoint": sandbox_env["ALIBABA_CLOUD_SLB_ENDPOINT"]}
    assert set(definition["inputs"]["required"]) <= set(inputs)
    injected = {name: jinja2.Template(value).render(**inputs) for name, value in definition["injectors"]["env"].items()}
    env = {k: v for k, v in player.env.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))}
    awx = type(player)(dict(env, **injected), player.admin, player.tmp_dir)
    step = awx.run(params(estate, entries=cidrs(11)))
    assert step.changed and not step.failed, step
    assert injected["ALIBABA_CLOUD_SECURITY_TOKEN"] == ""  # an empty optional input is no token


def test_when_the_ccm_refuses_the_wait_ends_with_the_services_warnings(player: AclPlayer, estate: Clb):
    db = _db(estate)
    db.request("POST", f"api/v1/namespaces/{UAT}/services", {
        "metadata": {"name": "broken-db", "annotations": {PREFIX + "address-type": "intranet",
                                                          PREFIX + "vswitch-id": "vsw-bp1db00node0h0000000d"}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "abc-185-mysql"}, "ports": [{"port": 3306}]}})
    module_steps.wait_for(lambda: _service(estate, "broken-db").get("status", {}).get("loadBalancer", {}).get(
        "ingress"), message="the CCM to create the CLB")
    db.request("PATCH", f"api/v1/namespaces/{UAT}/services/broken-db",  # a value the CCM refuses
               {"metadata": {"annotations": {PREFIX + "address-type": "Intranet"}}},
               content_type="application/merge-patch+json")
    step = player.run({"name": "broken-allow", "entries": cidrs(31), "service": {"namespace": UAT, "name": "broken-db"},
                       "kubernetes": {"context": "ack-db"}, "wait_timeout": 4})
    assert step.failed and "timed out after 4s" in step.msg, step
    assert "SyncLoadBalancerFailed" in step.msg, step


def test_listeners_of_another_clb_than_the_services_are_refused(player: AclPlayer, estate: Clb):
    other = estate.api.call("CreateLoadBalancer", AddressType="intranet", VSwitchId="vsw-bp1db00node0h0000000d")
    estate.api.call("CreateLoadBalancerTCPListener", LoadBalancerId=other["LoadBalancerId"], ListenerPort=3306,
                    BackendServerPort=3306, Bandwidth=-1)
    step = player.run({"name": "abc-185-mysql-uat", "entries": cidrs(11),
                       "listeners": [{"load_balancer_id": other["LoadBalancerId"], "port": 3306}],
                       "service": {"namespace": UAT, "name": DB_SERVICE, "hostname": "db.uat.internal"},
                       "kubernetes": {"context": "ack-db"}})
    assert step.failed and f"is served by {estate.lb_id}" in step.msg and step.writes == 0, step
