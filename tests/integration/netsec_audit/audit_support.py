"""Shared helpers for the netsec_audit integration tests (a plain module, not a conftest): the demo-eks estate
of the eks_lbc suites and players of the audit and of the modules that fix what it finds."""

from __future__ import annotations

import pytest

import module_steps

module_steps.use_suites("eks_lbc", "boundary")  # the shared demo-eks estate; one failing run and its checks

from boundary_support import run_task  # noqa: E402
from lbc_support import CONTROLLER_LABEL, Estate, estate  # noqa: E402,F401  (estate: a fixture)

MODULE = "kubeguard.netsec.netsec_audit"
__all__ = ["CONTROLLER_LABEL", "MODULE", "OFFICE", "SPARE_GROUP", "Audit", "Baseline", "Estate", "audit", "baseline",
           "by_kind", "estate", "insecure", "run_task"]
SPARE_GROUP = "demo-eks-old-bastion"
OFFICE = "203.0.113.0/24"


class Audit(module_steps.Player):
    MODULE = MODULE


class Baseline(module_steps.Player):
    MODULE = "kubeguard.netsec.eks_cluster_security_groups"


@pytest.fixture
def audit(sandbox_env, admin, tmp_path) -> Audit:
    return Audit(module_steps.make_env(sandbox_env), admin, tmp_path)


@pytest.fixture
def baseline(sandbox_env, admin, tmp_path) -> Baseline:
    return Baseline(module_steps.make_env(sandbox_env), admin, tmp_path)


def by_kind(result: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in result["findings"]:
        found.setdefault(finding["id"], []).append(finding)
    return found


@pytest.fixture
def insecure(estate):
    """The seed, plus what the estate's on-call history left: SSH, RDP and MySQL from anywhere, every port from
    anywhere on a spare group, a rule nobody described, the kubelet open, a hand-made labelled rule (seed 003)."""
    estate.restore()
    sg = estate.sg
    spare = estate.ec2.create_security_group(GroupName=SPARE_GROUP, Description="old bastion", VpcId=estate.vpc_id)
    estate.authorize(sg["node"], ("tcp", 22, 22, "0.0.0.0/0", "on-call ssh"), ("tcp", 3389, 3389, "::/0", "rdp"),
                     ("tcp", 3306, 3306, "0.0.0.0/0", "mysql for the analysts"),
                     ("tcp", 10250, 10250, "0.0.0.0/0", "metrics debugging"),
                     ("tcp", 8080, 8080, "10.0.96.0/22", None),
                     ("tcp", 31080, 31080, OFFICE, CONTROLLER_LABEL))
    estate.authorize(spare["GroupId"], ("-1", None, None, "0.0.0.0/0", "everything"))
    yield estate, spare["GroupId"]
    estate.restore()
