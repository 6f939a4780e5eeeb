"""The audit's NetworkPolicy checks on hand-built cluster views: semantics, not existence."""

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_k8s
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_k8s import ClusterView
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import Enforcement

DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
DNS = {
    "podSelector": {},
    "policyTypes": ["Egress"],
    "egress": [
        {
            "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ],
}


def pod(name, **labels):
    return {"metadata": {"name": name, "namespace": "shop", "labels": labels}, "status": {"phase": "Running"}}


def policy(name, spec):
    return {"metadata": {"name": name, "namespace": "shop"}, "spec": spec}


def view(*policies, pods=None, engine=Enforcement(True, "Calico")):
    return ClusterView(
        "demo-eks",
        {"shop": pods or [pod("web-1", app="web")], "kube-system": [pod("dns")], "empty": []},
        {"shop": list(policies)},
        engine,
    )


def kinds(found):
    return [(f.kind, f.resource, f.details.get("direction")) for f in found]


def test_no_policy_means_no_default_deny_in_each_direction_the_profile_requires():
    assert kinds(checks_k8s.default_deny(view(), True)) == [
        ("KG-K8S-001", "demo-eks/shop", "Ingress"),
        ("KG-K8S-001", "demo-eks/shop", "Egress"),
    ]
    assert kinds(checks_k8s.default_deny(view(), False)) == [("KG-K8S-001", "demo-eks/shop", "Ingress")]


def test_a_policy_that_selects_some_pods_is_not_a_default_deny_and_an_allow_all_undoes_one():
    some = policy("web-only", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]})
    found = checks_k8s.default_deny(view(some), False)
    assert found and "no policy selects every pod for Ingress (policies: web-only)" in found[0].evidence
    undo = policy("allow-everything", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
    found = checks_k8s.default_deny(view(policy("deny", DENY_ALL), undo), False)
    assert [f.evidence for f in found] == ["deny denies Ingress but allow-everything allows every peer on every port"]
    assert checks_k8s.default_deny(view(policy("deny", DENY_ALL)), True) == []


def test_denied_egress_needs_the_dns_exception():
    assert [f.kind for f in checks_k8s.dns_exception(view(policy("deny", DENY_ALL)), True)] == ["KG-K8S-005"]
    assert checks_k8s.dns_exception(view(policy("deny", DENY_ALL), policy("dns", DNS)), True) == []
    assert checks_k8s.dns_exception(view(), True) == []  # egress not denied: KG-K8S-001 covers it


def test_allow_all_constructs_and_pods_no_policy_selects():
    wide = policy(
        "wide",
        {
            "podSelector": {"matchLabels": {"app": "web"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {}}]}, {"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
        },
    )
    found = checks_k8s.allow_all_constructs(view(wide))
    assert [f.resource for f in found] == ["demo-eks/shop/wide", "demo-eks/shop/wide"]
    loose = checks_k8s.unselected_pods(view(wide, pods=[pod("web-1", app="web"), pod("db-1", app="db")]))
    assert [(f.evidence, f.details["pods"]) for f in loose] == [("1 pod(s): db-1", ["db-1"])]


def test_no_engine_is_a_finding_and_an_unknown_one_a_medium_one():
    assert checks_k8s.not_enforced(view(engine=Enforcement(True, "Calico"))) == []
    (off,) = checks_k8s.not_enforced(view(engine=Enforcement(False, "VPC CNI without the agent")))
    assert off.severity is None and off.evidence == "VPC CNI without the agent"
    (unknown,) = checks_k8s.not_enforced(view(engine=Enforcement(None, "nothing known")))
    assert unknown.severity == "medium"


def test_system_empty_and_exempt_namespaces_are_not_audited():
    exempt = view()
    exempt.exempt = ("shop",)
    assert checks_k8s.default_deny(exempt, True) == [] and checks_k8s.unselected_pods(exempt) == []
