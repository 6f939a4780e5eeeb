"""The VPCs and vSwitches of the emulated account (what an intranet CLB is placed in), and address pools.

The ACK clusters' node vSwitches are here; their pod vSwitches too (Terway's, from the cluster specs
of the Kubernetes emulator, repeated here because the CLB emulator must not import that package).
"""

from __future__ import annotations

import ipaddress

VPCS = {"ack-app": "vpc-bp1app0k8s0vpc0000000a", "ack-db": "vpc-bp1db00k8s0vpc0000000b"}

VSWITCHES = {  # id -> (vpc id, zone, cidr)
    "vsw-bp1app0node0h0000000e": (VPCS["ack-app"], "cn-hangzhou-h", "192.168.0.0/20"),
    "vsw-bp1app0node0i0000000f": (VPCS["ack-app"], "cn-hangzhou-i", "192.168.16.0/20"),
    "vsw-bp1app0pod0h0000000a": (VPCS["ack-app"], "cn-hangzhou-h", "192.168.32.0/20"),
    "vsw-bp1app0pod0i0000000b": (VPCS["ack-app"], "cn-hangzhou-i", "192.168.48.0/20"),
    "vsw-bp1db00node0h0000000d": (VPCS["ack-db"], "cn-hangzhou-h", "10.10.0.0/20"),
    "vsw-bp1db00node0i0000000g": (VPCS["ack-db"], "cn-hangzhou-i", "10.10.16.0/20"),
    "vsw-bp1db00pod0h0000000c": (VPCS["ack-db"], "cn-hangzhou-h", "10.10.32.0/20"),
}

# Internet-facing CLBs get addresses from documentation ranges: they must never look routable.
PUBLIC_IPV4 = "198.51.100.0/24"
PUBLIC_IPV6 = "2001:db8:51::/64"
INTRANET_OFFSET = 200  # intranet addresses are handed out from the 200th host of the vSwitch up


def candidates(cidr: str, offset: int):
    """Host addresses of a CIDR from ``offset`` on."""
    for index, host in enumerate(ipaddress.ip_network(cidr).hosts()):
        if index + 1 >= offset:
            yield str(host)
