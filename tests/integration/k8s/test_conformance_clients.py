"""Several clusters, kubernetes.core idempotency (present/absent/patched/apply) and call accounting."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from k8s_support import ApiException, CONTEXTS
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-clients"


@pytest.fixture(scope="module", autouse=True)
def namespace(kube, module_reset):
    for context in CONTEXTS:
        kube.namespace(NS, context=context)
    return NS


def configmap(name: str, data: dict, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": NS, "labels": labels or {}}, "data": data}


def deployment(name: str, image: str, replicas: int = 1) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": image}]}}}}


# ---------------------------------------------------------------------------------------------- clusters


def test_each_context_is_its_own_cluster_on_its_own_port(kube):
    config = json.loads(kube.kubectl("config", "view", "-o", "json").stdout)
    assert {c["name"] for c in config["contexts"]} == set(CONTEXTS)
    servers = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
    ports = {urllib.parse.urlsplit(servers[name]).port for name in CONTEXTS}
    assert len(ports) == 3
    node_names = {}
    for context in CONTEXTS:
        version = json.loads(kube.kubectl("get", "--raw", "/version", context=context).stdout)
        assert version["major"] == "1"
        node_names[context] = frozenset(kube.kubectl("get", "nodes", "-o", "name", context=context).stdout.split())
        assert len(node_names[context]) == 2
    assert len(set(node_names.values())) == 3  # different nodes in every cluster


def test_objects_are_not_visible_across_clusters(kube):
    kube.kubectl_apply(configmap("only-in-eks", {"a": "1"}), context="demo-eks")
    kube.core("ack-app").create_namespaced_config_map(NS, {"metadata": {"name": "only-in-app"}})
    assert kube.core("demo-eks").read_namespaced_config_map("only-in-eks", NS).data == {"a": "1"}
    for context in ("ack-app", "ack-db"):
        result = kube.kubectl("get", "cm", "only-in-eks", "-n", NS, context=context, check=False)
        assert result.returncode == 1 and "NotFound" in result.stderr, context
    for context in ("demo-eks", "ack-db"):
        with pytest.raises(ApiException) as caught:
            kube.core(context).read_namespaced_config_map("only-in-app", NS)
        assert caught.value.status == 404
    kube.core("ack-db").create_namespace({"metadata": {"name": "db-only-ns"}})
    assert "db-only-ns" not in [n.metadata.name for n in kube.core("demo-eks").list_namespace().items]
    assert "db-only-ns" in [n.metadata.name for n in kube.core("ack-db").list_namespace().items]
    # a dynamic client on another context sees its own cluster only
    cms = kube.dyn("ack-db").resources.get(api_version="v1", kind="ConfigMap")
    assert [c["metadata"]["name"] for c in cms.get(namespace=NS).to_dict()["items"]
            if c["metadata"]["name"].startswith("only-in")] == []


# ---------------------------------------------------------------------------------------------- kubernetes.core


def test_k8s_module_present_patched_absent_are_idempotent(kube):
    name = "ansible-cm"
    _, results = kube.playbook([
        {"kubernetes.core.k8s": {"state": "present", "definition": configmap(name, {"a": "1"})}},
        {"kubernetes.core.k8s": {"state": "present", "definition": configmap(name, {"a": "1"})}},
        {"kubernetes.core.k8s": {"state": "present", "definition": configmap(name, {"a": "2"})}},
        {"kubernetes.core.k8s": {"state": "patched", "kind": "ConfigMap", "name": name, "namespace": NS,
                                 "definition": {"metadata": {"labels": {"patched": "yes"}}}}},
        {"kubernetes.core.k8s": {"state": "patched", "kind": "ConfigMap", "name": name, "namespace": NS,
                                 "definition": {"metadata": {"labels": {"patched": "yes"}}}}},
        {"kubernetes.core.k8s_info": {"kind": "ConfigMap", "name": name, "namespace": NS}},
        {"kubernetes.core.k8s": {"state": "absent", "kind": "ConfigMap", "name": name, "namespace": NS}},
        {"kubernetes.core.k8s": {"state": "absent", "kind": "ConfigMap", "name": name, "namespace": NS}},
    ])
    created, same, changed, patched, patched_again, info, deleted, deleted_again = results
    assert created["changed"] is True and created["method"] == "create"
    assert created["result"]["data"] == {"a": "1"}
    assert same["changed"] is False
    assert changed["changed"] is True and changed["result"]["data"] == {"a": "2"}
    assert patched["changed"] is True
    assert patched_again["changed"] is False
    (live,) = info["resources"]
    assert live["metadata"]["labels"] == {"patched": "yes"} and live["data"] == {"a": "2"}
    assert deleted["changed"] is True and deleted_again["changed"] is False
    assert kube.raw("GET", f"/api/v1/namespaces/{NS}/configmaps/{name}")[0] == 404


def test_k8s_module_apply_is_idempotent(kube):
    _, results = kube.playbook([
        {"kubernetes.core.k8s": {"apply": True, "definition": deployment("applied", "nginx:1.27")}},
        {"kubernetes.core.k8s": {"apply": True, "definition": deployment("applied", "nginx:1.27")}},
        {"kubernetes.core.k8s": {"apply": True, "definition": deployment("applied", "nginx:1.28")}},
        {"kubernetes.core.k8s": {"apply": True, "server_side_apply": {"field_manager": "ansible-ssa"},
                                 "definition": configmap("ssa-cm", {"k": "v"})}},
        {"kubernetes.core.k8s": {"apply": True, "server_side_apply": {"field_manager": "ansible-ssa"},
                                 "definition": configmap("ssa-cm", {"k": "v"})}},
    ])
    first, second, third, ssa, ssa_again = results
    assert first["changed"] is True
    assert "kubectl.kubernetes.io/last-applied-configuration" in first["result"]["metadata"]["annotations"]
    assert second["changed"] is False
    assert third["changed"] is True
    assert third["result"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert kube.apps().read_namespaced_deployment("applied", NS).spec.template.spec.containers[0].image == \
        "nginx:1.28"
    assert ssa["changed"] is True and ssa_again["changed"] is False
    managers = [(m.manager, m.operation) for m in kube.core().read_namespaced_config_map("ssa-cm", NS).metadata
                .managed_fields]
    assert ("ansible-ssa", "Apply") in managers


def test_call_accounting_for_a_kubernetes_core_run(kube, admin):
    admin.reset_calls()
    kube.playbook([
        {"kubernetes.core.k8s": {"state": "present", "definition": configmap("counted", {"a": "1"})}},
        {"kubernetes.core.k8s_info": {"kind": "ConfigMap", "name": "counted", "namespace": NS}},
        {"kubernetes.core.k8s": {"state": "absent", "kind": "ConfigMap", "name": "counted", "namespace": NS}},
    ], context="ack-db")
    snap = admin.calls()
    assert set(snap["services"]) == {"k8s:ack-db"}  # nothing reached the other clusters
    service = snap["services"]["k8s:ack-db"]
    actions = service["actions"]
    assert actions["create configmaps"] == {"kind": "write", "calls": 1, "faults": {}}
    assert actions["delete configmaps"] == {"kind": "write", "calls": 1, "faults": {}}
    assert actions["get configmaps"]["kind"] == "read" and actions["get configmaps"]["calls"] >= 2
    assert actions["get discovery"]["kind"] == "read" and actions["get discovery"]["calls"] >= 1
    assert set(actions) <= {"create configmaps", "delete configmaps", "get configmaps", "get discovery"}
    assert service["writes"] == 2 and service["faults"] == {}
    assert service["reads"] == sum(a["calls"] for a in actions.values() if a["kind"] == "read")
    assert snap["totals"] == {"reads": service["reads"], "writes": 2, "faults": 0}
