"""ack_slb_acl on the sandbox: create and bind, idempotence, check mode, make-before-break, quota, foreign
entries, the fewest calls, and convergence under the service's processing window and throttling."""

from __future__ import annotations

from slb_acl_support import AclPlayer, Clb, cidrs, estate, params, player  # noqa: F401 - fixtures


def test_create_bind_then_nothing_to_do(player: AclPlayer, estate: Clb):
    wanted = params(estate, entries=cidrs(11, 12))
    check, first, second = player.play([{"params": wanted, "check": True, "diff": True},
                                        {"params": wanted, "diff": True}, {"params": wanted}])
    assert check.changed and check.writes == 0 and check.result["acl"]["id"] is None, check
    assert [e["cidr"] for e in check.result["diff"]["after"]["entries"]] == ["192.168.64.11/32", "192.168.64.12/32"]
    assert first.changed and not first.failed, first
    acl = estate.acl("abc-185-mysql-uat")
    assert estate.entries(acl["AclId"]) == {"192.168.64.11/32": "kubeguard:app-11",
                                             "192.168.64.12/32": "kubeguard:app-12"}
    listener = estate.listener()
    assert (listener["AclStatus"], listener["AclType"], listener["AclId"]) == ("on", "white", acl["AclId"])
    assert first.calls(kind="write") == {"AddAccessControlListEntry": 1, "CreateAccessControlList": 1,
                                         "SetLoadBalancerTCPListenerAttribute": 1}
    assert first.result["diff"]["before"]["listeners"][0]["acl_status"] == "off"
    assert not second.changed and second.writes == 0, second
    assert second.result["api_calls"]["writes"] == 0 and second.result["acl"]["id"] == acl["AclId"]


def test_a_changed_pod_ip_is_added_before_the_old_one_is_removed(player: AclPlayer, estate: Clb):
    player.run(params(estate, entries=cidrs(11, 12)))
    estate.admin.reset_calls()
    step = player.run(params(estate, state="replaced", entries=cidrs(11, 13)))
    assert step.changed and not step.failed, step
    assert estate.write_log() == [("AddAccessControlListEntry", None), ("RemoveAccessControlListEntry", None)]
    acl = estate.acl("abc-185-mysql-uat")["AclId"]
    assert set(estate.entries(acl)) == {"192.168.64.11/32", "192.168.64.13/32"}
    assert [e["cidr"] for e in step.result["added"]] == ["192.168.64.13/32"]
    assert [e["cidr"] for e in step.result["removed"]] == ["192.168.64.12/32"]


def test_foreign_entries_survive_replaced(player: AclPlayer, estate: Clb):
    acl = estate.create_acl("abc-185-mysql-uat", ("10.9.0.0/24", "ops vpn"))
    player.run(params(estate, entries=cidrs(11)))
    step = player.run(params(estate, state="replaced", entries=cidrs(12)))
    assert step.changed, step
    assert estate.entries(acl) == {"10.9.0.0/24": "ops vpn", "192.168.64.12/32": "kubeguard:app-12"}
    overridden = player.run(params(estate, state="overridden", entries=cidrs(12), protect=["10.9.0.0/16"]))
    assert not overridden.changed and overridden.writes == 0, overridden  # the protected foreign entry stays


def test_one_network_in_other_spellings_is_one_entry(player: AclPlayer, estate: Clb):
    estate.create_acl("abc-185-mysql-uat", ("192.168.64.11", "kubeguard:app-11"))
    step = player.run(params(estate, entries=[{"cidr": "192.168.64.11/32", "comment": "app-11"}]))
    assert step.calls(kind="write") == {"SetLoadBalancerTCPListenerAttribute": 1}, step


def test_301_entries_fail_before_any_write(player: AclPlayer, estate: Clb):
    many = [{"cidr": f"10.{i // 250}.{i % 250}.1/32"} for i in range(301)]
    step = player.run(params(estate, entries=many))
    assert step.failed and "at most 300" in step.msg and step.writes == 0, step
    estate.create_acl("abc-185-mysql-uat", *[(f"10.200.{i}.0/24", "foreign") for i in range(50)])
    step = player.run(params(estate, entries=many[:251]))  # 50 foreign + 251 ours
    assert step.failed and "would hold 301 entries" in step.msg and step.writes == 0, step


def test_120_entries_converge_in_three_adds(player: AclPlayer, estate: Clb):
    step = player.run(params(estate, entries=[{"cidr": f"10.1.{i}.0/24"} for i in range(120)]))
    assert step.calls(kind="write") == {"AddAccessControlListEntry": 3, "CreateAccessControlList": 1,
                                        "SetLoadBalancerTCPListenerAttribute": 1}, step
    assert len(estate.entries(estate.acl("abc-185-mysql-uat")["AclId"])) == 120


def test_processing_windows_and_throttling_still_converge(player: AclPlayer, estate: Clb):
    estate.admin.set_settings("slb", {"acl_processing_ms": 1500})  # longer than the module's pause
    wanted = params(estate, state="replaced", entries=[{"cidr": f"10.2.{i}.0/24"} for i in range(120)])
    windowed = player.run(wanted)
    assert not windowed.failed, windowed
    assert windowed.result["api_calls"]["by_operation"]["AddAccessControlListEntry"] > 3  # refused, retried
    estate.admin.set_settings("slb", {"acl_processing_ms": 200})
    estate.admin.set_faults([{"service": "slb", "throttle": 0.3}], seed=7)
    churned = dict(wanted, entries=wanted["entries"][10:] + [{"cidr": f"10.3.{i}.0/24"} for i in range(10)])
    throttled = player.run(churned)
    assert not throttled.failed, throttled
    assert any(c["fault"] == "Throttling" for c in estate.admin.call_log())
    estate.admin.clear_faults()
    acl = estate.acl("abc-185-mysql-uat")["AclId"]
    assert set(estate.entries(acl)) == {f"10.2.{i}.0/24" for i in range(10, 120)} | {f"10.3.{i}.0/24" for i in range(10)}
    assert estate.listener()["AclId"] == acl


def test_a_bound_whitelist_is_never_emptied(player: AclPlayer, estate: Clb):
    player.run(params(estate, entries=cidrs(11)))
    step = player.run(params(estate, state="replaced", entries=[], allow_empty=True))
    assert step.failed and "would be empty while bound as a whitelist" in step.msg and step.writes == 0, step
    deleted = player.run({"name": "abc-185-mysql-uat", "state": "deleted"})
    assert deleted.failed and deleted.writes == 0 and "empty" in deleted.msg, deleted


def test_an_ipv6_acl_and_the_rendered_and_gathered_states(player: AclPlayer, estate: Clb):
    v6 = {"name": "v6-allow", "ip_version": "ipv6", "entries": [{"cidr": "2001:DB8::1"}, {"cidr": "2001:db8:1::/64"}]}
    rendered, created, gathered = player.play([
        {"params": dict(params(estate, entries=cidrs(11)), state="rendered")},
        {"params": v6}, {"params": {"name": "v6-allow", "ip_version": "ipv6", "state": "gathered"}}])
    assert rendered.writes == 0 and rendered.reads == 0 and not rendered.changed, rendered
    assert [c["action"] for c in rendered.result["rendered"]] == [
        "CreateAccessControlList", "AddAccessControlListEntry", "SetLoadBalancerTCPListenerAttribute"]
    assert created.changed, created
    acl = estate.acl("v6-allow")
    assert acl["AddressIPVersion"] == "ipv6"
    assert set(estate.entries(acl["AclId"])) == {"2001:db8::1/128", "2001:db8:1::/64"}
    assert gathered.writes == 0 and [e["cidr"] for e in gathered.result["gathered"]["entries"]] == [
        "2001:db8::1/128", "2001:db8:1::/64"]
    wrong = player.run({"name": "v6-allow", "entries": cidrs(11)})  # ip_version defaults to ipv4
    assert wrong.failed and "is ipv6, not ipv4" in wrong.msg and wrong.writes == 0, wrong
