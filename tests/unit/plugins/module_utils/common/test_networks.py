"""Address spaces compared by the addresses they hold: collapse and subtract."""

import ipaddress

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.networks import collapse
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.networks import subtract


def nets(*texts):
    return [ipaddress.ip_network(t) for t in texts]


def test_collapse_merges_adjacent_and_nested_networks_per_family():
    assert collapse(nets("10.0.0.11/32", "2001:db8::/64", "10.0.0.10/32", "10.0.0.0/24", "10.0.1.0/24")) == nets(
        "10.0.0.0/23", "2001:db8::/64"
    )
    assert collapse([]) == []


def test_subtract_takes_out_nested_networks_and_ignores_the_other_family():
    assert subtract(nets("10.0.0.10/31"), nets("10.0.0.11/32")) == nets("10.0.0.10/32")
    assert subtract(nets("10.0.0.0/30"), nets("10.0.0.0/24")) == []
    assert subtract(nets("10.0.0.0/30"), nets("10.0.1.0/24", "::/0")) == nets("10.0.0.0/30")
    # a /24 less one address is the 255 others, as 8 networks
    rest = subtract(nets("10.2.0.0/24"), nets("10.2.0.10/32"))
    assert len(rest) == 8 and sum(n.num_addresses for n in rest) == 255
    assert all(ipaddress.ip_address("10.2.0.10") not in n for n in rest)
