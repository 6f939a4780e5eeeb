"""Seed 004 reproduced by hand on the emulated estate (no module involved), judged by the reachability oracle.

Before: every pod of ack-app (UAT and prod share the pod subnet) and of ack-db reaches the UAT database.
A whitelist of the UAT pods' IPs on the CLB listener keeps prod out, but ack-db's own pods still reach the
database through kube-proxy's IPVS short-circuit; the hostname annotation closes that path too.
"""

from __future__ import annotations

import json

import pytest

from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbClient
from sandbox.oracle import reach

UAT, PROD, DBA = "abc-185-7db8e", "abc-185-prod", "dba-tools"
DB_SERVICE = f"ack-db/{UAT}/abc-185-mysql-svc"
HOSTNAME = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname"


def _pods(estate, cluster: str, namespace: str) -> dict[str, str]:
    items = estate.clients[cluster].request("GET", f"api/v1/namespaces/{namespace}/pods")["items"]
    return {pod["metadata"]["name"]: pod["status"]["podIP"] for pod in items}


def _verdicts(estate, cluster: str, namespace: str) -> dict:
    return {name: reach(estate.endpoints, f"{cluster}/{namespace}/{name}", DB_SERVICE, 3306)
            for name in _pods(estate, cluster, namespace)}


def _bind(estate, acl_type: str, entries: list[dict]) -> str:
    slb = SlbClient(estate.endpoints["slb"], credentials.USER, "cn-hangzhou")
    acl = slb.call("CreateAccessControlList", AclName=f"abc-185-mysql-{acl_type}")["AclId"]
    if entries:
        slb.call("AddAccessControlListEntry", AclId=acl, AclEntrys=json.dumps(entries))
    slb.call("SetLoadBalancerTCPListenerAttribute", LoadBalancerId=estate.alibaba["db_load_balancer_id"],
             ListenerPort=3306, AclStatus="on", AclType=acl_type, AclId=acl)
    return acl


def _uat_whitelist(estate) -> str:
    return _bind(estate, "white", [{"entry": f"{ip}/32", "comment": f"uat/{name}"}
                                   for name, ip in _pods(estate, "ack-app", UAT).items()])


def _assert_all(verdicts: dict, reachable: bool, path: str) -> None:
    assert verdicts, "no pods to test"
    for verdict in verdicts.values():
        assert (verdict.reachable, verdict.path) == (reachable, path), verdict.trace()


def test_before_every_pod_of_both_clusters_reaches_the_uat_database(seeded):
    for namespace in (UAT, PROD):
        _assert_all(_verdicts(seeded, "ack-app", namespace), True, "clb")
    for namespace in (UAT, DBA):
        _assert_all(_verdicts(seeded, "ack-db", namespace), True, "ipvs")
    prod = next(iter(_verdicts(seeded, "ack-app", PROD).values()))
    assert "access control off" in prod.decided_by
    assert [hop.where for hop in prod.hops] == ["source", "client", "clb", "backend", "networkpolicy egress (ack-app)",
                                                "networkpolicy ingress (ack-db)"]


def test_a_whitelist_of_the_uat_ips_keeps_prod_out_but_not_the_database_cluster(seeded):
    acl = _uat_whitelist(seeded)
    uat_ips = _pods(seeded, "ack-app", UAT)
    for name, verdict in _verdicts(seeded, "ack-app", UAT).items():
        assert verdict.reachable and verdict.path == "clb", verdict.trace()
        assert f"{uat_ips[name]} matches {uat_ips[name]}/32 (uat/{name})" in verdict.decided_by
    for verdict in _verdicts(seeded, "ack-app", PROD).values():
        assert not verdict.reachable and verdict.path == "clb", verdict.trace()
        assert f"is not in whitelist {acl}" in verdict.decided_by
    _assert_all(_verdicts(seeded, "ack-db", DBA), True, "ipvs")  # the ACL never sees in-cluster traffic
    _assert_all(_verdicts(seeded, "ack-db", UAT), True, "ipvs")


def test_with_the_hostname_annotation_the_whitelist_applies_inside_the_database_cluster_too(seeded):
    _uat_whitelist(seeded)
    seeded.clients["ack-db"].request("PATCH", f"api/v1/namespaces/{UAT}/services/abc-185-mysql-svc",
                                     {"metadata": {"annotations": {HOSTNAME: "abc-185-mysql-svc"}}},
                                     content_type="application/merge-patch+json")
    seeded.settle()
    service = seeded.clients["ack-db"].request("GET", f"api/v1/namespaces/{UAT}/services/abc-185-mysql-svc")
    assert service["status"]["loadBalancer"]["ingress"] == [{"hostname": "abc-185-mysql-svc"}]
    for namespace in (DBA, UAT):
        for verdict in _verdicts(seeded, "ack-db", namespace).values():
            assert not verdict.reachable and verdict.path == "clb", verdict.trace()
            assert "resolves to the CLB address 10.10.0.200" in verdict.trace()
    _assert_all(_verdicts(seeded, "ack-app", UAT), True, "clb")
    _assert_all(_verdicts(seeded, "ack-app", PROD), False, "clb")


def test_an_empty_whitelist_bound_to_the_listener_admits_everyone(seeded):
    _bind(seeded, "white", [])
    for verdict in _verdicts(seeded, "ack-app", PROD).values():
        assert verdict.reachable, verdict.trace()
        assert "EMPTY: an empty whitelist forwards every source" in verdict.decided_by


def test_a_blacklist_refuses_only_its_entries(seeded):
    _bind(seeded, "black", [{"entry": f"{ip}/32"} for ip in _pods(seeded, "ack-app", PROD).values()])
    _assert_all(_verdicts(seeded, "ack-app", PROD), False, "clb")
    _assert_all(_verdicts(seeded, "ack-app", UAT), True, "clb")


def test_acl_annotations_alone_do_not_protect_the_reused_clb(seeded):
    """The seeded Service reuses its CLB without force-override-listeners: the CCM leaves the listener be."""
    slb = SlbClient(seeded.endpoints["slb"], credentials.USER, "cn-hangzhou")
    acl = slb.call("CreateAccessControlList", AclName="by-annotation")["AclId"]
    slb.call("AddAccessControlListEntry", AclId=acl, AclEntrys=json.dumps([{"entry": "192.0.2.1/32"}]))
    prefix = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
    seeded.clients["ack-db"].request("PATCH", f"api/v1/namespaces/{UAT}/services/abc-185-mysql-svc", {
        "metadata": {"annotations": {prefix + "acl-status": "on", prefix + "acl-type": "white",
                                     prefix + "acl-id": acl}}}, content_type="application/merge-patch+json")
    seeded.settle()
    _assert_all(_verdicts(seeded, "ack-app", PROD), True, "clb")


def test_answers_read_like_traces_and_refuse_what_they_cannot_judge(seeded):
    dba = next(iter(_pods(seeded, "ack-db", DBA)))
    verdict = reach(seeded.endpoints, f"ack-db/{DBA}/{dba}", DB_SERVICE, 3306)
    text = verdict.trace()
    assert text.startswith(f"ack-db/{DBA}/{dba} -> {DB_SERVICE}:3306: REACHABLE via ipvs")
    assert "kube-ipvs0" in text and "decided by: kube-proxy IPVS" in text
    assert verdict.as_dict()["hops"][0]["where"] == "source"
    other_port = reach(seeded.endpoints, f"ack-db/{DBA}/{dba}", DB_SERVICE, 3307)
    assert not other_port.reachable and "TCP/3307: no such port" in other_port.decided_by
    with pytest.raises(ValueError, match="CLUSTER/NAMESPACE/NAME"):
        reach(seeded.endpoints, "ack-db/only-two", DB_SERVICE, 3306)
    with pytest.raises(ValueError, match="no emulated cluster named 'ack-nope'"):
        reach(seeded.endpoints, f"ack-nope/{DBA}/{dba}", DB_SERVICE, 3306)


def test_a_stopped_listener_reaches_nobody(seeded):
    slb = SlbClient(seeded.endpoints["slb"], credentials.USER, "cn-hangzhou")
    slb.call("StopLoadBalancerListener", LoadBalancerId=seeded.alibaba["db_load_balancer_id"], ListenerPort=3306)
    verdict = next(iter(_verdicts(seeded, "ack-app", UAT).values()))
    assert not verdict.reachable and "no running listener on port 3306" in verdict.decided_by


def _mirror_policies(estate, uat_ips: list[str]) -> None:
    """Seed 004's NetworkPolicies in ack-db, by hand: default-deny for the database namespace, and the
    whitelist's IPs allowed on 3306."""
    db = estate.clients["ack-db"]
    path = f"apis/networking.k8s.io/v1/namespaces/{UAT}/networkpolicies"
    db.request("POST", path, {"metadata": {"name": "default-deny"},
                              "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
    db.request("POST", path, {"metadata": {"name": "uat-app-ips"}, "spec": {
        "podSelector": {"matchLabels": {"app": "abc-185-mysql"}}, "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"ipBlock": {"cidr": f"{ip}/32"}} for ip in uat_ips],
                     "ports": [{"port": 3306, "protocol": "TCP"}]}]}})


def test_networkpolicies_stop_the_database_clusters_own_pods_even_through_ipvs(seeded):
    _mirror_policies(seeded, list(_pods(seeded, "ack-app", UAT).values()))
    for verdict in _verdicts(seeded, "ack-db", DBA).values():
        assert not verdict.reachable and verdict.path == "ipvs", verdict.trace()
        assert "isolated for ingress by abc-185-7db8e/default-deny" in verdict.decided_by
    for verdict in _verdicts(seeded, "ack-app", UAT).values():
        assert verdict.reachable and "networkpolicy ingress (ack-db)" in [h.where for h in verdict.hops]
        assert "abc-185-7db8e/uat-app-ips ingress[0] allows" in verdict.hops[-1].what, verdict.trace()
    for verdict in _verdicts(seeded, "ack-app", PROD).values():  # no ACL yet: the policy alone refuses prod
        assert not verdict.reachable and "isolated for ingress" in verdict.decided_by, verdict.trace()


def test_policies_are_ignored_where_terway_does_not_enforce_them(seeded):
    _mirror_policies(seeded, [])
    seeded.clients["ack-db"].request("PATCH", "api/v1/namespaces/kube-system/configmaps/eni-config",
                                     {"data": {"disable_network_policy": "true"}},
                                     content_type="application/merge-patch+json")
    for verdict in _verdicts(seeded, "ack-db", DBA).values():
        assert verdict.reachable, verdict.trace()
        assert "disable_network_policy='true': policies ignored" in verdict.trace()


def test_pod_to_pod_across_namespaces_and_clusters(seeded):
    from sandbox.oracle import reach_pod

    db_pod = f"ack-db/{UAT}/abc-185-mysql-0"
    dba = f"ack-db/{DBA}/{next(iter(_pods(seeded, 'ack-db', DBA)))}"
    uat = f"ack-app/{UAT}/{next(iter(_pods(seeded, 'ack-app', UAT)))}"
    before = reach_pod(seeded.endpoints, dba, db_pod, 3306)
    assert before.reachable and before.path == "direct", before.trace()
    _mirror_policies(seeded, [_pods(seeded, "ack-app", UAT)[uat.rsplit("/", 1)[1]]])
    after = reach_pod(seeded.endpoints, dba, db_pod, 3306)
    assert not after.reachable and "default-deny" in after.decided_by, after.trace()
    across = reach_pod(seeded.endpoints, uat, db_pod, 3306)
    assert across.reachable and "uat-app-ips" in across.trace(), across.trace()
    assert not reach_pod(seeded.endpoints, uat, db_pod, 3307).reachable


def _dns(estate, namespace: str, protocol: str = "UDP"):
    pod = next(iter(_pods(estate, "ack-db", namespace)))
    return reach(estate.endpoints, f"ack-db/{namespace}/{pod}", "ack-db/kube-system/kube-dns", 53, protocol=protocol)


def test_cluster_dns_is_a_cluster_ip_service_that_an_egress_default_deny_cuts_unless_excepted(seeded):
    assert _dns(seeded, UAT).reachable and _dns(seeded, UAT, "TCP").reachable
    assert _dns(seeded, UAT).path == "ipvs" and "cluster IP" in _dns(seeded, UAT).trace()
    app_pod = next(iter(_pods(seeded, "ack-app", UAT)))
    remote = reach(seeded.endpoints, f"ack-app/{UAT}/{app_pod}", "ack-db/kube-system/kube-dns", 53, protocol="UDP")
    assert not remote.reachable and "only reachable from inside its own cluster" in remote.decided_by
    path = f"apis/networking.k8s.io/v1/namespaces/{UAT}/networkpolicies"
    db = seeded.clients["ack-db"]
    db.request("POST", path, {"metadata": {"name": "deny-egress"},
                              "spec": {"podSelector": {}, "policyTypes": ["Egress"]}})
    cut = _dns(seeded, UAT)
    assert not cut.reachable and "isolated for egress by abc-185-7db8e/deny-egress" in cut.decided_by, cut.trace()
    db.request("POST", path, {"metadata": {"name": "dns"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"],
                                                                    "egress": [{
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "ports": [{"port": 53, "protocol": "UDP"}]}]}})
    assert _dns(seeded, UAT).reachable, _dns(seeded, UAT).trace()
    assert not _dns(seeded, UAT, "TCP").reachable  # the exception names UDP only
    assert _dns(seeded, DBA).reachable  # other namespaces are not isolated
