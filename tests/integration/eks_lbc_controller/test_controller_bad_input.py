"""Bad input to eks_lbc_controller, each refused with a message naming what is wrong and zero writes; and the
EXAMPLES, run as written."""

from __future__ import annotations

import pathlib

import yaml
from controller_support import Controller, ControllerPlayer, controller, params, player  # noqa: F401


CASES = [
    (params(cluster_name="demo eks"), "cluster_name"),
    (params(backend_security_group="sg-zzz"), "backend_security_group"),
    (params(extra_args={"Bad_Flag": 1}), "extra_args.Bad_Flag"),
    (params(extra_args={"cluster-name": "x"}), "use cluster_name"),
    (params(mode="custom", enable_backend_security_group=True), "mode"),
    (params(), "nothing to do"),
    (params(state="replaced"), "allow_empty"),
    (params(mode="auto", wait_timeout=0), "wait_timeout"),
    (params(mode="auto", name="no-such-controller"), "no Deployment kube-system/no-such-controller"),
    (params(mode="auto", namespace="default"), "no Deployment labelled"),
    (params(default_tags={}), "default_tags"),
    (params(mode="auto", context="no-such-context"), "no-such-context"),
    (params(controller={"controller_flags": "--x"}), "controller"),
    (params(default_target_type="pod"), "default_target_type"),
    (params(mode="auto", update_deployment=False), "update_deployment"),
]


def test_bad_input_fails_clearly_with_zero_writes(player: ControllerPlayer, controller: Controller):
    before = controller.deployment()["metadata"]["resourceVersion"]
    steps = player.play([{"params": p} for p, _ in CASES])
    for step, (_, expected) in zip(steps, CASES):
        assert step.failed and expected in step.msg, (expected, step)
        assert step.writes == 0 and "Traceback" not in step.msg and "MODULE FAILURE" not in step.msg
    assert controller.deployment()["metadata"]["resourceVersion"] == before


def test_the_examples_run_as_written(player: ControllerPlayer, controller: Controller):
    seeded = controller.args()
    results = player.run_examples(["hybrid", "from_groups", "helm", "back"])
    assert results["hybrid"]["changed"] and "--enable-backend-security-group=true" in results["hybrid"]["args_after"]
    assert results["hybrid"]["rollout"]["complete"] and not results["from_groups"]["changed"]
    path = pathlib.Path(results["helm"]["helm_values"]["path"])
    values = yaml.safe_load(path.read_text())
    assert values["enableBackendSecurityGroup"] is True and values["defaultTags"] == {"team": "platform"}
    drift = {item["value"]: item for item in results["helm"]["helm_values"]["drift"]}
    assert drift["defaultTags"] == {"value": "defaultTags", "file": {"team": "platform"}, "live": None}
    assert "enableBackendSecurityGroup" not in drift  # the file now says what the live Deployment runs
    assert results["back"]["changed"] and controller.args() == seeded
