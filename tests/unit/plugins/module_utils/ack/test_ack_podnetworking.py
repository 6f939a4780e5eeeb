"""PodNetworking: Go durations, options to spec with the webhook's rules client-side, matching."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking

SEED_CONF = {
    "vswitches": {"cn-hangzhou-i": ["vsw-i"], "cn-hangzhou-h": ["vsw-h", "vsw-i"]},
    "security_group": "sg-a, sg-b",
    "security_groups": ["sg-b", "sg-c"],
}


def option(**extra):
    base = {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"appname": "185"}}}
    base.update(extra)
    return base


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("1h", 3600),
        ("5m0s", 300),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("90s", 90),
        ("300ms", 0.3),
        ("-2m", -120),
        ("+1m", 60),
        ("0", 0),
        ("1h1m1s1ms1us1ns", 3661.001001001),
        ("2\u00b5s", 2e-6),
        (".5s", 0.5),
    ],
)
def test_go_durations(text, seconds):
    assert podnetworking.parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1", "5 minutes", "1d", "h", "1h-5m", "--1s", "1.h.", "1e3s", None, 5])
def test_not_go_durations(text):
    assert podnetworking.parse_go_duration(text) is None


def test_the_article_spec():
    spec = podnetworking.spec_from_option(option(release_strategy="Never"))
    assert spec == {
        "allocationType": {"type": "Fixed", "releaseStrategy": "Never"},
        "eniOptions": {"eniType": "Trunk"},
        "selector": {"namespaceSelector": {"matchLabels": {"appname": "185"}}},
    }


def test_every_field():
    spec = podnetworking.spec_from_option(
        option(
            release_strategy="TTL",
            release_after="1h",
            eni_type="ENI",
            pod_selector={"match_labels": {"app": "x"}},
            vswitch_ids=["vsw-a1"],
            vswitch_selection_policy="most",
            security_group_ids=["sg-a1", "sg-b2"],
        )
    )
    assert spec["allocationType"] == {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"}
    assert spec["selector"]["podSelector"] == {"matchLabels": {"app": "x"}}
    assert spec["vSwitchOptions"] == ["vsw-a1"] and spec["securityGroupIDs"] == ["sg-a1", "sg-b2"]
    assert spec["vSwitchSelectOptions"] == {"vSwitchSelectionPolicy": "most"} and spec["eniOptions"]["eniType"] == "ENI"


def test_elastic_has_no_strategy():
    assert podnetworking.spec_from_option(option(allocation_type="Elastic"))["allocationType"] == {"type": "Elastic"}


@pytest.mark.parametrize(
    "extra, path, words",
    [
        ({"release_strategy": "Never", "release_after": "1h"}, "pod_networking.release_after", "must be empty"),
        ({"release_strategy": "TTL"}, "pod_networking.release_after", "is required"),
        (
            {"release_strategy": "TTL", "release_after": "5 minutes"},
            "pod_networking.release_after",
            "not a Go duration",
        ),
        ({"release_strategy": "TTL", "release_after": "-5m"}, "pod_networking.release_after", "must be positive"),
        ({"allocation_type": "Elastic", "release_strategy": "TTL"}, "pod_networking.release_strategy", "only apply"),
        ({"security_group_ids": [f"sg-{i}" for i in range(11)]}, "pod_networking.security_group_ids", "at most 10"),
        ({"security_group_ids": ["sg_bad"]}, "pod_networking.security_group_ids[0]", "not a valid security group"),
        ({"security_group_ids": ["sg-a", "sg-a"]}, "pod_networking.security_group_ids", "more than once"),
        ({"vswitch_ids": ["vsw-"]}, "pod_networking.vswitch_ids[0]", "not a valid vSwitch"),
        ({"name": "Bad_Name"}, "pod_networking.name", "not a valid object name"),
        ({"namespace_selector": None}, "pod_networking", "matches no pod"),
        (
            {"pod_selector": {"match_labels": {"app": "has space"}}},
            "pod_networking.pod_selector.match_labels.app",
            "label value",
        ),
    ],
)
def test_refused_options_name_their_path(extra, path, words):
    with pytest.raises(podnetworking.PodNetworkingError) as caught:
        podnetworking.spec_from_option(option(**extra))
    assert caught.value.path == path
    assert words in str(caught.value)


def test_eni_config_defaults_like_the_webhook():
    assert podnetworking.conf_vswitches(SEED_CONF) == ["vsw-h", "vsw-i"]
    assert podnetworking.conf_security_groups(SEED_CONF) == ["sg-a", "sg-b", "sg-c"]
    full = podnetworking.complete(podnetworking.spec_from_option(option()), SEED_CONF)
    assert full["vSwitchOptions"] == ["vsw-h", "vsw-i"] and full["securityGroupIDs"] == ["sg-a", "sg-b", "sg-c"]
    given = podnetworking.complete(podnetworking.spec_from_option(option(vswitch_ids=["vsw-x"])), SEED_CONF)
    assert given["vSwitchOptions"] == ["vsw-x"]


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"securityGroupIDs": ["sg-a"]}, "no vSwitch"),
        ({"vSwitchOptions": ["vsw-a"]}, "no security group"),
        ({"vSwitchOptions": ["vsw-a"], "securityGroupIDs": [f"sg-{i}" for i in range(11)]}, "at most 10"),
    ],
)
def test_the_stored_spec_is_checked_like_the_webhook(spec, words):
    with pytest.raises(podnetworking.PodNetworkingError, match=words):
        podnetworking.check_spec(spec)


def test_merged_replaces_given_fields_whole():
    current = {
        "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"},
        "vSwitchOptions": ["vsw-a"],
        "securityGroupIDs": ["sg-a"],
    }
    merged = podnetworking.merged_spec(current, {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"}})
    assert merged["allocationType"] == {"type": "Fixed", "releaseStrategy": "Never"}
    assert merged["vSwitchOptions"] == ["vsw-a"]


def test_ttl_under_five_minutes_warns():
    assert podnetworking.ttl_warning(
        podnetworking.spec_from_option(option(release_strategy="TTL", release_after="90s"))
    )
    assert (
        podnetworking.ttl_warning(podnetworking.spec_from_option(option(release_strategy="TTL", release_after="5m")))
        is None
    )


def _pn(name, status="Ready", **selector):
    return {"metadata": {"name": name}, "spec": {"selector": selector}, "status": {"status": status}}


def test_matching_needs_every_set_selector_and_at_least_one():
    both = {
        "selector": {"podSelector": {"matchLabels": {"app": "a"}}, "namespaceSelector": {"matchLabels": {"env": "uat"}}}
    }
    assert podnetworking.matches(both, {"app": "a"}, {"env": "uat"})
    assert not podnetworking.matches(both, {"app": "a"}, {"env": "prod"})
    assert not podnetworking.matches({"selector": {}}, {"app": "a"}, {"env": "uat"})


def test_competing_podnetworkings_in_name_order():
    listed = [
        _pn("zz-later", podSelector={}),
        _pn("ours", namespaceSelector={"matchLabels": {"env": "uat"}}),
        _pn("aa-first", namespaceSelector={"matchLabels": {"env": "uat"}}),
        _pn("failed", "Fail", podSelector={}),
        _pn("other", podSelector={"matchLabels": {"app": "b"}}),
    ]
    expected = [("aa-first", True), ("zz-later", False)]
    assert podnetworking.competing(listed, "ours", {"app": "a"}, {"env": "uat"}) == expected
    assert (
        podnetworking.competing(listed[:1] + listed[2:], "ours", {"app": "a"}, {"env": "uat"}) == expected
    )  # not created yet


def test_gathered_option_format_round_trips():
    spec = podnetworking.spec_from_option(
        option(release_strategy="TTL", release_after="1h", vswitch_ids=["vsw-a"], security_group_ids=["sg-a"])
    )
    gathered = podnetworking.to_option({"metadata": {"name": "podnetworking-185"}, "spec": spec})
    assert podnetworking.spec_from_option(gathered) == spec
