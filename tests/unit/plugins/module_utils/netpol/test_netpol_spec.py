from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.spec import build

FIXED = [
    {"pod": "abc-ba7b5-1", "namespace": "abc-185-7db8e", "ip": "192.168.64.22", "zone": "z", "pod_networking": "pn"},
    {"pod": "abc-ba7b5-0", "namespace": "abc-185-7db8e", "ip": "192.168.64.21"},
]


def _params(**extra) -> dict:
    params = {"state": "merged", "namespaces": ["abc-185-7db8e"], "allow_dns": True, "environment_label": "env"}
    params.update(extra)
    return params


def _whitelist(sources, **extra) -> dict:
    item = {"name": "mysql-from-uat-app", "sources": sources, "ports": [{"port": 3306, "protocol": "TCP"}]}
    item.update(extra)
    return item


def _policy(spec, name):
    return next(p for p in spec.policies if p.name == name)


def test_fixed_ips_become_one_host_block_each_sorted_whatever_the_order():
    one = build(_params(allow_from_ips=[_whitelist(FIXED)]))
    other = build(_params(allow_from_ips=[_whitelist(list(reversed(FIXED)))]))
    policy = _policy(one, "mysql-from-uat-app")
    assert policy == _policy(other, "mysql-from-uat-app")
    assert policy.purpose == "allow-from-ips"
    assert policy.spec == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [{"ipBlock": {"cidr": "192.168.64.21/32"}}, {"ipBlock": {"cidr": "192.168.64.22/32"}}],
                "ports": [{"protocol": "TCP", "port": 3306}],
            }
        ],
    }


@pytest.mark.parametrize(
    "spelling",
    ["10.9.1.7", "10.9.1.7/32", " 10.9.1.7/32 ", {"cidr": "10.9.1.7"}, {"cidr": "10.9.1.7/32", "comment": "ops"}],
)
def test_every_spelling_of_one_address_is_the_same_block(spelling):
    spec = build(_params(allow_from_ips=[_whitelist([spelling, "10.9.1.7/32"])]))
    assert _policy(spec, "mysql-from-uat-app").spec["ingress"][0]["from"] == [{"ipBlock": {"cidr": "10.9.1.7/32"}}]


def test_ipv6_spellings_are_one_network_and_acl_entries_work_as_is():
    entries = [
        {"cidr": "2001:DB8:0:0::/64", "comment": "kubeguard:v6"},
        "2001:db8::/64",
        {"cidr": "10.0.0.0/16", "except": ["10.0.99.0/24"]},
    ]
    blocks = _policy(build(_params(allow_from_ips=[_whitelist(entries)])), "mysql-from-uat-app").spec["ingress"][0]
    assert blocks["from"] == [
        {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.99.0/24"]}},
        {"ipBlock": {"cidr": "2001:db8::/64"}},
    ]


@pytest.mark.parametrize(
    "sources, path, words",
    [
        (["10.9.1.7/24"], "allow_from_ips[0].sources[0]", "host bits set: did you mean 10.9.1.0/24 or 10.9.1.7/32"),
        (["10.9.1.300"], "allow_from_ips[0].sources[0]", "is not a valid CIDR"),
        ([""], "allow_from_ips[0].sources[0]", "is not a CIDR or an IP address"),
        ([7], "allow_from_ips[0].sources[0]", "is not a CIDR or an IP address"),
        (
            [{"ip": "192.168.64.21", "pod": "p"}],
            "allow_from_ips[0].sources[0].namespace",
            "needs ip, namespace and pod",
        ),
        (
            [{"ip": "192.168.64.0/24", "namespace": "n", "pod": "p"}],
            "allow_from_ips[0].sources[0].ip",
            "single address",
        ),
        ([{"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}], "except[0]", "strictly inside the cidr 10.0.0.0/16"),
        ([{"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}], "except[0]", "strictly inside"),
        ([{"cidr": "10.0.0.0/16", "port": 5}], "allow_from_ips[0].sources[0]", "unknown key(s) port"),
        ([], "allow_from_ips[0].sources", "set allow_empty=true if that is meant"),
    ],
)
def test_bad_sources_name_their_path(sources, path, words):
    with pytest.raises(InputError) as caught:
        build(_params(allow_from_ips=[_whitelist(sources)]))
    assert path in caught.value.path and words in str(caught.value), caught.value


def test_an_empty_whitelist_with_the_opt_in_isolates_and_allows_nothing():
    policy = _policy(build(_params(allow_empty=True, allow_from_ips=[_whitelist([])])), "mysql-from-uat-app")
    assert policy.spec == {"podSelector": {}, "policyTypes": ["Ingress"]}


@pytest.mark.parametrize(
    "deny, allow_dns, names",
    [
        ("ingress", True, ["kubeguard-default-deny"]),
        ("egress", True, ["kubeguard-default-deny", "kubeguard-allow-dns"]),
        ("both", False, ["kubeguard-default-deny"]),
        (None, True, []),
    ],
)
def test_default_deny_and_the_dns_exception(deny, allow_dns, names):
    spec = build(_params(default_deny=deny, allow_dns=allow_dns))
    assert [p.name for p in spec.policies] == names
    if deny:
        assert _policy(spec, "kubeguard-default-deny").spec["podSelector"] == {}
    if "kubeguard-allow-dns" in names:
        rule = _policy(spec, "kubeguard-allow-dns").spec["egress"][0]
        assert {(p["port"], p["protocol"]) for p in rule["ports"]} == {(53, "TCP"), (53, "UDP")}
        assert rule["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}


def test_isolation_admits_the_same_environment_only():
    spec = build(_params(isolate_environments=True, environment_label="stage"))
    policy = spec.wanted("uat")[-1]
    assert policy.name == "kubeguard-same-environment" and "kubeguard-same-environment" in spec.names
    assert policy.spec["ingress"] == [{"from": [{"namespaceSelector": {"matchLabels": {"stage": "uat"}}}]}]


def test_namespaces_peers_and_ports():
    item = {
        "name": "from-uat-apps",
        "namespace_selector": {"match_labels": {"env": "uat"}},
        "from_pod_selector": {"match_expressions": [{"key": "app", "operator": "Exists"}]},
        "pod_selector": {"match_labels": {"app": "abc-185-mysql"}},
        "ports": [
            {"port": "3306", "protocol": "TCP"},
            {"port": 8000, "end_port": 8080, "protocol": "TCP"},
            {"port": "mysql-x", "protocol": "TCP"},
            {"port": 3306, "protocol": "TCP"},
        ],
    }
    policy = _policy(build(_params(allow_from_namespaces=[item])), "from-uat-apps")
    rule = policy.spec["ingress"][0]
    assert rule["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"env": "uat"}},
            "podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
        }
    ]
    assert rule["ports"] == [
        {"protocol": "TCP", "port": 3306},
        {"protocol": "TCP", "port": 8000, "endPort": 8080},
        {"protocol": "TCP", "port": "mysql-x"},
    ]


@pytest.mark.parametrize(
    "extra, path, words",
    [
        ({"namespaces": []}, "namespaces", "is empty"),
        ({"namespaces": ["Abc"]}, "namespaces[0]", "not a valid name"),
        ({"allow_from_ips": [_whitelist(FIXED, name="kubeguard-default-deny")]}, "allow_from_ips[0].name", "generates"),
        ({"allow_from_ips": [_whitelist(FIXED), _whitelist(FIXED)]}, "allow_from_ips[1].name", "also the name of"),
        ({"allow_from_ips": [_whitelist(FIXED, name="Bad_Name")]}, "allow_from_ips[0].name", "not a valid name"),
        ({"allow_from_ips": [_whitelist(FIXED, ports=[{"port": 0, "protocol": "TCP"}])]}, "ports[0].port", "between"),
        (
            {"allow_from_ips": [_whitelist(FIXED, ports=[{"port": "http", "end_port": 90, "protocol": "TCP"}])]},
            "ports[0].end_port",
            "needs a numeric port",
        ),
        (
            {"allow_from_ips": [_whitelist(FIXED, ports=[{"port": 90, "end_port": 80, "protocol": "TCP"}])]},
            "ports[0].end_port",
            "between the port (90) and 65535",
        ),
        (
            {"allow_from_ips": [_whitelist(FIXED, ports=[{"port": "my--port", "protocol": "TCP"}])]},
            "ports[0].port",
            "port name",
        ),
        (
            {"allow_from_ips": [_whitelist(FIXED, pod_selector={"match_labels": {"app": "a b"}})]},
            "pod_selector",
            "label value",
        ),
        (
            {
                "allow_from_namespaces": [
                    {"name": "x", "namespace_selector": {"match_expressions": [{"key": "env", "operator": "In"}]}}
                ]
            },
            "allow_from_namespaces[0].namespace_selector",
            "non-empty list",
        ),
        ({"environment_label": "bad key!"}, "environment_label", "name part"),
    ],
)
def test_bad_options_name_their_path(extra, path, words):
    with pytest.raises(InputError) as caught:
        build(_params(**extra))
    assert path in caught.value.path, caught.value
    assert words in str(caught.value)


def test_allow_all_constructs_are_warned_about():
    extra = {"name": "open", "spec": {"ingress": [{}], "egress": [{"to": [{"namespaceSelector": {}}]}]}}
    spec = build(
        _params(
            namespaces=None,
            namespace_selector={},
            allow_from_ips=[_whitelist(["0.0.0.0/0", "::/0"])],
            extra_policies=[extra],
        )
    )
    text = "\n".join(spec.warnings)
    assert "ipBlock 0.0.0.0/0 without except allows every address" in text
    assert "ipBlock ::/0 without except" in text
    assert "policy open.ingress[0] has no 'from' peers" in text
    assert "namespaceSelector {} selects every pod of every namespace" in text
    assert "namespace_selector {} selects every namespace" in text
    narrowed = build(_params(allow_from_ips=[_whitelist([{"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}])]))
    assert narrowed.warnings == ()
