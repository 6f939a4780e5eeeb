"""Shared helpers for the netsec_audit integration tests (a plain module, not a conftest): the demo-eks estate
of the eks_lbc suites and players of the audit and of the modules that fix what it finds."""

from __future__ import annotations

import pytest

import module_steps

module_steps.use_suites("eks_lbc", "boundary")  # the shared demo-eks estate; one failing run and its checks

from boundary_support import run_task  # noqa: E402
from lbc_support import CONTROLLER_LABEL, Estate, estate  # noqa: E402,F401  (estate: a fixture)

MODULE = "kubeguard.netsec.netsec_audit"
__all__ = ["CONTROLLER_LABEL", "MODULE", "Audit", "Baseline", "Estate", "audit", "baseline", "by_kind", "estate",
           "run_task"]


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
