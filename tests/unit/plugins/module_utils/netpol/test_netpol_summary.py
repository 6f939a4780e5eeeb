from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.summary import pod_views
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.summary import summarize

PODS = [{"name": "mysql-0", "labels": {"app": "mysql"}}, {"name": "tools", "labels": {"app": "tools"}}]


def _view(name, spec):
    return {"name": name, "owned": True, "spec": spec}


def test_who_may_reach_which_pods_on_which_ports():
    policies = [
        _view("deny", {"podSelector": {}, "policyTypes": ["Ingress"]}),
        _view(
            "ips",
            {
                "podSelector": {"matchLabels": {"app": "mysql"}},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                            {"namespaceSelector": {"matchLabels": {"env": "uat"}}, "podSelector": {}},
                        ],
                        "ports": [
                            {"protocol": "TCP", "port": 3306},
                            {"protocol": "TCP", "port": 8000, "endPort": 8080},
                        ],
                    }
                ],
            },
        ),
        _view(
            "open-egress", {"podSelector": {"matchLabels": {"app": "tools"}}, "policyTypes": ["Egress"], "egress": [{}]}
        ),
    ]
    found = summarize(policies, PODS)
    assert found["ingress"]["isolated_pods"] == ["mysql-0", "tools"] and found["ingress"]["open_pods"] == []
    assert found["ingress"]["allowed"] == [
        {
            "policy": "ips",
            "pods": ["mysql-0"],
            "pod_selector": "app=mysql",
            "from": ["10.0.0.0/8 except 10.1.0.0/16", "pods * in namespaces env=uat"],
            "ports": ["TCP/3306", "TCP/8000-8080"],
        }
    ]
    assert found["egress"]["open_pods"] == ["mysql-0"]
    assert found["egress"]["allowed"][0]["to"] == ["any"] and found["egress"]["allowed"][0]["ports"] == ["all"]


def test_only_running_pod_network_pods_count():
    items = [
        {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {}, "status": {"phase": "Running"}},
        {"metadata": {"name": "done"}, "spec": {}, "status": {"phase": "Succeeded"}},
        {"metadata": {"name": "host"}, "spec": {"hostNetwork": True}, "status": {"phase": "Running"}},
    ]
    assert pod_views(items) == [{"name": "a", "labels": {"x": "1"}}]
