"""Simulated workload controllers: Deployments, ReplicaSets, StatefulSets and DaemonSets make Running, Ready pods."""

from __future__ import annotations

import ipaddress
import re

import pytest

from k8s_support import wait_for
from k8s_support import kube, module_reset  # noqa: F401 - fixtures

NS = "conf-workloads"
POD_CIDR = ipaddress.ip_network("10.0.16.0/20")  # demo-eks
SAFE = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery rand.SafeEncodeString / rand.String alphabet


@pytest.fixture(scope="module", autouse=True)
def namespace(kube, module_reset):
    return kube.namespace(NS)


def deployment(name: str, replicas: int, image: str = "nginx:1.27") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": image,
                                                           "ports": [{"containerPort": 80}]}]}}}}


def pods(kube, selector: str) -> list:
    return [p for p in kube.core().list_namespaced_pod(NS, label_selector=selector).items
            if not p.metadata.deletion_timestamp]


def ready(pod) -> bool:
    return pod.status.phase == "Running" and any(c.type == "Ready" and c.status == "True"
                                                 for c in pod.status.conditions or [])


def test_deployment_makes_ready_pods_with_hashed_names(kube):
    kube.kubectl_apply(deployment("web", 3))
    apps = kube.apps()
    deploy = wait_for(lambda: (d := apps.read_namespaced_deployment("web", NS)).status.ready_replicas == 3 and d,
                      message="3 ready replicas")
    assert deploy.status.available_replicas == 3 and deploy.status.updated_replicas == 3
    assert deploy.status.replicas == 3
    assert deploy.status.observed_generation == deploy.metadata.generation
    conditions = {c.type: c for c in deploy.status.conditions}
    assert conditions["Available"].status == "True" and conditions["Progressing"].status == "True"

    (rs,) = apps.list_namespaced_replica_set(NS, label_selector="app=web").items
    pod_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{pod_hash}"
    assert re.fullmatch(f"[{SAFE}]{{1,10}}", pod_hash)
    assert rs.spec.selector.match_labels == {"app": "web", "pod-template-hash": pod_hash}
    owner = rs.metadata.owner_references[0]
    assert (owner.kind, owner.name, owner.uid, owner.controller) == ("Deployment", "web", deploy.metadata.uid, True)
    assert rs.metadata.annotations["deployment.kubernetes.io/revision"] == "1"
    assert rs.status.ready_replicas == 3

    web_pods = pods(kube, "app=web")
    assert len(web_pods) == 3
    ips = set()
    for pod in web_pods:
        assert re.fullmatch(f"web-{pod_hash}-[{SAFE}]{{5}}", pod.metadata.name), pod.metadata.name
        assert pod.metadata.labels == {"app": "web", "pod-template-hash": pod_hash}
        assert pod.metadata.owner_references[0].kind == "ReplicaSet"
        assert pod.metadata.owner_references[0].uid == rs.metadata.uid
        assert ready(pod)
        assert pod.status.container_statuses[0].ready is True
        assert pod.status.container_statuses[0].state.running is not None
        assert pod.spec.node_name
        assert ipaddress.ip_address(pod.status.pod_ip) in POD_CIDR
        assert pod.status.host_ip
        ips.add(pod.status.pod_ip)
    assert len(ips) == 3

    line = kube.kubectl("get", "deployment", "web", "-n", NS, "--no-headers").stdout.split()
    assert line[:4] == ["web", "3/3", "3", "3"]


def test_scaling_changes_the_pods(kube):
    kube.kubectl_apply(deployment("scale", 2))
    wait_for(lambda: len(pods(kube, "app=scale")) == 2, message="2 pods")
    kube.kubectl("scale", "deployment/scale", "-n", NS, "--replicas=5")
    wait_for(lambda: len([p for p in pods(kube, "app=scale") if ready(p)]) == 5, message="5 ready pods")
    assert kube.apps().read_namespaced_deployment("scale", NS).status.ready_replicas == 5
    kube.kubectl("scale", "deployment/scale", "-n", NS, "--replicas=1")
    wait_for(lambda: len(pods(kube, "app=scale")) == 1, message="1 pod")
    wait_for(lambda: kube.apps().read_namespaced_deployment("scale", NS).status.ready_replicas == 1,
             message="1 ready replica")
    kube.kubectl("scale", "deployment/scale", "-n", NS, "--replicas=0")
    wait_for(lambda: pods(kube, "app=scale") == [], message="no pods")
    assert not kube.apps().read_namespaced_deployment("scale", NS).status.ready_replicas


def test_template_change_rolls_out_a_new_replicaset(kube):
    kube.kubectl_apply(deployment("roll", 2))
    first = wait_for(lambda: kube.apps().list_namespaced_replica_set(NS, label_selector="app=roll").items,
                     message="replicaset")[0]
    kube.kubectl("set", "image", "deployment/roll", "-n", NS, "web=nginx:1.28")

    def rolled():
        sets = kube.apps().list_namespaced_replica_set(NS, label_selector="app=roll").items
        new = [rs for rs in sets if rs.metadata.name != first.metadata.name]
        return new and new[0].status.ready_replicas == 2 and (sets, new[0])

    sets, new = wait_for(rolled, message="new replicaset ready")
    assert len(sets) == 2
    assert new.metadata.annotations["deployment.kubernetes.io/revision"] == "2"
    old = kube.apps().read_namespaced_replica_set(first.metadata.name, NS)
    assert old.spec.replicas == 0
    current = pods(kube, "app=roll")
    wait_for(lambda: len(pods(kube, "app=roll")) == 2, message="2 pods")
    current = pods(kube, "app=roll")
    assert {p.metadata.labels["pod-template-hash"] for p in current} == {new.metadata.labels["pod-template-hash"]}
    assert {p.spec.containers[0].image for p in current} == {"nginx:1.28"}
    history = kube.kubectl("rollout", "history", "deployment/roll", "-n", NS).stdout
    assert "1" in history and "2" in history


def test_deleted_pod_is_replaced(kube):
    kube.kubectl_apply(deployment("heal", 2))
    before = wait_for(lambda: (ps := pods(kube, "app=heal")) and len(ps) == 2 and ps, message="2 pods")
    victim = before[0].metadata.name
    kube.core().delete_namespaced_pod(victim, NS)
    after = wait_for(lambda: (ps := pods(kube, "app=heal")) and len(ps) == 2 and victim not in
                     {p.metadata.name for p in ps} and ps, message="replacement pod")
    assert all(ready(p) for p in after)


def test_deleting_a_workload_deletes_its_pods(kube):
    kube.kubectl_apply(deployment("doomed", 2))
    wait_for(lambda: len(pods(kube, "app=doomed")) == 2, message="2 pods")
    kube.kubectl("delete", "deployment", "doomed", "-n", NS, "--timeout=20s")
    wait_for(lambda: kube.apps().list_namespaced_replica_set(NS, label_selector="app=doomed").items == [],
             message="replicaset collected")
    wait_for(lambda: kube.core().list_namespaced_pod(NS, label_selector="app=doomed").items == [],
             message="pods collected")


def test_statefulset_pods_are_ordinal(kube):
    kube.kubectl_apply({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": NS},
                        "spec": {"serviceName": "db", "replicas": 3, "selector": {"matchLabels": {"app": "db"}},
                                 "template": {"metadata": {"labels": {"app": "db"}},
                                              "spec": {"containers": [{"name": "pg", "image": "postgres:16"}]}}}})
    apps = kube.apps()
    wait_for(lambda: apps.read_namespaced_stateful_set("db", NS).status.ready_replicas == 3, message="3 ready")
    db_pods = sorted(pods(kube, "app=db"), key=lambda p: p.metadata.name)
    assert [p.metadata.name for p in db_pods] == ["db-0", "db-1", "db-2"]
    for index, pod in enumerate(db_pods):
        assert pod.metadata.labels["statefulset.kubernetes.io/pod-name"] == f"db-{index}"
        assert pod.metadata.labels["apps.kubernetes.io/pod-index"] == str(index)
        assert pod.spec.hostname == f"db-{index}" and pod.spec.subdomain == "db"
        assert pod.metadata.owner_references[0].kind == "StatefulSet"
        assert ready(pod) and ipaddress.ip_address(pod.status.pod_ip) in POD_CIDR
    status = apps.read_namespaced_stateful_set("db", NS).status
    assert status.replicas == 3 and status.current_revision == status.update_revision
    assert kube.kubectl("get", "sts", "db", "-n", NS, "--no-headers").stdout.split()[:2] == ["db", "3/3"]

    kube.kubectl("scale", "statefulset/db", "-n", NS, "--replicas=1")
    wait_for(lambda: [p.metadata.name for p in pods(kube, "app=db")] == ["db-0"], message="only db-0")
    kube.kubectl("delete", "statefulset", "db", "-n", NS)
    wait_for(lambda: kube.core().list_namespaced_pod(NS, label_selector="app=db").items == [],
             message="pods collected")


def test_daemonset_runs_one_pod_per_node(kube):
    kube.kubectl_apply({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": NS},
                        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                                 "template": {"metadata": {"labels": {"app": "agent"}},
                                              "spec": {"containers": [{"name": "a", "image": "fluent-bit:3"}]}}}})
    nodes = {n.metadata.name for n in kube.core().list_node().items}
    wait_for(lambda: kube.apps().read_namespaced_daemon_set("agent", NS).status.number_ready == len(nodes),
             message="ready on every node")
    agent_pods = pods(kube, "app=agent")
    assert {p.spec.node_name for p in agent_pods} == nodes and len(agent_pods) == len(nodes)
    status = kube.apps().read_namespaced_daemon_set("agent", NS).status
    assert status.desired_number_scheduled == status.current_number_scheduled == len(nodes)
    kube.kubectl("delete", "daemonset", "agent", "-n", NS)
    wait_for(lambda: kube.core().list_namespaced_pod(NS, label_selector="app=agent").items == [],
             message="pods collected")


def test_kubectl_rollout_status(kube):
    kube.kubectl_apply(deployment("rollout", 2))
    result = kube.kubectl("rollout", "status", "deployment/rollout", "-n", NS, "--timeout=5s", check=False,
                          timeout=40)
    assert result.returncode == 0, result.stderr
    assert 'deployment "rollout" successfully rolled out' in result.stdout


def test_kubectl_wait_for_condition_available(kube):
    kube.kubectl_apply(deployment("waited", 2))
    result = kube.kubectl("wait", "--for=condition=Available", "deployment/waited", "-n", NS, "--timeout=5s",
                          check=False, timeout=40)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "deployment.apps/waited condition met"


def test_kubernetes_core_k8s_wait_on_a_deployment(kube):
    _, (applied, again) = kube.playbook([
        {"kubernetes.core.k8s": {"state": "present", "definition": deployment("ansible-web", 2),
                                 "wait": True, "wait_timeout": 30, "wait_sleep": 1}},
        {"kubernetes.core.k8s": {"state": "present", "definition": deployment("ansible-web", 2),
                                 "wait": True, "wait_timeout": 30, "wait_sleep": 1}},
    ])
    assert applied["changed"] is True
    assert applied["result"]["status"]["readyReplicas"] == 2
    assert applied["duration"] < 30
    assert again["changed"] is False
    assert len(pods(kube, "app=ansible-web")) == 2
