"""Which ports load balancers reach on the nodes, from Services and Ingresses (per target type)."""

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.service_ports import ALB
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.service_ports import NLB_CLASS
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.service_ports import node_ports


def svc(name, ports, kind="NodePort", annotations=None, cls=None, ns="shop"):
    spec = {"type": kind, "ports": ports}
    if cls:
        spec["loadBalancerClass"] = cls
    return {"metadata": {"name": name, "namespace": ns, "annotations": annotations or {}}, "spec": spec}


def ing(name, backends, annotations=None, cls="alb", ns="shop"):
    return {
        "metadata": {"name": name, "namespace": ns, "annotations": annotations or {}},
        "spec": {
            "ingressClassName": cls,
            "rules": [
                {"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": b}} for b in backends]}}
            ],
        },
    }


def test_instance_targets_need_node_ports_and_ip_targets_need_target_ports():
    services = [
        svc("web", [{"port": 80, "targetPort": 8080, "nodePort": 30080}]),
        svc("api", [{"name": "http", "port": 80, "targetPort": 9000, "nodePort": 32050}]),
    ]
    ingresses = [
        ing("web", [{"name": "web", "port": {"number": 80}}]),
        ing("api", [{"name": "api", "port": {"name": "http"}}], {ALB + "target-type": "ip"}),
    ]
    ports, unresolved = node_ports(services, ingresses)
    assert [(p["protocol"], p["port"], p["target_type"]) for p in ports] == [
        ("tcp", 9000, "ip"),
        ("tcp", 30080, "instance"),
    ]
    assert unresolved == []


def test_health_check_port_other_than_traffic_port_is_needed():
    services = [svc("web", [{"port": 80, "nodePort": 30080}])]
    ingresses = [ing("web", [{"name": "web", "port": {"number": 80}}], {ALB + "healthcheck-port": "10254"})]
    assert [p["port"] for p in node_ports(services, ingresses)[0]] == [10254, 30080]


def test_other_ingress_classes_and_plain_services_are_ignored():
    services = [svc("web", [{"port": 80, "nodePort": 30080}]), svc("db", [{"port": 3306, "nodePort": 31306}])]
    ingresses = [ing("web", [{"name": "web", "port": {"number": 80}}], cls="nginx")]
    assert node_ports(services, ingresses) == ([], [])


def test_nlb_services_udp_adds_tcp_health_check_on_the_traffic_port():
    services = [svc("dns", [{"port": 53, "protocol": "UDP", "nodePort": 31053}], kind="LoadBalancer", cls=NLB_CLASS)]
    ports = node_ports(services, [])[0]
    assert [(p["protocol"], p["port"]) for p in ports] == [("tcp", 31053), ("udp", 31053)]


def test_unresolvable_backends_are_reported_not_guessed():
    services = [svc("web", [{"port": 80, "targetPort": "http"}], kind="ClusterIP")]
    ingresses = [
        ing("a", [{"name": "web", "port": {"number": 80}}]),
        ing("b", [{"name": "web", "port": {"number": 80}}], {ALB + "target-type": "ip"}),
        ing("c", [{"name": "missing", "port": {"number": 80}}]),
    ]
    ports, unresolved = node_ports(services, ingresses)
    assert ports == []
    assert len(unresolved) == 3
    assert any("no nodePort" in u for u in unresolved) and any("named targetPort" in u for u in unresolved)
    assert any("Service not found" in u for u in unresolved)
