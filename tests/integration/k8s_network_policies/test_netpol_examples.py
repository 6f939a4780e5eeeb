"""Every EXAMPLES entry of k8s_network_policies, as written, in order in one play on the seeded estate."""

from __future__ import annotations

from netpol_support import PROD, UAT, Estate, NetpolPlayer, estate, player  # noqa: F401 - fixtures


NAMES = ["app_ips", "db", "isolation", "prometheus", "own", "current", "offline", "rollback"]


def test_the_examples_run_as_written(player: NetpolPlayer, estate: Estate):
    results = player.run_examples(NAMES)
    fixed = sorted(f"{item['ip']}/32" for item in results["app_ips"]["fixed_ips"])
    db = estate.policies("ack-db", UAT)
    assert sorted(db) == ["kubeguard-allow-dns", "kubeguard-default-deny", "mysql-from-uat-app"]
    assert [p["ipBlock"]["cidr"] for p in db["mysql-from-uat-app"]["spec"]["ingress"][0]["from"]] == fixed
    for namespace, env in ((UAT, "uat"), (PROD, "prod")):
        policy = estate.policies("ack-app", namespace)["kubeguard-same-environment"]
        assert policy["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"] == {"env": env}
    assert results["prometheus"]["changed"] and results["own"]["changed"]
    assert sorted(results["rollback"]["namespaces"][0]["deleted"]) == ["allow-prometheus", "storefront-from-vpc"]
    assert estate.policies("demo-eks", "shop") == {}
    (gathered,) = results["current"]["gathered"]
    assert sorted(p["name"] for p in gathered["extra_policies"]) == sorted(db) and gathered["foreign"] == []
    assert [m["metadata"]["name"] for m in results["offline"]["rendered"]] == [
        "kubeguard-default-deny", "mysql-from-office"]
    assert results["offline"]["rendered"][1]["spec"]["ingress"][0]["from"] == [
        {"ipBlock": {"cidr": "10.9.0.0/24"}}, {"ipBlock": {"cidr": "10.9.1.7/32"}}]
    assert results["offline"]["api_calls"]["reads"] == 0
