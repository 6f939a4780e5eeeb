import copy

import pytest
from hypothesis import given, settings, strategies as st

from sandbox.k8s.patching import (
    BUILTIN_MERGE_KEYS, FieldRule, PatchError, json_merge_patch, merge_keys_for, strategic_merge_patch,
    strategic_merge_patch_for_kind, supports_strategic_merge,
)


def deployment(**spec_overrides):
    spec = {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {
                "containers": [{"name": "patch-demo-ctr", "image": "nginx",
                                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                                "ports": [{"containerPort": 80}]}],
                "tolerations": [{"effect": "NoSchedule", "key": "dedicated", "value": "test-team"}],
            },
        },
    }
    spec.update(spec_overrides)
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "patch-demo", "labels": {"app": "nginx"}, "finalizers": ["a/x"]}, "spec": spec}


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def test_kubernetes_docs_example_containers_merge_tolerations_replace():
    """kubernetes.io 'Update API Objects in Place Using kubectl patch': the new container comes
    first, and tolerations (no patchStrategy) are replaced."""
    live = deployment()
    patch = {"spec": {"template": {"spec": {
        "containers": [{"name": "patch-demo-ctr-2", "image": "redis"}],
        "tolerations": [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]}}}}
    out = strategic_merge_patch_for_kind("Deployment", live, patch)
    assert [c["name"] for c in pod_spec(out)["containers"]] == ["patch-demo-ctr-2", "patch-demo-ctr"]
    assert pod_spec(out)["containers"][1] == pod_spec(live)["containers"][0]
    assert pod_spec(out)["tolerations"] == [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]
    assert live == deployment()  # not mutated


def test_maps_merge_and_null_deletes():
    out = strategic_merge_patch_for_kind("Deployment", deployment(), {
        "metadata": {"labels": {"app": None, "tier": "web"}, "annotations": {"a": "b"}},
        "spec": {"replicas": 3, "paused": None}})
    assert out["metadata"]["labels"] == {"tier": "web"}
    assert out["metadata"]["annotations"] == {"a": "b"}
    assert out["spec"]["replicas"] == 3


def test_nested_keyed_lists_merge():
    patch = {"spec": {"template": {"spec": {"containers": [{
        "name": "patch-demo-ctr", "image": "nginx:2",
        "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}],
        "ports": [{"containerPort": 443}]}]}}}}
    ctr = pod_spec(strategic_merge_patch_for_kind("Deployment", deployment(), patch))["containers"][0]
    assert ctr["image"] == "nginx:2"
    assert ctr["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "20"}, {"name": "C", "value": "3"}]
    assert ctr["ports"] == [{"containerPort": 443}, {"containerPort": 80}]


@pytest.mark.parametrize("original, patch, expected", [
    (["a", "b"], ["c"], ["c", "a", "b"]),       # unanchored new items come first
    (["a", "b"], ["b", "c"], ["a", "b", "c"]),  # anchored after an existing item
    (["a", "b", "c"], ["b"], ["a", "b", "c"]),
    (["a", "b"], ["c", "d"], ["c", "d", "a", "b"]),
    ([], ["a", "b"], ["a", "b"]),
    # patch order wins among patched items; b is placed by comparing live positions with c
    (["a", "b", "c"], ["c", "a"], ["b", "c", "a"]),
])
def test_merge_list_order_follows_apiserver(original, patch, expected):
    live = {"spec": {"containers": [{"name": n} for n in original]}}
    out = strategic_merge_patch_for_kind("Pod", live, {"spec": {"containers": [{"name": n} for n in patch]}})
    assert [c["name"] for c in out["spec"]["containers"]] == expected


def test_finalizers_are_a_merged_set():
    out = strategic_merge_patch_for_kind("ConfigMap", {"metadata": {"finalizers": ["a", "b"]}},
                                         {"metadata": {"finalizers": ["b", "c", "c"]}})
    assert out["metadata"]["finalizers"] == ["a", "b", "c"]


def test_delete_from_primitive_list():
    live = {"metadata": {"finalizers": ["a", "b", "c"]}}
    out = strategic_merge_patch_for_kind("Secret", live, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "z"]}})
    assert out == {"metadata": {"finalizers": ["a", "c"]}}
    # deleting from an absent list does not create it
    assert strategic_merge_patch_for_kind("Secret", {"metadata": {}}, {
        "metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}}) == {"metadata": {}}


def test_patch_delete_list_element():
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "patch-demo-ctr", "env": [{"name": "A", "$patch": "delete"}]}]}}}}
    ctr = pod_spec(strategic_merge_patch_for_kind("Deployment", deployment(), patch))["containers"][0]
    assert ctr["env"] == [{"name": "B", "value": "2"}]
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "patch-demo-ctr", "$patch": "delete"}]}}}}
    assert pod_spec(strategic_merge_patch_for_kind("Deployment", deployment(), patch))["containers"] == []


def test_patch_replace_list():
    patch = {"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "busybox", "args": None}, {"$patch": "replace"}]}}}}
    assert pod_spec(strategic_merge_patch_for_kind("Deployment", deployment(), patch))["containers"] == [
        {"name": "only", "image": "busybox"}]


def test_patch_replace_and_delete_maps():
    out = strategic_merge_patch_for_kind("Deployment", deployment(), {
        "metadata": {"labels": {"$patch": "replace", "new": "1", "gone": None}}})
    assert out["metadata"]["labels"] == {"new": "1"}
    out = strategic_merge_patch_for_kind("Deployment", deployment(), {"metadata": {"labels": {"$patch": "delete"}}})
    assert "labels" not in out["metadata"]
    assert strategic_merge_patch_for_kind("Deployment", deployment(), {"$patch": "delete"}) == {}
    replaced = strategic_merge_patch_for_kind("ConfigMap", {"data": {"a": "1"}, "kind": "ConfigMap"},
                                              {"$patch": "replace", "data": {"b": "2"}})
    assert replaced == {"data": {"b": "2"}}


def test_set_element_order_as_sent_by_kubectl_apply():
    live = {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}, {"name": "c"}]}}
    patch = {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                      "containers": [{"name": "a", "image": "2"}]}}
    out = strategic_merge_patch_for_kind("Pod", live, patch)
    assert out["spec"]["containers"] == [{"name": "c"}, {"name": "a", "image": "2"}, {"name": "b", "image": "1"}]
    # new items are placed where the order says
    out = strategic_merge_patch_for_kind("Pod", {"spec": {"containers": [{"name": "a"}]}}, {
        "spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "z"}], "containers": [{"name": "z"}]}})
    assert [c["name"] for c in out["spec"]["containers"]] == ["a", "z"]
    # primitive lists, and a directive alone (pure reorder)
    out = strategic_merge_patch_for_kind("Pod", {"metadata": {"finalizers": ["x", "y"]}},
                                         {"metadata": {"$setElementOrder/finalizers": ["y", "x"]}})
    assert out == {"metadata": {"finalizers": ["y", "x"]}}


def test_set_element_order_mismatch_is_rejected():
    with pytest.raises(PatchError) as err:
        strategic_merge_patch_for_kind("Pod", {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}, {
            "spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
                     "containers": [{"name": "b"}, {"name": "a"}]}})
    assert err.value.reason == "BadRequest"


def test_three_way_patch_from_client_side_apply():
    """A patch as kubectl apply (client side) computes it: image change + env removal + new label."""
    live = deployment()
    patch = {
        "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
        "spec": {"template": {"metadata": {"labels": {"tier": "web"}}, "spec": {
            "$setElementOrder/containers": [{"name": "patch-demo-ctr"}],
            "containers": [{
                "$setElementOrder/env": [{"name": "A"}],
                "image": "nginx:1.25", "name": "patch-demo-ctr",
                "env": [{"$patch": "delete", "name": "B"}]}]}}}}
    out = strategic_merge_patch_for_kind("Deployment", live, patch)
    ctr = pod_spec(out)["containers"][0]
    assert ctr["image"] == "nginx:1.25" and ctr["env"] == [{"name": "A", "value": "1"}]
    assert out["spec"]["template"]["metadata"]["labels"] == {"app": "nginx", "tier": "web"}
    assert "$setElementOrder/env" not in ctr


def test_retain_keys_on_deployment_strategy_and_volumes():
    live = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})
    out = strategic_merge_patch_for_kind("Deployment", live, {
        "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}
    live = {"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}
    out = strategic_merge_patch_for_kind("Pod", live, {"spec": {"volumes": [
        {"name": "v", "$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}}]}})
    assert out["spec"]["volumes"] == [{"name": "v", "configMap": {"name": "cm"}}]


def test_retain_keys_must_cover_patch_content():
    with pytest.raises(PatchError) as err:
        strategic_merge_patch_for_kind("Deployment", deployment(), {
            "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {}}}})
    assert err.value.reason == "Invalid" and "patch content doesn't match retainKeys list" in err.value.message


def test_other_built_in_merge_keys():
    svc = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}],
                                       "selector": {"app": "a"}}}
    out = strategic_merge_patch_for_kind("Service", svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}})
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]
    owners = {"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]}}
    out = strategic_merge_patch_for_kind("ConfigMap", owners, {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]}})
    assert [o["uid"] for o in out["metadata"]["ownerReferences"]] == ["2", "1"]
    cron = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}}}}
    out = strategic_merge_patch_for_kind("CronJob", cron, {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "image": "y"}]}}}}}})
    assert out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "y"}]
    pod = {"spec": {"volumes": [{"name": "a"}], "imagePullSecrets": [{"name": "r"}],
                    "hostAliases": [{"ip": "1.1.1.1", "hostnames": ["a"]}],
                    "initContainers": [{"name": "i", "volumeMounts": [{"mountPath": "/a", "name": "a"}]}]}}
    out = strategic_merge_patch_for_kind("Pod", pod, {"spec": {
        "volumes": [{"name": "b"}], "imagePullSecrets": [{"name": "s"}],
        "hostAliases": [{"ip": "1.1.1.1", "hostnames": ["b"]}],
        "initContainers": [{"name": "i", "volumeMounts": [{"mountPath": "/b", "name": "b"}]}]}})
    assert [v["name"] for v in out["spec"]["volumes"]] == ["b", "a"]
    assert len(out["spec"]["imagePullSecrets"]) == 2
    assert out["spec"]["hostAliases"] == [{"ip": "1.1.1.1", "hostnames": ["b"]}]  # hostnames: no strategy
    assert [m["mountPath"] for m in out["spec"]["initContainers"][0]["volumeMounts"]] == ["/b", "/a"]


def test_network_policy_lists_are_replaced():
    np = {"kind": "NetworkPolicy", "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}],
                                            "policyTypes": ["Ingress"]}}
    out = strategic_merge_patch_for_kind("NetworkPolicy", np, {"spec": {"ingress": [], "policyTypes": ["Egress"]}})
    assert out["spec"] == {"podSelector": {}, "ingress": [], "policyTypes": ["Egress"]}


def test_custom_resources_are_rejected_with_415():
    assert supports_strategic_merge("Deployment") and not supports_strategic_merge("PodNetworking")
    with pytest.raises(PatchError) as err:
        strategic_merge_patch_for_kind("PodNetworking", {"spec": {}}, {"spec": {"a": 1}})
    assert err.value.reason == "UnsupportedMediaType" and err.value.code == 415
    assert str(err.value) == ("the body of the request was in an unknown format - accepted media types include: "
                              "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize("patch, reason", [
    ({"spec": {"containers": [{"image": "x"}]}}, "BadRequest"),            # missing merge key
    ({"spec": {"containers": [{"name": "a", "$patch": "bogus"}]}}, "BadRequest"),
    ({"spec": {"containers": [{"name": "a", "$patch": "merge"}]}}, "BadRequest"),
    ({"spec": {"$patch": "bogus"}}, "BadRequest"),
    ({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}, "BadRequest"),
    ({"metadata": {"$setElementOrder/finalizers": "a"}}, "BadRequest"),
    ({"spec": {"$retainKeys": "a"}}, "BadRequest"),
    ({"spec": {"containers": [["a"]]}}, "Invalid"),                          # lists of lists
    ({"metadata": {"finalizers": [{"a": 1}]}}, "BadRequest"),               # mixed element types
    (["not", "a", "map"], "BadRequest"),
])
def test_malformed_strategic_patches(patch, reason):
    live = {"metadata": {"finalizers": ["x"]}, "spec": {"containers": [{"name": "a"}]}}
    with pytest.raises(PatchError) as err:
        strategic_merge_patch_for_kind("Pod", live, patch)
    assert err.value.reason == reason


def test_new_values_are_cleaned_of_nulls_and_directives():
    out = strategic_merge_patch_for_kind("Pod", {"spec": {}}, {"spec": {
        "containers": [{"name": "a", "env": [{"name": "X", "value": None}],
                        "$setElementOrder/env": [{"name": "X"}]}],
        "securityContext": {"runAsUser": None, "fsGroup": 1}}})
    assert out == {"spec": {"containers": [{"name": "a", "env": [{"name": "X"}]}], "securityContext": {"fsGroup": 1}}}


def test_custom_schema_with_wildcards():
    schema = {("spec", "*", "items"): FieldRule.keyed("id")}
    live = {"spec": {"x": {"items": [{"id": 1, "v": "a"}]}, "y": {"items": [{"id": 1}]}}}
    out = strategic_merge_patch(live, {"spec": {"x": {"items": [{"id": 1, "v": "b"}]},
                                                "y": {"items": [{"id": 2}]}}}, schema)
    assert out["spec"]["x"]["items"] == [{"id": 1, "v": "b"}]
    assert out["spec"]["y"]["items"] == [{"id": 2}, {"id": 1}]


def test_merge_keys_tables():
    pod = merge_keys_for("Pod")
    assert pod[("spec", "containers")].merge_key == "name"
    assert pod[("spec", "containers", "ports")].merge_key == "containerPort"
    assert pod[("spec", "initContainers", "volumeDevices")].merge_key == "devicePath"
    assert ("spec", "tolerations") not in pod
    dep = merge_keys_for("Deployment")
    assert dep[("spec", "template", "spec", "ephemeralContainers", "env")].merge_key == "name"
    assert dep[("metadata", "finalizers")].list_type == "set"
    assert merge_keys_for("Widget") == {("metadata", "finalizers"): FieldRule.set(),
                                        ("metadata", "ownerReferences"): FieldRule.keyed("uid")}
    for kind in ("StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        assert BUILTIN_MERGE_KEYS[kind][("spec", "template", "spec", "volumes")].merge_key == "name"


# --- properties ---------------------------------------------------------------------------

_key = st.text(alphabet="abcxyz", min_size=1, max_size=3)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(alphabet="ab", max_size=2))
_maps_only = st.recursive(_scalar, lambda c: st.dictionaries(_key, c, max_size=3), max_leaves=10)


@settings(deadline=None)
@given(st.dictionaries(_key, _maps_only, max_size=4), st.dictionaries(_key, _maps_only, max_size=4))
def test_without_lists_smp_equals_json_merge_patch(target, patch):
    target = json_merge_patch({}, target)  # no nulls in the live object
    before = copy.deepcopy(target)
    assert strategic_merge_patch_for_kind("ConfigMap", target, patch) == json_merge_patch(target, patch)
    assert target == before


_names = st.lists(st.sampled_from("abcdefg"), max_size=6, unique=True)


@settings(deadline=None)
@given(_names, _names)
def test_keyed_merge_keeps_every_item_once_and_preserves_relative_orders(original, patch):
    live = {"spec": {"containers": [{"name": n, "image": "old"} for n in original]}}
    out = strategic_merge_patch_for_kind("Pod", live, {"spec": {"containers": [{"name": n, "image": "new"} for n in patch]}})
    names = [c["name"] for c in out["spec"]["containers"]]
    assert sorted(names) == sorted(set(original) | set(patch))
    assert [n for n in names if n in patch] == patch
    assert [n for n in names if n not in patch] == [n for n in original if n not in patch]
    assert all(c["image"] == ("new" if c["name"] in patch else "old") for c in out["spec"]["containers"])


@settings(deadline=None)
@given(_names, _names, _names)
def test_finalizer_union_and_delete(original, added, deleted):
    live = {"metadata": {"finalizers": original}}
    out = strategic_merge_patch_for_kind("Pod", live, {"metadata": {
        "finalizers": added, "$deleteFromPrimitiveList/finalizers": deleted}})
    got = out["metadata"]["finalizers"]
    assert len(got) == len(set(got))
    assert set(got) == (set(original) | set(added)) - set(deleted)


def _no_directives(value):
    if isinstance(value, dict):
        return all(not k.startswith("$") and _no_directives(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_no_directives(v) for v in value)
    return True


@settings(deadline=None)
@given(_names, st.lists(st.tuples(st.sampled_from("abcdefg"), st.sampled_from(["delete", "keep", "null-env"])),
                        max_size=5, unique_by=lambda t: t[0]),
       st.booleans())
def test_directives_never_leak(original, items, with_order):
    live = {"spec": {"containers": [{"name": n, "env": [{"name": "E", "value": "1"}]} for n in original]}}
    patch_items = []
    for name, action in items:
        if action == "delete":
            patch_items.append({"name": name, "$patch": "delete"})
        elif action == "null-env":
            patch_items.append({"name": name, "env": [{"name": "E", "$patch": "delete"}], "image": None})
        else:
            patch_items.append({"name": name, "$setElementOrder/env": [{"name": "E"}], "env": [{"name": "E", "value": "2"}]})
    patch = {"spec": {"containers": patch_items}}
    if with_order:
        patch["spec"]["$setElementOrder/containers"] = [{"name": n} for n, a in items if a != "delete"]
    out = strategic_merge_patch_for_kind("Pod", live, patch)
    assert _no_directives(out)
    names = [c["name"] for c in out["spec"]["containers"]]
    assert not {n for n, a in items if a == "delete"} & set(names)


_anykey = st.sampled_from(["name", "image", "env", "containers", "spec", "$patch", "$retainKeys",
                           "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers", "finalizers",
                           "value", "delete", "replace"])
_anyjson = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(0, 2), st.sampled_from(["a", "delete", "replace"])),
                        lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_anykey, c, max_size=3)),
                        max_leaves=15)


@settings(deadline=None, max_examples=300)
@given(st.dictionaries(_anykey, _anyjson, max_size=4), st.dictionaries(_anykey, _anyjson, max_size=4))
def test_arbitrary_patches_only_raise_patch_errors(live, patch):
    live = {"metadata": {"finalizers": ["x"]}, "spec": live}
    try:
        out = strategic_merge_patch_for_kind("Pod", live, {"spec": patch, "metadata": patch})
    except PatchError as err:
        assert err.reason in ("BadRequest", "Invalid")
    else:
        assert isinstance(out, dict)
