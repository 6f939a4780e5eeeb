"""Watch: ADDED/MODIFIED/DELETED with increasing resourceVersions, resume from a resourceVersion, selectors,
streaming lists (sendInitialEvents), the Python client's Watch, the DynamicClient and ``kubectl get -w``."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.request

import pytest
from kubernetes import watch

from k8s_support import DEFAULT_CONTEXT, KUBECTL
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-watch"
MERGE = "application/merge-patch+json"


@pytest.fixture(scope="module", autouse=True)
def namespace(kube, module_reset):
    return kube.namespace(NS)


def churn(kube, name: str, label: str) -> None:
    core = kube.core()
    core.create_namespaced_config_map(NS, {"metadata": {"name": name, "labels": {"w": label}}, "data": {"v": "1"}})
    core.patch_namespaced_config_map(name, NS, {"data": {"v": "2"}}, _content_type=MERGE)
    core.delete_namespaced_config_map(name, NS)


def collect(kube, label: str, **kwargs) -> list[tuple[str, str, int, dict]]:
    events = []
    stream = watch.Watch().stream(kube.core().list_namespaced_config_map, NS, label_selector=f"w={label}",
                                  timeout_seconds=kwargs.pop("timeout_seconds", 1), **kwargs)
    for event in stream:
        obj = event["raw_object"]
        events.append((event["type"], obj["metadata"]["name"], int(obj["metadata"]["resourceVersion"]), obj))
    return events


def test_python_watch_sees_added_modified_deleted_in_order(kube):
    start = kube.core().list_namespaced_config_map(NS).metadata.resource_version
    churn(kube, "w1", "order")
    events = collect(kube, "order", resource_version=start)
    assert [(t, n) for t, n, _, _ in events] == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    versions = [rv for _, _, rv, _ in events]
    assert versions == sorted(versions) and len(set(versions)) == 3
    assert versions[0] > int(start)
    assert events[1][3]["data"] == {"v": "2"}
    assert events[0][3]["kind"] == "ConfigMap" and events[0][3]["apiVersion"] == "v1"


def test_python_watch_receives_events_as_they_happen(kube):
    start = kube.core().list_namespaced_config_map(NS).metadata.resource_version
    seen, done = [], threading.Event()

    def watcher():
        w = watch.Watch()
        for event in w.stream(kube.core().list_namespaced_config_map, NS, label_selector="w=live",
                              resource_version=start, timeout_seconds=10):
            seen.append((event["type"], event["object"].metadata.name))
            if event["type"] == "DELETED":
                w.stop()
        done.set()

    thread = threading.Thread(target=watcher, daemon=True)
    thread.start()
    time.sleep(0.5)
    churn(kube, "w-live", "live")
    assert done.wait(8), f"watch did not deliver DELETED in time; saw {seen}"
    assert seen == [("ADDED", "w-live"), ("MODIFIED", "w-live"), ("DELETED", "w-live")]


def test_watch_resumes_from_a_resource_version(kube):
    start = kube.core().list_namespaced_config_map(NS).metadata.resource_version
    churn(kube, "w2", "resume")
    events = collect(kube, "resume", resource_version=start)
    added_rv, modified_rv = events[0][2], events[1][2]
    assert [t for t, *_ in collect(kube, "resume", resource_version=str(added_rv))] == ["MODIFIED", "DELETED"]
    assert [t for t, *_ in collect(kube, "resume", resource_version=str(modified_rv))] == ["DELETED"]
    assert collect(kube, "resume", resource_version=str(events[2][2]), timeout_seconds=1) == []


def test_watch_without_resource_version_starts_with_the_current_state(kube):
    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "present", "labels": {"w": "state"}}})
    events = collect(kube, "state", timeout_seconds=1)
    assert [(t, n) for t, n, _, _ in events] == [("ADDED", "present")]


def test_watch_filters_by_label_and_field_selector(kube):
    start = kube.core().list_namespaced_config_map(NS).metadata.resource_version
    churn(kube, "w-a", "sel")
    churn(kube, "w-b", "other")
    assert {n for _, n, _, _ in collect(kube, "sel", resource_version=start)} == {"w-a"}
    events = list(watch.Watch().stream(kube.core().list_namespaced_config_map, NS, resource_version=start,
                                       field_selector="metadata.name=w-b", timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "w-b"), ("MODIFIED", "w-b"), ("DELETED", "w-b")]


def test_dynamic_client_watch(kube):
    cms = kube.dyn().resources.get(api_version="v1", kind="ConfigMap")
    start = cms.get(namespace=NS).metadata.resourceVersion
    churn(kube, "w-dyn", "dyn")
    events = [(e["type"], e["object"].metadata.name) for e in cms.watch(
        namespace=NS, label_selector="w=dyn", resource_version=start, timeout=1)]
    assert events == [("ADDED", "w-dyn"), ("MODIFIED", "w-dyn"), ("DELETED", "w-dyn")]


def test_streaming_list_ends_initial_events_with_an_annotated_bookmark(kube):
    """sendInitialEvents=true (what kubectl wait / rollout status / informers of client-go 1.3x send): synthetic
    ADDED events for the current state, then one BOOKMARK annotated k8s.io/initial-events-end=true."""
    for name in ("si-a", "si-b"):
        kube.core().create_namespaced_config_map(NS, {"metadata": {"name": name, "labels": {"w": "si"}}})
    url = (f"{kube.servers[DEFAULT_CONTEXT]}/api/v1/namespaces/{NS}/configmaps?watch=true&labelSelector=w%3Dsi"
           f"&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {kube.tokens[DEFAULT_CONTEXT]}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        events = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    types = [e["type"] for e in events]
    assert types[:2] == ["ADDED", "ADDED"], types
    assert {e["object"]["metadata"]["name"] for e in events[:2]} == {"si-a", "si-b"}
    assert len(types) >= 3 and types[2] == "BOOKMARK", types
    bookmark = events[2]["object"]
    assert bookmark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["metadata"]["resourceVersion"]) >= max(
        int(e["object"]["metadata"]["resourceVersion"]) for e in events[:2])


def run_kubectl_watch(kube, label: str, name: str, *output: str) -> tuple[str, str]:
    """Start ``kubectl get -w``, make some events, return what kubectl printed by the time its request ended."""
    proc = subprocess.Popen([KUBECTL, "--context", DEFAULT_CONTEXT, "get", "configmaps", "-n", NS, "-l", f"w={label}",
                             "--watch", *output, "--request-timeout=4s"],
                            env=kube.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        churn(kube, name, label)
        try:
            return proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_kubectl_get_watch_names(kube):
    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "kw-existing", "labels": {"w": "kubectl"}}})
    out, err = run_kubectl_watch(kube, "kubectl", "kw-new", "-o", "name")
    assert out.splitlines() == ["configmap/kw-existing"] + ["configmap/kw-new"] * 3, (out, err)


def test_kubectl_get_watch_prints_server_side_table_rows(kube):
    """kubectl asks for Table watch events (Accept: application/json;as=Table;g=meta.k8s.io): every event is a row
    of the same columns as the initial list, so the header is printed once."""
    kube.core().create_namespaced_config_map(NS, {"metadata": {"name": "kt-existing", "labels": {"w": "table"}},
                                                  "data": {"a": "1", "b": "2"}})
    out, err = run_kubectl_watch(kube, "table", "kt-new", "--output-watch-events")
    lines = [line.split() for line in out.splitlines() if line.strip()]
    assert lines[0] == ["EVENT", "NAME", "DATA", "AGE"], (out, err)
    assert [line[:3] for line in lines[1:]] == [["ADDED", "kt-existing", "2"], ["ADDED", "kt-new", "1"],
                                               ["MODIFIED", "kt-new", "1"], ["DELETED", "kt-new", "1"]], (out, err)


def test_watch_response_starts_before_the_first_event(kube):
    """The apiserver writes 200 and flushes as soon as a watch is established; clients with a request timeout
    (kubectl --request-timeout, client-go) otherwise see a quiet watch as a hung request."""
    url = (f"{kube.servers[DEFAULT_CONTEXT]}/api/v1/namespaces/{NS}/configmaps?watch=true"
           f"&labelSelector=w%3Dnothing-will-come&timeoutSeconds=3")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {kube.tokens[DEFAULT_CONTEXT]}"})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        waited = time.monotonic() - started
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
    assert waited < 2, f"watch response headers took {waited:.1f}s (sent only with the first event?)"
