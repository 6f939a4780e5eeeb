from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import desired
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import live
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError


def test_fixed_ips_items_become_host_entries_with_the_pod_comment():
    fixed = [
        {
            "pod": "abc-ba7b5-1",
            "namespace": "abc-185-7db8e",
            "ip": "192.168.32.12",
            "zone": "cn-hangzhou-h",
            "pod_networking": "podnetworking-185",
        },
        {"pod": "abc-ba7b5-0", "namespace": "abc-185-7db8e", "ip": "192.168.32.11"},
    ]
    got = desired(fixed, "ipv4")
    assert [e.view() for e in got] == [
        {"cidr": "192.168.32.11/32", "comment": "kubeguard:abc-185-7db8e/abc-ba7b5-0"},
        {"cidr": "192.168.32.12/32", "comment": "kubeguard:abc-185-7db8e/abc-ba7b5-1"},
    ]
    assert desired([{"pod": "p", "namespace": "n", "ip": "2001:DB8::1"}], "ipv6")[0].view()["cidr"] == "2001:db8::1/128"


@pytest.mark.parametrize("spelling", ["10.0.0.1", "10.0.0.1/32", " 10.0.0.1/32 "])
def test_spellings_of_one_network_are_one_entry(spelling):
    (entry,) = desired([{"cidr": spelling, "comment": "x"}, {"cidr": "10.0.0.1", "comment": "x"}], "ipv4")
    assert entry.network == ipaddress.ip_network("10.0.0.1/32") and entry.comment == "kubeguard:x"


def test_comments_get_the_marker_once():
    assert desired([{"cidr": "10.0.0.0/24"}], "ipv4")[0].comment == "kubeguard:10.0.0.0/24"
    assert desired([{"cidr": "10.0.0.0/24", "comment": "kubeguard:ops"}], "ipv4")[0].comment == "kubeguard:ops"


@pytest.mark.parametrize(
    "items, words",
    [
        ([{"cidr": "10.0.0.5/24"}], "did you mean 10.0.0.0/24 or 10.0.0.5/32"),
        ([{"cidr": "10.0.0.256"}], "entries[0].cidr"),
        ([{"cidr": ""}], "is not a CIDR"),
        ([{"cidr": 10}], "is not a CIDR"),
        ([{"cidr": "::1"}], "the ACL is ipv4"),
        ([{"cidr": "10.0.0.1", "comment": "a\nb"}], "control characters"),
        ([{"cidr": "10.0.0.1", "comment": "a"}, {"cidr": "10.0.0.1/32", "comment": "b"}], "listed twice"),
        ([{"ip": "10.0.0.0/24", "namespace": "n", "pod": "p"}], "not a single address"),
        ([{"ip": "10.0.0.1", "pod": "p"}], "needs ip, namespace and pod"),
        (["10.0.0.1"], "each entry is a dict"),
        ("10.0.0.1", "a list"),
        ([{"cidr": f"10.0.{i // 250}.{i % 250}"} for i in range(301)], "at most 300"),
    ],
)
def test_bad_entries_name_the_item(items, words):
    with pytest.raises(InputError, match=None) as info:
        desired(items, "ipv4")
    assert words in str(info.value)


def test_live_entries_keep_the_stored_text():
    (entry,) = live([{"AclEntryIP": "10.0.0.1", "AclEntryComment": "by hand"}])
    assert entry.text == "10.0.0.1" and entry.network == ipaddress.ip_network("10.0.0.1/32") and not entry.ours
