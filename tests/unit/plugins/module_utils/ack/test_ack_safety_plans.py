"""ack_fixed_pod_ip's plans where the cluster is not as the module left it: namespace labels with other values,
a Deployment deleted before the rollback, replicas on an existing StatefulSet, HPAs and PDBs, GitOps metadata,
and what a rollback keeps (in memory; the integration suite proves the same on the sandbox)."""

import json

import pytest
from ack_fakes import FakeKube
from test_ack_plan import NS
from test_ack_plan import estate
from test_ack_plan import params
from test_ack_plan import plan_for

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.rollback import plan_deleted
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec

OWNED = {"app.kubernetes.io/managed-by": "kubeguard.netsec"}
DEPLOY = "abc-ba7b5"
ENV_SELECTOR = {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"env": "uat-185"}}}


def _find(objects, kind, name=DEPLOY):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def _converted(objects, replicas=2):
    """The estate after a conversion: the Deployment at 0 (count recorded) and our StatefulSet."""
    deployment = _find(objects, "Deployment")
    deployment["spec"]["replicas"] = 0
    deployment["metadata"]["annotations"] = {"netsec.kubeguard.io/original-replicas": "2"}
    template = deployment["spec"]["template"]
    objects.append(
        {
            "kind": "StatefulSet",
            "metadata": {"name": DEPLOY, "namespace": NS, "labels": dict(OWNED)},
            "spec": {"replicas": replicas, "template": template},
        }
    )
    return objects


def _workload_steps(plan):
    """The plan's steps on the application's workload (the estate is converted, not given a PodNetworking)."""
    return [
        (s.action, s.kind) for s in plan.steps if s.kind in ("StatefulSet", "Deployment", "HorizontalPodAutoscaler")
    ]


def _hpa(target_kind="Deployment", annotations=None):
    return {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "hpa", "namespace": NS, "annotations": annotations or {}},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": DEPLOY}},
    }


PDB = {
    "kind": "PodDisruptionBudget",
    "metadata": {"name": "pdb", "namespace": NS},
    "spec": {"selector": {"matchLabels": {"projectkey": DEPLOY}}},
}


# namespace labels


def test_a_label_with_another_value_is_refused_naming_it():
    with pytest.raises(InputError) as caught:
        plan_for(FakeKube(estate()), pod_networking=ENV_SELECTOR)
    assert caught.value.path == "pod_networking.namespace_selector.match_labels.env"
    assert "label env='uat'" in str(caught.value) and "overwrite_namespace_labels" in str(caught.value)


def test_overwrite_records_the_old_value():
    plan = plan_for(FakeKube(estate()), pod_networking=ENV_SELECTOR, overwrite_namespace_labels=True)
    step = next(s for s in plan.steps if s.kind == "Namespace")
    annotations = step.body["metadata"]["annotations"]
    assert step.body["metadata"]["labels"] == {"env": "uat-185"}
    assert json.loads(annotations["netsec.kubeguard.io/replaced-labels"]) == {"env": ["uat", "uat-185"]}
    assert "netsec.kubeguard.io/managed-labels" not in annotations  # nothing added, only replaced


def _labelled(env_now):
    objects = estate()
    namespace = _find(objects, "Namespace", NS)
    namespace["metadata"]["labels"]["env"] = env_now
    namespace["metadata"]["annotations"] = {"netsec.kubeguard.io/replaced-labels": '{"env": ["uat", "uat-185"]}'}
    return objects


def test_rollback_restores_a_replaced_label_unless_changed_since():
    spec = Spec.from_params(params(state="deleted", pod_networking=ENV_SELECTOR))
    restore = next(s for s in plan_deleted(FakeKube(_labelled("uat-185")), spec).steps if s.kind == "Namespace")
    assert restore.body["metadata"]["labels"] == {"env": "uat"}
    plan = plan_deleted(FakeKube(_labelled("uat-other")), spec)
    step = next(s for s in plan.steps if s.kind == "Namespace")
    assert step.body["metadata"]["labels"] == {}  # only the records go
    assert any("label env is 'uat-other' now" in w for w in plan.warnings)


# rollback without the Deployment


def test_rollback_is_refused_when_the_deployment_is_gone_and_our_statefulset_runs():
    objects = [o for o in _converted(estate()) if not (o["kind"] == "Deployment" and o["metadata"]["name"] == DEPLOY)]
    with pytest.raises(InputError, match="does not exist any more.*Nothing was changed"):
        plan_deleted(FakeKube(objects), Spec.from_params(params(state="deleted")))


# replicas on an existing StatefulSet


def test_replicas_scales_our_statefulset_and_refuses_someone_elses():
    plan = plan_for(FakeKube(_converted(estate())), replicas=3)
    assert _workload_steps(plan) == [("patch", "StatefulSet")]
    assert next(s for s in plan.steps if s.kind == "StatefulSet").body == {"spec": {"replicas": 3}}
    assert _workload_steps(plan_for(FakeKube(_converted(estate())), replicas=2)) == []
    foreign = _converted(estate())
    _find(foreign, "StatefulSet")["metadata"]["labels"] = {}
    with pytest.raises(InputError, match="not created by this collection"):
        plan_for(FakeKube(foreign), replicas=3, convert_deployment=None, statefulset_name=DEPLOY)


# HPAs and PDBs


def test_an_hpa_of_the_deployment_is_refused_or_retargeted_last():
    with pytest.raises(InputError) as caught:
        plan_for(FakeKube(estate() + [_hpa()]))
    assert caught.value.path == "hpa"
    plan = plan_for(FakeKube(estate() + [_hpa(), PDB]), hpa="retarget")
    assert [(s.action, s.kind) for s in plan.steps[-2:]] == [
        ("patch", "Deployment"),
        ("patch", "HorizontalPodAutoscaler"),
    ]
    body = plan.steps[-1].body
    assert body["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": DEPLOY}
    assert json.loads(body["metadata"]["annotations"]["netsec.kubeguard.io/original-scale-target"])["kind"] == (
        "Deployment"
    )
    assert plan.facts["pod_disruption_budgets"] == ["pdb"]


def test_a_converted_deployment_needs_no_hpa_or_pdb_read():
    kube = FakeKube(_converted(estate()) + [_hpa(), PDB])
    plan = plan_for(kube)  # an HPA on a Deployment at 0 is inactive: not refused on a re-run
    assert _workload_steps(plan) == [] and "pod_disruption_budgets" not in plan.facts


def test_rollback_points_a_retargeted_hpa_back():
    recorded = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "name": DEPLOY})
    hpa = _hpa("StatefulSet", {"netsec.kubeguard.io/original-scale-target": recorded})
    plan = plan_deleted(FakeKube(_converted(estate()) + [hpa]), Spec.from_params(params(state="deleted")))
    step = next(s for s in plan.steps if s.kind == "HorizontalPodAutoscaler")
    assert step.body["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    assert step.body["metadata"]["annotations"] == {"netsec.kubeguard.io/original-scale-target": None}


# GitOps metadata


def _gitops(objects):
    meta = _find(objects, "Deployment")["metadata"]
    meta["labels"]["argocd.argoproj.io/instance"] = "abc"
    meta["annotations"] = {"argocd.argoproj.io/tracking-id": "abc:apps/Deployment:ns/x"}
    return objects


def test_gitops_metadata_is_left_out_unless_copied():
    plan = plan_for(FakeKube(_gitops(estate())))
    sts = next(s for s in plan.steps if s.kind == "StatefulSet").body
    assert plan.facts["left_out_metadata"] == [
        "metadata.annotations.argocd.argoproj.io/tracking-id",
        "metadata.labels.argocd.argoproj.io/instance",
    ]
    assert "argocd.argoproj.io/instance" not in sts["metadata"]["labels"]
    copied = plan_for(FakeKube(_gitops(estate())), copy_gitops_metadata=True)
    body = next(s for s in copied.steps if s.kind == "StatefulSet").body
    assert body["metadata"]["labels"]["argocd.argoproj.io/instance"] == "abc"
    assert "left_out_metadata" not in copied.facts


# what a rollback keeps


def test_rollback_lists_the_reserved_ips_and_the_pool_ip_consequence():
    podeni = {
        "kind": "PodENI",
        "metadata": {"name": f"{DEPLOY}-0", "namespace": NS},
        "spec": {"allocations": [{"ipv4": "192.168.48.4", "allocationType": {"type": "Fixed"}}]},
    }
    plan = plan_deleted(FakeKube(_converted(estate()) + [podeni]), Spec.from_params(params(state="deleted")))
    kept = plan.facts["kept"]
    assert any("fixed IP 192.168.48.4 of pod" in line and "release_strategy Never" in line for line in kept)
    assert any("shared-pool IPs again" in line for line in kept)
