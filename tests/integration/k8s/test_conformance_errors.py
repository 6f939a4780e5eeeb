"""Errors are Status objects with the real code, reason, message and details: 404, 409, 422, 400, 405, 429."""

from __future__ import annotations

import json

import pytest

from k8s_support import ApiException, error_body
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-errors"
MERGE = "application/merge-patch+json"


@pytest.fixture(scope="module", autouse=True)
def namespace(kube, module_reset):
    return kube.namespace(NS)


def status_of(caught) -> tuple[int, str, dict]:
    body = error_body(caught.value)
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure"
    assert body["code"] == caught.value.status
    return caught.value.status, body["reason"], body


def deployment(name: str, selector: dict | None, labels: dict) -> dict:
    spec = {"replicas": 1, "template": {"metadata": {"labels": labels},
                                        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": spec}


# ---------------------------------------------------------------------------------------------- 404


def test_not_found(kube):
    with pytest.raises(ApiException) as caught:
        kube.core().read_namespaced_config_map("nope", NS)
    code, reason, body = status_of(caught)
    assert (code, reason) == (404, "NotFound")
    assert body["message"] == 'configmaps "nope" not found'
    assert body["details"] == {"name": "nope", "kind": "configmaps"}

    with pytest.raises(ApiException) as caught:
        kube.apps().read_namespaced_deployment("nope", NS)
    code, reason, body = status_of(caught)
    assert body["message"] == 'deployments.apps "nope" not found'
    assert body["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}

    result = kube.kubectl("get", "configmap", "nope", "-n", NS, check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'
    result = kube.kubectl("delete", "deployment", "nope", "-n", NS, check=False)
    assert 'Error from server (NotFound): deployments.apps "nope" not found' in result.stderr


def test_not_found_namespace_and_unknown_resource(kube):
    with pytest.raises(ApiException) as caught:
        kube.core().create_namespaced_config_map("ghost-ns", {"metadata": {"name": "x"}})
    code, reason, body = status_of(caught)
    assert (code, reason, body["message"]) == (404, "NotFound", 'namespaces "ghost-ns" not found')
    status, _, body = kube.raw("GET", "/api/v1/namespaces/default/widgets")
    assert (status, body.get("reason")) == (404, "NotFound"), body
    result = kube.kubectl("get", "widgets", check=False)
    assert result.returncode != 0 and 'the server doesn\'t have a resource type "widgets"' in result.stderr


# ---------------------------------------------------------------------------------------------- 409


def test_already_exists(kube):
    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "dup"}})
    with pytest.raises(ApiException) as caught:
        kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "dup"}})
    code, reason, body = status_of(caught)
    assert (code, reason) == (409, "AlreadyExists")
    assert body["message"] == 'configmaps "dup" already exists'
    assert body["details"] == {"name": "dup", "kind": "configmaps"}
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup", "namespace": NS}}
    result = kube.kubectl_apply(manifest, verb="create", check=False)
    assert result.returncode == 1
    assert 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists' in \
        result.stderr


def test_stale_resource_version_put_is_409_conflict(kube):
    core = kube.core()
    original = core.create_namespaced_config_map(NS, {"metadata": {"name": "occ"}, "data": {"v": "1"}})
    fresh = core.read_namespaced_config_map("occ", NS)
    fresh.data = {"v": "2"}
    core.replace_namespaced_config_map("occ", NS, fresh)
    original.data = {"v": "stale"}
    with pytest.raises(ApiException) as caught:
        core.replace_namespaced_config_map("occ", NS, original)  # carries the old resourceVersion
    code, reason, body = status_of(caught)
    assert (code, reason) == (409, "Conflict")
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "occ": the object has been modified; '
                               'please apply your changes to the latest version and try again')
    assert body["details"]["name"] == "occ" and body["details"]["kind"] == "configmaps"
    assert core.read_namespaced_config_map("occ", NS).data == {"v": "2"}

    # kubectl replace with a manifest that pins the old resourceVersion
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"v": "kubectl"},
                "metadata": {"name": "occ", "namespace": NS, "resourceVersion": original.metadata.resource_version}}
    result = kube.kubectl_apply(manifest, verb="replace", check=False)
    assert result.returncode == 1 and "Error from server (Conflict)" in result.stderr

    apps = kube.apps()
    deploy = apps.create_namespaced_deployment(NS, deployment("occ-deploy", {"matchLabels": {"a": "b"}},
                                                              {"a": "b"}))
    apps.patch_namespaced_deployment("occ-deploy", NS, {"spec": {"replicas": 2}}, _content_type=MERGE)
    deploy.spec.replicas = 5
    with pytest.raises(ApiException) as caught:
        apps.replace_namespaced_deployment("occ-deploy", NS, deploy)
    code, reason, body = status_of(caught)
    assert (code, reason) == (409, "Conflict")
    assert body["message"].startswith('Operation cannot be fulfilled on deployments.apps "occ-deploy"')


def test_stale_resource_version_in_patch_is_409_conflict(kube):
    core = kube.core()
    created = core.create_namespaced_config_map(NS, {"metadata": {"name": "occ-patch"}, "data": {"v": "1"}})
    stale = created.metadata.resource_version
    core.patch_namespaced_config_map("occ-patch", NS, {"data": {"v": "2"}}, _content_type=MERGE)
    for content_type, patch in ((MERGE, {"metadata": {"resourceVersion": stale}, "data": {"v": "3"}}),
                                ("application/strategic-merge-patch+json",
                                 {"metadata": {"resourceVersion": stale}, "data": {"v": "3"}}),
                                ("application/json-patch+json",
                                 [{"op": "replace", "path": "/metadata/resourceVersion", "value": stale},
                                  {"op": "replace", "path": "/data/v", "value": "3"}])):
        with pytest.raises(ApiException) as caught:
            core.patch_namespaced_config_map("occ-patch", NS, patch, _content_type=content_type)
        assert status_of(caught)[:2] == (409, "Conflict"), content_type
    result = kube.kubectl("patch", "cm", "occ-patch", "-n", NS, "--type=merge", "-p",
                          json.dumps({"metadata": {"resourceVersion": stale}, "data": {"v": "k"}}), check=False)
    assert result.returncode == 1 and "Error from server (Conflict)" in result.stderr
    assert core.read_namespaced_config_map("occ-patch", NS).data == {"v": "2"}
    # the current resourceVersion is accepted
    current = core.read_namespaced_config_map("occ-patch", NS).metadata.resource_version
    core.patch_namespaced_config_map("occ-patch", NS, {"metadata": {"resourceVersion": current},
                                                       "data": {"v": "4"}}, _content_type=MERGE)
    assert core.read_namespaced_config_map("occ-patch", NS).data == {"v": "4"}


# ---------------------------------------------------------------------------------------------- 422


@pytest.mark.parametrize("create,name,rule", [
    ("configmap", "Bad_Name", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"),
    ("configmap", "x" * 254, "must be no more than 253 characters"),
    ("namespace", "bad.name", "a lowercase RFC 1123 label must consist of lower case alphanumeric characters"),
    ("service", "1svc", "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                        "alphabetic character"),
])
def test_invalid_names_are_422(kube, create, name, rule):
    core = kube.core()
    with pytest.raises(ApiException) as caught:
        if create == "configmap":
            core.create_namespaced_config_map(NS, {"metadata": {"name": name}})
        elif create == "namespace":
            core.create_namespace({"metadata": {"name": name}})
        else:
            core.create_namespaced_service(NS, {"metadata": {"name": name}, "spec": {"ports": [{"port": 80}]}})
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid")
    assert rule in body["message"]
    kind = {"configmap": "ConfigMap", "namespace": "Namespace", "service": "Service"}[create]
    assert body["message"].startswith(f'{kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": ')
    assert body["details"]["kind"] == kind and body["details"]["name"] == name
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["causes"][0]["reason"] == "FieldValueInvalid"


def test_kubectl_reports_invalid_name(kube):
    result = kube.kubectl_apply({"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": "Upper", "namespace": NS}}, check=False)
    assert result.returncode == 1
    assert 'The ConfigMap "Upper" is invalid: metadata.name: Invalid value: "Upper": a lowercase RFC 1123 ' \
           'subdomain' in result.stderr


def test_service_without_ports_is_422_unless_headless_or_external_name(kube):
    with pytest.raises(ApiException) as caught:
        kube.core().create_namespaced_service(NS, {"metadata": {"name": "noports"}, "spec": {"selector": {"a": "b"}}})
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid")
    assert body["message"] == 'Service "noports" is invalid: spec.ports: Required value'
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired", "message": "Required value",
                                          "field": "spec.ports"}]
    headless = kube.core().create_namespaced_service(NS, {"metadata": {"name": "headless"},
                                                          "spec": {"clusterIP": "None", "selector": {"a": "b"}}})
    assert headless.spec.cluster_ip == "None"
    external = kube.core().create_namespaced_service(NS, {"metadata": {"name": "ext"}, "spec": {
        "type": "ExternalName", "externalName": "db.example.com"}})
    assert external.spec.external_name == "db.example.com"


def test_deployment_without_selector_is_422(kube):
    result = kube.kubectl_apply(deployment("nosel", None, {"app": "x"}), check=False)
    assert result.returncode == 1
    assert 'The Deployment "nosel" is invalid' in result.stderr and "spec.selector: Required value" in result.stderr
    status, _, body = kube.raw("POST", f"/apis/apps/v1/namespaces/{NS}/deployments",
                               deployment("nosel", None, {"app": "x"}))
    assert (status, body.get("reason")) == (422, "Invalid"), body
    causes = {(c["field"], c["reason"]) for c in body["details"]["causes"]}
    assert ("spec.selector", "FieldValueRequired") in causes
    assert body["details"]["group"] == "apps" and body["details"]["kind"] == "Deployment"


def test_deployment_selector_not_matching_template_labels_is_422(kube):
    with pytest.raises(ApiException) as caught:
        kube.apps().create_namespaced_deployment(NS, deployment("mismatch", {"matchLabels": {"app": "a"}},
                                                                {"app": "b"}))
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid")
    assert body["message"].startswith('Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: '
                                      'Invalid value: ')
    assert "`selector` does not match template `labels`" in body["message"]
    cause = body["details"]["causes"][0]
    assert (cause["field"], cause["reason"]) == ("spec.template.metadata.labels", "FieldValueInvalid")


def test_networkpolicy_pod_selector_is_optional_since_1_34(kube):
    """kubernetes/kubernetes#131354: an omitted podSelector is the empty selector (all pods in the namespace).
    The apiserver never required it (the Go field is a struct value); 1.34 fixed the docs and OpenAPI to match."""
    status, _, body = kube.raw("POST", f"/apis/networking.k8s.io/v1/namespaces/{NS}/networkpolicies", {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "no-selector"},
        "spec": {"policyTypes": ["Ingress"]}})
    assert status == 201, body
    assert body["spec"]["podSelector"] == {}
    # a label selector that is present must still be valid
    with pytest.raises(ApiException) as caught:
        kube.net().create_namespaced_network_policy(NS, {"metadata": {"name": "bad-selector"}, "spec": {
            "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}}})
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid")
    assert body["details"]["causes"][0]["field"].startswith("spec.podSelector")


def test_immutable_fields_are_422(kube):
    apps = kube.apps()
    apps.create_namespaced_deployment(NS, deployment("immutable", {"matchLabels": {"app": "i"}}, {"app": "i"}))
    patch = {"spec": {"selector": {"matchLabels": {"app": "j"}},
                      "template": {"metadata": {"labels": {"app": "j"}}}}}
    with pytest.raises(ApiException) as caught:
        apps.patch_namespaced_deployment("immutable", NS, patch, _content_type=MERGE)
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid") and "field is immutable" in body["message"]
    assert any(c["field"] == "spec.selector" for c in body["details"]["causes"])

    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "frozen"}, "data": {"a": "1"},
                                                  "immutable": True})
    with pytest.raises(ApiException) as caught:
        kube.core().patch_namespaced_config_map("frozen", NS, {"data": {"a": "2"}}, _content_type=MERGE)
    code, reason, body = status_of(caught)
    assert (code, reason) == (422, "Invalid")
    assert "field is immutable when `immutable` is set" in body["message"]


# ---------------------------------------------------------------------------------------------- 400


def test_bad_label_selector_is_400(kube):
    with pytest.raises(ApiException) as caught:
        kube.core().list_namespaced_config_map(NS, label_selector="env in (uat")
    code, reason, body = status_of(caught)
    assert (code, reason) == (400, "BadRequest")
    assert "unable to parse requirement" in body["message"] or "found" in body["message"]
    with pytest.raises(ApiException) as caught:
        kube.core().list_namespaced_config_map(NS, label_selector="Bad Key=1")
    assert status_of(caught)[:2] == (400, "BadRequest")
    result = kube.kubectl("get", "cm", "-n", NS, "-l", "env in (uat", check=False)
    assert result.returncode == 1 and "Error from server (BadRequest)" in result.stderr


def test_unsupported_field_selector_is_400(kube):
    with pytest.raises(ApiException) as caught:
        kube.core().list_namespaced_config_map(NS, field_selector="data.foo=bar")
    code, reason, body = status_of(caught)
    assert (code, reason) == (400, "BadRequest")
    assert "data.foo" in body["message"]


def test_body_namespace_or_kind_mismatch_is_400(kube):
    status, _, body = kube.raw("POST", f"/api/v1/namespaces/{NS}/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "elsewhere", "namespace": "default"}})
    assert (status, body.get("reason")) == (400, "BadRequest"), body
    assert body["message"] == "the namespace of the provided object does not match the namespace sent on the request"
    status, _, body = kube.raw("POST", f"/api/v1/namespaces/{NS}/configmaps", "{not json")
    assert (status, body.get("reason")) == (400, "BadRequest"), body


# ---------------------------------------------------------------------------------------------- 405


def test_method_not_allowed_is_405(kube):
    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "target"}})
    status, _, body = kube.raw("POST", f"/api/v1/namespaces/{NS}/configmaps/target",
                               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "target"}})
    assert (status, body["kind"], body["reason"], body["code"]) == (405, "Status", "MethodNotAllowed", 405)
    status, _, body = kube.raw("PUT", f"/api/v1/namespaces/{NS}/configmaps",
                               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "target"}})
    assert (status, body.get("reason")) == (405, "MethodNotAllowed"), body
    # namespaces do not offer deletecollection (their discovery verbs say so)
    status, _, body = kube.raw("DELETE", "/api/v1/namespaces?labelSelector=conformance%3Dnothing")
    assert (status, body.get("reason")) == (405, "MethodNotAllowed"), body


# ---------------------------------------------------------------------------------------------- 429


def test_throttling_is_429_with_retry_after(kube, admin):
    admin.reset_calls()
    admin.set_faults([{"service": "k8s:demo-eks", "throttle": 1.0}])
    try:
        with pytest.raises(ApiException) as caught:
            kube.core().list_namespaced_config_map(NS)
        code, reason, body = status_of(caught)
        assert (code, reason) == (429, "TooManyRequests")
        assert caught.value.headers["Retry-After"] == "1"
        assert body["details"]["retryAfterSeconds"] == 1

        result = kube.kubectl("get", "configmaps", "-n", NS, "--request-timeout=2s", "-v=6", check=False,
                              timeout=30)
        assert result.returncode != 0
        assert "429 Too Many Requests" in result.stderr  # the response client-go logged
        assert "Got a Retry-After response" in result.stderr and 'delay="1s"' in result.stderr

        # the other clusters are not affected
        assert kube.core("ack-app").list_namespace().items
        faults = admin.calls()["services"]["k8s:demo-eks"]["faults"]
        assert faults.get("TooManyRequests", 0) >= 2
    finally:
        admin.clear_faults()
    assert kube.core().list_namespaced_config_map(NS).items is not None
