"""Shared helpers for the ack_slb_acl integration tests (a plain module, not a conftest).

- ``AclPlayer.play(steps)`` / ``.run(params)``: the module through ansible-playbook, each step with the
  sandbox's call counts for exactly that step (``module_steps.Player``).
- ``Clb``: the CLB emulator as the tests see it, through the sandbox's own classic-signature client
  (independent of the module's code), plus the sandbox's call log in arrival order.
- fixtures: ``player`` (module scope), ``estate`` (function scope: reset and seeded, a few seconds).
"""

from __future__ import annotations

import json

import pytest

import module_steps
from conftest import reseed
from sandbox.alibaba import credentials
from sandbox.alibaba.client import SlbClient

MODULE = "kubeguard.netsec.ack_slb_acl"
REGION = "cn-hangzhou"
UAT, PROD, DBA = "abc-185-7db8e", "abc-185-prod", "dba-tools"
DB_SERVICE = "abc-185-mysql-svc"


class Step(module_steps.Step):
    SHOWN = ("changed", "failed", "msg", "actions", "added", "removed", "listeners", "service", "warnings_found",
             "api_calls")

    def calls(self, service: str = "slb", kind: str | None = None) -> dict:
        return super().calls(service, kind)


class AclPlayer(module_steps.Player):
    MODULE = MODULE
    STEP = Step


class Clb:
    """The CLB side of the sandbox, read and prepared without the module."""

    def __init__(self, env: dict, admin, seed: dict) -> None:
        self.api = SlbClient(env["ALIBABA_CLOUD_SLB_ENDPOINT"], credentials.USER, REGION)
        self.admin = admin
        self.lb_id = seed["alibaba"]["db_load_balancer_id"]

    def acl(self, name: str) -> dict | None:
        found = [a for a in self.api.all_pages("DescribeAccessControlLists", "Acls", "Acl", AclName=name)
                 if a["AclName"] == name]
        return found[0] if found else None

    def entries(self, acl_id: str) -> dict:
        """{entry as stored: comment}."""
        items = self.api.all_pages("DescribeAccessControlListAttribute", "AclEntrys", "AclEntry", page_param="Page",
                                   AclId=acl_id)
        return {item["AclEntryIP"]: item["AclEntryComment"] for item in items}

    def listener(self, port: int = 3306, lb_id: str | None = None) -> dict:
        return self.api.call("DescribeLoadBalancerTCPListenerAttribute", LoadBalancerId=lb_id or self.lb_id,
                             ListenerPort=port)

    def create_acl(self, name: str, *entries: tuple) -> str:
        acl_id = self.api.call("CreateAccessControlList", AclName=name)["AclId"]
        if entries:
            self.api.call("AddAccessControlListEntry", AclId=acl_id,
                          AclEntrys=json.dumps([{"entry": e, "comment": c} for e, c in entries]))
        return acl_id

    def write_log(self) -> list[tuple]:
        """(action, fault) of every write to the CLB API by a user key, in arrival order."""
        return [(c["action"], c["fault"]) for c in self.admin.call_log() if c["service"] == "slb"
                and c["kind"] == "write"]


def params(clb: Clb, **extra) -> dict:
    """The usual run: an ACL for the seeded database CLB's listener (credentials and endpoint from the env)."""
    base = {"name": "abc-185-mysql-uat", "listeners": [{"load_balancer_id": clb.lb_id, "port": 3306}]}
    base.update(extra)
    return base


def cidrs(*last_octets: int, prefix: str = "192.168.64.") -> list[dict]:
    return [{"cidr": f"{prefix}{n}/32", "comment": f"app-{n}"} for n in last_octets]


@pytest.fixture(scope="module")
def player(sandbox_env, admin, tmp_path_factory) -> AclPlayer:
    return AclPlayer(module_steps.make_env(sandbox_env), admin, tmp_path_factory.mktemp("slb-acl"))


@pytest.fixture
def estate(sandbox_env, admin):
    """A freshly seeded sandbox; returns the CLB view (``Clb``) with the seed's ids."""
    seed = reseed(sandbox_env, admin)
    return Clb(sandbox_env, admin, seed)
