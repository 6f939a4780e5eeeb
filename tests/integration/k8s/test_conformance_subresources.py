"""Subresources: status (main resource and /status each write only their half) and scale."""

from __future__ import annotations

import json

import pytest

from k8s_support import ApiException, error_body, wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-subresources"
GROUP = "sub.example.com"
MERGE = "application/merge-patch+json"


@pytest.fixture(scope="module", autouse=True)
def setup(kube, module_reset):
    kube.namespace(NS)
    kube.kubectl_apply({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"pools.{GROUP}"},
        "spec": {"group": GROUP, "scope": "Namespaced",
                 "names": {"plural": "pools", "singular": "pool", "kind": "Pool"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "subresources": {"status": {}, "scale": {
                                   "specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                   "labelSelectorPath": ".status.selector"}},
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {
                                       "replicas": {"type": "integer"}, "flavor": {"type": "string"}}},
                                   "status": {"type": "object", "properties": {
                                       "replicas": {"type": "integer"}, "selector": {"type": "string"},
                                       "phase": {"type": "string"}}}}}}}]}})
    wait_for(lambda: kube.raw("GET", f"/apis/{GROUP}/v1")[0] == 200, message="CRD served")


def ingress(name: str, host: str) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
            "spec": {"rules": [{"host": host, "http": {"paths": [{
                "path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}}


def lb_ips(obj: dict) -> list:
    return [i.get("ip") for i in ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []]


def test_builtin_status_subresource_splits_spec_and_status(kube):
    path = f"/apis/networking.k8s.io/v1/namespaces/{NS}/ingresses"
    status, _, created = kube.raw("POST", path, ingress("split", "a.example.com"))
    assert status == 201
    assert lb_ips(created) == []  # status is not settable on create
    assert created["metadata"]["generation"] == 1

    # PUT to the main resource: spec changes, status is ignored
    body = dict(created, spec=ingress("split", "b.example.com")["spec"],
                status={"loadBalancer": {"ingress": [{"ip": "198.51.100.1"}]}})
    status, _, updated = kube.raw("PUT", f"{path}/split", body)
    assert status == 200
    assert updated["spec"]["rules"][0]["host"] == "b.example.com"
    assert lb_ips(updated) == []
    assert updated["metadata"]["generation"] == 2

    # PUT to /status: status changes, spec is ignored, generation stays
    body = dict(updated, spec=ingress("split", "c.example.com")["spec"],
                status={"loadBalancer": {"ingress": [{"ip": "198.51.100.2"}]}})
    status, _, updated = kube.raw("PUT", f"{path}/split/status", body)
    assert status == 200
    assert lb_ips(updated) == ["198.51.100.2"]
    assert updated["spec"]["rules"][0]["host"] == "b.example.com"
    assert updated["metadata"]["generation"] == 2

    # the typed client's *_status methods and kubectl --subresource=status do the same
    net = kube.net()
    current = net.read_namespaced_ingress_status("split", NS)
    current.status.load_balancer.ingress[0].ip = "198.51.100.3"
    net.replace_namespaced_ingress_status("split", NS, current)
    kube.kubectl("patch", "ingress", "split", "-n", NS, "--subresource=status", "--type=merge", "-p",
                 json.dumps({"status": {"loadBalancer": {"ingress": [{"ip": "198.51.100.4"}]}},
                             "spec": {"rules": []}}))
    got = kube.kubectl_json("get", "ingress", "split", "-n", NS)
    assert lb_ips(got) == ["198.51.100.4"] and got["spec"]["rules"][0]["host"] == "b.example.com"
    assert got["metadata"]["generation"] == 2
    # a merge patch of the main resource cannot touch status either
    kube.kubectl("patch", "ingress", "split", "-n", NS, "--type=merge", "-p",
                 json.dumps({"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}}))
    assert lb_ips(kube.kubectl_json("get", "ingress", "split", "-n", NS)) == ["198.51.100.4"]


def test_custom_resource_status_subresource(kube):
    custom = kube.custom()
    created = custom.create_namespaced_custom_object(GROUP, "v1", NS, "pools", {
        "apiVersion": f"{GROUP}/v1", "kind": "Pool", "metadata": {"name": "p1"},
        "spec": {"replicas": 2, "flavor": "small"}, "status": {"phase": "Ready"}})
    assert "status" not in created or "phase" not in created["status"]
    created["spec"]["flavor"] = "large"
    created["status"] = {"phase": "Hacked"}
    updated = custom.replace_namespaced_custom_object(GROUP, "v1", NS, "pools", "p1", created)
    assert updated["spec"]["flavor"] == "large" and (updated.get("status") or {}).get("phase") is None
    assert updated["metadata"]["generation"] == 2
    patched = custom.patch_namespaced_custom_object_status(GROUP, "v1", NS, "pools", "p1", {
        "status": {"phase": "Ready", "replicas": 2, "selector": "app=p1"}, "spec": {"flavor": "ignored"}},
        _content_type=MERGE)
    assert patched["status"] == {"phase": "Ready", "replicas": 2, "selector": "app=p1"}
    assert patched["spec"]["flavor"] == "large" and patched["metadata"]["generation"] == 2
    got = custom.get_namespaced_custom_object_status(GROUP, "v1", NS, "pools", "p1")
    assert got["status"]["phase"] == "Ready"


def test_custom_resource_scale_subresource_follows_the_crd_paths(kube):
    custom = kube.custom()
    custom.create_namespaced_custom_object(GROUP, "v1", NS, "pools", {
        "apiVersion": f"{GROUP}/v1", "kind": "Pool", "metadata": {"name": "p2"}, "spec": {"replicas": 3}})
    custom.patch_namespaced_custom_object_status(GROUP, "v1", NS, "pools", "p2", {
        "status": {"replicas": 1, "selector": "app=p2"}}, _content_type=MERGE)
    scale = custom.get_namespaced_custom_object_scale(GROUP, "v1", NS, "pools", "p2")
    assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
    assert scale["spec"] == {"replicas": 3}
    assert scale["status"] == {"replicas": 1, "selector": "app=p2"}
    custom.patch_namespaced_custom_object_scale(GROUP, "v1", NS, "pools", "p2", {"spec": {"replicas": 5}},
                                                _content_type=MERGE)
    assert custom.get_namespaced_custom_object(GROUP, "v1", NS, "pools", "p2")["spec"]["replicas"] == 5
    out = kube.kubectl("scale", f"pools.{GROUP}", "p2", "-n", NS, "--replicas=2").stdout
    assert out.strip() == f"pool.{GROUP}/p2 scaled"
    assert custom.get_namespaced_custom_object(GROUP, "v1", NS, "pools", "p2")["spec"]["replicas"] == 2


def make_deployment(kube, name: str, replicas: int) -> None:
    kube.apps().create_namespaced_deployment(NS, {"metadata": {"name": name}, "spec": {
        "replicas": replicas, "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})


def pod_count(kube, name: str) -> int:
    return len(kube.core().list_namespaced_pod(NS, label_selector=f"app={name}").items)


def test_deployment_scale_subresource(kube):
    apps = kube.apps()
    make_deployment(kube, "scaled", 2)
    wait_for(lambda: apps.read_namespaced_deployment("scaled", NS).status.ready_replicas == 2, message="ready")
    scale = apps.read_namespaced_deployment_scale("scaled", NS)
    assert scale.kind == "Scale" and scale.api_version == "autoscaling/v1"
    assert scale.spec.replicas == 2 and scale.status.replicas == 2
    assert scale.status.selector == "app=scaled"
    assert scale.metadata.name == "scaled" and scale.metadata.uid == apps.read_namespaced_deployment(
        "scaled", NS).metadata.uid

    scale.spec.replicas = 4
    result = apps.replace_namespaced_deployment_scale("scaled", NS, scale)
    assert result.spec.replicas == 4
    assert apps.read_namespaced_deployment("scaled", NS).spec.replicas == 4
    wait_for(lambda: pod_count(kube, "scaled") == 4, message="4 pods")

    apps.patch_namespaced_deployment_scale("scaled", NS, {"spec": {"replicas": 1}}, _content_type=MERGE)
    wait_for(lambda: pod_count(kube, "scaled") == 1, message="1 pod")

    out = kube.kubectl("scale", "deployment", "scaled", "-n", NS, "--replicas=3").stdout
    assert out.strip() == "deployment.apps/scaled scaled"
    wait_for(lambda: pod_count(kube, "scaled") == 3, message="3 pods")
    result = kube.kubectl("scale", "deployment", "scaled", "-n", NS, "--current-replicas=7", "--replicas=1",
                          check=False)
    assert result.returncode != 0 and "Expected replicas to be 7, was 3" in result.stderr
    assert apps.read_namespaced_deployment("scaled", NS).spec.replicas == 3

    # a stale resourceVersion on the Scale is a conflict; negative replicas are invalid
    with pytest.raises(ApiException) as caught:
        apps.replace_namespaced_deployment_scale("scaled", NS, scale)  # scale still has the old resourceVersion
    assert caught.value.status == 409 and error_body(caught.value)["reason"] == "Conflict"
    with pytest.raises(ApiException) as caught:
        apps.patch_namespaced_deployment_scale("scaled", NS, {"spec": {"replicas": -1}}, _content_type=MERGE)
    assert caught.value.status == 422 and error_body(caught.value)["reason"] == "Invalid"


def test_statefulset_scale_subresource(kube):
    apps = kube.apps()
    apps.create_namespaced_stateful_set(NS, {"metadata": {"name": "db"}, "spec": {
        "serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
        "template": {"metadata": {"labels": {"app": "db"}},
                     "spec": {"containers": [{"name": "c", "image": "postgres:16"}]}}}})
    scale = apps.read_namespaced_stateful_set_scale("db", NS)
    assert scale.spec.replicas == 1 and scale.status.selector == "app=db"
    scale.spec.replicas = 3
    apps.replace_namespaced_stateful_set_scale("db", NS, scale)
    wait_for(lambda: pod_count(kube, "db") == 3, message="3 pods")
    out = kube.kubectl("scale", "statefulset", "db", "-n", NS, "--replicas=2").stdout
    assert out.strip() == "statefulset.apps/db scaled"
    wait_for(lambda: sorted(p.metadata.name for p in kube.core().list_namespaced_pod(
        NS, label_selector="app=db").items) == ["db-0", "db-1"], message="db-0, db-1")
    assert apps.read_namespaced_stateful_set_scale("db", NS).spec.replicas == 2
