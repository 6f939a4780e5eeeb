"""ack_fixed_pod_ip run unattended on a cluster other people also change (issue 10's items, one test or more
each): namespace labels that already have a value, a rollback after the Deployment was deleted, ``replicas``
on an existing StatefulSet, HorizontalPodAutoscalers and PodDisruptionBudgets, GitOps tracking metadata,
what a rollback leaves behind, and a verification that fails part-way. Every test starts from a fresh seed
and asserts through the emulated API and the sandbox's call counter."""

from __future__ import annotations

import json

from kubernetes import client as k8s_client

from ack_support import ANN_PN, DEPLOY, K8S, NS, PN, base_params, in_vswitches, rollback_params
from module_steps import wait_for
from ack_support import ack, cluster, reseeded  # noqa: F401 - fixtures

ANN_REPLACED = "netsec.kubeguard.io/replaced-labels"
ANN_TARGET = "netsec.kubeguard.io/original-scale-target"
POD_LABELS = {"log_temp_id": "rowBased", "projectkey": DEPLOY}
HPA, PDB = "abc-ba7b5-hpa", "abc-ba7b5-pdb"


def env_selector_params(**extra) -> dict:
    """The issue's case: the selector asks for env=uat-185, the namespace is labelled env=uat."""
    return base_params(pod_networking={"name": PN, "namespace_selector": {"match_labels": {"env": "uat-185"}}}, **extra)


def converted_sts(cluster, ack, **extra):
    step = ack.run(base_params(**extra))
    assert not step.failed and step.changed, step
    assert len(step.result["fixed_ips"]) == 2, step
    return step


# ------------------------------------------------------------------------------ 1. namespace labels


def test_a_namespace_label_with_another_value_is_refused_without_writes(reseeded, ack):
    cluster = reseeded
    check, real = ack.play([{"params": env_selector_params(), "check": True}, {"params": env_selector_params()}])
    for step in (check, real):
        assert step.failed, step
        assert "label env='uat'" in step.msg and "'uat-185'" in step.msg, step
        assert "overwrite_namespace_labels" in step.msg, step
        assert step.writes == 0 and step.calls(K8S, "write") == {}, step
    assert cluster.namespace()["metadata"]["labels"]["env"] == "uat"
    assert cluster.pod_networking() is None and cluster.statefulset() is None


def test_overwrite_namespace_labels_records_the_old_value_and_rollback_restores_it(reseeded, ack):
    cluster = reseeded
    run, rollback = ack.play(
        [{"params": env_selector_params(overwrite_namespace_labels=True)}, {"params": rollback_params()}]
    )
    assert not run.failed, run
    assert any("label(s) env changed" in w for w in run.result["warnings_found"]), run
    assert len(run.result["fixed_ips"]) == 2, run
    assert not rollback.failed, rollback
    namespace = cluster.namespace()["metadata"]
    assert namespace["labels"]["env"] == "uat", namespace  # restored
    assert ANN_REPLACED not in (namespace.get("annotations") or {}), namespace
    assert cluster.statefulset() is None and cluster.deployment_ready(2)


def test_rollback_keeps_a_label_someone_changed_since(reseeded, ack):
    cluster = reseeded
    run = ack.run(env_selector_params(overwrite_namespace_labels=True))
    assert not run.failed, run
    recorded = json.loads(cluster.namespace()["metadata"]["annotations"][ANN_REPLACED])
    assert recorded == {"env": ["uat", "uat-185"]}, recorded
    cluster.kubectl("label", "namespace", NS, "env=uat-other", "--overwrite")
    rollback = ack.run(rollback_params())
    assert not rollback.failed, rollback
    assert cluster.namespace()["metadata"]["labels"]["env"] == "uat-other"
    assert any("label env is 'uat-other' now" in w for w in rollback.result["warnings_found"]), rollback


# ------------------------------------------------------------------------------ 2. rollback without the Deployment


def test_rollback_after_the_deployment_was_deleted_refuses_without_writes(reseeded, ack):
    cluster = reseeded
    converted_sts(cluster, ack)
    running = cluster.running_ips()
    cluster.kubectl("delete", "deployment", DEPLOY, "-n", NS)
    check, real = ack.play([{"params": rollback_params(), "check": True}, {"params": rollback_params()}])
    for step in (check, real):
        assert step.failed, step
        assert f"Deployment {NS}/{DEPLOY} does not exist any more" in step.msg, step
        assert "Nothing was changed" in step.msg, step
        assert step.writes == 0 and step.calls(K8S, "write") == {}, step
    # the application still runs, on its fixed IPs
    assert cluster.statefulset() is not None and cluster.service() is not None
    assert cluster.pod_networking() is not None
    assert cluster.running_ips() == running


# ------------------------------------------------------------------------------ 3. replicas on an existing StatefulSet


def test_replicas_scales_the_statefulset_and_returns_the_new_fixed_ips(reseeded, ack):
    cluster = reseeded
    first = converted_sts(cluster, ack)
    up, down = ack.play([{"params": base_params(replicas=3)}, {"params": base_params(replicas=1)}])
    assert not up.failed and up.changed, up
    assert up.calls(K8S, "write") == {"patch statefulsets": 1}, up
    assert sorted(up.ips) == [f"{DEPLOY}-0", f"{DEPLOY}-1", f"{DEPLOY}-2"], up
    assert all(in_vswitches(ip) for ip in up.ips.values()) and len(set(up.ips.values())) == 3, up
    for pod, ip in first.ips.items():
        assert up.ips[pod] == ip, up  # the existing pods keep theirs
    assert cluster.podeni(f"{DEPLOY}-2")["spec"]["allocations"][0]["ipv4"] == up.ips[f"{DEPLOY}-2"]

    assert not down.failed and down.changed, down
    assert down.calls(K8S, "write") == {"patch statefulsets": 1}, down
    assert down.ips == {f"{DEPLOY}-0": first.ips[f"{DEPLOY}-0"]}, down
    assert any("scaled down to 1" in w for w in down.result["warnings_found"]), down
    assert cluster.statefulset()["spec"]["replicas"] == 1
    assert cluster.deployment()["spec"]["replicas"] == 0  # the Deployment stays converted


# ------------------------------------------------------------------------------ 4. HPA and PDB


def _create_hpa_and_pdb(cluster) -> None:
    k8s_client.AutoscalingV2Api(cluster.api).create_namespaced_horizontal_pod_autoscaler(
        NS,
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": HPA},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": DEPLOY},
                "minReplicas": 2,
                "maxReplicas": 4,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                    }
                ],
            },
        },
    )
    k8s_client.PolicyV1Api(cluster.api).create_namespaced_pod_disruption_budget(
        NS,
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": PDB},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"projectkey": DEPLOY}}},
        },
    )


def _hpa(cluster) -> dict:
    return cluster.sanitize(k8s_client.AutoscalingV2Api(cluster.api).read_namespaced_horizontal_pod_autoscaler(HPA, NS))


def test_an_hpa_on_the_deployment_is_refused_without_writes(reseeded, ack):
    cluster = reseeded
    _create_hpa_and_pdb(cluster)
    step = ack.run(base_params())
    assert step.failed, step
    assert f"HorizontalPodAutoscaler {HPA} scales Deployment {NS}/{DEPLOY}" in step.msg, step
    assert "hpa: retarget" in step.msg, step
    assert step.writes == 0 and step.calls(K8S, "write") == {}, step
    assert _hpa(cluster)["spec"]["scaleTargetRef"]["kind"] == "Deployment"


def test_hpa_retarget_follows_the_statefulset_and_rollback_points_it_back(reseeded, ack):
    cluster = reseeded
    _create_hpa_and_pdb(cluster)
    run, again, rollback = ack.play(
        [
            {"params": base_params(hpa="retarget")},
            {"params": base_params(hpa="retarget")},
            {"params": rollback_params()},
        ]
    )
    assert not run.failed, run
    # the HPA is retargeted last, after the Deployment is at 0 (make-before-break)
    assert run.action_keys[-2:] == [("patch", "Deployment", DEPLOY), ("patch", "HorizontalPodAutoscaler", HPA)], run
    assert run.result["pod_disruption_budgets"] == [PDB], run
    assert any(f"PodDisruptionBudget {PDB}" in w for w in run.result["warnings_found"]), run
    assert any(f"HorizontalPodAutoscaler {HPA} now scales StatefulSet" in w for w in run.result["warnings_found"]), run
    assert not again.failed and again.changed is False and again.writes == 0, again

    assert not rollback.failed, rollback
    assert ("patch", "HorizontalPodAutoscaler", HPA) in rollback.action_keys, rollback
    hpa = _hpa(cluster)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": DEPLOY}, hpa
    assert ANN_TARGET not in (hpa["metadata"].get("annotations") or {}), hpa
    assert cluster.deployment_ready(2) and cluster.statefulset() is None


def test_hpa_retargeted_state_is_visible_between_run_and_rollback(reseeded, ack):
    cluster = reseeded
    _create_hpa_and_pdb(cluster)
    assert not ack.run(base_params(hpa="retarget")).failed
    hpa = _hpa(cluster)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": DEPLOY}, hpa
    assert json.loads(hpa["metadata"]["annotations"][ANN_TARGET]) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": DEPLOY,
    }, hpa


# ------------------------------------------------------------------------------ 6. GitOps tracking metadata


GITOPS_LABELS = {"app.kubernetes.io/instance": "abc-uat", "kustomize.toolkit.fluxcd.io/name": "apps"}
GITOPS_ANNOTATIONS = {"argocd.argoproj.io/tracking-id": f"abc-uat:apps/Deployment:{NS}/{DEPLOY}"}


def _mark_as_gitops_managed(cluster) -> None:
    cluster.kubectl("label", "deployment", DEPLOY, "-n", NS, *(f"{k}={v}" for k, v in GITOPS_LABELS.items()))
    cluster.kubectl("annotate", "deployment", DEPLOY, "-n", NS, *(f"{k}={v}" for k, v in GITOPS_ANNOTATIONS.items()))


def test_gitops_metadata_is_left_out_and_reported(reseeded, ack):
    cluster = reseeded
    _mark_as_gitops_managed(cluster)
    run = ack.run(base_params())
    assert not run.failed, run
    expected = sorted(
        [f"metadata.labels.{k}" for k in GITOPS_LABELS] + [f"metadata.annotations.{k}" for k in GITOPS_ANNOTATIONS]
    )
    assert run.result["left_out_metadata"] == expected, run
    assert any("GitOps" in w and "copy_gitops_metadata" in w for w in run.result["warnings_found"]), run
    meta = cluster.statefulset()["metadata"]
    assert not set(GITOPS_LABELS) & set(meta.get("labels") or {}), meta
    assert not set(GITOPS_ANNOTATIONS) & set(meta.get("annotations") or {}), meta
    assert meta["labels"]["projectkey"] == DEPLOY, meta  # the application's own labels are copied
    service = cluster.service()["metadata"]
    assert not set(GITOPS_LABELS) & set(service.get("labels") or {}), service


def test_copy_gitops_metadata_copies_them(reseeded, ack):
    cluster = reseeded
    _mark_as_gitops_managed(cluster)
    run = ack.run(base_params(copy_gitops_metadata=True))
    assert not run.failed, run
    assert "left_out_metadata" not in run.result, run
    meta = cluster.statefulset()["metadata"]
    assert GITOPS_LABELS.items() <= (meta.get("labels") or {}).items(), meta
    assert GITOPS_ANNOTATIONS.items() <= (meta.get("annotations") or {}).items(), meta


# ------------------------------------------------------------------------------ 7. what a rollback leaves


def test_rollback_says_which_ips_stay_reserved_and_that_the_pods_get_pool_ips(reseeded, ack):
    cluster = reseeded
    first = converted_sts(cluster, ack)
    check, rollback = ack.play([{"params": rollback_params(), "check": True}, {"params": rollback_params()}])
    for step in (check, rollback):
        kept = step.result["kept"]
        for pod, ip in first.ips.items():
            assert any(
                f"fixed IP {ip} of pod {NS}/{pod} stays reserved" in line and "release_strategy Never" in line
                for line in kept
            ), step
        assert any("shared-pool IPs again" in line and "whitelist" in line for line in kept), step
    assert not rollback.failed, rollback
    # both are true on the cluster: the PodENIs (and their IPs) are still there, and the Deployment's pods run
    # on IPs outside the vSwitches the fixed IPs came from
    for pod, ip in first.ips.items():
        assert cluster.podeni(pod)["spec"]["allocations"][0]["ipv4"] == ip
    restored = wait_for(
        lambda: (lambda ips: len(ips) == 2 and ips)(
            [
                p["status"]["podIP"]
                for p in cluster.pods()
                if p["status"].get("phase") == "Running"
                and not p["metadata"].get("deletionTimestamp")
                and p["status"].get("podIP")
            ]
        ),
        message="the Deployment's pods running",
    )
    assert not any(in_vswitches(ip) for ip in restored), restored
    assert not set(restored) & set(first.ips.values())


# ------------------------------------------------------------------------------ 8. partial verification, one read


def test_a_verification_failure_still_returns_the_pods_that_verified(reseeded, ack):
    cluster = reseeded
    first = converted_sts(cluster, ack)
    # pod 1 loses what Terway's webhook wrote on it: as if it had been created while the webhook was down
    cluster.kubectl("annotate", "pod", f"{DEPLOY}-1", "-n", NS, f"{ANN_PN}-", "k8s.aliyun.com/pod-eni-")
    step = ack.run(base_params())
    assert step.failed, step
    assert f"pod {NS}/{DEPLOY}-1 got the shared-pool IP" in step.msg, step
    assert step.ips == {f"{DEPLOY}-0": first.ips[f"{DEPLOY}-0"]}, step
    assert step.writes == 0, step


def test_a_noop_run_reads_the_pods_once(reseeded, ack):
    cluster = reseeded
    converted_sts(cluster, ack)
    noop = ack.run(base_params())
    assert not noop.failed and noop.changed is False and noop.writes == 0, noop
    reads = noop.calls(K8S, "read")
    # one list for Terway's preflight (kube-system), one for the application's pods
    assert reads["list pods"] == 2, reads
    assert reads.get("get statefulsets", 0) == 1, reads
    # the PodNetworkings listed once (ours among them, and the competition check); no HPA or PDB read for a
    # Deployment converted already (an HPA on a Deployment at 0 is inactive)
    assert reads["list podnetworkings"] == 1 and "get podnetworkings" not in reads, reads
    assert "list horizontalpodautoscalers" not in reads and "list poddisruptionbudgets" not in reads, reads
    assert noop.result["api_calls"]["reads"] == sum(reads.values()) - reads.get("get discovery", 0), (noop, reads)
