"""Built-in kinds CRUD and object metadata: uid, resourceVersion, generation, timestamps, finalizers, dryRun,
fieldManager, update (PUT) and deletecollection, through kubectl, the Python client and the DynamicClient."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import re
import uuid

import pytest

from k8s_support import ApiException, error_body, unique, wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-crud"
SERVICE_CIDR = ipaddress.ip_network("172.20.0.0/16")  # demo-eks
POD_CIDR = ipaddress.ip_network("10.0.16.0/20")  # demo-eks
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(scope="module", autouse=True)
def namespace(kube, module_reset):
    return kube.namespace(NS)


def deployment(name: str, replicas: int = 1, labels: dict | None = None) -> dict:
    app = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": app},
                     "template": {"metadata": {"labels": app},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}


def rv(obj) -> int:
    meta = obj["metadata"] if isinstance(obj, dict) else obj.metadata
    return int(meta["resourceVersion"] if isinstance(meta, dict) else meta.resource_version)


# ---------------------------------------------------------------------------------------------- namespaces


def test_namespace_create_get_delete_with_kubectl_and_python(kube):
    name = unique("conf-ns")
    out = kube.kubectl_apply({"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": name, "labels": {"team": "conformance"}}}).stdout
    assert out.strip() == f"namespace/{name} created"
    ns = kube.core().read_namespace(name)
    assert ns.status.phase == "Active"
    assert ns.metadata.labels == {"team": "conformance", "kubernetes.io/metadata.name": name}
    assert ns.spec.finalizers == ["kubernetes"]
    assert name in [n.metadata.name for n in kube.core().list_namespace(label_selector="team=conformance").items]
    kube.core().create_namespaced_config_map(name, {"metadata": {"name": "inside"}})
    kube.kubectl("delete", "namespace", name, "--timeout=20s")
    wait_for(lambda: kube.raw("GET", f"/api/v1/namespaces/{name}")[0] == 404, message="namespace gone")
    assert kube.raw("GET", f"/api/v1/namespaces/{name}/configmaps/inside")[0] == 404


# ---------------------------------------------------------------------------------------------- configmaps, secrets


def test_configmap_crud_python_client(kube):
    core = kube.core()
    created = core.create_namespaced_config_map(NS, {"metadata": {"name": "cm-crud", "labels": {"k": "v"}},
                                                     "data": {"a": "1"}})
    assert created.metadata.namespace == NS and created.data == {"a": "1"}
    got = core.read_namespaced_config_map("cm-crud", NS)
    assert got.metadata.uid == created.metadata.uid
    listed = core.list_namespaced_config_map(NS, label_selector="k=v")
    assert [c.metadata.name for c in listed.items] == ["cm-crud"]
    assert int(listed.metadata.resource_version) >= rv(got)

    got.data = {"a": "2", "b": "3"}
    replaced = core.replace_namespaced_config_map("cm-crud", NS, got)
    assert replaced.data == {"a": "2", "b": "3"}
    assert rv(replaced) > rv(created)

    status = core.delete_namespaced_config_map("cm-crud", NS)
    assert status["status"] == "Success" and status["details"]["name"] == "cm-crud"
    with pytest.raises(ApiException) as caught:
        core.read_namespaced_config_map("cm-crud", NS)
    assert caught.value.status == 404


def test_configmap_with_kubectl_create_get_replace_delete(kube):
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-kubectl", "namespace": NS},
                "data": {"greeting": "hello"}}
    assert kube.kubectl_apply(manifest, verb="create").stdout.strip() == "configmap/cm-kubectl created"
    got = kube.kubectl_json("get", "configmap", "cm-kubectl", "-n", NS)
    assert got["data"] == {"greeting": "hello"} and got["kind"] == "ConfigMap"
    manifest["data"] = {"greeting": "bye"}
    assert kube.kubectl_apply(manifest, verb="replace").stdout.strip() == "configmap/cm-kubectl replaced"
    assert kube.kubectl("get", "cm", "cm-kubectl", "-n", NS, "-o", "jsonpath={.data.greeting}").stdout == "bye"
    table = kube.kubectl("get", "cm", "-n", NS).stdout.splitlines()
    assert table[0].split() == ["NAME", "DATA", "AGE"]
    out = kube.kubectl("delete", "cm", "cm-kubectl", "-n", NS).stdout
    assert out.strip() == f'configmap "cm-kubectl" deleted from {NS} namespace'


def test_secret_data_string_data_and_type_default(kube):
    core = kube.core()
    core.create_namespaced_secret(NS, {"metadata": {"name": "s1"},
                                       "data": {"user": base64.b64encode(b"admin").decode()},
                                       "stringData": {"password": "s3cr3t"}})
    secret = kube.kubectl_json("get", "secret", "s1", "-n", NS)
    assert secret["type"] == "Opaque"
    assert "stringData" not in secret  # write-only: merged into data by the server
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "user": "admin", "password": "s3cr3t"}
    core.delete_namespaced_secret("s1", NS)
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/secrets/s1")[0] == 404


# ---------------------------------------------------------------------------------------------- services


def test_service_cluster_ip_allocation(kube):
    kubernetes_svc = kube.core().read_namespaced_service("kubernetes", "default")
    assert kubernetes_svc.spec.cluster_ip == str(SERVICE_CIDR[1])  # the first address of the range
    svc = kube.core().create_namespaced_service(NS, {
        "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    ip = ipaddress.ip_address(svc.spec.cluster_ip)
    assert ip in SERVICE_CIDR
    assert svc.spec.cluster_ips == [svc.spec.cluster_ip]
    assert svc.spec.type == "ClusterIP"
    assert svc.spec.ports[0].target_port == 80 and svc.spec.ports[0].protocol == "TCP"
    other = kube.core().create_namespaced_service(NS, {
        "metadata": {"name": "web2"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert other.spec.cluster_ip != svc.spec.cluster_ip


def test_service_requesting_an_allocated_cluster_ip_is_invalid(kube):
    taken = kube.core().read_namespaced_service("kubernetes", "default").spec.cluster_ip
    with pytest.raises(ApiException) as caught:
        kube.core().create_namespaced_service(NS, {"metadata": {"name": "ip-clash"}, "spec": {
            "clusterIP": taken, "ports": [{"port": 80}]}})
    body = error_body(caught.value)
    assert (caught.value.status, body["reason"]) == (422, "Invalid")
    assert "provided IP is already allocated" in body["message"]


def test_service_node_port_allocation_and_duplicate_is_422(kube):
    out = kube.kubectl_apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np", "namespace": NS},
                              "spec": {"type": "NodePort", "selector": {"app": "np"},
                                       "ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}]}})
    assert "service/np created" in out.stdout
    svc = kube.core().read_namespaced_service("np", NS)
    ports = [p.node_port for p in svc.spec.ports]
    assert all(30000 <= p <= 32767 for p in ports) and len(set(ports)) == 2
    assert svc.spec.external_traffic_policy == "Cluster"

    fixed = kube.core().create_namespaced_service(NS, {"metadata": {"name": "np-fixed"}, "spec": {
        "type": "NodePort", "ports": [{"port": 8080, "nodePort": 30080}]}})
    assert fixed.spec.ports[0].node_port == 30080
    with pytest.raises(ApiException) as caught:
        kube.core().create_namespaced_service(NS, {"metadata": {"name": "np-clash"}, "spec": {
            "type": "NodePort", "ports": [{"port": 8080, "nodePort": 30080}]}})
    body = error_body(caught.value)
    assert (caught.value.status, body["reason"], body["kind"]) == (422, "Invalid", "Status")
    assert body["details"]["causes"][0]["field"] == "spec.ports[0].nodePort"
    assert "provided port is already allocated" in body["message"]
    result = kube.kubectl_apply({"apiVersion": "v1", "kind": "Service",
                                 "metadata": {"name": "np-clash2", "namespace": NS},
                                 "spec": {"type": "NodePort", "ports": [{"port": 81, "nodePort": 30080}]}},
                                check=False)
    assert result.returncode != 0
    assert 'The Service "np-clash2" is invalid' in result.stderr
    assert "provided port is already allocated" in result.stderr


# ---------------------------------------------------------------------------------------------- pods, nodes


def test_pod_crud_is_scheduled_and_running(kube):
    core = kube.core()
    core.create_namespaced_pod(NS, {"metadata": {"name": "solo", "labels": {"run": "solo"}},
                                    "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
    pod = wait_for(lambda: (p := core.read_namespaced_pod("solo", NS)).status.phase == "Running" and p,
                   message="pod Running")
    assert pod.spec.node_name in [n.metadata.name for n in core.list_node().items]
    assert ipaddress.ip_address(pod.status.pod_ip) in POD_CIDR
    assert pod.spec.restart_policy == "Always" and pod.spec.containers[0].image_pull_policy == "IfNotPresent"
    wide = kube.kubectl("get", "pod", "solo", "-n", NS, "-o", "wide").stdout.splitlines()
    assert wide[1].split()[2] == "Running"
    kube.kubectl("delete", "pod", "solo", "-n", NS, "--wait=true", "--timeout=20s")
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/pods/solo")[0] == 404


def test_nodes_are_listed_and_read(kube):
    nodes = kube.core().list_node().items
    assert len(nodes) == 2
    node = kube.core().read_node(nodes[0].metadata.name)
    assert node.metadata.labels["kubernetes.io/hostname"] == node.metadata.name
    assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)
    assert node.metadata.namespace is None
    lines = kube.kubectl("get", "nodes", "--no-headers").stdout.splitlines()
    assert len(lines) == 2 and all(line.split()[1] == "Ready" for line in lines)


# ---------------------------------------------------------------------------------------------- other kinds


def test_serviceaccount_crud(kube):
    core = kube.core()
    sa = core.create_namespaced_service_account(NS, {"metadata": {"name": "robot"}})
    assert sa.metadata.name == "robot"
    assert kube.kubectl("get", "sa", "robot", "-n", NS, "-o", "name").stdout.strip() == "serviceaccount/robot"
    core.patch_namespaced_service_account("robot", NS, {"metadata": {"labels": {"a": "b"}}},
                                          _content_type="application/merge-patch+json")
    assert core.read_namespaced_service_account("robot", NS).metadata.labels == {"a": "b"}
    core.delete_namespaced_service_account("robot", NS)
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/serviceaccounts/robot")[0] == 404


def test_event_crud_and_involved_object_field_selector(kube):
    core = kube.core()
    for index, target in enumerate(("pod-a", "pod-b")):
        core.create_namespaced_event(NS, {
            "metadata": {"name": f"ev-{index}"}, "reason": "Testing", "message": f"about {target}",
            "type": "Normal", "involvedObject": {"kind": "Pod", "name": target, "namespace": NS},
            "source": {"component": "conformance"}})
    events = core.list_namespaced_event(NS, field_selector="involvedObject.name=pod-b").items
    assert [e.metadata.name for e in events] == ["ev-1"]
    assert events[0].message == "about pod-b"
    core.delete_namespaced_event("ev-0", NS)
    assert [e.metadata.name for e in core.list_namespaced_event(NS).items if e.reason == "Testing"] == ["ev-1"]


def test_workload_kinds_crud_apps_v1(kube):
    apps = kube.apps()
    pod_spec = {"containers": [{"name": "c", "image": "busybox:1.36"}]}
    kinds = {
        "deployment": deployment("crud-deploy"),
        "stateful_set": {"metadata": {"name": "crud-sts"}, "spec": {
            "serviceName": "crud-sts", "replicas": 1, "selector": {"matchLabels": {"app": "crud-sts"}},
            "template": {"metadata": {"labels": {"app": "crud-sts"}}, "spec": pod_spec}}},
        "daemon_set": {"metadata": {"name": "crud-ds"}, "spec": {
            "selector": {"matchLabels": {"app": "crud-ds"}},
            "template": {"metadata": {"labels": {"app": "crud-ds"}}, "spec": pod_spec}}},
    }
    for kind, body in kinds.items():
        name = body["metadata"]["name"]
        created = getattr(apps, f"create_namespaced_{kind}")(NS, body)
        assert created.metadata.generation == 1
        got = getattr(apps, f"read_namespaced_{kind}")(name, NS)
        got.metadata.labels = {"touched": "yes"}
        got.spec.template.spec.containers[0].image = "busybox:1.37"
        replaced = getattr(apps, f"replace_namespaced_{kind}")(name, NS, got)
        assert replaced.metadata.labels == {"touched": "yes"}
        assert replaced.spec.template.spec.containers[0].image == "busybox:1.37"
        assert replaced.metadata.generation == 2
        names = [o.metadata.name for o in getattr(apps, f"list_namespaced_{kind}")(NS).items]
        assert name in names
        getattr(apps, f"delete_namespaced_{kind}")(name, NS)
        wait_for(lambda: name not in [o.metadata.name for o in getattr(apps, f"list_namespaced_{kind}")(NS).items],
                 message=f"{kind} deleted")


def test_ingress_ingressclass_networkpolicy_crud(kube):
    net = kube.net()
    net.create_ingress_class({"metadata": {"name": "conf-nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}})
    assert net.read_ingress_class("conf-nginx").spec.controller == "k8s.io/ingress-nginx"
    ingress = net.create_namespaced_ingress(NS, {"metadata": {"name": "web"}, "spec": {
        "ingressClassName": "conf-nginx",
        "rules": [{"host": "web.example.com", "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})
    assert ingress.spec.rules[0].host == "web.example.com"
    out = kube.kubectl("get", "ingress", "web", "-n", NS, "--no-headers").stdout.split()
    assert out[:3] == ["web", "conf-nginx", "web.example.com"]
    policy = net.create_namespaced_network_policy(NS, {"metadata": {"name": "deny"}, "spec": {
        "podSelector": {"matchLabels": {"app": "db"}},
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}]}})
    assert policy.spec.policy_types == ["Ingress"]  # defaulted
    assert policy.spec.ingress[0].ports[0].protocol == "TCP"  # defaulted
    assert [p.metadata.name for p in net.list_namespaced_network_policy(NS).items] == ["deny"]
    net.delete_namespaced_network_policy("deny", NS)
    net.delete_namespaced_ingress("web", NS)
    net.delete_ingress_class("conf-nginx")
    assert net.list_namespaced_network_policy(NS).items == []
    assert "conf-nginx" not in [c.metadata.name for c in net.list_ingress_class().items]


def test_customresourcedefinition_and_custom_object_crud(kube):
    group = "crud.example.com"
    crds = kube.dyn().resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crds.create(body={"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                      "metadata": {"name": f"gizmos.{group}"},
                      "spec": {"group": group, "scope": "Namespaced",
                               "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                               "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                                   "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                                       "type": "object", "properties": {"color": {"type": "string"},
                                                                        "size": {"type": "integer"}}}}}}}]}})
    wait_for(lambda: any(c["type"] == "Established" and c["status"] == "True" for c in (
        crds.get(name=f"gizmos.{group}").to_dict().get("status") or {}).get("conditions", [])), message="Established")
    custom = kube.custom()
    created = custom.create_namespaced_custom_object(group, "v1", NS, "gizmos", {
        "apiVersion": f"{group}/v1", "kind": "Gizmo", "metadata": {"name": "g1"},
        "spec": {"color": "red", "size": 1}})
    assert created["metadata"]["generation"] == 1 and created["kind"] == "Gizmo"
    listed = custom.list_namespaced_custom_object(group, "v1", NS, "gizmos")
    assert listed["kind"] == "GizmoList" and [i["metadata"]["name"] for i in listed["items"]] == ["g1"]
    patched = custom.patch_namespaced_custom_object(group, "v1", NS, "gizmos", "g1", {"spec": {"size": 2}},
                                                    _content_type="application/merge-patch+json")
    assert patched["spec"] == {"color": "red", "size": 2} and patched["metadata"]["generation"] == 2
    patched["spec"]["color"] = "blue"
    replaced = custom.replace_namespaced_custom_object(group, "v1", NS, "gizmos", "g1", patched)
    assert replaced["spec"]["color"] == "blue"
    with pytest.raises(ApiException) as caught:  # structural schema: a string where an integer belongs
        custom.create_namespaced_custom_object(group, "v1", NS, "gizmos", {
            "apiVersion": f"{group}/v1", "kind": "Gizmo", "metadata": {"name": "g2"}, "spec": {"size": "big"}})
    assert caught.value.status == 422
    custom.delete_namespaced_custom_object(group, "v1", NS, "gizmos", "g1")
    assert custom.list_namespaced_custom_object(group, "v1", NS, "gizmos")["items"] == []
    crds.delete(name=f"gizmos.{group}")
    wait_for(lambda: kube.raw("GET", f"/apis/{group}/v1")[0] == 404, message="group gone")


# ---------------------------------------------------------------------------------------------- metadata


def test_uid_and_creation_timestamp(kube):
    a = kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "meta-a"}})
    b = kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "meta-b"}})
    assert uuid.UUID(a.metadata.uid) != uuid.UUID(b.metadata.uid)
    raw = kube.kubectl_json("get", "cm", "meta-a", "-n", NS)
    assert RFC3339.match(raw["metadata"]["creationTimestamp"])
    created = datetime.datetime.strptime(raw["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - created).total_seconds()) < 120
    # a client cannot set uid or creationTimestamp
    c = kube.core().create_namespaced_config_map(NS, {"metadata": {
        "name": "meta-c", "uid": "11111111-1111-1111-1111-111111111111",
        "creationTimestamp": "2001-01-01T00:00:00Z"}})
    assert c.metadata.uid != "11111111-1111-1111-1111-111111111111"
    assert c.metadata.creation_timestamp.year > 2001


def test_resource_version_is_one_counter_across_kinds(kube):
    core, apps = kube.core(), kube.apps()
    versions = [
        int(core.create_namespaced_config_map(NS, {"metadata": {"name": "rv-cm"}}).metadata.resource_version),
        int(core.create_namespaced_secret(NS, {"metadata": {"name": "rv-secret"}}).metadata.resource_version),
        int(core.create_namespaced_service_account(NS, {"metadata": {"name": "rv-sa"}}).metadata.resource_version),
        int(apps.create_namespaced_deployment(NS, deployment("rv-deploy")).metadata.resource_version),
        int(kube.net().create_namespaced_network_policy(NS, {"metadata": {"name": "rv-np"}, "spec": {
            "podSelector": {}}}).metadata.resource_version),
        int(core.create_namespace({"metadata": {"name": unique("rv-ns")}}).metadata.resource_version),
    ]
    assert versions == sorted(versions) and len(set(versions)) == len(versions), versions
    cm = core.read_namespaced_config_map("rv-cm", NS)
    cm.data = {"x": "y"}
    assert int(core.replace_namespaced_config_map("rv-cm", NS, cm).metadata.resource_version) > versions[-1]
    # list resourceVersions come from the same counter
    pods_rv = int(core.list_pod_for_all_namespaces().metadata.resource_version)
    assert pods_rv >= versions[-1]


def test_generation_bumped_on_spec_changes_only(kube):
    apps = kube.apps()
    apps.create_namespaced_deployment(NS, deployment("gen", replicas=1))
    assert apps.read_namespaced_deployment("gen", NS).metadata.generation == 1
    kube.kubectl("label", "deployment", "gen", "-n", NS, "tier=web")
    kube.kubectl("annotate", "deployment", "gen", "-n", NS, "note=hi")
    assert apps.read_namespaced_deployment("gen", NS).metadata.generation == 1
    apps.patch_namespaced_deployment("gen", NS, {"spec": {"replicas": 2}},
                                     _content_type="application/merge-patch+json")
    assert apps.read_namespaced_deployment("gen", NS).metadata.generation == 2
    apps.patch_namespaced_deployment_status("gen", NS, {"status": {"observedGeneration": 2}},
                                            _content_type="application/merge-patch+json")
    assert apps.read_namespaced_deployment("gen", NS).metadata.generation == 2
    kube.kubectl("set", "image", "deployment/gen", "-n", NS, "web=nginx:1.28")
    assert apps.read_namespaced_deployment("gen", NS).metadata.generation == 3


def test_finalizer_keeps_deleted_object_until_removed(kube):
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "held",
                                                        "finalizers": ["conformance.example.com/hold"]}})
    status, _, body = kube.raw("DELETE", f"/api/v1/namespaces/{NS}/configmaps/held")
    assert status == 200
    assert body["kind"] == "ConfigMap" and body["metadata"]["deletionTimestamp"]  # the object, not a Status
    held = kube.kubectl_json("get", "cm", "held", "-n", NS)
    assert RFC3339.match(held["metadata"]["deletionTimestamp"])
    assert held["metadata"]["finalizers"] == ["conformance.example.com/hold"]
    assert held["metadata"]["deletionGracePeriodSeconds"] == 0
    # deleting again changes nothing; other updates still work
    kube.kubectl("delete", "cm", "held", "-n", NS, "--wait=false")
    kube.kubectl("label", "cm", "held", "-n", NS, "still=here")
    assert kube.kubectl_json("get", "cm", "held", "-n", NS)["metadata"]["deletionTimestamp"] == \
        held["metadata"]["deletionTimestamp"]
    kube.kubectl("patch", "cm", "held", "-n", NS, "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    wait_for(lambda: kube.raw("GET", f"/api/v1/namespaces/{NS}/configmaps/held")[0] == 404, message="gone")


def test_no_new_finalizers_on_an_object_being_deleted_is_422(kube):
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "held2", "finalizers": ["example.com/a"]}})
    kube.raw("DELETE", f"/api/v1/namespaces/{NS}/configmaps/held2")
    with pytest.raises(ApiException) as caught:
        core.patch_namespaced_config_map("held2", NS, {"metadata": {"finalizers": ["example.com/a",
                                                                                   "example.com/b"]}},
                                         _content_type="application/merge-patch+json")
    body = error_body(caught.value)
    assert (caught.value.status, body["reason"]) == (422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "metadata.finalizers"
    assert "no new finalizers can be added if the object is being deleted" in body["message"]
    core.patch_namespaced_config_map("held2", NS, {"metadata": {"finalizers": []}},
                                     _content_type="application/merge-patch+json")


def test_dry_run_all_stores_nothing(kube):
    core = kube.core()
    dry = core.create_namespaced_config_map(NS, {"metadata": {"name": "dry"}, "data": {"a": "1"}}, dry_run="All")
    assert dry.metadata.name == "dry" and dry.data == {"a": "1"}
    assert dry.metadata.uid and dry.metadata.creation_timestamp
    assert not dry.metadata.resource_version
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/configmaps/dry")[0] == 404

    real = core.create_namespaced_config_map(NS, {"metadata": {"name": "dry"}, "data": {"a": "1"}})
    real.data = {"a": "2"}
    replaced = core.replace_namespaced_config_map("dry", NS, real, dry_run="All")
    assert replaced.data == {"a": "2"}
    patched = core.patch_namespaced_config_map("dry", NS, {"data": {"b": "3"}}, dry_run="All",
                                               _content_type="application/merge-patch+json")
    assert patched.data == {"a": "1", "b": "3"}
    stored = core.read_namespaced_config_map("dry", NS)
    assert stored.data == {"a": "1"} and stored.metadata.resource_version == real.metadata.resource_version

    core.delete_namespaced_config_map("dry", NS, dry_run="All")
    assert core.read_namespaced_config_map("dry", NS).metadata.resource_version == real.metadata.resource_version

    out = kube.kubectl_apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry-k", "namespace": NS},
                              "data": {"k": "v"}}, "--dry-run=server").stdout
    assert out.strip() == "configmap/dry-k created (server dry run)"
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/configmaps/dry-k")[0] == 404
    out = kube.kubectl("delete", "cm", "dry", "-n", NS, "--dry-run=server").stdout
    assert out.strip() == f'configmap "dry" deleted from {NS} namespace (server dry run)'
    assert core.read_namespaced_config_map("dry", NS).metadata.resource_version == real.metadata.resource_version


def test_field_manager_is_recorded_in_managed_fields(kube):
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": "fm"}, "data": {"a": "1"}},
                                      field_manager="conformance-suite")
    managed = kube.kubectl_json("get", "cm", "fm", "-n", NS, "--show-managed-fields")["metadata"]["managedFields"]
    assert len(managed) == 1
    entry = managed[0]
    assert (entry["manager"], entry["operation"], entry["apiVersion"], entry["fieldsType"]) == (
        "conformance-suite", "Update", "v1", "FieldsV1")
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}
    assert RFC3339.match(entry["time"])

    kube.kubectl("label", "cm", "fm", "-n", NS, "l=1")
    kube.kubectl("annotate", "cm", "fm", "-n", NS, "n=1")
    kube.kubectl("patch", "cm", "fm", "-n", NS, "-p", '{"data":{"b":"2"}}')
    core.patch_namespaced_config_map("fm", NS, {"data": {"c": "3"}}, field_manager="second-writer",
                                     _content_type="application/merge-patch+json")
    managed = kube.kubectl_json("get", "cm", "fm", "-n", NS, "--show-managed-fields")["metadata"]["managedFields"]
    by_manager = {m["manager"]: m for m in managed}
    assert set(by_manager) == {"conformance-suite", "kubectl-label", "kubectl-annotate", "kubectl-patch",
                               "second-writer"}
    assert by_manager["kubectl-label"]["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:l": {}}}}
    assert by_manager["second-writer"]["fieldsV1"] == {"f:data": {"f:c": {}}}
    assert "managedFields" not in kube.kubectl_json("get", "cm", "fm", "-n", NS)["metadata"]  # kubectl hides them

    kube.kubectl_apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fm-apply", "namespace": NS},
                        "data": {"x": "1"}})
    kube.kubectl_apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fm-ssa", "namespace": NS},
                        "data": {"x": "1"}}, "--server-side")
    client_side = kube.kubectl_json("get", "cm", "fm-apply", "-n", NS, "--show-managed-fields")
    assert [m["manager"] for m in client_side["metadata"]["managedFields"]] == ["kubectl-client-side-apply"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in client_side["metadata"]["annotations"]
    server_side = kube.kubectl_json("get", "cm", "fm-ssa", "-n", NS, "--show-managed-fields")
    assert [(m["manager"], m["operation"]) for m in server_side["metadata"]["managedFields"]] == [
        ("kubectl", "Apply")]


def test_deletecollection_with_label_and_field_selectors(kube):
    core = kube.core()
    for name, batch in (("dc-1", "x"), ("dc-2", "x"), ("dc-3", "x"), ("dc-4", "y"), ("dc-5", "y")):
        core.create_namespaced_config_map(NS, {"metadata": {"name": name, "labels": {"batch": batch}}})
    core.delete_collection_namespaced_config_map(NS, label_selector="batch=x")
    remaining = [c.metadata.name for c in core.list_namespaced_config_map(NS, label_selector="batch").items]
    assert remaining == ["dc-4", "dc-5"]
    core.delete_collection_namespaced_config_map(NS, field_selector="metadata.name=dc-4")
    assert [c.metadata.name for c in core.list_namespaced_config_map(NS, label_selector="batch").items] == ["dc-5"]
    out = kube.kubectl("delete", "cm", "-n", NS, "-l", "batch=y").stdout
    assert out.strip() == f'configmap "dc-5" deleted from {NS} namespace'
    status, _, body = kube.raw("DELETE", f"/api/v1/namespaces/{NS}/configmaps?labelSelector=batch%3Dnone")
    assert status == 200 and body["kind"] == "ConfigMapList" and body["items"] == []


def test_horizontal_pod_autoscalers_and_disruption_budgets_are_served_and_validated(kube):
    """autoscaling/v2 HPA and policy/v1 PDB: discovery, create/read, and the server's validation (422)."""
    from kubernetes import client as k8s_client

    api_client = kube.api_client()
    autoscaling = k8s_client.AutoscalingV2Api(api_client)
    policy = k8s_client.PolicyV1Api(api_client)
    groups = {g.name: [v.version for v in g.versions] for g in k8s_client.ApisApi(api_client).get_api_versions().groups}
    assert "v2" in groups["autoscaling"] and "v1" in groups["policy"]
    hpa = {"metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                                                     "name": "web"},
                                                 "minReplicas": 2, "maxReplicas": 5}}
    created = autoscaling.create_namespaced_horizontal_pod_autoscaler(NS, hpa)
    assert created.metadata.generation == 1 and created.spec.scale_target_ref.kind == "Deployment"
    # the typed client checks required fields itself: the server's own checks are reached through the dynamic one
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import DynamicApiError

    hpas = DynamicClient(api_client).resources.get(api_version="autoscaling/v2", kind="HorizontalPodAutoscaler")
    for bad, field in ((dict(hpa["spec"], maxReplicas=1), "spec.maxReplicas"),
                       ({"maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment"}}, "spec.scaleTargetRef.name")):
        with pytest.raises(DynamicApiError) as caught:
            hpas.create(body={"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                              "metadata": {"name": "bad"}, "spec": bad}, namespace=NS)
        assert caught.value.status == 422 and field in str(caught.value.body)
    pdb = {"metadata": {"name": "web"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}
    assert policy.create_namespaced_pod_disruption_budget(NS, pdb).spec.min_available == 1
    with pytest.raises(ApiException) as caught:
        policy.create_namespaced_pod_disruption_budget(NS, {"metadata": {"name": "both"}, "spec": {
            "minAvailable": 1, "maxUnavailable": "50%", "selector": {"matchLabels": {"app": "web"}}}})
    assert caught.value.status == 422 and "cannot be both set" in caught.value.body
