"""The simulated cloud-controller-manager on an ACK cluster: a LoadBalancer Service becomes a CLB, the
acl-* annotations reach the listeners (or not, for a reused CLB), hostname replaces the IP, and the CLB
follows the Service's pods and deletion. Observed over HTTP, on both sides."""

from __future__ import annotations

import json
import time

import pytest

from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbApiError, SlbClient

NS = "web"
PREFIX = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
SVC = f"api/v1/namespaces/{NS}/services/web"
VSWITCH = "vsw-bp1db00node0h0000000d"


@pytest.fixture
def db(estate):
    """ack-db with a namespace ``web`` running two replicas of an app that listens on a named port."""
    kube = estate.clients["ack-db"]
    kube.request("POST", "api/v1/namespaces", {"metadata": {"name": NS}})
    kube.request("POST", f"apis/apps/v1/namespaces/{NS}/deployments", {
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                     {"name": "web", "image": "nginx", "ports": [{"name": "http", "containerPort": 8080}]}]}}}})
    estate.slb = SlbClient(estate.endpoints["slb"], credentials.USER, "cn-hangzhou")
    return estate


def _service(db, annotations: dict | None = None) -> dict:
    db.clients["ack-db"].request("POST", f"api/v1/namespaces/{NS}/services", {
        "metadata": {"name": "web", "annotations": annotations or {}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
                 "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}})
    db.settle()
    return db.clients["ack-db"].request("GET", SVC)


def _annotate(db, annotations: dict) -> dict:
    db.clients["ack-db"].request("PATCH", SVC, {"metadata": {"annotations": annotations}},
                                 content_type="application/merge-patch+json")
    db.settle()
    return db.clients["ack-db"].request("GET", SVC)


def _listener(db, lb_id: str, port: int = 80) -> dict:
    return db.slb.call("DescribeLoadBalancerTCPListenerAttribute", LoadBalancerId=lb_id, ListenerPort=port)


def _events(db, reason: str) -> list[str]:
    items = db.clients["ack-db"].request("GET", f"api/v1/namespaces/{NS}/events")["items"]
    return [e["message"] for e in items if e["reason"] == reason and e["involvedObject"]["name"] == "web"]


def _pod_ips(db) -> list[str]:
    pods = db.clients["ack-db"].request("GET", f"api/v1/namespaces/{NS}/pods")["items"]
    return sorted(p["status"]["podIP"] for p in pods)


def test_a_load_balancer_service_gets_a_clb_with_a_listener_per_port(db):
    service = _service(db)
    lb_id = service["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    lb = db.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)
    assert lb["LoadBalancerName"] == "a" + service["metadata"]["uid"].replace("-", "")[:31]
    assert service["status"]["loadBalancer"]["ingress"] == [{"ip": lb["Address"], "ipMode": "VIP"}]
    assert lb["AddressType"] == "internet" and lb["DeleteProtection"] == "on"
    listener = _listener(db, lb_id)
    assert (listener["Status"], listener["BackendServerPort"], listener["AclStatus"]) == ("running", 8080, "off")
    assert sorted(s["ServerIp"] for s in lb["BackendServers"]["BackendServer"]) == _pod_ips(db)
    assert {s["Type"] for s in lb["BackendServers"]["BackendServer"]} == {"eni"}
    assert any(f"created load balancer {lb_id}" in m for m in _events(db, "EnsuredLoadBalancer"))
    calls = db.ledger.snapshot()["services"]
    assert calls["slb"]["writes"] == 0 and calls["slb:ccm"]["actions"]["CreateLoadBalancer"]["calls"] == 1


def test_acl_annotations_are_applied_to_the_listeners_and_removed(db):
    acl = db.slb.call("CreateAccessControlList", AclName="web-allow")["AclId"]
    db.slb.call("AddAccessControlListEntry", AclId=acl, AclEntrys=json.dumps([{"entry": "10.0.0.1/32"}]))
    lb_id = _service(db)["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    _annotate(db, {PREFIX + "acl-status": "on", PREFIX + "acl-id": acl, PREFIX + "acl-type": "white"})
    listener = _listener(db, lb_id)
    assert (listener["AclStatus"], listener["AclType"], listener["AclId"]) == ("on", "white", acl)
    assert any(f"acl on (white {acl})" in m for m in _events(db, "EnsuredLoadBalancer"))
    _annotate(db, {PREFIX + "acl-status": None, PREFIX + "acl-id": None, PREFIX + "acl-type": None})
    assert _listener(db, lb_id)["AclStatus"] == "off"


@pytest.mark.parametrize("annotations, complaint", [
    ({PREFIX + "acl-status": "On"}, "case-sensitive"),
    ({PREFIX + "acl-status": "on", PREFIX + "acl-type": "white"}, "acl-id and"),
    ({PREFIX + "acl-status": "on", PREFIX + "acl-type": "white", PREFIX + "acl-id": "acl-bp1nothere"},
     "AclNotExist"),
])
def test_bad_acl_annotations_are_refused_with_an_event(db, annotations, complaint):
    lb_id = _service(db)["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    _annotate(db, annotations)
    assert any(complaint in m for m in _events(db, "SyncLoadBalancerFailed"))
    assert _listener(db, lb_id)["AclStatus"] == "off"


def test_legacy_prefix_is_honoured(db):
    acl = db.slb.call("CreateAccessControlList", AclName="legacy")["AclId"]
    legacy = "service.beta.kubernetes.io/alicloud-loadbalancer-"
    service = _service(db, {legacy + "acl-status": "on", legacy + "acl-id": acl, legacy + "acl-type": "black"})
    listener = _listener(db, service["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"])
    assert (listener["AclStatus"], listener["AclType"]) == ("on", "black")


def test_hostname_replaces_the_ip_in_the_status(db):
    service = _service(db)
    ip = service["status"]["loadBalancer"]["ingress"][0]["ip"]
    service = _annotate(db, {PREFIX + "hostname": "abc-185-mysql-svc"})
    assert service["status"]["loadBalancer"]["ingress"] == [{"hostname": "abc-185-mysql-svc"}]
    service = _annotate(db, {PREFIX + "hostname": None})
    assert service["status"]["loadBalancer"]["ingress"] == [{"ip": ip, "ipMode": "VIP"}]


def _reused_clb(db) -> str:
    lb = db.slb.call("CreateLoadBalancer", AddressType="intranet", VSwitchId=VSWITCH)["LoadBalancerId"]
    db.slb.call("CreateLoadBalancerTCPListener", LoadBalancerId=lb, ListenerPort=80, BackendServerPort=8080,
                Bandwidth=-1)
    db.slb.call("StartLoadBalancerListener", LoadBalancerId=lb, ListenerPort=80)
    return lb


def test_a_reused_clb_keeps_its_listeners_unless_told_to_override(db):
    lb_id = _reused_clb(db)
    acl = db.slb.call("CreateAccessControlList", AclName="reused")["AclId"]
    acl_annotations = {PREFIX + "acl-status": "on", PREFIX + "acl-id": acl, PREFIX + "acl-type": "white"}
    service = _service(db, {PREFIX + "id": lb_id, PREFIX + "address-type": "intranet", **acl_annotations})
    lb = db.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)
    assert service["status"]["loadBalancer"]["ingress"][0]["ip"] == lb["Address"]
    assert sorted(s["ServerIp"] for s in lb["BackendServers"]["BackendServer"]) == _pod_ips(db)
    assert _listener(db, lb_id)["AclStatus"] == "off"  # not applied: the CCM does not own these listeners
    assert any("force-override-listeners" in m for m in _events(db, "SkipSyncListeners"))
    _annotate(db, {PREFIX + "force-override-listeners": "true"})
    assert (_listener(db, lb_id)["AclStatus"], _listener(db, lb_id)["AclId"]) == ("on", acl)


def test_a_listener_acl_set_through_the_api_is_not_fought_over(db):
    lb_id = _service(db)["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    acl = db.slb.call("CreateAccessControlList", AclName="api-bound")["AclId"]
    db.slb.call("SetLoadBalancerTCPListenerAttribute", LoadBalancerId=lb_id, ListenerPort=80, AclStatus="on",
                AclType="white", AclId=acl)
    db.clients["ack-db"].request("PATCH", f"apis/apps/v1/namespaces/{NS}/deployments/web/scale",
                                 {"spec": {"replicas": 3}}, content_type="application/merge-patch+json")
    db.settle()  # pods changed, the Service did not: the listeners are not synced
    assert _listener(db, lb_id)["AclStatus"] == "on"
    backends = db.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=lb_id)["BackendServers"]["BackendServer"]
    assert sorted(s["ServerIp"] for s in backends) == _pod_ips(db) and len(backends) == 3


def test_deleting_the_service_deletes_only_the_clb_the_ccm_created(db):
    created = _service(db)["metadata"]["labels"]["service.k8s.alibaba/loadbalancer-id"]
    db.clients["ack-db"].request("DELETE", SVC)
    db.settle()
    with pytest.raises(SlbApiError, match="InvalidLoadBalancerId.NotFound"):
        db.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=created)
    reused = _reused_clb(db)
    _service(db, {PREFIX + "id": reused})
    db.clients["ack-db"].request("DELETE", SVC)
    db.settle()
    lb = db.slb.call("DescribeLoadBalancerAttribute", LoadBalancerId=reused)
    assert lb["BackendServers"]["BackendServer"] == [] and lb["ListenerPorts"]["ListenerPort"] == [80]


def test_transient_clb_errors_are_retried(db):
    db.faults.configure([{"service": "slb:ccm", "action": "CreateLoadBalancer", "throttle": 1.0}])
    db.clients["ack-db"].request("POST", f"api/v1/namespaces/{NS}/services", {
        "metadata": {"name": "web"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}})
    deadline = time.monotonic() + 5
    while db.ledger.snapshot()["services"].get("slb:ccm", {}).get("faults", {}).get("Throttling", 0) < 2:
        assert time.monotonic() < deadline, "the CCM did not retry a throttled call"
        time.sleep(0.05)
    assert not db.clients["ack-db"].request("GET", SVC).get("status", {}).get("loadBalancer", {}).get("ingress")
    db.faults.clear()
    db.settle()
    assert db.clients["ack-db"].request("GET", SVC)["status"]["loadBalancer"]["ingress"][0]["ip"]
