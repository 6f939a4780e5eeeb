from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import desired
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import live
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import plan
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.plan import steps
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError

CURRENT = live(
    [
        {"AclEntryIP": "10.0.0.1/32", "AclEntryComment": "kubeguard:a"},
        {"AclEntryIP": "10.0.0.2", "AclEntryComment": "kubeguard:b"},
        {"AclEntryIP": "10.9.0.0/24", "AclEntryComment": "ops vpn"},
    ]
)
WANTED = desired([{"cidr": "10.0.0.2/32", "comment": "b"}, {"cidr": "10.0.0.3"}], "ipv4")


def cidrs(entries):
    return sorted(str(e.network) for e in entries)


@pytest.mark.parametrize(
    "state, added, removed",
    [
        ("merged", ["10.0.0.3/32"], []),
        ("replaced", ["10.0.0.3/32"], ["10.0.0.1/32"]),
        ("overridden", ["10.0.0.3/32"], ["10.0.0.1/32", "10.9.0.0/24"]),
        ("deleted", [], ["10.0.0.2/32"]),
    ],
)
def test_each_state(state, added, removed):
    result = plan(state, WANTED, CURRENT)
    assert (cidrs(result.add), cidrs(result.remove)) == (added, removed)
    assert set(cidrs(result.after)) == (set(cidrs(CURRENT)) - set(removed)) | set(added)


def test_deleted_with_nothing_listed_removes_only_ours_and_keeps_listed_foreign_ones():
    assert cidrs(plan("deleted", [], CURRENT).remove) == ["10.0.0.1/32", "10.0.0.2/32"]
    foreign = desired([{"cidr": "10.9.0.0/24"}], "ipv4")
    result = plan("deleted", foreign, CURRENT)
    assert result.remove == [] and cidrs(result.kept) == ["10.9.0.0/24"]


def test_overridden_keeps_protected_networks():
    import ipaddress

    result = plan("overridden", WANTED, CURRENT, [ipaddress.ip_network("10.9.0.0/16")])
    assert cidrs(result.remove) == ["10.0.0.1/32"]


def test_an_entry_present_under_another_comment_is_reported_not_rewritten():
    wanted = desired([{"cidr": "10.9.0.0/24", "comment": "mine"}], "ipv4")
    result = plan("merged", wanted, CURRENT)
    assert not result.changes and result.comment_differs[0][1].comment == "ops vpn"


def test_adds_go_first_in_chunks_of_fifty():
    wanted = desired([{"cidr": f"10.1.{i}.0/24"} for i in range(120)], "ipv4")
    order = steps(plan("replaced", wanted, CURRENT), len(CURRENT))
    assert [(kind, len(chunk)) for kind, chunk in order] == [("add", 50), ("add", 50), ("add", 20), ("remove", 2)]


def test_just_enough_removals_go_first_at_the_quota():
    current = live(
        [{"AclEntryIP": f"10.2.{i}.{j}/32", "AclEntryComment": "kubeguard:x"} for i in range(2) for j in range(145)]
    )
    wanted = desired(
        [{"cidr": f"10.2.{i}.{j}/32"} for i in range(2) for j in range(145)][20:]
        + [{"cidr": f"10.3.{i}.0/24"} for i in range(15)],
        "ipv4",
    )
    order = steps(plan("replaced", wanted, current), len(current))
    assert [(kind, len(chunk)) for kind, chunk in order] == [("remove", 5), ("add", 15), ("remove", 15)]
    too_many = desired([{"cidr": f"10.4.{i}.0/24"} for i in range(11)], "ipv4")
    with pytest.raises(PlanError, match="would hold 301 entries"):
        steps(plan("merged", too_many, current), len(current))
