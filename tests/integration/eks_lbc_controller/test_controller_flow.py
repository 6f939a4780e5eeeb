"""eks_lbc_controller on demo-eks: flags added, changed and given back with every other argument intact and in
order; pods rolled; idempotent; check mode; values someone else set; a concurrent edit between read and write."""

from __future__ import annotations

import threading

from controller_support import CONTROLLER_LABEL, SEEDED_ARGS, Controller, ControllerPlayer, params
from controller_support import controller  # noqa: F401 - fixture
from controller_support import player  # noqa: F401 - fixture

import module_steps


def test_flags_are_added_kept_in_order_pods_roll_and_everything_is_given_back(player: ControllerPlayer,
                                                                               controller: Controller):
    seeded = controller.args()
    assert seeded[:3] == SEEDED_ARGS
    wanted = params(cluster_name="demo-eks", mode="custom", disable_restricted_sg_rules=False,
                    extra_args={"sync-period": "1h"}, wait=True, wait_timeout=60)
    check, first, again, gone, gone_again = player.play([
        {"params": wanted, "check": True, "diff": True}, {"params": wanted}, {"params": wanted},
        {"params": params(state="deleted")}, {"params": params(state="deleted")}])
    assert check.changed and check.kube_writes == 0 and check.result["diff"]["after"]["args"][-1] == "--sync-period=1h"
    assert first.changed and first.kube_writes == 1 and not first.result["replanned"], first
    assert first.result["args_after"] == seeded + ["--disable-restricted-sg-rules=false",
                                                   "--enable-backend-security-group=false", "--sync-period=1h"]
    assert first.result["satisfied"] == ["cluster-name"] and first.result["restarts_pods"]
    assert first.result["rollout"]["complete"]
    assert not again.changed and again.kube_writes == 0, again
    assert gone.changed and gone.result["args_after"] == seeded and controller.args() == seeded, gone
    assert controller.record() == {} and not gone_again.changed and gone_again.kube_writes == 0
    assert all(args == seeded for args in controller.pod_args())  # the pods rolled back too


def test_the_pods_run_the_new_flags_once_the_module_returns(player: ControllerPlayer, controller: Controller):
    step = player.run(params(enable_backend_security_group=False, wait=True, wait_timeout=60))
    assert step.changed and not step.failed, step
    pods = controller.pod_args()
    assert pods and all("--enable-backend-security-group=false" in args for args in pods)


def test_a_value_someone_else_set_is_refused_unless_forced_and_forcing_records_it(player: ControllerPlayer,
                                                                                 controller: Controller):
    seeded = controller.args()
    controller.set_args(seeded[:2] + ["--default-target-type", "ip"] + seeded[2:])  # the two-item spelling
    refused, forced, back = player.play([
        {"params": params(default_target_type="instance")},
        {"params": params(default_target_type="instance", force=True)}, {"params": params(state="deleted")}])
    assert refused.failed and refused.kube_writes == 0 and "set by someone else" in refused.msg, refused
    assert "force=true" in refused.msg and "Traceback" not in refused.msg
    assert forced.result["args_after"] == seeded[:2] + ["--default-target-type=instance"] + seeded[2:]  # in place
    assert forced.result["managed"] == {"default-target-type": {"previous": "ip", "set": "instance"}}
    assert back.changed and controller.args() == seeded[:2] + ["--default-target-type=ip"] + seeded[2:]
    assert controller.record() == {}


def test_a_deployment_for_another_cluster_is_refused_as_a_wrong_context(player: ControllerPlayer,
                                                                        controller: Controller):
    step = player.run(params(cluster_name="prod-eks", mode="auto"))
    assert step.failed and step.kube_writes == 0 and "is the kubeconfig context the cluster you meant" in step.msg


def test_a_concurrent_edit_between_read_and_write_is_detected_and_planned_again(player: ControllerPlayer,
                                                                                controller: Controller, admin):
    """The module's patch is held 3 s at the sandbox's door; meanwhile someone adds a flag by hand: the patch's
    test of the args fails (422), the module reads again, plans again, and keeps the hand-made flag."""
    admin.set_faults([{"service": "k8s:demo-eks", "action": "patch deployments", "kind": "write",
                       "latency_ms": 3000}])
    results = {}
    runner = threading.Thread(target=lambda: results.update(step=player.run(params(mode="custom"))))
    try:
        runner.start()
        module_steps.wait_for(lambda: any(c["action"] == "patch deployments" for c in admin.call_log()),
                              timeout=60, message="the module's patch")
        controller.set_args(controller.args() + ["--feature-gates=NLBSecurityGroup=true"])
        runner.join(timeout=120)
    finally:
        admin.clear_faults()
    step = results["step"]
    assert step.changed and not step.failed and step.result["replanned"], step
    assert controller.args()[-2:] == ["--feature-gates=NLBSecurityGroup=true", "--enable-backend-security-group=false"]
    assert step.calls("k8s:demo-eks", "write")["patch deployments"] == 2  # the hand edit is the update


def test_the_simulated_controller_obeys_the_flags_once_the_pods_roll(player: ControllerPlayer, controller: Controller,
                                                                     admin, aws):
    """custom mode turns the backend group off: the controller (syncing on the pods' change by itself) then writes
    node rules from each managed frontend group instead, and revokes its rule from the backend group."""
    seed = controller.seed()
    step = player.run(params(cluster_name="demo-eks", mode="custom", wait=True, wait_timeout=60))
    assert step.changed and not step.failed, step
    assert admin.settle(60)["settled"]
    sg = seed["security_groups"]
    node = aws("ec2").describe_security_groups(GroupIds=[sg["node"]])["SecurityGroups"][0]
    sources = {(p["FromPort"], p["ToPort"], pair["GroupId"]) for p in node["IpPermissions"]
               for pair in p.get("UserIdGroupPairs", []) if pair.get("Description") == CONTROLLER_LABEL}
    assert sources == {(30080, 32050, sg["frontend_storefront"]), (30180, 30443, sg["frontend_catalog"])}
