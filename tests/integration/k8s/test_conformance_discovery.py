"""Discovery: /version, /api, /apis, APIResourceLists, kubectl api-resources, DynamicClient, CRDs appearing and going."""

from __future__ import annotations

import json

import pytest
from kubernetes import client as k8s_client
from kubernetes.dynamic.exceptions import ResourceNotFoundError

from k8s_support import ApiException, CONTEXTS, DEFAULT_CONTEXT, error_body, wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("module_reset")

ALL_VERBS = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}


def crd_manifest(group: str, plural: str, kind: str, scope: str = "Namespaced", short=("wd",)) -> dict:
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "scope": scope,
                 "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List",
                           "shortNames": list(short)},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                                   "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}}}]}}


def established(kube, name: str, context: str = DEFAULT_CONTEXT) -> bool:
    crd = kube.kubectl_json("get", "crd", name, context=context)
    return any(c["type"] == "Established" and c["status"] == "True"
               for c in (crd.get("status") or {}).get("conditions", []))


def resource(resource_list: dict, name: str) -> dict:
    return next(r for r in resource_list["resources"] if r["name"] == name)


def test_version_through_python_client_kubectl_and_raw(kube):
    info = k8s_client.VersionApi(kube.api_client()).get_code()
    assert info.major == "1" and info.minor.rstrip("+").isdigit()
    assert info.git_version.startswith("v1.")
    server = json.loads(kube.kubectl("version", "-o", "json").stdout)["serverVersion"]
    assert server["gitVersion"] == info.git_version
    assert server["platform"]
    status, _, body = kube.raw("GET", "/version")
    assert status == 200 and body["major"] == "1"


def test_core_group_api_and_api_v1(kube):
    versions = k8s_client.CoreApi(kube.api_client()).get_api_versions()
    assert versions.versions == ["v1"]
    assert versions.server_address_by_client_cidrs  # serverAddressByClientCIDRs is required by the schema

    resources = kube.core().get_api_resources()
    assert resources.group_version == "v1"
    by_name = {r.name: r for r in resources.resources}
    pods = by_name["pods"]
    assert (pods.kind, pods.namespaced, pods.singular_name) == ("Pod", True, "pod")
    assert set(pods.verbs) == ALL_VERBS
    assert pods.short_names == ["po"]
    assert by_name["namespaces"].namespaced is False and by_name["namespaces"].short_names == ["ns"]
    assert by_name["nodes"].namespaced is False
    assert by_name["services"].short_names == ["svc"]
    assert by_name["configmaps"].short_names == ["cm"]
    assert by_name["serviceaccounts"].short_names == ["sa"]
    assert {"secrets", "events", "pods/status", "services/status"} <= set(by_name)
    assert set(by_name["pods/status"].verbs) == {"get", "patch", "update"}

    raw = json.loads(kube.kubectl("get", "--raw", "/api/v1").stdout)
    assert raw["kind"] == "APIResourceList" and raw["groupVersion"] == "v1"


def test_apis_group_list_and_group(kube):
    groups = k8s_client.ApisApi(kube.api_client()).get_api_versions()
    by_name = {g.name: g for g in groups.groups}
    for group in ("apps", "networking.k8s.io", "apiextensions.k8s.io"):
        assert group in by_name, group
        assert by_name[group].preferred_version.group_version == f"{group}/v1"
        assert f"{group}/v1" in [v.group_version for v in by_name[group].versions]
    assert "" not in by_name  # the core group is served at /api, not listed under /apis

    apps = k8s_client.AppsApi(kube.api_client()).get_api_group()
    assert apps.name == "apps" and apps.preferred_version.version == "v1"

    raw = json.loads(kube.kubectl("get", "--raw", "/apis").stdout)
    assert raw["kind"] == "APIGroupList"


def test_apis_group_version_resource_lists(kube):
    apps = kube.apps().get_api_resources().to_dict()
    assert apps["group_version"] == "apps/v1"
    deployments = resource(apps, "deployments")
    assert (deployments["kind"], deployments["namespaced"]) == ("Deployment", True)
    assert set(deployments["verbs"]) == ALL_VERBS
    assert deployments["short_names"] == ["deploy"]
    assert "all" in deployments["categories"]
    scale = resource(apps, "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert resource(apps, "statefulsets")["short_names"] == ["sts"]
    assert resource(apps, "statefulsets/scale")["kind"] == "Scale"
    assert resource(apps, "daemonsets")["short_names"] == ["ds"]

    net = kube.net().get_api_resources().to_dict()
    assert resource(net, "networkpolicies")["short_names"] == ["netpol"]
    assert resource(net, "ingresses")["short_names"] == ["ing"]
    assert resource(net, "ingressclasses")["namespaced"] is False

    status, _, crds = kube.raw("GET", "/apis/apiextensions.k8s.io/v1")
    assert status == 200
    crd = resource(crds, "customresourcedefinitions")
    assert crd["namespaced"] is False and set(crd["shortNames"]) == {"crd", "crds"}


def test_unknown_group_and_version_are_404_status(kube):
    for path in ("/apis/nonexistent.example.com", "/apis/nonexistent.example.com/v1", "/apis/apps/v9", "/api/v2"):
        status, _, body = kube.raw("GET", path)
        assert status == 404, path
        assert body["kind"] == "Status" and body["reason"] == "NotFound" and body["code"] == 404


def test_kubectl_api_resources(kube):
    out = kube.kubectl("api-resources").stdout
    header, *lines = out.splitlines()
    assert header.split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = {line.split()[0]: line.split() for line in lines}
    assert rows["deployments"] == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert rows["namespaces"] == ["namespaces", "ns", "v1", "false", "Namespace"]
    assert rows["networkpolicies"] == ["networkpolicies", "netpol", "networking.k8s.io/v1", "true", "NetworkPolicy"]
    assert rows["customresourcedefinitions"][:3] == ["customresourcedefinitions", "crd,crds",
                                                     "apiextensions.k8s.io/v1"]
    names = set(kube.kubectl("api-resources", "--api-group=apps", "-o", "name").stdout.split())
    assert {"deployments.apps", "statefulsets.apps", "daemonsets.apps", "replicasets.apps"} <= names
    cluster_scoped = set(kube.kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.split())
    assert {"namespaces", "nodes", "customresourcedefinitions.apiextensions.k8s.io"} <= cluster_scoped
    assert "pods" not in cluster_scoped
    wide = kube.kubectl("api-resources", "-o", "wide", "--api-group=apps").stdout
    assert "create delete deletecollection get list patch update watch" in wide.replace(",", " ").replace(
        "[", "").replace("]", "")


def test_dynamic_client_resource_lookup(kube):
    dyn = kube.dyn()
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert (deployments.name, deployments.namespaced, deployments.group) == ("deployments", True, "apps")
    assert set(deployments.verbs) == ALL_VERBS
    namespaces = dyn.resources.get(api_version="v1", kind="Namespace")
    assert namespaces.namespaced is False
    by_short = dyn.resources.get(short_names=["netpol"])
    assert by_short.kind == "NetworkPolicy"
    assert deployments.subresources["scale"].kind == "Scale"
    names = [n["metadata"]["name"] for n in namespaces.get().to_dict()["items"]]
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= set(names)


def test_crd_appears_in_and_disappears_from_discovery(kube):
    group, plural = "conformance.example.com", "widgets"
    crd = crd_manifest(group, plural, "Widget")
    assert "widgets" not in kube.kubectl("api-resources", "-o", "name").stdout
    kube.kubectl_apply(crd)
    wait_for(lambda: established(kube, f"{plural}.{group}"), message="CRD Established")

    lines = kube.kubectl("api-resources", f"--api-group={group}").stdout.splitlines()
    assert lines[1].split() == ["widgets", "wd", f"{group}/v1", "true", "Widget"]
    status, _, listing = kube.raw("GET", f"/apis/{group}/v1")
    assert status == 200
    assert resource(listing, "widgets")["kind"] == "Widget"
    assert resource(listing, "widgets/status")["verbs"]
    groups = {g.name for g in k8s_client.ApisApi(kube.api_client()).get_api_versions().groups}
    assert group in groups

    dyn = kube.dyn()
    widgets = dyn.resources.get(api_version=f"{group}/v1", kind="Widget")
    assert widgets.namespaced is True and widgets.name == "widgets"
    widgets.create(body={"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": "w1"},
                         "spec": {"size": 3}}, namespace="default")
    got = kube.custom().get_namespaced_custom_object(group, "v1", "default", "widgets", "w1")
    assert got["spec"] == {"size": 3}
    assert kube.kubectl("get", "widgets", "-o", "name").stdout.split() == [f"widget.{group}/w1"]

    kube.kubectl("delete", "crd", f"{plural}.{group}", "--wait=true", "--timeout=15s")
    out = kube.kubectl("api-resources", "-o", "name").stdout.split()
    assert f"widgets.{group}" not in out
    status, _, body = kube.raw("GET", f"/apis/{group}")
    assert status == 404 and body["reason"] == "NotFound"
    with pytest.raises(ResourceNotFoundError):
        kube.dyn().resources.get(api_version=f"{group}/v1", kind="Widget")
    groups = {g.name for g in k8s_client.ApisApi(kube.api_client()).get_api_versions().groups}
    assert group not in groups


def test_missing_podnetworking_crd_is_detected_by_404_on_its_group(kube):
    from sandbox.k8s import crds

    group = "network.alibabacloud.com"
    for context in CONTEXTS:  # reset: no cluster serves the Terway group
        status, _, body = kube.raw("GET", f"/apis/{group}", context=context)
        assert (status, body["reason"]) == (404, "NotFound"), context
    with pytest.raises(ApiException) as caught:  # the DynamicClient way (NotFoundError is an ApiException)
        kube.dyn("ack-app").request("GET", f"/apis/{group}")
    assert caught.value.status == 404 and error_body(caught.value)["reason"] == "NotFound"
    # the kubernetes.core way: k8s_info reports api_found false instead of failing
    _, (info,) = kube.playbook([{"kubernetes.core.k8s_info": {
        "api_version": f"{group}/v1beta1", "kind": "PodNetworking"}}], context="ack-app")
    assert info["api_found"] is False and info["resources"] == []

    kube.dyn("ack-app").resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition").create(
        body=crds.podnetworking_crd())
    wait_for(lambda: established(kube, f"podnetworkings.{group}", "ack-app"), message="CRD Established")
    status, _, body = kube.raw("GET", f"/apis/{group}", context="ack-app")
    assert status == 200 and body["preferredVersion"]["groupVersion"] == f"{group}/v1beta1"
    status, _, _ = kube.raw("GET", f"/apis/{group}", context="ack-db")
    assert status == 404  # installed in one cluster only
    _, (info,) = kube.playbook([{"kubernetes.core.k8s_info": {
        "api_version": f"{group}/v1beta1", "kind": "PodNetworking"}}], context="ack-app")
    assert info["api_found"] is True and info["resources"] == []



def test_kubectl_wait_for_crd_established(kube):
    """kubectl 1.37 waits through a streaming list (sendInitialEvents=true): the server must end the initial
    events with a BOOKMARK annotated k8s.io/initial-events-end, or the condition is never seen."""
    crd = crd_manifest("waiting.example.com", "gadgets", "Gadget", short=())
    kube.kubectl_apply(crd)
    try:
        result = kube.kubectl("wait", "--for=condition=Established", "crd/gadgets.waiting.example.com",
                              "--timeout=5s", check=False, timeout=30)
        assert result.returncode == 0, result.stderr
        assert "condition met" in result.stdout
    finally:
        kube.kubectl("delete", "crd", "gadgets.waiting.example.com", "--wait=false")
