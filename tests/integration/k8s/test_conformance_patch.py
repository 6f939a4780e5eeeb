"""Patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch and server-side apply."""

from __future__ import annotations

import json

import pytest
import yaml

from k8s_support import ApiException, error_body, wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-patch"
GROUP = "patching.example.com"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
SMP = "application/strategic-merge-patch+json"


@pytest.fixture(scope="module", autouse=True)
def setup(kube, module_reset):
    kube.namespace(NS)
    crds = kube.dyn().resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crds.create(body={"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                      "metadata": {"name": f"docs.{GROUP}"},
                      "spec": {"group": GROUP, "scope": "Namespaced",
                               "names": {"plural": "docs", "singular": "doc", "kind": "Doc"},
                               "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                                   "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                                       "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}})
    wait_for(lambda: kube.raw("GET", f"/apis/{GROUP}/v1")[0] == 200, message="CRD served")


def deployment_body(name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {
                         "containers": [
                             {"name": "web", "image": "nginx:1.27",
                              "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443, "name": "https"}],
                              "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                              "volumeMounts": [{"name": "data", "mountPath": "/data"},
                                               {"name": "cache", "mountPath": "/cache"}]},
                             {"name": "sidecar", "image": "busybox:1.36"}],
                         "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cache", "emptyDir": {}}]}}}}


def containers(deploy) -> dict:
    spec = deploy["spec"]["template"]["spec"] if isinstance(deploy, dict) else deploy.to_dict()["spec"]["template"][
        "spec"]
    return {c["name"]: c for c in spec["containers"]}


# ---------------------------------------------------------------------------------------------- merge patch


def test_merge_patch_follows_rfc_7386(kube):
    custom = kube.custom()
    custom.create_namespaced_custom_object(GROUP, "v1", NS, "docs", {
        "apiVersion": f"{GROUP}/v1", "kind": "Doc", "metadata": {"name": "m1"},
        "spec": {"a": {"b": 1, "c": 2}, "list": [{"x": 1}, {"y": 2}], "keep": "x", "gone": "soon"}})
    patched = custom.patch_namespaced_custom_object(GROUP, "v1", NS, "docs", "m1", {"spec": {
        "a": {"b": None, "d": {"e": 4}}, "list": [{"z": 3}], "gone": None, "new": {"x": None, "y": "v"}}},
        _content_type=MERGE)
    assert patched["spec"] == {"a": {"c": 2, "d": {"e": 4}}, "list": [{"z": 3}], "keep": "x",
                               "new": {"y": "v"}}
    # RFC 7386 examples: scalars replace, arrays replace wholesale, null removes
    out = kube.kubectl("patch", f"docs.{GROUP}", "m1", "-n", NS, "--type=merge",
                       "-p", json.dumps({"spec": {"a": "now-a-string", "list": None}}), "-o", "json").stdout
    assert json.loads(out)["spec"] == {"a": "now-a-string", "keep": "x", "new": {"y": "v"}}


def test_merge_patch_on_builtin_kinds(kube):
    core, apps = kube.core(), kube.apps()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "mp", "labels": {"a": "1", "b": "2"}},
                                           "data": {"x": "1", "y": "2"}})
    patched = core.patch_namespaced_config_map("mp", NS, {"metadata": {"labels": {"a": None, "c": "3"}},
                                                          "data": {"x": None, "z": "3"}}, _content_type=MERGE)
    assert patched.metadata.labels == {"b": "2", "c": "3"}
    assert patched.data == {"y": "2", "z": "3"}
    # a merge patch replaces lists wholesale, even those a strategic merge patch would merge
    apps.create_namespaced_deployment(NS, deployment_body("mp-deploy"))
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "busybox:1.37"}]}}}}
    result = kube.kubectl("patch", "deployment", "mp-deploy", "-n", NS, "--type=merge", "-p", json.dumps(patch),
                          "-o", "json").stdout
    assert list(containers(json.loads(result))) == ["only"]


# ---------------------------------------------------------------------------------------------- json patch


def test_json_patch_operations(kube):
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "jp", "annotations": {"example.com/a": "1"}},
                                           "data": {"one": "1", "two": "2"}})
    patched = core.patch_namespaced_config_map("jp", NS, [
        {"op": "test", "path": "/data/one", "value": "1"},
        {"op": "add", "path": "/data/three", "value": "3"},
        {"op": "replace", "path": "/data/one", "value": "uno"},
        {"op": "remove", "path": "/data/two"},
        {"op": "copy", "from": "/data/three", "path": "/data/four"},
        {"op": "move", "from": "/data/four", "path": "/data/five"},
        {"op": "replace", "path": "/metadata/annotations/example.com~1a", "value": "2"},
        {"op": "add", "path": "/metadata/labels", "value": {"k": "v"}},
    ], _content_type=JSON_PATCH)
    assert patched.data == {"one": "uno", "three": "3", "five": "3"}
    assert patched.metadata.annotations == {"example.com/a": "2"}
    assert patched.metadata.labels == {"k": "v"}

    custom = kube.custom()
    custom.create_namespaced_custom_object(GROUP, "v1", NS, "docs", {
        "apiVersion": f"{GROUP}/v1", "kind": "Doc", "metadata": {"name": "jp"}, "spec": {"items": ["a", "b"]}})
    out = kube.kubectl("patch", f"docs.{GROUP}", "jp", "-n", NS, "--type=json", "-o", "json", "-p", json.dumps([
        {"op": "add", "path": "/spec/items/-", "value": "c"},
        {"op": "add", "path": "/spec/items/0", "value": "first"},
        {"op": "remove", "path": "/spec/items/1"}])).stdout
    assert json.loads(out)["spec"]["items"] == ["first", "b", "c"]


def test_json_patch_failing_test_op_is_422_and_changes_nothing(kube):
    core = kube.core()
    before = core.create_namespaced_config_map(NS, {"metadata": {"name": "jp-test"}, "data": {"v": "1"}})
    with pytest.raises(ApiException) as caught:
        core.patch_namespaced_config_map("jp-test", NS, [
            {"op": "replace", "path": "/data/v", "value": "2"},
            {"op": "test", "path": "/data/v", "value": "1"}], _content_type=JSON_PATCH)
    body = error_body(caught.value)
    assert (caught.value.status, body["kind"], body["reason"]) == (422, "Status", "Invalid")
    after = core.read_namespaced_config_map("jp-test", NS)
    assert after.data == {"v": "1"} and after.metadata.resource_version == before.metadata.resource_version
    result = kube.kubectl("patch", "cm", "jp-test", "-n", NS, "--type=json", "-p",
                          '[{"op":"test","path":"/data/v","value":"nope"}]', check=False)
    assert result.returncode != 0 and "test failed" in result.stderr
    # removing a path that does not exist fails the same way
    with pytest.raises(ApiException) as caught:
        core.patch_namespaced_config_map("jp-test", NS, [{"op": "remove", "path": "/data/missing"}],
                                         _content_type=JSON_PATCH)
    assert caught.value.status == 422


# ---------------------------------------------------------------------------------------------- strategic merge


def test_strategic_merge_patch_merges_lists_by_their_keys(kube):
    apps = kube.apps()
    apps.create_namespaced_deployment(NS, deployment_body("smp"))
    patch = {"spec": {"template": {"spec": {
        "containers": [{"name": "web", "image": "nginx:1.28",
                        "ports": [{"containerPort": 8080, "name": "alt"}],
                        "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}],
                        "volumeMounts": [{"mountPath": "/cache", "name": "cache", "readOnly": True}]}],
        "volumes": [{"name": "cache", "emptyDir": {"medium": "Memory"}}]}}}}
    patched = apps.patch_namespaced_deployment("smp", NS, patch, _content_type=SMP).to_dict()
    spec = patched["spec"]["template"]["spec"]
    by_name = {c["name"]: c for c in spec["containers"]}
    assert set(by_name) == {"web", "sidecar"}  # containers merged by name
    web = by_name["web"]
    assert web["image"] == "nginx:1.28"
    assert {p["container_port"]: p["name"] for p in web["ports"]} == {80: "http", 443: "https", 8080: "alt"}
    assert {e["name"]: e["value"] for e in web["env"]} == {"A": "1", "B": "20", "C": "3"}
    mounts = {m["mount_path"]: m for m in web["volume_mounts"]}
    assert set(mounts) == {"/data", "/cache"}
    assert mounts["/cache"]["read_only"] is True and not mounts["/data"].get("read_only")
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert set(volumes) == {"data", "cache"}
    assert volumes["cache"]["empty_dir"]["medium"] == "Memory"
    assert by_name["sidecar"]["image"] == "busybox:1.36"


def test_strategic_merge_patch_delete_directive(kube):
    kube.apps().create_namespaced_deployment(NS, deployment_body("smp-del"))
    kube.kubectl("patch", "deployment", "smp-del", "-n", NS, "-p", json.dumps({"spec": {"template": {"spec": {
        "containers": [{"name": "sidecar", "$patch": "delete"},
                       {"name": "web", "env": [{"name": "A", "$patch": "delete"}]}],
        "volumes": [{"name": "data", "$patch": "delete"}]}}}}))
    deploy = kube.kubectl_json("get", "deployment", "smp-del", "-n", NS)
    spec = deploy["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["web"]
    assert spec["containers"][0]["env"] == [{"name": "B", "value": "2"}]
    assert [v["name"] for v in spec["volumes"]] == ["cache"]
    # kubectl's default patch type is strategic: the other lists were merged, not replaced
    assert len(spec["containers"][0]["ports"]) == 2


def test_strategic_merge_patch_merges_finalizers_and_is_415_for_custom_resources(kube):
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "smp-fin", "finalizers": ["example.com/a"]}})
    patched = core.patch_namespaced_config_map("smp-fin", NS, {"metadata": {"finalizers": ["example.com/b"]}},
                                               _content_type=SMP)
    # patchStrategy merge: kept and added; new items go first (apimachinery normalizeElementOrder)
    assert patched.metadata.finalizers == ["example.com/b", "example.com/a"]
    core.patch_namespaced_config_map("smp-fin", NS, {"metadata": {"finalizers": None}}, _content_type=SMP)

    kube.custom().create_namespaced_custom_object(GROUP, "v1", NS, "docs", {
        "apiVersion": f"{GROUP}/v1", "kind": "Doc", "metadata": {"name": "smp"}, "spec": {"a": 1}})
    with pytest.raises(ApiException) as caught:
        kube.custom().patch_namespaced_custom_object(GROUP, "v1", NS, "docs", "smp", {"spec": {"a": 2}},
                                                     _content_type=SMP)
    assert caught.value.status == 415 and error_body(caught.value)["reason"] == "UnsupportedMediaType"


# ---------------------------------------------------------------------------------------------- server-side apply


def apply_cm(kube, name: str, data: dict, manager: str, force: bool = False):
    cms = kube.dyn().resources.get(api_version="v1", kind="ConfigMap")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": NS}, "data": data}
    return cms.server_side_apply(body=body, name=name, namespace=NS, field_manager=manager, force_conflicts=force)


def test_server_side_apply_creates_merges_and_detects_conflicts(kube):
    created = apply_cm(kube, "ssa", {"a": "1", "b": "2"}, "mgr-a").to_dict()
    assert created["data"] == {"a": "1", "b": "2"}
    assert [(m["manager"], m["operation"]) for m in created["metadata"]["managedFields"]] == [("mgr-a", "Apply")]
    # a second manager adds its own field: merged, not replaced
    merged = apply_cm(kube, "ssa", {"c": "3"}, "mgr-b").to_dict()
    assert merged["data"] == {"a": "1", "b": "2", "c": "3"}
    # the same value for a field someone else owns is shared, not a conflict
    apply_cm(kube, "ssa", {"c": "3", "a": "1"}, "mgr-b")
    # a different value is a conflict
    with pytest.raises(ApiException) as caught:
        apply_cm(kube, "ssa", {"c": "3", "a": "1", "b": "two"}, "mgr-b")
    body = error_body(caught.value)
    assert (caught.value.status, body["reason"]) == (409, "Conflict")
    assert 'conflict with "mgr-a"' in body["message"] and ".data.b" in body["message"]
    assert kube.core().read_namespaced_config_map("ssa", NS).data["b"] == "2"
    # force takes the field over
    forced = apply_cm(kube, "ssa", {"c": "3", "a": "1", "b": "two"}, "mgr-b", force=True).to_dict()
    assert forced["data"]["b"] == "two"
    owners = {m["manager"]: m["fieldsV1"] for m in forced["metadata"]["managedFields"]}
    assert "f:b" in owners["mgr-b"]["f:data"] and "f:b" not in owners["mgr-a"]["f:data"]
    # a manager that stops applying a field it alone owns removes it
    trimmed = apply_cm(kube, "ssa", {"b": "two"}, "mgr-b").to_dict()
    assert trimmed["data"] == {"a": "1", "b": "two"}  # c went; a is still owned by mgr-a


def test_server_side_apply_merges_containers_of_two_managers(kube):
    deploys = kube.dyn().resources.get(api_version="apps/v1", kind="Deployment")
    base = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ssa-deploy", "namespace": NS},
            "spec": {"selector": {"matchLabels": {"app": "ssa"}},
                     "template": {"metadata": {"labels": {"app": "ssa"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}
    deploys.server_side_apply(body=base, name="ssa-deploy", namespace=NS, field_manager="team-web")
    sidecar = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ssa-deploy", "namespace": NS},
               "spec": {"template": {"spec": {"containers": [{"name": "proxy", "image": "envoy:1.30"}]}}}}
    deploys.server_side_apply(body=sidecar, name="ssa-deploy", namespace=NS, field_manager="team-mesh")
    got = kube.apps().read_namespaced_deployment("ssa-deploy", NS)
    assert {c.name: c.image for c in got.spec.template.spec.containers} == {"web": "nginx:1.27",
                                                                             "proxy": "envoy:1.30"}


def test_apply_patch_yaml_raw_request_creates_with_201(kube):
    manifest = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa-raw"},
                               "data": {"k": "v"}})
    path = f"/api/v1/namespaces/{NS}/configmaps/ssa-raw?fieldManager=raw-client"
    status, _, body = kube.raw("PATCH", path, manifest, content_type="application/apply-patch+yaml")
    assert status == 201 and body["data"] == {"k": "v"}
    status, _, body = kube.raw("PATCH", path, manifest, content_type="application/apply-patch+yaml")
    assert status == 200
    # PatchOptions validation: apply needs an explicit fieldManager (no user-agent default), and force is
    # for apply only -- both 422 Invalid on PatchOptions.meta.k8s.io
    status, _, body = kube.raw("PATCH", f"/api/v1/namespaces/{NS}/configmaps/ssa-raw", manifest,
                               content_type="application/apply-patch+yaml")
    assert (status, body.get("reason")) == (422, "Invalid"), body
    assert body["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required '
                               'for apply patch')
    status, _, body = kube.raw("PATCH", f"/api/v1/namespaces/{NS}/configmaps/ssa-raw?force=true",
                               {"data": {"k": "w"}}, content_type=MERGE)
    assert (status, body.get("reason")) == (422, "Invalid"), body
    assert "force: Forbidden: may not be specified for non-apply patch" in body["message"]


def test_kubectl_apply_server_side_and_force_conflicts(kube):
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa-kubectl", "namespace": NS},
                "data": {"owner": "first"}}
    out = kube.kubectl_apply(manifest, "--server-side").stdout
    assert out.strip() == "configmap/ssa-kubectl serverside-applied"
    manifest["data"]["owner"] = "second"
    result = kube.kubectl_apply(manifest, "--server-side", "--field-manager=other-team", check=False)
    assert result.returncode != 0
    assert "Apply failed with 1 conflict" in result.stderr and 'conflict with "kubectl"' in result.stderr
    assert kube.core().read_namespaced_config_map("ssa-kubectl", NS).data == {"owner": "first"}
    kube.kubectl_apply(manifest, "--server-side", "--field-manager=other-team", "--force-conflicts")
    assert kube.core().read_namespaced_config_map("ssa-kubectl", NS).data == {"owner": "second"}
    # client-side kubectl apply is create-or-patch too
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "csa-kubectl", "namespace": NS},
                "data": {"a": "1", "b": "2"}}
    assert kube.kubectl_apply(manifest).stdout.strip() == "configmap/csa-kubectl created"
    assert kube.kubectl_apply(manifest).stdout.strip() == "configmap/csa-kubectl unchanged"
    manifest["data"] = {"a": "1"}
    assert kube.kubectl_apply(manifest).stdout.strip() == "configmap/csa-kubectl configured"
    assert kube.core().read_namespaced_config_map("csa-kubectl", NS).data == {"a": "1"}
