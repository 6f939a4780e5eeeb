"""Every EXAMPLES entry of eks_lbc_security_groups, as written (only the account's ids substituted), run on
the seeded estate: each must succeed and leave what EKS needs between control plane and nodes in place."""

from __future__ import annotations

import uuid

import pytest

import module_steps
from lbc_support import estate, lbc  # noqa: F401 - fixtures

MODULE = "eks_lbc_security_groups"
# the id the examples use for the EKS cluster security group
CLUSTER_SG_IN_EXAMPLES = "sg-0123456789abcdef0"


def examples(estate) -> list[dict]:
    return module_steps.module_examples(MODULE, {CLUSTER_SG_IN_EXAMPLES: estate.sg["cluster"]})


def test_there_are_examples_for_every_mode():
    modes = [task[f"kubeguard.netsec.{MODULE}"]["mode"] for task in module_steps.module_examples(MODULE)]
    assert set(modes) == {"auto", "hybrid", "custom"} and len(modes) >= 4


@pytest.mark.parametrize("index", range(len(module_steps.module_examples(MODULE))))
def test_each_example_runs_as_written_and_keeps_the_eks_baseline(estate, lbc, index):
    estate.restore()
    task = dict(examples(estate)[index], register="example", ignore_errors=True)
    run_dir = lbc.tmp_dir / f"example-{uuid.uuid4().hex[:8]}"
    run_dir.mkdir()
    result = module_steps.run_play([task], "{'r': example}", run_dir, dict(lbc.env, TMPDIR=str(lbc.module_tmp)))["r"]
    assert not result.get("failed"), (task["name"], result.get("msg"))
    node, cluster = estate.sg["node"], estate.sg["cluster"]
    rules = {(r[0], r[1], r[2], r[3]) for r in estate.rules(node)}
    for needed in (("tcp", 443, 443, cluster), ("tcp", 10250, 10250, cluster), ("tcp", 9443, 9443, cluster),
                   ("tcp", 53, 53, node), ("udp", 53, 53, node), ("tcp", 1025, 65535, node)):
        assert needed in rules, (task["name"], needed)
    assert estate.controller_rule() in estate.rules(node), task["name"]
    estate.restore()
