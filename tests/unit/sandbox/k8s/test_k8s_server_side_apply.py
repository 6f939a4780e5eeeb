import copy

import pytest
from hypothesis import given, settings, strategies as st

from sandbox.k8s.patching import (
    ApplyConflict, PatchError, apply_patch, fields_v1, path_to_string, paths_from_fields_v1, record_update,
)

T0, T1, T2 = "2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z"


def config(replicas=3, image="nginx:1.25", labels=None, containers=None, **spec):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels if labels is not None else {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": containers if containers is not None else
                                       [{"name": "app", "image": image, "ports": [{"containerPort": 80}]}]}},
                 **spec},
    }


def server_fields(obj):
    """What the server adds on create; never tracked by managed fields."""
    obj = copy.deepcopy(obj)
    obj["metadata"].update(uid="u-1", resourceVersion="1", generation=1, creationTimestamp=T0)
    return obj


def entry(managed_fields, manager, operation=None):
    found = [e for e in managed_fields if e["manager"] == manager and (operation is None or e["operation"] == operation)]
    assert len(found) == 1, managed_fields
    return found[0]


def test_create_by_apply_records_real_fieldsv1():
    obj, mf = apply_patch(None, config(), "kubectl", None, now=T0)
    assert obj["spec"]["replicas"] == 3 and obj["metadata"]["managedFields"] == mf
    assert mf == [{
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T0,
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},  # LabelSelector is atomic
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:containers": {'k:{"name":"app"}': {
                        ".": {}, "f:image": {}, "f:name": {},
                        "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}},
                    }}},
                },
            },
        },
    }]


def test_reapplying_the_same_config_is_a_no_op():
    obj, mf = apply_patch(None, config(), "kubectl", None, now=T0)
    obj2, mf2 = apply_patch(server_fields(obj), config(), "kubectl", mf, now=T1)
    assert mf2 == mf  # time kept: nothing changed
    assert obj2 == {**server_fields(obj), "metadata": {**server_fields(obj)["metadata"], "managedFields": mf}}


def test_conflict_with_client_side_apply_manager():
    live = config(replicas=2)
    mf = record_update(None, live, "kubectl-client-side-apply", None, now=T0)
    live = server_fields(live)
    live["metadata"]["managedFields"] = mf
    with pytest.raises(ApplyConflict) as err:
        apply_patch(live, config(replicas=3), "kubectl", mf, now=T1)
    assert str(err.value) == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                              'using apps/v1: .spec.replicas')
    assert err.value.conflicts == [("kubectl-client-side-apply", ".spec.replicas")]
    status = err.value.to_status()
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                            "message": 'conflict with "kubectl-client-side-apply" using apps/v1'}]


def test_multiple_conflicts_message():
    live = config(replicas=2, image="nginx:1.0")
    mf = record_update(None, live, "helm", None, now=T0)
    with pytest.raises(ApplyConflict) as err:
        apply_patch(live, config(replicas=3, image="nginx:2.0"), "kubectl", mf, now=T1)
    assert str(err.value) == (
        'Apply failed with 2 conflicts: conflicts with "helm" using apps/v1:\n'
        '- .spec.replicas\n'
        '- .spec.template.spec.containers[name="app"].image')
    assert len(err.value.conflicts) == 2


def test_same_value_is_shared_not_a_conflict():
    live = config()
    mf = record_update(None, live, "helm", None, now=T0)
    obj, mf2 = apply_patch(live, config(), "kubectl", mf, now=T1)
    helm = paths_from_fields_v1(entry(mf2, "helm")["fieldsV1"])
    kubectl = paths_from_fields_v1(entry(mf2, "kubectl")["fieldsV1"])
    assert ("f:spec", "f:replicas") in helm and ("f:spec", "f:replicas") in kubectl


def test_force_moves_ownership():
    live = config(replicas=2)
    mf = record_update(None, live, "kubectl-client-side-apply", None, now=T0)
    obj, mf2 = apply_patch(live, config(replicas=3), "kubectl", mf, force=True, now=T1)
    assert obj["spec"]["replicas"] == 3
    old = paths_from_fields_v1(entry(mf2, "kubectl-client-side-apply")["fieldsV1"])
    assert ("f:spec", "f:replicas") not in old
    assert ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"app"}', "f:image") in old  # same value: kept
    assert ("f:spec", "f:replicas") in paths_from_fields_v1(entry(mf2, "kubectl")["fieldsV1"])
    # a second, unforced apply now succeeds
    apply_patch(obj, config(replicas=3), "kubectl", mf2, now=T2)


def test_force_drops_managers_left_with_nothing():
    live = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "1"}}
    mf = record_update(None, live, "editor", None, now=T0)
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "2"}}
    obj, mf2 = apply_patch(live, applied, "ci", mf, force=True, now=T1)
    # editor owned data (".") and data.k; the data map itself was not modified, so it keeps that
    assert paths_from_fields_v1(entry(mf2, "editor")["fieldsV1"]) == {("f:data",)}
    obj3, mf3 = apply_patch(obj, {**applied, "data": {"k": "3"}}, "ci", mf2, now=T2)
    assert obj3["data"] == {"k": "3"}


def test_fields_dropped_from_config_are_removed_unless_owned_elsewhere():
    obj, mf = apply_patch(None, config(labels={"app": "web", "team": "a", "tier": "x"}), "kubectl", None, now=T0)
    # another manager takes co-ownership of the 'team' label (same value => shared)
    mf = record_update(obj, obj, "noop", mf, now=T1)
    _, mf_other = apply_patch(obj, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
        "name": "web", "labels": {"team": "a"}}}, "labeler", mf, now=T1)
    obj2, mf2 = apply_patch(obj, config(labels={"app": "web"}), "kubectl", mf_other, now=T2)
    assert obj2["metadata"]["labels"] == {"app": "web", "team": "a"}  # tier pruned, team kept
    assert ("f:metadata", "f:labels", "f:tier") not in paths_from_fields_v1(entry(mf2, "kubectl")["fieldsV1"])


def test_dropping_a_container_removes_it_unless_another_manager_owns_part_of_it():
    two = [{"name": "app", "image": "a"}, {"name": "side", "image": "s"}]
    obj, mf = apply_patch(None, config(containers=two), "kubectl", None, now=T0)
    obj2, _ = apply_patch(obj, config(containers=[{"name": "app", "image": "a"}]), "kubectl", mf, now=T1)
    assert [c["name"] for c in obj2["spec"]["template"]["spec"]["containers"]] == ["app"]
    # someone else adds env to the sidecar: now the item survives, the applier-only field does not
    edited = copy.deepcopy(obj)
    edited["spec"]["template"]["spec"]["containers"][1]["env"] = [{"name": "X", "value": "1"}]
    mf_edit = record_update(obj, edited, "kubectl-edit", mf, now=T1)
    obj3, mf3 = apply_patch(edited, config(containers=[{"name": "app", "image": "a"}]), "kubectl", mf_edit, now=T2)
    assert obj3["spec"]["template"]["spec"]["containers"][1] == {"name": "side", "env": [{"name": "X", "value": "1"}]}


def test_pruning_drops_maps_left_empty():
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"a": "1"}}, "data": {"k": "v"}}
    obj, mf = apply_patch(None, applied, "m", None, now=T0)
    obj2, mf2 = apply_patch(obj, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, "m", mf, now=T1)
    assert "annotations" not in obj2["metadata"] and "data" not in obj2
    assert mf2 == [] and "managedFields" not in obj2["metadata"]


def test_keyed_list_merge_order_and_unowned_items_kept():
    live = config(containers=[{"name": "a", "image": "1"}, {"name": "b", "image": "1"}])
    mf = record_update(None, live, "creator", None, now=T0)
    obj, _ = apply_patch(live, config(containers=[{"name": "c", "image": "1"}]), "kubectl", mf, now=T1)
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["a", "b", "c"]
    obj, _ = apply_patch(live, config(containers=[{"name": "b", "image": "1"}, {"name": "a", "image": "1"}]),
                         "kubectl", mf, now=T1)
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["b", "a"]


def test_atomic_lists_for_custom_resources_and_sets_for_finalizers():
    cr = {"apiVersion": "example.com/v1", "kind": "Widget",
          "metadata": {"name": "w", "finalizers": ["example.com/cleanup"]},
          "spec": {"items": [{"name": "a"}, {"name": "b"}], "size": 1}}
    obj, mf = apply_patch(None, cr, "op", None, now=T0)
    assert paths_from_fields_v1(mf[0]["fieldsV1"]) == {
        ("f:metadata", "f:finalizers", 'v:"example.com/cleanup"'), ("f:spec", "f:items"), ("f:spec", "f:size")}
    obj2, _ = apply_patch(obj, {**cr, "spec": {"items": [{"name": "c"}], "size": 1}}, "op", mf, now=T1)
    assert obj2["spec"]["items"] == [{"name": "c"}]  # atomic: replaced


def test_finalizers_are_shared_set_members():
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a"]}}
    obj, mf = apply_patch(None, base, "one", None, now=T0)
    obj, mf = apply_patch(obj, {**base, "metadata": {"name": "c", "finalizers": ["b"]}}, "two", mf, now=T1)
    assert obj["metadata"]["finalizers"] == ["a", "b"]
    obj, mf = apply_patch(obj, {**base, "metadata": {"name": "c"}}, "one", mf, now=T2)
    assert obj["metadata"]["finalizers"] == ["b"]


@pytest.mark.parametrize("containers, fragment", [
    ([{"image": "x"}], 'element 0: associative list with keys has an element that omits key field "name"'),
    ([{"name": "a"}, {"name": "a"}], "duplicate entries"),
])
def test_bad_associative_lists_in_applied_config(containers, fragment):
    with pytest.raises(PatchError) as err:
        apply_patch(None, config(containers=containers), "kubectl", None)
    assert err.value.reason == "BadRequest" and fragment in err.value.message


def test_apply_requires_a_field_manager():
    with pytest.raises(PatchError):
        apply_patch(None, config(), "", None)


def test_record_update_create_then_edit():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1"}}, "data": {"k": "v"}}
    mf = record_update(None, cm, "kubectl-create", None, now=T0)
    assert mf == [{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T0,
                   "fieldsType": "FieldsV1",
                   "fieldsV1": {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:a": {}}}}}]
    edited = copy.deepcopy(cm)
    edited["data"] = {"k": "v2", "n": "1"}
    del edited["metadata"]["labels"]
    mf2 = record_update(cm, edited, "kubectl-edit", mf, now=T1)
    creator = paths_from_fields_v1(entry(mf2, "kubectl-create")["fieldsV1"])
    editor = paths_from_fields_v1(entry(mf2, "kubectl-edit")["fieldsV1"])
    assert creator == {("f:data",)}
    assert editor == {("f:data", "f:k"), ("f:data", "f:n")}
    assert [e["manager"] for e in mf2] == ["kubectl-create", "kubectl-edit"]  # sorted by time
    assert record_update(edited, edited, "kubectl-edit", mf2, now=T2) == mf2  # no-op keeps time


def test_record_update_ignores_server_fields_and_status():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "1", "resourceVersion": "5"},
           "spec": {"nodeName": "n1"}, "status": {"phase": "Pending"}}
    mf = record_update(None, pod, "kubelet", None, now=T0)
    assert mf[0]["fieldsV1"] == {"f:spec": {"f:nodeName": {}}}  # struct fields carry no "."
    running = copy.deepcopy(pod)
    running["status"]["phase"] = "Running"
    running["metadata"]["resourceVersion"] = "6"
    assert record_update(pod, running, "x", mf, now=T1) == mf
    status_mf = record_update(pod, running, "kubelet", mf, subresource="status", now=T1)
    status_entry = [e for e in status_mf if e.get("subresource") == "status"][0]
    assert status_entry["fieldsV1"] == {"f:status": {"f:phase": {}}}


def test_update_entries_mark_added_maps_but_not_go_structs():
    dep = config(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})
    mf = record_update(None, dep, "kubectl-create", None, now=T0)
    spec = mf[0]["fieldsV1"]["f:spec"]
    assert "." not in spec and "." not in spec["f:template"] and "." not in spec["f:template"]["f:spec"]
    assert "." not in spec["f:strategy"] and spec["f:strategy"]["f:rollingUpdate"] == {".": {}, "f:maxSurge": {}}
    assert spec["f:template"]["f:metadata"]["f:labels"] == {".": {}, "f:app": {}}
    assert spec["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']["."] == {}
    # custom resources are unstructured: their spec map is added like any other map
    cr = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}
    assert record_update(None, cr, "m", None, now=T0)[0]["fieldsV1"] == {"f:spec": {".": {}, "f:size": {}}}


def test_update_and_apply_entries_of_the_same_manager_are_distinct():
    obj, mf = apply_patch(None, config(), "tool", None, now=T0)
    edited = copy.deepcopy(obj)
    edited["spec"]["paused"] = True
    mf2 = record_update(obj, edited, "tool", mf, now=T1)
    assert [(e["manager"], e["operation"]) for e in mf2] == [("tool", "Apply"), ("tool", "Update")]


@pytest.mark.parametrize("path, text", [
    (("f:spec", "f:replicas"), ".spec.replicas"),
    (("f:spec", "f:containers", 'k:{"name":"app"}', "f:image"), '.spec.containers[name="app"].image'),
    (("f:spec", "f:ports", 'k:{"port":80,"protocol":"TCP"}'), '.spec.ports[port=80,protocol="TCP"]'),
    (("f:metadata", "f:finalizers", 'v:"x"'), '.metadata.finalizers[="x"]'),
    (("f:items", "i:3"), ".items[3]"),
])
def test_path_to_string(path, text):
    assert path_to_string(path) == text


def test_fields_v1_encoding():
    paths = {("f:a",), ("f:a", "f:b"), ("f:c", 'k:{"name":"x"}'), ("f:c", 'k:{"name":"x"}', "f:name")}
    encoded = fields_v1(paths)
    assert encoded == {"f:a": {".": {}, "f:b": {}}, "f:c": {'k:{"name":"x"}': {".": {}, "f:name": {}}}}
    assert list(encoded["f:a"]) == [".", "f:b"]
    assert paths_from_fields_v1(encoded) == paths


_elem = st.one_of(st.builds(lambda s: "f:" + s, st.text(alphabet="abc", min_size=1, max_size=2)),
                  st.builds(lambda s: 'k:{"name":"' + s + '"}', st.text(alphabet="xy", min_size=1, max_size=2)),
                  st.builds(lambda s: 'v:"' + s + '"', st.text(alphabet="xy", max_size=2)))


@settings(deadline=None)
@given(st.sets(st.lists(_elem, min_size=1, max_size=4).map(tuple), max_size=8))
def test_fields_v1_round_trip(paths):
    assert paths_from_fields_v1(fields_v1(paths)) == paths


_label = st.text(alphabet="abcd", min_size=1, max_size=2)
_labels = st.dictionaries(_label, st.sampled_from(["1", "2"]), max_size=4)
_ctrs = st.lists(st.sampled_from("pqrs"), max_size=3, unique=True).map(
    lambda ns: [{"name": n, "image": "img-" + n} for n in ns])


@settings(deadline=None)
@given(_labels, _ctrs, _labels, _ctrs, st.integers(1, 3), st.integers(1, 3))
def test_apply_properties(labels1, ctrs1, labels2, ctrs2, r1, r2):
    obj, mf = apply_patch(None, config(replicas=r1, labels=labels1, containers=ctrs1), "a", None, now=T0)
    # 1. the applied values are in the object
    assert obj["metadata"].get("labels", {}) == labels1
    # 2. another manager force-applies; the first one's later apply of its *own* changes only
    #    conflicts on fields the second one now owns with a different value
    obj2, mf2 = apply_patch(obj, config(replicas=r2, labels=labels2, containers=ctrs2), "b", mf, force=True, now=T1)
    for k, v in labels2.items():
        assert obj2["metadata"]["labels"][k] == v
    assert obj2["spec"]["replicas"] == r2
    # 3. with a sole applier, re-applying an earlier config restores it exactly (pruning works)
    solo, smf = apply_patch(None, config(replicas=r1, labels=labels1, containers=ctrs1), "a", None, now=T0)
    solo2, smf2 = apply_patch(solo, config(replicas=r2, labels=labels2, containers=ctrs2), "a", smf, now=T1)
    assert solo2["metadata"].get("labels", {}) == labels2
    assert solo2["spec"]["template"]["spec"]["containers"] == ctrs2
    # 4. managed fields only ever name paths that exist
    for e in mf2:
        for path in paths_from_fields_v1(e["fieldsV1"]):
            assert _exists(obj2, path), (e["manager"], path)


def _exists(obj, path):
    import json
    cur = obj
    for elem in path:
        if elem.startswith("f:"):
            if not isinstance(cur, dict) or elem[2:] not in cur:
                return False
            cur = cur[elem[2:]]
        elif elem.startswith("k:"):
            want = json.loads(elem[2:])
            match = [i for i in cur if all(i.get(k, "TCP" if k == "protocol" else None) == v for k, v in want.items())]
            if not match:
                return False
            cur = match[0]
        elif elem.startswith("v:"):
            if json.loads(elem[2:]) not in cur:
                return False
    return True


_anyjson = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(0, 2), st.sampled_from(["a", "b"])),
                        lambda c: st.one_of(st.lists(c, max_size=3),
                                            st.dictionaries(st.sampled_from(["name", "image", "containers", "x"]), c,
                                                            max_size=3)),
                        max_leaves=15)


@settings(deadline=None, max_examples=200)
@given(st.dictionaries(st.sampled_from(["containers", "volumes", "x"]), _anyjson, max_size=3),
       st.dictionaries(st.sampled_from(["containers", "volumes", "x"]), _anyjson, max_size=3), st.booleans())
def test_arbitrary_pod_applies_only_raise_documented_errors(live_spec, applied_spec, force):
    live = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": live_spec}
    mf = record_update(None, live, "creator", None, now=T0)
    try:
        obj, mf2 = apply_patch(live, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                      "spec": applied_spec}, "applier", mf, force, now=T1)
    except (PatchError, ApplyConflict):
        return
    assert obj["metadata"].get("managedFields", []) == mf2
    record_update(live, obj, "other", mf2, now=T2)
