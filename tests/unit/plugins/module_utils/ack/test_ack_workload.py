# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the Deployment -> StatefulSet conversion, its blockers, the headless Service and the
scale-down / restore merge patches, on the seeded ACK application (seed 004)."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
import yaml

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import ANN_CONVERTED_FROM
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import ANN_ORIGINAL_REPLICAS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import ANN_POD_NETWORKS
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import ANN_POD_NETWORKS_REQUEST
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import LABEL_IGNORE_BY_TERWAY
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import conversion_blockers
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import headless_service
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import original_replicas
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import restore_patch
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import scale_down_patch
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.workload import statefulset_from_deployment
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import ANN_MANAGED_ANNOTATIONS
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import MANAGED_BY
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.ownership import MANAGED_BY_LABEL
from sandbox.k8s.patching import json_merge_patch

SEED = pathlib.Path(__file__).resolve().parents[5] / "sandbox" / "seed" / "manifests" / "ack-app.yaml"
APP_LABELS = {"log_temp_id": "rowBased", "projectkey": "abc-ba7b5"}


def seeded_deployment():
    """The UAT Deployment of seed 004, exactly as the seed manifest writes it."""
    documents = [doc for doc in yaml.safe_load_all(SEED.read_text(encoding="utf-8")) if doc]
    (deployment,) = [
        doc for doc in documents if doc.get("kind") == "Deployment" and doc["metadata"]["namespace"] == "abc-185-7db8e"
    ]
    return deployment


def served_deployment():
    """The seeded Deployment as the API server returns it: server fields, rollout annotations, defaults."""
    deployment = seeded_deployment()
    metadata = deployment["metadata"]
    metadata.update(
        {
            "uid": "0b1c2d3e-0000-4000-8000-000000000001",
            "resourceVersion": "48213",
            "generation": 3,
            "creationTimestamp": "2026-01-05T08:00:00Z",
            "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1"}],
            "ownerReferences": [{"apiVersion": "example.com/v1", "kind": "App", "name": "abc", "uid": "u-1"}],
            "annotations": {
                "deployment.kubernetes.io/revision": "3",
                "kubectl.kubernetes.io/last-applied-configuration": '{"kind":"Deployment"}',
                ANN_ORIGINAL_REPLICAS: "2",
                "owner.example.com/team": "payments",
            },
        }
    )
    deployment["spec"].update(
        {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "progressDeadlineSeconds": 600,
            "paused": False,
            "minReadySeconds": 5,
        }
    )
    deployment["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] = "7c9d8f6b5"
    deployment["status"] = {"replicas": 2, "readyReplicas": 2, "observedGeneration": 3}
    return deployment


def convert(deployment, **kwargs):
    arguments = {"name": "abc-ba7b5", "service_name": "abc-ba7b5-headless", "replicas": 2}
    arguments.update(kwargs)
    return statefulset_from_deployment(deployment, **arguments)


# --- statefulset_from_deployment ---------------------------------------------------------------


def test_the_pod_template_is_carried_over_whole():
    source = served_deployment()
    manifest = convert(source)[0]
    pod, source_pod = manifest["spec"]["template"]["spec"], source["spec"]["template"]["spec"]
    assert pod == source_pod
    (container,) = pod["containers"]
    (source_container,) = source_pod["containers"]
    for field in ("image", "env", "resources", "volumeMounts", "ports", "imagePullPolicy"):
        assert container[field] == source_container[field]
    assert pod["volumes"] == [{"name": "config", "configMap": {"name": "abc-ba7b5-config"}}]
    assert pod["affinity"] == source_pod["affinity"]
    assert (pod["dnsPolicy"], pod["restartPolicy"]) == ("ClusterFirst", "Always")
    assert pod["terminationGracePeriodSeconds"] == 30
    assert manifest["spec"]["template"]["metadata"] == {"labels": APP_LABELS}


def test_metadata_keeps_labels_and_user_annotations_and_marks_the_origin():
    manifest = convert(served_deployment())[0]
    assert manifest["apiVersion"] == "apps/v1"
    assert manifest["kind"] == "StatefulSet"
    assert manifest["metadata"] == {
        "name": "abc-ba7b5",
        "namespace": "abc-185-7db8e",
        "labels": dict(APP_LABELS, **{MANAGED_BY_LABEL: MANAGED_BY}),
        "annotations": {"owner.example.com/team": "payments", ANN_CONVERTED_FROM: "Deployment/abc-ba7b5"},
    }


def test_spec_has_the_selector_the_new_fields_and_the_kept_counters():
    source = served_deployment()
    manifest = convert(source, replicas=3, pod_management_policy="OrderedReady")[0]
    spec = manifest["spec"]
    assert spec["selector"] == {"matchLabels": APP_LABELS}
    assert spec["selector"] == source["spec"]["selector"]
    assert spec["serviceName"] == "abc-ba7b5-headless"
    assert spec["replicas"] == 3
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate"}
    assert (spec["revisionHistoryLimit"], spec["minReadySeconds"]) == (10, 5)
    assert set(spec) == {
        "serviceName",
        "replicas",
        "podManagementPolicy",
        "updateStrategy",
        "selector",
        "template",
        "revisionHistoryLimit",
        "minReadySeconds",
    }


def test_pod_management_policy_defaults_to_parallel():
    manifest = convert(seeded_deployment())[0]
    assert manifest["spec"]["podManagementPolicy"] == "Parallel"


def test_dropped_lists_exactly_the_deployment_only_fields():
    dropped = convert(served_deployment())[1]
    assert dropped == [
        "spec.paused",
        "spec.progressDeadlineSeconds",
        "spec.strategy",
        "spec.template.metadata.labels.pod-template-hash",
    ]


def test_nothing_is_dropped_from_the_seed_manifest():
    dropped = convert(seeded_deployment())[1]
    assert dropped == []


def test_server_fields_are_never_copied():
    manifest = convert(served_deployment())[0]
    assert set(manifest) == {"apiVersion", "kind", "metadata", "spec"}
    assert set(manifest["metadata"]) == {"name", "namespace", "labels", "annotations"}
    text = json.dumps(manifest)
    for server_value in (
        "0b1c2d3e",
        "48213",
        "managedFields",
        "ownerReferences",
        "creationTimestamp",
        "deployment.kubernetes.io/revision",
        "last-applied-configuration",
        "7c9d8f6b5",
        ANN_ORIGINAL_REPLICAS,
        "readyReplicas",
        "progressDeadlineSeconds",
        "maxSurge",
    ):
        assert server_value not in text


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": ""},
        {"service_name": None},
        {"replicas": -1},
        {"replicas": True},
        {"replicas": "2"},
        {"pod_management_policy": "parallel"},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        convert(seeded_deployment(), **kwargs)


def test_a_blocked_deployment_raises_with_every_blocker():
    deployment = seeded_deployment()
    deployment["spec"]["paused"] = True
    deployment["spec"]["template"]["spec"]["hostNetwork"] = True
    with pytest.raises(ValueError) as error:
        convert(deployment)
    assert str(error.value) == "; ".join(conversion_blockers(deployment))
    assert str(error.value).startswith("spec.paused: ")
    assert "; spec.template.spec.hostNetwork: " in str(error.value)


# --- conversion_blockers ------------------------------------------------------------------------


def _set(path, value):
    """A mutation setting the dotted ``path`` (a list of keys) to ``value``."""

    def mutate(deployment):
        node = deployment
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    return mutate


TEMPLATE_LABELS = ("spec", "template", "metadata", "labels")
TEMPLATE_ANNOTATIONS = ("spec", "template", "metadata", "annotations")
POD = ("spec", "template", "spec")

BLOCKERS = [
    ("paused", _set(("spec", "paused"), True), "spec.paused", "resume"),
    ("hostNetwork", _set(POD + ("hostNetwork",), True), "spec.template.spec.hostNetwork", "ENI"),
    ("hostname", _set(POD + ("hostname",), "app-0"), "spec.template.spec.hostname", "hostname"),
    ("subdomain", _set(POD + ("subdomain",), "apps"), "spec.template.spec.subdomain", "serviceName"),
    (
        "ignore-by-terway",
        _set(TEMPLATE_LABELS + (LABEL_IGNORE_BY_TERWAY,), "true"),
        "spec.template.metadata.labels.k8s.aliyun.com/ignore-by-terway",
        "Terway",
    ),
    (
        "pod-networks",
        _set(TEMPLATE_ANNOTATIONS + (ANN_POD_NETWORKS,), '[{"vSwitchOptions":["vsw-1"]}]'),
        "spec.template.metadata.annotations.k8s.aliyun.com/pod-networks",
        "PodNetworking",
    ),
    (
        "pod-networks-request",
        _set(TEMPLATE_ANNOTATIONS + (ANN_POD_NETWORKS_REQUEST,), '[{"network":"n1"}]'),
        "spec.template.metadata.annotations.k8s.aliyun.com/pod-networks-request",
        "PodNetworking",
    ),
    (
        "selector-mismatch",
        _set(("spec", "selector"), {"matchLabels": {"projectkey": "other"}}),
        "spec.selector",
        "does not select",
    ),
    (
        "selector-expressions-only",
        _set(
            ("spec", "selector"),
            {"matchExpressions": [{"key": "projectkey", "operator": "In", "values": ["abc-ba7b5"]}]},
        ),
        "spec.selector",
        "matchLabels",
    ),
    ("selector-empty", _set(("spec", "selector"), {}), "spec.selector", "empty"),
    (
        "selector-bad-operator",
        _set(
            ("spec", "selector"), {"matchLabels": APP_LABELS, "matchExpressions": [{"key": "a", "operator": "Equals"}]}
        ),
        "spec.selector",
        "Equals",
    ),
    ("no-containers", _set(POD + ("containers",), []), "spec.template.spec.containers", "no containers"),
    ("restartPolicy", _set(POD + ("restartPolicy",), "OnFailure"), "spec.template.spec.restartPolicy", "Always"),
    (
        "sts-pod-name-label",
        _set(TEMPLATE_LABELS + ("statefulset.kubernetes.io/pod-name",), "abc-ba7b5-0"),
        "spec.template.metadata.labels.statefulset.kubernetes.io/pod-name",
        "StatefulSet controller",
    ),
    (
        "controller-revision-hash-label",
        _set(TEMPLATE_LABELS + ("controller-revision-hash",), "abc-5d4f"),
        "spec.template.metadata.labels.controller-revision-hash",
        "StatefulSet controller",
    ),
    ("not-a-deployment", _set(("kind",), "DaemonSet"), "kind", "Deployment"),
]


@pytest.mark.parametrize("mutate, path, word", [entry[1:] for entry in BLOCKERS], ids=[entry[0] for entry in BLOCKERS])
def test_each_blocker_is_named_by_its_path(mutate, path, word):
    deployment = seeded_deployment()
    mutate(deployment)
    (blocker,) = conversion_blockers(deployment)
    assert blocker.startswith(path + ": ")
    assert word in blocker
    with pytest.raises(ValueError, match="^" + path.replace(".", r"\.")):
        convert(deployment)


def test_the_seeded_and_the_served_deployment_are_convertible():
    assert conversion_blockers(seeded_deployment()) == []
    assert conversion_blockers(served_deployment()) == []


@pytest.mark.parametrize(
    "mutate",
    [
        _set(("spec", "paused"), False),
        _set(POD + ("hostNetwork",), False),
        _set(POD + ("hostname",), ""),
        _set(TEMPLATE_LABELS + (LABEL_IGNORE_BY_TERWAY,), "false"),
        _set(POD + ("restartPolicy",), "Always"),
        _set(
            ("spec", "selector"),
            {
                "matchLabels": {"projectkey": "abc-ba7b5"},
                "matchExpressions": [{"key": "log_temp_id", "operator": "Exists"}],
            },
        ),
    ],
    ids=["paused-false", "hostNetwork-false", "hostname-empty", "ignore-false", "restart-always", "expressions-too"],
)
def test_harmless_values_do_not_block(mutate):
    deployment = seeded_deployment()
    mutate(deployment)
    assert conversion_blockers(deployment) == []


def test_a_missing_restart_policy_defaults_to_always():
    deployment = seeded_deployment()
    del deployment["spec"]["template"]["spec"]["restartPolicy"]
    assert conversion_blockers(deployment) == []


def test_a_selector_on_pod_template_hash_blocks_because_the_statefulset_template_drops_it():
    deployment = seeded_deployment()
    deployment["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] = "7c9d8f6b5"
    deployment["spec"]["selector"]["matchLabels"]["pod-template-hash"] = "7c9d8f6b5"
    (blocker,) = conversion_blockers(deployment)
    assert blocker.startswith("spec.selector: does not select")


# --- headless_service ---------------------------------------------------------------------------


def test_headless_service_of_the_seeded_app():
    manifest = convert(served_deployment())[0]
    service = headless_service(manifest, "abc-ba7b5-headless")
    assert service == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "abc-ba7b5-headless",
            "namespace": "abc-185-7db8e",
            "labels": {MANAGED_BY_LABEL: MANAGED_BY},
        },
        "spec": {
            "clusterIP": "None",
            "selector": APP_LABELS,
            "publishNotReadyAddresses": False,
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}],
        },
    }


def test_headless_service_ports_are_deduplicated_across_containers():
    deployment = seeded_deployment()
    containers = deployment["spec"]["template"]["spec"]["containers"]
    containers[0]["ports"].append({"name": "metrics", "containerPort": 9090})
    containers.append(
        {
            "name": "sidecar",
            "image": "envoy:1",
            "ports": [
                {"name": "proxy", "containerPort": 8080, "protocol": "TCP"},  # same (port, protocol) as http: dropped
                {"containerPort": 9090, "protocol": "TCP"},  # same as metrics once TCP is defaulted
                {"containerPort": 8080, "protocol": "UDP"},  # another protocol: kept, named for the API
            ],
        }
    )
    manifest = convert(deployment)[0]
    ports = headless_service(manifest, "svc")["spec"]["ports"]
    assert ports == [
        {"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080},
        {"name": "metrics", "port": 9090, "protocol": "TCP", "targetPort": 9090},
        {"name": "udp-8080", "port": 8080, "protocol": "UDP", "targetPort": 8080},
    ]


def test_a_single_unnamed_port_stays_unnamed():
    deployment = seeded_deployment()
    deployment["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    manifest = convert(deployment)[0]
    assert headless_service(manifest, "svc")["spec"]["ports"] == [{"port": 8080, "protocol": "TCP", "targetPort": 8080}]


def test_headless_service_without_container_ports_has_no_ports():
    deployment = seeded_deployment()
    del deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    manifest = convert(deployment)[0]
    service = headless_service(manifest, "svc")
    assert "ports" not in service["spec"]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["selector"] == APP_LABELS


def test_headless_service_needs_match_labels():
    manifest = convert(seeded_deployment())[0]
    manifest["spec"]["selector"] = {"matchExpressions": [{"key": "app", "operator": "Exists"}]}
    with pytest.raises(ValueError, match="matchLabels"):
        headless_service(manifest, "svc")


# --- scale_down_patch / restore_patch / original_replicas ----------------------------------------


def test_scale_down_then_restore_round_trips_the_seeded_deployment():
    deployment = seeded_deployment()
    patch = scale_down_patch(deployment, 2)
    assert patch == {
        "spec": {"replicas": 0},
        "metadata": {
            "annotations": {ANN_ORIGINAL_REPLICAS: "2", ANN_MANAGED_ANNOTATIONS: json.dumps([ANN_ORIGINAL_REPLICAS])}
        },
    }
    scaled = json_merge_patch(deployment, patch)
    assert scaled["spec"]["replicas"] == 0
    assert original_replicas(scaled) == 2
    assert restore_patch(scaled) == {
        "spec": {"replicas": 2},
        "metadata": {"annotations": {ANN_ORIGINAL_REPLICAS: None, ANN_MANAGED_ANNOTATIONS: None}},
    }
    restored = json_merge_patch(scaled, restore_patch(scaled))
    assert restored["metadata"].pop("annotations") == {}
    assert restored == deployment
    assert original_replicas(restored) is None


def test_round_trip_keeps_other_recorded_keys():
    deployment = seeded_deployment()
    deployment["metadata"]["annotations"] = {
        "example.com/owner": "ops",
        ANN_MANAGED_ANNOTATIONS: json.dumps(["example.com/owner"]),
    }
    scaled = json_merge_patch(deployment, scale_down_patch(deployment, 2))
    assert json.loads(scaled["metadata"]["annotations"][ANN_MANAGED_ANNOTATIONS]) == [
        "example.com/owner",
        ANN_ORIGINAL_REPLICAS,
    ]
    patch = restore_patch(scaled)
    assert patch["metadata"]["annotations"][ANN_MANAGED_ANNOTATIONS] == '["example.com/owner"]'
    restored = json_merge_patch(scaled, patch)
    assert restored == deployment


def test_scale_down_is_idempotent_with_the_same_count():
    deployment = seeded_deployment()
    scaled = json_merge_patch(deployment, scale_down_patch(deployment, 2))
    assert json_merge_patch(scaled, scale_down_patch(scaled, 2)) == scaled


def test_scale_down_never_overwrites_another_recorded_count():
    deployment = seeded_deployment()
    scaled = json_merge_patch(deployment, scale_down_patch(deployment, 2))
    with pytest.raises(ValueError, match="already records 2"):
        scale_down_patch(scaled, 0)


@pytest.mark.parametrize("count", [-1, 1.5, "2", True, None])
def test_scale_down_needs_a_non_negative_integer(count):
    with pytest.raises(ValueError):
        scale_down_patch(seeded_deployment(), count)


def test_restore_leaves_a_record_without_our_key_alone():
    deployment = seeded_deployment()
    deployment["metadata"]["annotations"] = {
        ANN_ORIGINAL_REPLICAS: "4",
        ANN_MANAGED_ANNOTATIONS: json.dumps(["example.com/owner"]),
    }
    assert restore_patch(deployment) == {
        "spec": {"replicas": 4},
        "metadata": {"annotations": {ANN_ORIGINAL_REPLICAS: None}},
    }


def test_missing_original_replicas():
    deployment = seeded_deployment()
    assert original_replicas(deployment) is None
    with pytest.raises(ValueError, match="missing"):
        restore_patch(deployment)


@pytest.mark.parametrize("value", ["-1", "two", "1.5", "", " 2", "２", None, True])
def test_malformed_original_replicas(value):
    deployment = seeded_deployment()
    deployment["metadata"]["annotations"] = {ANN_ORIGINAL_REPLICAS: value}
    with pytest.raises(ValueError, match=ANN_ORIGINAL_REPLICAS):
        original_replicas(deployment)
    with pytest.raises(ValueError, match=ANN_ORIGINAL_REPLICAS):
        restore_patch(deployment)
    with pytest.raises(ValueError, match=ANN_ORIGINAL_REPLICAS):
        scale_down_patch(deployment, 2)


def test_zero_original_replicas_is_valid():
    deployment = seeded_deployment()
    deployment["metadata"]["annotations"] = {ANN_ORIGINAL_REPLICAS: "0"}
    assert original_replicas(deployment) == 0
    assert restore_patch(deployment)["spec"] == {"replicas": 0}


# --- purity -------------------------------------------------------------------------------------


def test_inputs_are_never_mutated():
    deployment = served_deployment()
    deployment["metadata"]["annotations"][ANN_MANAGED_ANNOTATIONS] = json.dumps([ANN_ORIGINAL_REPLICAS])
    before = copy.deepcopy(deployment)
    conversion_blockers(deployment)
    manifest = convert(deployment)[0]
    sts_before = copy.deepcopy(manifest)
    service = headless_service(manifest, "svc")
    assert manifest == sts_before
    scale_down_patch(deployment, 2)
    restore_patch(deployment)
    original_replicas(deployment)
    assert deployment == before
    # the outputs share no object with the input: editing them leaves the Deployment alone
    manifest["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "X", "value": "1"})
    manifest["spec"]["selector"]["matchLabels"]["x"] = "1"
    manifest["metadata"]["labels"]["x"] = "1"
    service["spec"]["selector"]["y"] = "2"
    assert deployment == before
    assert sts_before["spec"]["selector"]["matchLabels"] == APP_LABELS
