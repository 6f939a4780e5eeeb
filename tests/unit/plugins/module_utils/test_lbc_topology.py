import hashlib

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils import lbc_topology as topo


def test_backend_name_matches_the_controller_formula_and_the_sandbox_seed():
    from sandbox.seed import lbc_names  # an independent implementation of the same formula

    for cluster in ("demo-eks", "my.cluster_01", "x" * 300):
        assert topo.backend_sg_name(cluster) == lbc_names.backend_sg_name(cluster)
    assert topo.backend_sg_name("demo-eks") == "k8s-traffic-demoeks-" + hashlib.sha256(b"demo-eks").hexdigest()[:10]
    assert len(topo.backend_sg_name("x" * 300)) == len("k8s-traffic--") + 232 + 10


def test_endpoint_group_single_group_wins_regardless_of_tags():
    assert topo.endpoint_group("eni-1", ["sg-a"], {}, "c") == "sg-a"


def test_endpoint_group_picks_the_one_cluster_tagged_group():
    tags = {"sg-a": {"kubernetes.io/cluster/c": "owned"}, "sg-b": {}}
    assert topo.endpoint_group("eni-1", ["sg-b", "sg-a"], tags, "c") == "sg-a"


@pytest.mark.parametrize("tags, expected_ids", [
    ({"sg-a": {}, "sg-b": {}}, ""),
    ({"sg-a": {"kubernetes.io/cluster/c": "owned"}, "sg-b": {"kubernetes.io/cluster/c": "shared"}}, "sg-a sg-b"),
])
def test_endpoint_group_reproduces_the_controller_error(tags, expected_ids):
    with pytest.raises(topo.TopologyError) as caught:
        topo.endpoint_group("eni-1", ["sg-a", "sg-b"], tags, "c")
    assert str(caught.value) == ("expected exactly one securityGroup tagged with kubernetes.io/cluster/c for eni "
                                 "eni-1, got: [%s] (clusterName: c)" % expected_ids)


def test_endpoint_group_honours_required_tags():
    tags = {"sg-a": {"kubernetes.io/cluster/c": "owned", "role": "node"}, "sg-b": {"kubernetes.io/cluster/c": "owned"}}
    assert topo.endpoint_group("eni-1", ["sg-a", "sg-b"], tags, "c", {"role": "node"}) == "sg-a"


def svc(name, ports, kind="NodePort", annotations=None, cls=None, ns="shop"):
    spec = {"type": kind, "ports": ports}
    if cls:
        spec["loadBalancerClass"] = cls
    return {"metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def ing(name, backends, annotations=None, cls="alb", ns="shop"):
    return {"metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
            "spec": {"ingressClassName": cls, "rules": [{"http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": b}} for b in backends]}}]}}


def test_instance_targets_need_node_ports_and_ip_targets_need_target_ports():
    services = [svc("web", [{"port": 80, "targetPort": 8080, "nodePort": 30080}]),
                svc("api", [{"name": "http", "port": 80, "targetPort": 9000, "nodePort": 32050}])]
    ingresses = [ing("web", [{"name": "web", "port": {"number": 80}}]),
                 ing("api", [{"name": "api", "port": {"name": "http"}}], {topo.ALB + "target-type": "ip"})]
    ports, unresolved = topo.node_ports(services, ingresses)
    assert [(p["protocol"], p["port"], p["target_type"]) for p in ports] == [
        ("tcp", 9000, "ip"), ("tcp", 30080, "instance")]
    assert unresolved == []


def test_health_check_port_other_than_traffic_port_is_needed():
    services = [svc("web", [{"port": 80, "nodePort": 30080}])]
    ingresses = [ing("web", [{"name": "web", "port": {"number": 80}}], {topo.ALB + "healthcheck-port": "10254"})]
    assert [p["port"] for p in topo.node_ports(services, ingresses)[0]] == [10254, 30080]


def test_other_ingress_classes_and_plain_services_are_ignored():
    services = [svc("web", [{"port": 80, "nodePort": 30080}]), svc("db", [{"port": 3306, "nodePort": 31306}])]
    ingresses = [ing("web", [{"name": "web", "port": {"number": 80}}], cls="nginx")]
    assert topo.node_ports(services, ingresses) == ([], [])


def test_nlb_services_udp_adds_tcp_health_check_on_the_traffic_port():
    services = [svc("dns", [{"port": 53, "protocol": "UDP", "nodePort": 31053}], kind="LoadBalancer",
                    cls=topo.NLB_CLASS)]
    ports = topo.node_ports(services, [])[0]
    assert [(p["protocol"], p["port"]) for p in ports] == [("tcp", 31053), ("udp", 31053)]


def test_unresolvable_backends_are_reported_not_guessed():
    services = [svc("web", [{"port": 80, "targetPort": "http"}], kind="ClusterIP")]
    ingresses = [ing("a", [{"name": "web", "port": {"number": 80}}]),
                 ing("b", [{"name": "web", "port": {"number": 80}}], {topo.ALB + "target-type": "ip"}),
                 ing("c", [{"name": "missing", "port": {"number": 80}}])]
    ports, unresolved = topo.node_ports(services, ingresses)
    assert ports == []
    assert len(unresolved) == 3
    assert any("no nodePort" in u for u in unresolved) and any("named targetPort" in u for u in unresolved)
    assert any("Service not found" in u for u in unresolved)
