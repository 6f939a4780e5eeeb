"""Every EXAMPLES entry of eks_cluster_security_groups, as written, in order in one play on the seeded estate
(the NLB group id of the example becomes the controller's backend group: the one id of someone else's account)."""

from __future__ import annotations

import pytest

from baseline_support import MARKER, Baseline, baseline, estate, reach, rules_of  # noqa: F401

NAMES = ["minimum", "least", "recommended", "baseline", "rendered"]


@pytest.fixture(autouse=True)
def as_seeded(estate):
    estate.restore()
    yield
    estate.restore()


def test_the_examples_run_as_written(estate, baseline: Baseline):
    sg, worker = estate.sg, estate.seed["instances"][0]
    results = baseline.run_examples(NAMES, {"sg-0123456789abcdef0": sg["backend"]})
    assert not results["minimum"]["changed"]  # the seed already has the minimum (rules of its own)
    assert results["least"]["changed"] and results["least"]["api_calls"]["writes"] > 0
    assert results["recommended"]["changed"]
    node = {rule[:4]: rule[4] for rule in rules_of(estate, sg["node"])["ingress"]}
    assert MARKER in node[("tcp", 15017, 15017, sg["cluster"])] and MARKER in node[("tcp", 22, 22, "10.0.96.10/32")]
    assert MARKER in node[("tcp", 30000, 32767, sg["backend"])]
    assert reach(estate, "10.0.96.10", worker, 22) and not reach(estate, "10.0.96.11", worker, 22)
    assert results["baseline"]["tag_check"]["ok"] and results["baseline"]["api_calls"]["writes"] == 0
    assert results["rendered"]["api_calls"]["reads"] == 0 and results["rendered"]["rendered"]["egress"] == "restricted"
