"""The whitelist of seed 004 in ack-db: default-deny plus the app's fixed IPs, as a platform team runs it
unattended: check mode first, the run, a rerun, an IP that moves, someone else's edits, a rollback."""

from __future__ import annotations

from netpol_support import DB_POD, DBA, UAT, Estate, NetpolPlayer, db_params, estate, player  # noqa: F401

WANTED = ["kubeguard-allow-dns", "kubeguard-default-deny", "mysql-from-uat-app"]


def _blocks(policy: dict) -> list[str]:
    return [peer["ipBlock"]["cidr"] for peer in policy["spec"]["ingress"][0]["from"]]


def test_check_mode_run_rerun_and_a_moved_ip(player: NetpolPlayer, estate: Estate):
    estate.add_policy("ack-db", UAT, "team-monitoring", {"podSelector": {}, "ingress": [{"ports": [{"port": 9104}]}]})
    fixed = estate.fixed_ips()
    moved = [dict(fixed[0], ip="192.168.64.99"), fixed[1]]
    respelt = [f" {fixed[1]['ip']} ", {"cidr": f"{fixed[0]['ip']}/32", "comment": "kubeguard:acl entry"}]
    check, run, again, same = player.play([
        {"params": db_params(estate, fixed), "check": True, "diff": True},
        {"params": db_params(estate, fixed), "diff": True},
        {"params": db_params(estate, list(reversed(fixed)))},  # another order, the same whitelist
        {"params": db_params(estate, respelt)},  # other spellings (a bare address, an ACL entry), the same
    ])
    assert check.changed and check.writes == 0, check
    assert sorted(check.result["diff"]["after"][UAT]) == WANTED and check.result["diff"]["before"][UAT] == {}
    assert run.changed and run.k8s_writes("ack-db") == {"create networkpolicies": 3}, run
    assert run.result["diff"] == check.result["diff"]
    stored = estate.policies("ack-db", UAT)
    assert sorted(n for n, p in stored.items() if p["metadata"]["labels"].get("app.kubernetes.io/managed-by")
                  == "kubeguard.netsec") == WANTED
    assert [a.rsplit("/", 1)[1] for a in run.result["actions"]] == [
        "kubeguard-allow-dns", "mysql-from-uat-app", "kubeguard-default-deny"]  # allow first, deny next
    assert not again.changed and again.writes == 0, again
    assert not same.changed and same.writes == 0, same
    versions = estate.versions("ack-db", UAT)
    change = player.run(db_params(estate, moved), diff=True)
    assert change.changed and change.k8s_writes("ack-db") == {"patch networkpolicies": 1}, change
    after = estate.policies("ack-db", UAT)
    assert _blocks(after["mysql-from-uat-app"]) == sorted([f"{moved[1]['ip']}/32", "192.168.64.99/32"])
    assert versions["mysql-from-uat-app"] < estate.versions("ack-db", UAT)["mysql-from-uat-app"]
    unchanged = {n: int(p["metadata"]["resourceVersion"]) for n, p in after.items() if n != "mysql-from-uat-app"}
    assert unchanged == {n: v for n, v in versions.items() if n != "mysql-from-uat-app"}  # the rest untouched
    (report,) = change.result["namespaces"]
    assert report["updated"] == ["mysql-from-uat-app"] and report["foreign"] == ["team-monitoring"]
    assert change.result["enforcement"]["enforced"] is True and not change.result["warnings_found"]


def test_the_summary_says_who_reaches_what(player: NetpolPlayer, estate: Estate):
    fixed = estate.fixed_ips()
    (step,) = player.play([{"params": db_params(estate, fixed)}])
    versions = estate.versions("ack-db", UAT)  # the server's order of the writes
    assert versions["kubeguard-allow-dns"] < versions["kubeguard-default-deny"]
    assert versions["mysql-from-uat-app"] < versions["kubeguard-default-deny"]
    (report,) = step.result["namespaces"]
    ingress = report["summary"]["ingress"]
    assert ingress["isolated_pods"] == [DB_POD] and ingress["open_pods"] == []
    (rule,) = ingress["allowed"]
    assert rule == {"policy": "mysql-from-uat-app", "pods": [DB_POD], "pod_selector": "app=abc-185-mysql",
                    "from": sorted(f"{item['ip']}/32" for item in fixed), "ports": ["TCP/3306"]}
    assert report["summary"]["egress"]["allowed"][0]["ports"] == ["TCP/53", "UDP/53"]


def test_someone_elses_edits_are_undone_on_ours_and_left_on_theirs_and_rollback_removes_only_ours(
        player: NetpolPlayer, estate: Estate):
    theirs = estate.add_policy("ack-db", UAT, "team-monitoring", {"podSelector": {}, "policyTypes": ["Ingress"]})
    player.run(db_params(estate))
    kube = estate.kube("ack-db")
    path = f"apis/networking.k8s.io/v1/namespaces/{UAT}/networkpolicies/mysql-from-uat-app"
    kube.request("PATCH", path, {"spec": {"ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}},
                 content_type="application/merge-patch+json")
    only_ips = db_params(estate)
    del only_ips["default_deny"]
    merged, replaced, rollback, again = player.play([
        {"params": db_params(estate, state="merged")},
        {"params": only_ips},
        {"params": {"context": "ack-db", "namespaces": [UAT], "state": "deleted"}},
        {"params": {"context": "ack-db", "namespaces": [UAT], "state": "deleted"}},
    ])
    assert merged.k8s_writes("ack-db") == {"patch networkpolicies": 1}, merged  # the hand edit is undone
    answered = {v["name"]: v for v in merged.result["namespaces"][0]["after"]}  # the server's answer to the patch
    assert _blocks(answered["mysql-from-uat-app"]) == sorted(f"{item['ip']}/32" for item in estate.fixed_ips())
    assert replaced.k8s_writes("ack-db") == {"delete networkpolicies": 2}, replaced
    assert replaced.result["namespaces"][0]["deleted"] == ["kubeguard-allow-dns", "kubeguard-default-deny"]
    assert replaced.result["actions"] == [f"deleted NetworkPolicy {UAT}/kubeguard-default-deny",  # the deny first
                                          f"deleted NetworkPolicy {UAT}/kubeguard-allow-dns"]
    assert rollback.k8s_writes("ack-db") == {"delete networkpolicies": 1}, rollback
    assert not again.changed and again.writes == 0
    left = estate.policies("ack-db", UAT)
    assert list(left) == ["team-monitoring"]
    assert left["team-monitoring"]["metadata"]["resourceVersion"] == theirs["metadata"]["resourceVersion"]


def test_a_namespace_of_another_team_keeps_its_open_pods_reported(player: NetpolPlayer, estate: Estate):
    step = player.run({"context": "ack-db", "namespaces": [UAT, DBA], "default_deny": "ingress", "state": "merged"},
                      check=True)
    reports = {r["namespace"]: r for r in step.result["namespaces"]}
    assert step.changed and step.writes == 0
    assert reports[DBA]["summary"]["ingress"]["open_pods"] == []  # the default-deny would isolate them
    assert set(reports[DBA]["summary"]["ingress"]["isolated_pods"]) == set(estate.pods("ack-db", DBA))
    assert reports[DBA]["summary"]["egress"]["open_pods"] == sorted(estate.pods("ack-db", DBA))


def test_the_same_on_eks_with_cidrs_and_a_foreign_policy(player: NetpolPlayer, estate: Estate):
    estate.add_policy("demo-eks", "shop", "allow-alb", {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "10.0.0.0/16"}}]}]})
    office = ["203.0.113.0/25", "198.51.100.7"]

    def params(sources):
        return {"context": "demo-eks", "namespaces": ["shop"], "default_deny": "both", "state": "replaced",
                "allow_from_ips": [{"name": "admin-from-office", "sources": sources, "ports": [{"port": 8080}],
                                    "pod_selector": {"match_labels": {"app": "admin"}}}]}

    check, run, again, change = player.play([
        {"params": params(office), "check": True}, {"params": params(office)},
        {"params": params(list(reversed(office)))}, {"params": params(["203.0.113.0/25", "198.51.100.8/32"])},
    ])
    assert check.changed and check.writes == 0, check
    assert run.k8s_writes("demo-eks") == {"create networkpolicies": 3}, run
    assert run.result["enforcement"]["enforced"] is False and run.result["warnings_found"]
    assert not again.changed and again.writes == 0, again
    assert change.k8s_writes("demo-eks") == {"patch networkpolicies": 1}, change
    stored = estate.policies("demo-eks", "shop")
    assert [p["ipBlock"]["cidr"] for p in stored["admin-from-office"]["spec"]["ingress"][0]["from"]] == [
        "198.51.100.8/32", "203.0.113.0/25"]
    assert "app.kubernetes.io/managed-by" not in (stored["allow-alb"]["metadata"].get("labels") or {})
    assert stored["allow-alb"]["metadata"]["generation"] == 1 and change.result["namespaces"][0]["foreign"] == [
        "allow-alb"]
