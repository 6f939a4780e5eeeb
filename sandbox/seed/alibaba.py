"""The Alibaba Cloud "before" estate, written through the CLB API like any client.

Seed 004's database CLB: an intranet CLB in ack-db's node vSwitch of zone h, at the address the UAT
application is configured with, delete protection on, one TCP listener on 3306 that forwards to the
database pods' 3306 and has **no access control** (every source reaches the database). The ack-db
Service ``abc-185-mysql-svc`` reuses it through the ``id`` annotation; the simulated CCM adds the
database pod as its backend and writes the Service status.
"""

from __future__ import annotations

from sandbox import config
from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbClient

DB_LB_NAME = "abc-185-mysql-uat"
DB_LB_VSWITCH = "vsw-bp1db00node0h0000000d"  # ack-db's node vSwitch of zone h, where the internal CLB sits
DB_LB_IP = "10.10.0.200"
DB_PORT = 3306


def seed(slb_url: str) -> dict:
    client = SlbClient(slb_url, credentials.USER, config.ALIBABA_REGION)
    existing = client.call("DescribeLoadBalancers", LoadBalancerName=DB_LB_NAME)["LoadBalancers"]["LoadBalancer"]
    if existing:
        raise RuntimeError(f"the Alibaba estate is already seeded (CLB {existing[0]['LoadBalancerId']}); "
                           f"run `python -m sandbox reset` first")
    lb = client.call("CreateLoadBalancer", LoadBalancerName=DB_LB_NAME, AddressType="intranet",
                     VSwitchId=DB_LB_VSWITCH, Address=DB_LB_IP, LoadBalancerSpec="slb.s1.small", DeleteProtection="on")
    client.call("CreateLoadBalancerTCPListener", LoadBalancerId=lb["LoadBalancerId"], ListenerPort=DB_PORT,
                BackendServerPort=DB_PORT, Bandwidth=-1, Description="mysql")
    client.call("StartLoadBalancerListener", LoadBalancerId=lb["LoadBalancerId"], ListenerPort=DB_PORT)
    return {"region": config.ALIBABA_REGION, "db_load_balancer_id": lb["LoadBalancerId"],
            "db_load_balancer_ip": lb["Address"], "db_listener_port": DB_PORT}
