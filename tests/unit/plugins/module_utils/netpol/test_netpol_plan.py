from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import body
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.plan import plan_namespace
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import Policy

NS = "abc-185-7db8e"
DENY = Policy("kubeguard-default-deny", "default-deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
IPS = Policy(
    "mysql-from-uat-app",
    "allow-from-ips",
    {
        "podSelector": {"matchLabels": {"app": "abc-185-mysql"}},
        "policyTypes": ["Ingress"],
        "ingress": [
            {"from": [{"ipBlock": {"cidr": "192.168.64.21/32"}}], "ports": [{"protocol": "TCP", "port": 3306}]}
        ],
    },
)


def _stored(policy: Policy, rv: str = "7", **labels) -> dict:
    obj = body(NS, policy)
    obj["metadata"]["resourceVersion"] = rv
    obj["metadata"]["labels"].update(labels)
    return obj


def _foreign(name: str) -> dict:
    return {"metadata": {"name": name, "namespace": NS, "resourceVersion": "3"}, "spec": {"podSelector": {}}}


def test_missing_policies_are_created_and_equal_ones_left_alone():
    plan = plan_namespace(NS, [_stored(DENY)], [DENY, IPS], "merged")
    assert [c["metadata"]["name"] for c in plan.creates] == ["mysql-from-uat-app"]
    assert plan.creates[0]["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "kubeguard.netsec",
        "netsec.kubeguard.io/purpose": "allow-from-ips",
    }
    assert plan.satisfied == ["kubeguard-default-deny"] and not plan.updates and not plan.deletes


def test_a_stored_spec_with_the_servers_defaults_needs_no_update():
    stored = _stored(IPS)
    stored["spec"]["ingress"][0]["ports"] = [{"port": 3306}]  # as sent without protocol, before defaulting
    stored["spec"]["egress"] = []
    assert plan_namespace(NS, [stored], [IPS], "merged").satisfied == ["mysql-from-uat-app"]


def test_a_changed_ip_is_one_patch_with_the_resource_version_read():
    moved = Policy(
        IPS.name,
        IPS.purpose,
        dict(
            IPS.spec,
            podSelector={},
            ingress=[
                {"from": [{"ipBlock": {"cidr": "192.168.64.23/32"}}], "ports": [{"protocol": "TCP", "port": 3306}]}
            ],
        ),
    )
    plan = plan_namespace(NS, [_stored(IPS, rv="42", team="db")], [moved], "merged")
    (update,) = plan.updates
    assert update["patch"]["metadata"] == {"resourceVersion": "42"}  # labels unchanged, the team's label kept
    assert update["patch"]["spec"] == {"podSelector": {"matchLabels": None}, "ingress": moved.spec["ingress"]}
    assert plan.predicted()[0]["spec"] == moved.spec


def test_a_wanted_name_held_by_someone_else_is_refused_and_never_taken_over():
    with pytest.raises(PlanError, match="mysql-from-uat-app exists and was not made by kubeguard.netsec"):
        plan_namespace(NS, [_foreign("mysql-from-uat-app")], [IPS], "replaced")
    assert plan_namespace(NS, [_foreign("mysql-from-uat-app")], [IPS], "gathered").creates == []


def test_replaced_deletes_owned_extras_only_and_merged_deletes_nothing():
    existing = [_stored(DENY), _stored(IPS), _foreign("team-policy")]
    assert plan_namespace(NS, existing, [IPS], "replaced").deletes == ["kubeguard-default-deny"]
    assert plan_namespace(NS, existing, [IPS], "merged").deletes == []
    after = plan_namespace(NS, existing, [IPS], "replaced").predicted()
    assert [(v["name"], v["owned"]) for v in after] == [("mysql-from-uat-app", True), ("team-policy", False)]


def test_deleted_removes_the_named_owned_policies_or_all_owned():
    existing = [_stored(DENY), _stored(IPS), _foreign("team-policy")]
    assert plan_namespace(NS, existing, [IPS, Policy("team-policy", "extra", {})], "deleted").deletes == [
        "mysql-from-uat-app"
    ]
    assert plan_namespace(NS, existing, [], "deleted").deletes == ["kubeguard-default-deny", "mysql-from-uat-app"]
