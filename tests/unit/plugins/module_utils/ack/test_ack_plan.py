"""ack_fixed_pod_ip: input validation, preflight and plans on an in-memory estate (no server)."""

import base64
import copy
import datetime
import json
import pathlib

import pytest
import yaml
from ack_fakes import FakeKube

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.plan import plan_merged
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import run_preflight
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.preflight import token_expiration
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.rollback import plan_deleted
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.spec import Spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.steps import MASK

REPO = pathlib.Path(__file__).resolve().parents[5]
NS = "abc-185-7db8e"
NOW = datetime.datetime(2026, 11, 22, tzinfo=datetime.timezone.utc)
ENI_CONF = json.dumps({"version": "1", "vswitches": {"cn-hangzhou-h": ["vsw-h"]}, "security_group": "sg-a"}, indent=2)


def params(**extra):
    base = {
        "namespace": NS,
        "state": "merged",
        "convert_deployment": "abc-ba7b5",
        "pod_networking": {"name": "podnetworking-185", "namespace_selector": {"match_labels": {"appname": "185"}}},
    }
    base.update(extra)
    return base


def token(expiration="2026-11-29T00:00:00Z"):
    document = base64.b64encode(json.dumps({"expiration": expiration, "keyring": "k"}).encode()).decode()
    return {
        "kind": "Secret",
        "metadata": {"name": "addon.network.token", "namespace": "kube-system"},
        "data": {"addon.token.config": document},
    }


def estate():
    app = [d for d in yaml.safe_load_all((REPO / "sandbox/seed/manifests/ack-app.yaml").read_text()) if d]
    objects = [d for d in app if d["kind"] in ("Namespace", "Deployment", "Service")]
    objects += [
        token(),
        {
            "kind": "ConfigMap",
            "metadata": {"name": "eni-config", "namespace": "kube-system"},
            "data": {"eni_conf": ENI_CONF, "disable_network_policy": "false"},
        },
        {
            "kind": "Deployment",
            "metadata": {"name": "terway-controlplane", "namespace": "kube-system"},
            "status": {"readyReplicas": 2},
        },
        {
            "kind": "Pod",
            "metadata": {"name": "terway-eniip-a", "namespace": "kube-system", "labels": {"app": "terway-eniip"}},
        },
        {"kind": "Node", "metadata": {"name": "node-a"}},
    ]
    return objects


def plan_for(kube, **extra):
    spec = Spec.from_params(params(**extra))
    pre = run_preflight(kube, spec, now=NOW)
    assert not pre.failed, pre.as_dict()
    return plan_merged(kube, spec, pre)


def test_the_seeded_estate_plans_every_step_in_order():
    plan = plan_for(FakeKube(estate()))
    # what the cluster validates (the PodNetworking, waited for until Ready) before the disruptive writes
    assert [(s.action, s.kind) for s in plan.steps] == [
        ("create", "PodNetworking"),
        ("patch", "ConfigMap"),
        ("restart", "Pod"),
        ("patch", "Namespace"),
        ("create", "Service"),
        ("create", "StatefulSet"),
        ("patch", "Deployment"),
    ]
    assert plan.steps[1].as_dict()["payload"] == {"eni_conf_keys": ["enable_eni_trunking", "credential_path"]}
    assert plan.before[f"Deployment {NS}/abc-ba7b5"]["replicas"] == 2
    assert plan.after[f"Deployment {NS}/abc-ba7b5"]["replicas"] == 0


def test_eni_conf_credentials_never_reach_the_plan_or_diff():
    objects = estate()
    conf = dict(json.loads(ENI_CONF), access_key="LTAI-not-shown", access_secret="very-secret")
    objects[objects.index(next(o for o in objects if o["metadata"]["name"] == "eni-config"))]["data"]["eni_conf"] = (
        json.dumps(conf)
    )
    plan = plan_for(FakeKube(objects))
    shown = json.dumps([s.as_dict() for s in plan.steps]) + json.dumps(plan.before) + json.dumps(plan.after)
    assert "very-secret" not in shown and "LTAI-not-shown" not in shown
    assert MASK in shown


def test_an_unowned_statefulset_of_the_same_name_is_refused():
    kube = FakeKube(estate() + [{"kind": "StatefulSet", "metadata": {"name": "abc-ba7b5", "namespace": NS}}])
    with pytest.raises(InputError, match="not created by this collection"):
        plan_for(kube)


def test_a_non_headless_service_is_refused():
    with pytest.raises(InputError) as caught:
        plan_for(FakeKube(estate()), service_name="abc-ba7b5")
    assert caught.value.path == "service_name" and "not headless" in str(caught.value)


def unowned_pod_networking():
    """The seed's PodNetworking name, created by someone else (no managed-by label)."""
    return {
        "kind": "PodNetworking",
        "metadata": {"name": "podnetworking-185"},
        "spec": {"vSwitchOptions": ["vsw-h"], "securityGroupIDs": ["sg-a"]},
    }


def test_replaced_refuses_an_unowned_podnetworking():
    kube = FakeKube(estate() + [unowned_pod_networking()])
    with pytest.raises(InputError, match="state replaced only rewrites what it owns"):
        plan_for(kube, state="replaced")


def test_an_update_is_checked_even_though_the_webhook_would_not():
    kube = FakeKube(estate() + [unowned_pod_networking()])
    groups = [f"sg-{i}" for i in range(10)]
    plan = plan_for(
        kube,
        pod_networking={
            "name": "podnetworking-185",
            "security_group_ids": groups,
            "namespace_selector": {"match_labels": {"appname": "185"}},
        },
    )
    step = next(s for s in plan.steps if s.kind == "PodNetworking")
    assert step.action == "patch" and step.body["spec"]["securityGroupIDs"] == groups


def test_a_pod_selector_that_misses_the_template_is_refused():
    with pytest.raises(InputError) as caught:
        plan_for(FakeKube(estate()), pod_networking={"name": "pn", "pod_selector": {"match_labels": {"app": "x"}}})
    assert caught.value.path == "pod_networking.pod_selector"


def test_a_converted_deployment_is_not_scaled_twice():
    objects = estate()
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "abc-ba7b5")
    deployment["spec"]["replicas"] = 0
    deployment["metadata"]["annotations"] = {"netsec.kubeguard.io/original-replicas": "2"}
    plan = plan_for(FakeKube(objects))
    assert not any(s.kind == "Deployment" for s in plan.steps)
    assert next(s for s in plan.steps if s.kind == "StatefulSet").body["spec"]["replicas"] == 2


def test_rollback_without_a_recorded_count_needs_replicas():
    objects = estate()
    next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "abc-ba7b5")["spec"][
        "replicas"
    ] = 0
    with pytest.raises(InputError) as caught:
        plan_deleted(FakeKube(objects), Spec.from_params(params(state="deleted")))
    assert caught.value.path == "replicas"
    plan = plan_deleted(FakeKube(objects), Spec.from_params(params(state="deleted", replicas=3)))
    assert plan.steps[0].body == {"spec": {"replicas": 3}}


def test_rollback_keeps_a_podnetworking_other_pods_use():
    objects = estate() + [
        {
            "kind": "PodNetworking",
            "metadata": {"name": "podnetworking-185", "labels": {"app.kubernetes.io/managed-by": "kubeguard.netsec"}},
        },
        {
            "kind": "Pod",
            "metadata": {
                "name": "other-0",
                "namespace": "other",
                "annotations": {"k8s.aliyun.com/pod-networking": "podnetworking-185"},
            },
        },
    ]
    plan = plan_deleted(FakeKube(objects), Spec.from_params(params(state="deleted")))
    assert not any(s.kind == "PodNetworking" for s in plan.steps)
    assert any("still used by other/other-0" in w for w in plan.warnings)


@pytest.mark.parametrize(
    "change, check, words",
    [
        (lambda o: o.remove(next(x for x in o if x["kind"] == "Secret")), "token_secret", "is missing"),
        (
            lambda o: o.__setitem__(
                o.index(next(x for x in o if x["kind"] == "Secret")), token("2026-11-21T00:00:00Z")
            ),
            "token_secret",
            "expired at 2026-11-21T00:00:00Z",
        ),
        (lambda o: o.remove(next(x for x in o if x["kind"] == "Pod")), "terway_pods", "no Terway pod"),
        (
            lambda o: next(x for x in o if x["metadata"]["name"] == "terway-controlplane").update(status={}),
            "terway_controlplane",
            "no ready replica",
        ),
        (
            lambda o: next(x for x in o if x["metadata"]["name"] == "eni-config")["data"].update(eni_conf="{"),
            "eni_config",
            "not valid JSON",
        ),
        (
            lambda o: next(x for x in o if x["metadata"]["name"] == "eni-config")["data"].update(
                disable_network_policy="true"
            ),
            "network_policy",
            "NetworkPolicy is disabled",
        ),
    ],
)
def test_each_failed_preflight_check_says_what_to_do(change, check, words):
    objects = estate()
    change(objects)
    spec = Spec.from_params(params(require_network_policy=True))
    result = run_preflight(FakeKube(objects), spec, now=NOW).as_dict()
    assert not result["passed"] and not result[check]["ok"]
    assert words in result[check]["message"]


def test_missing_crds_fail_the_preflight():
    result = run_preflight(FakeKube(estate(), missing_kinds={"PodNetworking"}), Spec.from_params(params()), now=NOW)
    assert [c.name for c in result.failed] == ["podnetworking_crd"]


def test_a_dedicated_cluster_needs_no_token():
    objects = [o for o in estate() if o["kind"] != "Secret"]
    assert not run_preflight(FakeKube(objects), Spec.from_params(params(cluster_type="dedicated")), now=NOW).failed


def test_token_expiration_is_read_without_exposing_the_secret():
    assert token_expiration(token()) == datetime.datetime(2026, 11, 29, tzinfo=datetime.timezone.utc)
    assert token_expiration({"data": {"addon.token.config": "not base64!"}}) is None
    assert token_expiration({"data": {"addon.token.config": base64.b64encode(b"[]").decode()}}) is None


@pytest.mark.parametrize(
    "extra, path",
    [
        ({"namespace": "Bad_NS"}, "namespace"),
        ({"statefulset_name": "x" * 53}, "statefulset_name"),
        ({"service_name": "1abc"}, "service_name"),
        ({"replicas": 0}, "replicas"),
        ({"eni_config": {"credential_path": "var/addon"}}, "eni_config.credential_path"),
        ({"eni_config": {"terway_pod_selector": "  "}}, "eni_config.terway_pod_selector"),
        ({"wait_timeout": 0}, "wait_timeout"),
        ({"pod_networking": None}, "pod_networking"),
        ({"state": "rendered"}, "convert_deployment"),
        ({"state": "deleted", "convert_deployment": None, "pod_networking": None}, "convert_deployment"),
        ({"convert_deployment": None, "replicas": 2}, "replicas"),
        (
            {"pod_networking": {"name": "pn", "pod_selector": {"match_expressions": [{"key": "a", "operator": "Is"}]}}},
            "pod_networking.pod_selector.match_expressions[0].operator",
        ),
    ],
)
def test_bad_inputs_name_their_option(extra, path):
    with pytest.raises(InputError) as caught:
        Spec.from_params(params(**extra))
    assert caught.value.path == path


def test_gathered_and_deleted_need_only_the_podnetworking_name():
    assert Spec.from_params(params(state="gathered", pod_networking={"name": "pn"})).pn_name == "pn"
    with pytest.raises(InputError):
        Spec.from_params(params(state="deleted", pod_networking={"name": "Bad"}))
    assert copy.deepcopy(Spec.from_params(params()).namespace_labels()) == {"appname": "185"}


def _podnetworking(name, status, **spec):
    return {
        "kind": "PodNetworking",
        "metadata": {"name": name},
        "spec": spec,
        "status": {"status": status, "message": "vSwitch vsw-x not found" if status == "Fail" else ""},
    }


def test_a_podnetworking_listed_first_that_selects_the_pods_stops_the_plan():
    competitor = _podnetworking("aaa", "Ready", selector={"podSelector": {"matchLabels": {"projectkey": "abc-ba7b5"}}})
    with pytest.raises(InputError, match="PodNetworking aaa .Ready, listed before podnetworking-185."):
        plan_for(FakeKube([competitor] + estate()))
    later = dict(competitor, metadata={"name": "zzz"})
    plan = plan_for(FakeKube([later] + estate()))
    assert any("zzz (Ready) also selects" in w for w in plan.warnings)


def test_an_unchanged_podnetworking_in_status_fail_stops_the_plan():
    failed = _podnetworking(
        "podnetworking-185",
        "Fail",
        vSwitchOptions=["vsw-x"],
        securityGroupIDs=["sg-a"],
        allocationType={"type": "Fixed", "releaseStrategy": "Never"},
        eniOptions={"eniType": "Trunk"},
        selector={"namespaceSelector": {"matchLabels": {"appname": "185"}}},
    )
    with pytest.raises(InputError, match=r"status Fail \(vSwitch vsw-x not found\)"):
        plan_for(FakeKube(estate() + [failed]))
