"""extra_policies are checked as the API server checks a NetworkPolicy spec (networking.k8s.io/v1)."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.manifest import canonical
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.manifest import check_spec


@pytest.mark.parametrize(
    "spec, path, words",
    [
        ({"podSelecter": {}}, "x", "unknown key(s) podSelecter"),
        ({"policyTypes": ["ingress"]}, "x.policyTypes[0]", "is not Ingress or Egress"),
        ({"policyTypes": []}, "x.policyTypes", "non-empty list"),
        ({"policyTypes": ["Ingress", "Ingress"]}, "x.policyTypes", "twice"),
        ({"policyTypes": ["Ingress"], "egress": [{}]}, "x.egress", "does not list Egress"),
        ({"ingress": {"from": []}}, "x.ingress", "must be a list of rules"),
        ({"ingress": [{"from": [{}]}]}, "x.ingress[0].from[0]", "needs a podSelector"),
        (
            {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
            "x.ingress[0].from[0]",
            "cannot be combined",
        ),
        (
            {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}]},
            "x.ingress[0].from[0].ipBlock.cidr",
            "host bits",
        ),
        (
            {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": "10.1.0.0/16"}}]}]},
            "ipBlock.except",
            "must be a list",
        ),
        (
            {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["2001:db8::/64"]}}]}]},
            "ipBlock.except[0]",
            "strictly inside",
        ),
        ({"ingress": [{"ports": [{"port": 70000}]}]}, "x.ingress[0].ports[0].port", "between 1 and 65535"),
        ({"ingress": [{"ports": [{"protocol": "ICMP"}]}]}, "x.ingress[0].ports[0].protocol", "not one of TCP"),
        ({"ingress": [{"ports": [{"endPort": 90}]}]}, "x.ingress[0].ports[0].endPort", "needs a numeric port"),
        ({"ingress": [{"ports": [{"port": "a-very-long-port-name"}]}]}, "ports[0].port", "at most 15"),
        ({"ingress": [{"ports": [{"port": 80, "end_port": 90}]}]}, "x.ingress[0].ports[0]", "unknown key(s) end_port"),
        (
            {
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchExpressions": [{"key": "env", "operator": "in", "values": ["a"]}]
                                }
                            }
                        ]
                    }
                ]
            },
            "x.egress[0].to[0].namespaceSelector",
            "not one of In",
        ),
        ({"egress": [{"from": []}]}, "x.egress[0]", "unknown key(s) from"),
        ({"podSelector": {"matchLabels": {"app": ["x"]}}}, "x.podSelector", "must be a string"),
    ],
)
def test_what_the_api_server_refuses_is_refused_with_its_path(spec, path, words):
    with pytest.raises(InputError) as caught:
        check_spec(spec, "x")
    assert path in caught.value.path, caught.value
    assert words in str(caught.value)


def test_the_servers_defaults_are_applied_so_a_read_back_compares_equal():
    sent = {"egress": [{"to": [{"podSelector": {}}], "ports": [{"port": 53}]}], "ingress": []}
    assert check_spec(sent, "x") == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "egress": [{"to": [{"podSelector": {}}], "ports": [{"protocol": "TCP", "port": 53}]}],
    }
    stored = {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [],
        "egress": [{"to": [{"podSelector": {}}], "ports": [{"port": 53, "protocol": "TCP"}]}],
    }
    assert canonical(stored) == check_spec(sent, "x")
    assert canonical({"egress": []}) == {"podSelector": {}, "policyTypes": ["Ingress"]}


def test_both_selectors_in_one_peer_stay_one_peer():
    spec = {
        "ingress": [
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"env": "uat"}},
                        "podSelector": {"matchLabels": {"app": "web"}},
                    }
                ]
            }
        ]
    }
    assert check_spec(spec, "x")["ingress"][0]["from"] == spec["ingress"][0]["from"]
