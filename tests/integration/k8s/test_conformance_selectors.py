"""List with label selectors (equality and set-based) and field selectors, through all three clients."""

from __future__ import annotations

import pytest

from k8s_support import wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-selectors"
OTHER_NS = "conf-selectors-other"
OBJECTS = {  # name -> labels; every one also carries suite=selectors
    "cm-uat": {"env": "uat"},
    "cm-prod": {"env": "prod"},
    "cm-prod-legacy": {"env": "prod", "legacy": "true"},
    "cm-dev": {"env": "dev"},
    "cm-none": {"team": "a"},
}
SELECTIONS = [
    ("env in (uat,prod),!legacy", {"cm-uat", "cm-prod"}),
    ("env in (uat, prod), !legacy", {"cm-uat", "cm-prod"}),
    ("env=prod", {"cm-prod", "cm-prod-legacy"}),
    ("env==prod", {"cm-prod", "cm-prod-legacy"}),
    ("env!=prod", {"cm-uat", "cm-dev", "cm-none"}),  # != also matches objects without the key
    ("env notin (prod,dev)", {"cm-uat", "cm-none"}),
    ("env", {"cm-uat", "cm-prod", "cm-prod-legacy", "cm-dev"}),
    ("!env", {"cm-none"}),
    ("env in (prod),legacy=true", {"cm-prod-legacy"}),
    ("legacy in (false)", set()),
    ("", set(OBJECTS)),
]


@pytest.fixture(scope="module", autouse=True)
def objects(kube, module_reset):
    kube.namespace(NS)
    kube.namespace(OTHER_NS)
    core = kube.core()
    for name, labels in OBJECTS.items():
        core.create_namespaced_config_map(NS, {"metadata": {"name": name, "labels": {"suite": "selectors",
                                                                                     **labels}}})
    core.create_namespaced_config_map(OTHER_NS, {"metadata": {"name": "cm-uat", "labels": {
        "suite": "selectors", "env": "uat"}}})
    return OBJECTS


def with_suite(selector: str) -> str:
    return ",".join(part for part in ("suite=selectors", selector) if part)


@pytest.mark.parametrize("selector,expected", SELECTIONS, ids=[s or "<empty>" for s, _ in SELECTIONS])
def test_label_selector_python_client(kube, selector, expected):
    items = kube.core().list_namespaced_config_map(NS, label_selector=with_suite(selector)).items
    assert {c.metadata.name for c in items} == expected


def test_label_selectors_kubectl(kube):
    for selector, expected in SELECTIONS:
        out = kube.kubectl("get", "configmaps", "-n", NS, "-l", with_suite(selector), "-o", "name").stdout.split()
        assert set(out) == {f"configmap/{name}" for name in expected}, selector


def test_label_selector_dynamic_client_and_all_namespaces(kube):
    cms = kube.dyn().resources.get(api_version="v1", kind="ConfigMap")
    items = cms.get(label_selector="suite=selectors,env in (uat,prod),!legacy").to_dict()["items"]
    assert sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in items) == [
        (NS, "cm-prod"), (NS, "cm-uat"), (OTHER_NS, "cm-uat")]
    out = kube.kubectl("get", "cm", "-A", "-l", "suite=selectors,env=uat", "--no-headers").stdout.splitlines()
    assert sorted(line.split()[0] for line in out) == [NS, OTHER_NS]


def test_field_selectors_on_name_and_namespace(kube):
    core = kube.core()
    by_name = core.list_namespaced_config_map(NS, field_selector="metadata.name=cm-dev").items
    assert [c.metadata.name for c in by_name] == ["cm-dev"]
    not_name = core.list_namespaced_config_map(NS, field_selector="metadata.name!=cm-dev",
                                               label_selector="suite=selectors").items
    assert {c.metadata.name for c in not_name} == set(OBJECTS) - {"cm-dev"}
    in_ns = core.list_config_map_for_all_namespaces(field_selector=f"metadata.namespace={OTHER_NS}",
                                                    label_selector="suite=selectors").items
    assert [(c.metadata.namespace, c.metadata.name) for c in in_ns] == [(OTHER_NS, "cm-uat")]
    both = core.list_config_map_for_all_namespaces(
        field_selector=f"metadata.name=cm-uat,metadata.namespace={NS}").items
    assert [(c.metadata.namespace, c.metadata.name) for c in both] == [(NS, "cm-uat")]
    out = kube.kubectl("get", "cm", "-A", "--field-selector", "metadata.name=cm-uat", "-o", "name").stdout.split()
    assert out == ["configmap/cm-uat", "configmap/cm-uat"]
    out = kube.kubectl("get", "namespaces", "--field-selector", f"metadata.name={NS}", "-o", "name").stdout.split()
    assert out == [f"namespace/{NS}"]
    # cluster-scoped kinds select on the set-based label selector too
    out = kube.kubectl("get", "ns", "-l", "kubernetes.io/metadata.name in (default,kube-system)",
                       "-o", "name").stdout.split()
    assert sorted(out) == ["namespace/default", "namespace/kube-system"]


def test_pod_field_selectors(kube):
    core = kube.core()
    for name in ("sel-a", "sel-b"):
        core.create_namespaced_pod(NS, {"metadata": {"name": name}, "spec": {
            "containers": [{"name": "c", "image": "busybox:1.36"}]}})
    wait_for(lambda: all(p.status.phase == "Running" for p in core.list_namespaced_pod(NS).items), message="Running")
    running = core.list_namespaced_pod(NS, field_selector="status.phase=Running").items
    assert {p.metadata.name for p in running} == {"sel-a", "sel-b"}
    assert core.list_namespaced_pod(NS, field_selector="status.phase=Pending").items == []
    node = core.read_namespaced_pod("sel-a", NS).spec.node_name
    on_node = core.list_namespaced_pod(NS, field_selector=f"spec.nodeName={node}").items
    assert "sel-a" in {p.metadata.name for p in on_node}
    assert all(p.spec.node_name == node for p in on_node)


def test_list_pagination_with_limit_and_continue(kube):
    core = kube.core()
    first = core.list_namespaced_config_map(NS, label_selector="suite=selectors", limit=2)
    assert [c.metadata.name for c in first.items] == ["cm-dev", "cm-none"]  # name order
    assert first.metadata._continue and first.metadata.remaining_item_count == 3
    second = core.list_namespaced_config_map(NS, label_selector="suite=selectors", limit=2,
                                             _continue=first.metadata._continue)
    assert [c.metadata.name for c in second.items] == ["cm-prod", "cm-prod-legacy"]
    third = core.list_namespaced_config_map(NS, label_selector="suite=selectors", limit=2,
                                            _continue=second.metadata._continue)
    assert [c.metadata.name for c in third.items] == ["cm-uat"]
    assert not third.metadata._continue
    out = kube.kubectl("get", "cm", "-n", NS, "-l", "suite=selectors", "--chunk-size=1", "-o", "name").stdout.split()
    assert len(out) == 5


def test_kubernetes_core_k8s_info_label_and_field_selectors(kube):
    _, (by_labels, by_fields, combined) = kube.playbook([
        {"kubernetes.core.k8s_info": {"kind": "ConfigMap", "namespace": NS,
                                      "label_selectors": ["suite=selectors", "env in (uat,prod)", "!legacy"]}},
        {"kubernetes.core.k8s_info": {"kind": "ConfigMap", "namespace": NS,
                                      "field_selectors": ["metadata.name=cm-dev"]}},
        {"kubernetes.core.k8s_info": {"kind": "ConfigMap",
                                      "label_selectors": ["env=uat"],
                                      "field_selectors": [f"metadata.namespace={OTHER_NS}"]}},
    ])
    assert {r["metadata"]["name"] for r in by_labels["resources"]} == {"cm-uat", "cm-prod"}
    assert by_labels["api_found"] is True and by_labels["changed"] is False
    assert [r["metadata"]["name"] for r in by_fields["resources"]] == ["cm-dev"]
    assert [(r["metadata"]["namespace"], r["metadata"]["name"]) for r in combined["resources"]] == [
        (OTHER_NS, "cm-uat")]
