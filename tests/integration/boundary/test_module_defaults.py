"""``module_defaults: group/kubeguard.netsec.k8s`` configures the Kubernetes connection of every module:
ack_fixed_pod_ip's top-level options and eks_lbc_security_groups' nested ``kubernetes`` option.

The runs have no KUBECONFIG, no K8S_AUTH_* and no ~/.kube/config: the only way to a cluster is the group's
defaults (a kubeconfig outside the sandbox's state directory, the context, the request timeout), so a
run that reaches the right cluster proves that they were applied, and the control runs without them fail.
"""

from __future__ import annotations

import shutil

import pytest

from boundary_support import ACK, LBC, run_task

GROUP = "group/kubeguard.netsec.k8s"
GATHER = {"namespace": "abc-185-7db8e", "state": "gathered"}
FROM_SERVICES = {"cluster_name": "demo-eks", "mode": "auto", "node_rules": {"ports_from": "from_services"}}


@pytest.fixture
def isolated(sandbox_env, seeded, tmp_path):
    """(env without any Kubernetes configuration, a copy of the sandbox kubeconfig elsewhere)."""
    kubeconfig = tmp_path / "clusters" / "config"
    kubeconfig.parent.mkdir()
    shutil.copy(sandbox_env["KUBECONFIG"], kubeconfig)
    env = {key: value for key, value in sandbox_env.items() if key != "KUBECONFIG" and not key.startswith("K8S_AUTH")}
    env["HOME"] = str(tmp_path / "home")
    return env, str(kubeconfig)


def defaults(kubeconfig: str, context: str) -> dict:
    """The play keywords: group defaults whose kubeconfig is templated from a play variable."""
    return {"vars": {"kubeconfig_file": kubeconfig},
            "module_defaults": {GROUP: {"kubeconfig": "{{ kubeconfig_file }}", "context": context,
                                        "request_timeout": 20}}}


def test_the_group_configures_a_kubernetes_module(isolated, fresh, tmp_path):
    env, kubeconfig = isolated
    run = run_task(ACK, GATHER, env, fresh, tmp_path, play=defaults(kubeconfig, "ack-app"))
    assert not run.result.get("failed"), run
    assert run.result["gathered"]["namespace"] == GATHER["namespace"] and run.result["preflight"]["passed"], run
    assert run.calls_on("k8s:ack-app") > 0 and run.calls_on("k8s:demo-eks") == 0


def test_the_group_configures_the_nested_connection_of_the_eks_module(isolated, fresh, tmp_path):
    env, kubeconfig = isolated
    run = run_task(LBC, FROM_SERVICES, env, fresh, tmp_path, play=defaults(kubeconfig, "demo-eks"), check=True)
    assert not run.result.get("failed"), run
    assert run.result["api_calls"]["by_operation"]["list Service"] == 1
    assert run.calls_of("k8s:demo-eks").get("list services") == 1 and run.writes == 0


def test_the_task_s_own_kubernetes_values_win_over_the_group(isolated, fresh, tmp_path):
    env, kubeconfig = isolated
    params = dict(FROM_SERVICES, kubernetes={"context": "demo-eks"})
    run = run_task(LBC, params, env, fresh, tmp_path, play=defaults(kubeconfig, "ack-app"), check=True)
    assert not run.result.get("failed"), run
    assert run.calls_of("k8s:demo-eks").get("list services") == 1 and run.calls_on("k8s:ack-app") == 0


@pytest.mark.parametrize("module, params, option", [(ACK, GATHER, "kubeconfig"),
                                                    (LBC, FROM_SERVICES, "kubernetes.kubeconfig")])
def test_without_the_group_defaults_there_is_no_cluster_to_talk_to(isolated, fresh, tmp_path, module, params, option):
    env, _kubeconfig = isolated
    run = run_task(module, params, env, fresh, tmp_path)
    run.assert_clean(f"{option}: 'config' in {tmp_path}/home/.kube does not exist", "(KUBECONFIG or ~/.kube/config)")
    assert run.counts.get("totals", {}).get("reads", 0) == 0
