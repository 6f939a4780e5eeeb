"""Seed 004 on the seeded ack-app cluster, through kubectl, the Python client and kubernetes.core:
trunk ENI via eni-config + terway restart, a Fixed PodNetworking, a StatefulSet whose pods keep
their IP when they are deleted and recreated."""

import ipaddress
import json

import pytest

from conftest import run_cli
from k8s_support import *  # noqa: F401,F403 - fixtures and helpers
from sandbox.k8s.cluster import CLUSTERS

APP = "ack-app"
NS = "abc-185-7db8e"
VSWITCHES = next(spec for spec in CLUSTERS if spec.name == APP).vswitches


@pytest.fixture(scope="module")
def seeded_app(sandbox_env, admin):
    admin.clear_faults()
    admin.reset()
    run_cli("seed", env=sandbox_env)
    yield
    admin.reset()


def pod_networking(name, **allocation):
    return {"apiVersion": "network.alibabacloud.com/v1beta1", "kind": "PodNetworking", "metadata": {"name": name},
            "spec": {"allocationType": {"type": "Fixed", **allocation},
                     "selector": {"namespaceSelector": {"matchLabels": {"appname": "185"}}}}}


def statefulset_from_seeded_deployment(kube):
    """The seeded Deployment's pod template, carried over to a StatefulSet (what ack_fixed_pod_ip automates)."""
    deploy = kube.apps(APP).read_namespaced_deployment("abc-ba7b5", NS)
    template = kube.api_client(APP).sanitize_for_serialization(deploy.spec.template)
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "abc-ba7b5", "namespace": NS},
            "spec": {"serviceName": "abc-ba7b5", "replicas": 2,
                     "selector": kube.api_client(APP).sanitize_for_serialization(deploy.spec.selector),
                     "template": template}}


def test_fixed_pod_ip_survives_pod_recreation(seeded_app, kube):
    core, custom = kube.core(APP), kube.custom(APP)

    # the article's own PodNetworking (Never + releaseAfter) is refused by Terway's webhook
    denied = kube.kubectl_apply(pod_networking("podnetworking-185", releaseStrategy="Never", releaseAfter="1h"),
                                context=APP, check=False)
    assert denied.returncode != 0
    assert "releaseAfter must be empty when releaseStrategy is never" in denied.stderr

    # turn trunking on: editing eni-config alone does nothing until terway restarts
    conf = json.loads(core.read_namespaced_config_map("eni-config", "kube-system").data["eni_conf"])
    conf.update(enable_eni_trunking=True, credential_path="/var/addon/token-config")
    kube.kubectl("patch", "configmap", "eni-config", "-n", "kube-system", "--type", "merge",
                 "-p", json.dumps({"data": {"eni_conf": json.dumps(conf)}}), context=APP)
    trunk = "k8s.aliyun.com/trunk-on"
    assert not any((n.metadata.annotations or {}).get(trunk) for n in core.list_node().items)
    kube.kubectl("delete", "pod", "-n", "kube-system", "-l", "app=terway-eniip", context=APP)
    wait_for(lambda: all((n.metadata.annotations or {}).get(trunk) for n in core.list_node().items),
             message="trunk ENIs on every node")

    kube.kubectl_apply(pod_networking("podnetworking-185", releaseStrategy="Never"), context=APP)
    wait_for(lambda: (custom.get_cluster_custom_object("network.alibabacloud.com", "v1beta1", "podnetworkings",
                                                       "podnetworking-185").get("status") or {}).get("status")
             == "Ready", message="PodNetworking Ready")
    kube.kubectl("label", "namespace", NS, "appname=185", context=APP)
    kube.kubectl_apply(statefulset_from_seeded_deployment(kube), context=APP)

    def running_ips():
        pods = core.list_namespaced_pod(NS, label_selector="statefulset.kubernetes.io/pod-name").items
        return {p.metadata.name: p.status.pod_ip for p in pods if p.status.phase == "Running"}

    wait_for(lambda: len(running_ips()) == 2, message="two StatefulSet pods running")
    before = running_ips()
    networks = [ipaddress.ip_network(v["cidr"]) for v in VSWITCHES.values()]
    for name, ip in before.items():
        assert any(ipaddress.ip_address(ip) in net for net in networks), (name, ip)
        pod = core.read_namespaced_pod(name, NS)
        assert pod.metadata.annotations["k8s.aliyun.com/pod-networking"] == "podnetworking-185"
        assert pod.metadata.annotations["k8s.aliyun.com/pod-eni"] == "true"
        eni = custom.get_namespaced_custom_object("network.alibabacloud.com", "v1beta1", NS, "podenis", name)
        assert [a["ipv4"] for a in eni["spec"]["allocations"]] == [ip]

    # the Deployment's pods stay on pool IPs: Fixed only applies to fixed-name (StatefulSet) pods
    deployment_pods = core.list_namespaced_pod(NS, label_selector="!statefulset.kubernetes.io/pod-name").items
    assert deployment_pods and all("k8s.aliyun.com/pod-eni" not in (p.metadata.annotations or {})
                                   for p in deployment_pods)

    kube.kubectl("delete", "pod", "abc-ba7b5-0", "-n", NS, context=APP)
    wait_for(lambda: running_ips().get("abc-ba7b5-0") is not None, message="abc-ba7b5-0 recreated")
    assert running_ips() == before

    # and a module sees the same through kubernetes.core
    _, (info,) = kube.playbook([{"kubernetes.core.k8s_info": {
        "api_version": "network.alibabacloud.com/v1beta1", "kind": "PodENI", "namespace": NS}}], context=APP)
    assert {r["metadata"]["name"]: r["spec"]["allocations"][0]["ipv4"] for r in info["resources"]} == before
