"""Terway on an in-process ACK cluster: trunk ENIs, PodNetworking webhooks and status, PodENIs, fixed IPs."""

from __future__ import annotations

import ipaddress
import json

import pytest

from sandbox.k8s import crds, errors
from sandbox.k8s.cluster import CLUSTERS, Cluster
from sandbox.k8s.controllers import terway

ACK_APP = next(spec for spec in CLUSTERS if spec.name == "ack-app")
VSW_H, VSW_I = sorted(ACK_APP.vswitches)
NS = "abc-185-7db8e"
SG = "sg-bp1appnodes0000000"


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


class Env:
    """An ack-app cluster with the Terway addon as the seed installs it: trunking off, controlplane ready."""

    def __init__(self, trunking: bool = False, conf_extra: dict | None = None) -> None:
        self.cluster = Cluster(ACK_APP)
        self.api = self.cluster.api
        self.clock = FakeClock()
        self.cluster.terway.clock = self.clock
        for crd in crds.crd_manifests():
            self.api.create(self.rt("apiextensions.k8s.io/v1", "customresourcedefinitions"), "", crd)
        self.conf = {"version": "1", "max_pool_size": 5, "min_pool_size": 0,
                     "vswitches": {"cn-hangzhou-h": [VSW_H], "cn-hangzhou-i": [VSW_I]},
                     "security_group": SG, "service_cidr": ACK_APP.service_cidr,
                     "vswitch_selection_policy": "ordered", **(conf_extra or {})}
        if trunking:
            self.conf["enable_eni_trunking"] = True
        self.api.create(self.rt("v1", "configmaps"), "kube-system", {
            "metadata": {"name": "eni-config"}, "data": {"eni_conf": json.dumps(self.conf),
                                                        "disable_network_policy": "false"}})
        self.api.create(self.rt("apps/v1", "daemonsets"), "kube-system", self._workload(
            "terway-eniip", {"app": "terway-eniip"}, host_network=True))
        self.api.create(self.rt("apps/v1", "deployments"), "kube-system", self._workload(
            "terway-controlplane", {"app": "terway-controlplane"}, host_network=True, replicas=1))
        self.api.create(self.rt("v1", "namespaces"), "", {"metadata": {"name": NS}})

    # ---------------------------------------------------------------- helpers

    def rt(self, api_version: str, plural: str):
        return self.api.resource(api_version, plural)

    @property
    def pn_rt(self):
        return self.rt("network.alibabacloud.com/v1beta1", "podnetworkings")

    @property
    def podeni_rt(self):
        return self.rt("network.alibabacloud.com/v1beta1", "podenis")

    @staticmethod
    def _workload(name, labels, host_network=False, replicas=None, extra_spec=None):
        body = {"metadata": {"name": name, "labels": dict(labels)},
                "spec": {"selector": {"matchLabels": dict(labels)},
                         "template": {"metadata": {"labels": dict(labels)},
                                      "spec": {"containers": [{"name": "main", "image": f"registry.local/{name}:v1"}],
                                               **({"hostNetwork": True} if host_network else {})}},
                         **(extra_spec or {})}}
        if replicas is not None:
            body["spec"]["replicas"] = replicas
        return body

    def set_conf(self, **changes) -> None:
        self.conf.update(changes)
        cm = self.api.get(self.rt("v1", "configmaps"), "kube-system", "eni-config")
        cm["data"]["eni_conf"] = json.dumps(self.conf)
        self.api.update(self.rt("v1", "configmaps"), "kube-system", "eni-config", cm)

    def restart_terway(self) -> None:
        """`kubectl delete pod -n kube-system -l app=terway-eniip` (the DaemonSet recreates them)."""
        pods = self.rt("v1", "pods")
        for pod in self.api.list(pods, "kube-system", label_selector="app=terway-eniip")["items"]:
            self.api.delete(pods, "kube-system", pod["metadata"]["name"])

    def enable_trunking(self) -> None:
        self.set_conf(enable_eni_trunking=True, credential_path="/var/addon/token-config")
        self.restart_terway()

    def trunk_annotations(self) -> dict:
        return {n["metadata"]["name"]: (n["metadata"].get("annotations") or {}).get(terway.ANN_TRUNK_ON)
                for n in self.api.list(self.rt("v1", "nodes"), None)["items"]}

    def label_namespace(self, labels: dict) -> None:
        ns = self.api.get(self.rt("v1", "namespaces"), "", NS)
        ns["metadata"].setdefault("labels", {}).update(labels)
        self.api.update(self.rt("v1", "namespaces"), "", NS, ns)

    def create_pn(self, name: str, **spec) -> dict:
        return self.api.create(self.pn_rt, "", {"apiVersion": "network.alibabacloud.com/v1beta1",
                                                "kind": "PodNetworking", "metadata": {"name": name}, "spec": spec})

    def pn(self, name: str) -> dict:
        return self.api.get(self.pn_rt, "", name)

    def create_sts(self, name: str, replicas: int = 2, labels: dict | None = None) -> None:
        labels = labels or {"projectkey": name}
        self.api.create(self.rt("apps/v1", "statefulsets"), NS, self._workload(
            name, labels, replicas=replicas, extra_spec={"serviceName": name}))

    def scale(self, plural: str, namespace: str, name: str, replicas: int) -> None:
        rt = self.rt("apps/v1", plural)
        obj = self.api.get(rt, namespace, name)
        obj["spec"]["replicas"] = replicas
        self.api.update(rt, namespace, name, obj)

    def pods(self, namespace: str = NS, selector: str = "") -> dict[str, dict]:
        return {p["metadata"]["name"]: p for p in
                self.api.list(self.rt("v1", "pods"), namespace, label_selector=selector)["items"]}

    def delete_pod(self, name: str, namespace: str = NS) -> None:
        self.api.delete(self.rt("v1", "pods"), namespace, name)

    def podeni(self, name: str, namespace: str = NS) -> dict | None:
        try:
            return self.api.get(self.podeni_rt, namespace, name)
        except errors.ApiError as exc:
            if exc.code == 404:
                return None
            raise

    def events(self, namespace: str, reason: str) -> list[dict]:
        return [e for e in self.api.list(self.rt("v1", "events"), namespace)["items"] if e["reason"] == reason]

    def tick(self, advance: float = 0.0) -> None:
        self.clock.now += advance
        self.api.tick()


def in_cidr(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def in_vswitch(ip: str) -> bool:
    return any(in_cidr(ip, v["cidr"]) for v in ACK_APP.vswitches.values())


FIXED_NEVER = {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"},
               "selector": {"namespaceSelector": {"matchLabels": {"appname": "185"}}}}


# -------------------------------------------------------------------------------------------- the seed 004 flow

def test_fixed_ip_flow_of_seed_004():
    env = Env()
    assert set(env.trunk_annotations().values()) == {None}

    env.set_conf(enable_eni_trunking=True)
    assert set(env.trunk_annotations().values()) == {None}, "terwayd reads eni_conf only when it starts"
    env.restart_terway()
    trunks = env.trunk_annotations()
    assert all(v and v.startswith("eni-") for v in trunks.values()) and len(set(trunks.values())) == 2

    env.create_pn("podnetworking-185", **FIXED_NEVER)
    pn = env.pn("podnetworking-185")
    assert pn["spec"]["vSwitchOptions"] == [VSW_H, VSW_I]  # filled by the mutating webhook from eni_conf
    assert pn["spec"]["securityGroupIDs"] == [SG]
    assert pn["spec"]["eniOptions"] == {"eniType": "Default"}  # CRD default
    assert pn["status"]["status"] == "Ready"
    assert pn["status"]["vSwitches"] == [{"id": VSW_H, "zone": "cn-hangzhou-h"}, {"id": VSW_I, "zone": "cn-hangzhou-i"}]
    assert pn["status"]["updateAt"]

    env.label_namespace({"appname": "185"})
    env.create_sts("abc-ba7b5", replicas=2)
    pods = env.pods()
    assert sorted(pods) == ["abc-ba7b5-0", "abc-ba7b5-1"]
    ips = {}
    for name, pod in pods.items():
        assert pod["status"]["phase"] == "Running"
        annotations = pod["metadata"]["annotations"]
        assert annotations[terway.ANN_POD_NETWORKING] == "podnetworking-185"
        assert annotations[terway.ANN_POD_ENI] == "true"
        networks = json.loads(annotations[terway.ANN_POD_NETWORKS])["podNetworks"]
        assert networks == [{"vSwitchOptions": [VSW_H, VSW_I], "interface": "eth0", "securityGroupIDs": [SG]}]
        assert pod["spec"]["containers"][0]["resources"]["requests"][terway.MEMBER_ENI_RESOURCE] == "1"
        ip = pod["status"]["podIP"]
        assert in_vswitch(ip) and not in_cidr(ip, ACK_APP.pod_cidr)
        podeni = env.podeni(name)
        allocation = podeni["spec"]["allocations"][0]
        assert allocation["ipv4"] == ip
        assert allocation["allocationType"] == {"type": "Fixed", "releaseStrategy": "Never"}
        assert allocation["eni"]["attachmentOptions"] == {"trunk": True}
        assert in_cidr(ip, allocation["ipv4CIDR"]) and allocation["interface"] == "eth0" and allocation["defaultRoute"]
        assert podeni["spec"]["zone"] == allocation["eni"]["zone"]
        assert podeni["status"]["phase"] == "Bind"
        assert podeni["status"]["trunkENIID"] in trunks.values()
        assert podeni["status"]["eniInfos"][allocation["eni"]["id"]]["type"] == "Member"
        assert podeni["status"]["podLastSeen"]
        ips[name] = ip
    assert len(set(ips.values())) == 2

    env.delete_pod("abc-ba7b5-0")
    recreated = env.pods()["abc-ba7b5-0"]
    assert recreated["metadata"]["uid"] != pods["abc-ba7b5-0"]["metadata"]["uid"]
    assert recreated["status"]["phase"] == "Running"
    assert recreated["status"]["podIP"] == ips["abc-ba7b5-0"]
    zone = env.podeni("abc-ba7b5-0")["spec"]["zone"]
    terms = recreated["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": terway.ZONE_LABEL, "operator": "In", "values": [zone]}]  # pinned to the previous PodENI's zone
    assert env.podeni("abc-ba7b5-0")["status"]["phase"] == "Bind"

    # the old Deployment next to it never gets a fixed IP, even in the labelled namespace
    env.api.create(env.rt("apps/v1", "deployments"), NS, env._workload("abc-ba7b5", {"app": "abc-ba7b5"},
                                                                       replicas=2))
    deploy_pods = env.pods(selector="app=abc-ba7b5")
    assert len(deploy_pods) == 2
    for name, pod in deploy_pods.items():
        assert terway.ANN_POD_ENI not in (pod["metadata"].get("annotations") or {})
        assert in_cidr(pod["status"]["podIP"], ACK_APP.pod_cidr)
        assert env.podeni(name) is None


def test_steady_state_writes_nothing():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("pn", **FIXED_NEVER)
    env.label_namespace({"appname": "185"})
    env.create_sts("db", replicas=2)
    before = env.api.store.resource_version
    env.tick(1)
    env.tick(30)
    assert env.api.store.resource_version == before


# -------------------------------------------------------------------------------------------- trunk ENI

def test_pod_waits_for_a_trunk_eni_then_binds():
    env = Env()
    env.create_pn("pn", **FIXED_NEVER)
    env.label_namespace({"appname": "185"})
    env.create_sts("db", replicas=1)
    pod = env.pods()["db-0"]
    assert pod["status"]["phase"] == "Pending"
    assert "podIP" not in pod["status"]
    podeni = env.podeni("db-0")
    assert podeni["status"]["msg"] == terway.TRUNK_NOT_FOUND
    assert "phase" not in podeni["status"]
    reserved = podeni["spec"]["allocations"][0]["ipv4"]
    assert len(env.events(NS, "AttachENIFailed")) == 1
    env.tick(1)
    assert len(env.events(NS, "AttachENIFailed")) == 1  # reported once, not on every retry

    env.enable_trunking()
    pod = env.pods()["db-0"]
    assert pod["status"]["phase"] == "Running"
    assert pod["status"]["podIP"] == reserved
    assert env.podeni("db-0")["status"]["phase"] == "Bind"
    assert "msg" not in env.podeni("db-0")["status"]


def test_trunking_in_a_node_override_configmap():
    env = Env()
    env.api.create(env.rt("v1", "configmaps"), "kube-system", {
        "metadata": {"name": "eni-config-trunk"}, "data": {"eni_conf": json.dumps({"enable_eni_trunking": True})}})
    nodes = env.rt("v1", "nodes")
    first = ACK_APP.nodes[0].name
    node = env.api.get(nodes, "", first)
    node["metadata"]["labels"][terway.LABEL_NODE_CONFIG] = "eni-config-trunk"
    env.api.update(nodes, "", first, node)
    env.restart_terway()
    trunks = env.trunk_annotations()
    assert trunks[first] and trunks[ACK_APP.nodes[1].name] is None


# -------------------------------------------------------------------------------------------- release strategies

def test_ttl_releases_the_ip_after_release_after():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("pn", allocationType={"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "5m0s"},
                  selector={"namespaceSelector": {"matchLabels": {"appname": "185"}}})
    env.label_namespace({"appname": "185"})
    env.create_sts("db", replicas=1)
    ip = env.pods()["db-0"]["status"]["podIP"]
    env.scale("statefulsets", NS, "db", 0)
    assert env.pods() == {}
    podeni = env.podeni("db-0")
    assert podeni["status"]["phase"] == "Unbind"
    assert "instanceID" not in podeni["status"] and podeni["status"]["podLastSeen"]
    assert podeni["spec"]["allocations"][0]["ipv4"] == ip

    env.tick(4 * 60)
    assert env.podeni("db-0") is not None
    env.tick(2 * 60)
    assert env.podeni("db-0") is None
    vsw = env.cluster.terway.pool(VSW_H if in_cidr(ip, ACK_APP.vswitches[VSW_H]["cidr"]) else VSW_I)
    assert ip not in vsw._used  # released to the vSwitch


def test_never_keeps_the_ip_for_ever():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("pn", **FIXED_NEVER)
    env.label_namespace({"appname": "185"})
    env.create_sts("db", replicas=1)
    ip = env.pods()["db-0"]["status"]["podIP"]
    env.scale("statefulsets", NS, "db", 0)
    env.tick(365 * 24 * 3600)
    assert env.podeni("db-0")["status"]["phase"] == "Unbind"
    env.scale("statefulsets", NS, "db", 1)
    assert env.pods()["db-0"]["status"]["podIP"] == ip
    assert env.podeni("db-0")["status"]["phase"] == "Bind"


def test_update_is_not_validated_and_an_unparsable_release_after_keeps_the_ip():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("pn", allocationType={"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1m"},
                  selector={"namespaceSelector": {"matchLabels": {"appname": "185"}}})
    pn = env.pn("pn")
    pn["spec"]["allocationType"]["releaseAfter"] = "soon"
    env.api.update(env.pn_rt, "", "pn", pn)  # the validating webhook only covers CREATE
    assert env.pn("pn")["spec"]["allocationType"]["releaseAfter"] == "soon"
    env.label_namespace({"appname": "185"})
    env.create_sts("db", replicas=1)
    assert env.podeni("db-0")["spec"]["allocations"][0]["allocationType"]["releaseAfter"] == "soon"
    env.scale("statefulsets", NS, "db", 0)
    env.tick(10 * 24 * 3600)
    assert env.podeni("db-0")["status"]["phase"] == "Unbind"


def test_elastic_podeni_goes_with_its_pod():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("elastic", allocationType={"type": "Elastic"},
                  selector={"podSelector": {"matchLabels": {"app": "web"}}})
    env.api.create(env.rt("apps/v1", "deployments"), NS, env._workload("web", {"app": "web"}, replicas=1))
    (name, pod), = env.pods(selector="app=web").items()
    assert pod["metadata"]["annotations"][terway.ANN_POD_NETWORKING] == "elastic"  # Elastic matches any pod
    assert in_vswitch(pod["status"]["podIP"])
    assert env.podeni(name)["status"]["phase"] == "Bind"
    env.delete_pod(name)
    assert env.podeni(name) is None
    (new_name, new_pod), = env.pods(selector="app=web").items()
    assert new_name != name and env.podeni(new_name)["status"]["phase"] == "Bind"


# -------------------------------------------------------------------------------------------- webhooks

@pytest.mark.parametrize("spec, message", [
    ({"vSwitchOptions": [VSW_H], "securityGroupIDs": [f"sg-{i}" for i in range(11)]},
     "security group can not more than 10"),
    ({"allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "five minutes"}},
     "invalid releaseAfter"),
    ({"allocationType": {"type": "Fixed", "releaseStrategy": "TTL"}}, "invalid releaseAfter"),
    ({"allocationType": {"type": "Fixed", "releaseStrategy": "Never", "releaseAfter": "1h"}},
     "releaseAfter must be empty when releaseStrategy is never"),
])
def test_validating_webhook_denies(spec, message):
    env = Env()
    body = {"selector": {"podSelector": {"matchLabels": {"app": "x"}}}, **spec}
    with pytest.raises(errors.ApiError) as caught:
        env.create_pn("bad", **body)
    assert caught.value.code == 403
    assert caught.value.reason == "Forbidden"
    assert caught.value.message == f'admission webhook "{terway.VALIDATING_WEBHOOK}" denied the request: {message}'


def test_validating_webhook_needs_vswitches_and_security_groups_after_mutation():
    env = Env(conf_extra={"vswitches": {}, "security_group": ""})
    with pytest.raises(errors.ApiError, match="vSwitchOptions is not set"):
        env.create_pn("bad", selector={"podSelector": {}})
    with pytest.raises(errors.ApiError, match="security group is not set"):
        env.create_pn("bad", selector={"podSelector": {}}, vSwitchOptions=[VSW_H])
    env.create_pn("good", selector={"podSelector": {}}, vSwitchOptions=[VSW_H], securityGroupIDs=[SG])


def test_schema_enums_are_enforced():
    env = Env()
    with pytest.raises(errors.ApiError) as caught:
        env.create_pn("bad", allocationType={"type": "Sticky"}, selector={"podSelector": {}})
    assert caught.value.code == 422


def test_unknown_vswitch_fails_and_status_is_stable():
    env = Env()
    env.create_pn("typo", vSwitchOptions=[VSW_H, "vsw-bp1doesnotexist0000"], securityGroupIDs=[SG],
                  selector={"podSelector": {"matchLabels": {"app": "x"}}})
    pn = env.pn("typo")
    assert pn["status"]["status"] == "Fail"
    assert "vsw-bp1doesnotexist0000" in pn["status"]["message"]
    assert len(env.events("default", "SyncPodNetworkingFailed")) == 1
    version = pn["metadata"]["resourceVersion"]
    env.tick(60)
    assert env.pn("typo")["metadata"]["resourceVersion"] == version
    assert env.pn("typo")["status"]["updateAt"] == pn["status"]["updateAt"]


def test_controlplane_down_fails_podnetworking_creates_and_pods_silently_get_pool_ips():
    env = Env(trunking=True)
    env.restart_terway()
    env.create_pn("pn", **FIXED_NEVER)
    env.label_namespace({"appname": "185"})
    env.scale("deployments", "kube-system", "terway-controlplane", 0)
    with pytest.raises(errors.ApiError) as caught:
        env.create_pn("other", **FIXED_NEVER)
    assert caught.value.code == 500
    assert f'failed calling webhook "{terway.VALIDATING_WEBHOOK}"' in caught.value.message
    env.create_sts("db", replicas=2)
    for pod in env.pods().values():
        assert pod["status"]["phase"] == "Running"
        assert terway.ANN_POD_ENI not in (pod["metadata"].get("annotations") or {})
        assert in_cidr(pod["status"]["podIP"], ACK_APP.pod_cidr)
    env.scale("deployments", "kube-system", "terway-controlplane", 1)
    env.create_pn("other", **FIXED_NEVER)
    assert env.pn("other")["status"]["status"] == "Ready"


def test_no_controlplane_installed_means_no_webhooks():
    env = Env()
    env.api.delete(env.rt("apps/v1", "deployments"), "kube-system", "terway-controlplane")
    env.create_pn("raw", selector={"podSelector": {}})  # neither mutated nor validated nor given a status
    pn = env.pn("raw")
    assert "vSwitchOptions" not in pn["spec"] and "status" not in pn


def test_selection_rules():
    env = Env(trunking=True)
    env.restart_terway()
    env.label_namespace({"appname": "185"})
    both = {"podSelector": {"matchLabels": {"app": "db"}}, "namespaceSelector": {"matchLabels": {"appname": "185"}}}
    env.create_pn("a-neither", allocationType={"type": "Elastic"}, vSwitchOptions=[VSW_H], securityGroupIDs=[SG])
    env.create_pn("b-both", allocationType={"type": "Elastic"}, selector=both)
    env.create_pn("c-ns", allocationType={"type": "Elastic"}, selector={"namespaceSelector": both["namespaceSelector"]})
    pods = env.rt("v1", "pods")

    def created(name, labels, **spec):
        body = {"metadata": {"name": name, "labels": labels},
                "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}], **spec}}
        return env.api.create(pods, NS, body)["metadata"].get("annotations") or {}

    assert created("p1", {"app": "db"})[terway.ANN_POD_NETWORKING] == "b-both"  # AND, first in list order
    assert created("p2", {"app": "web"})[terway.ANN_POD_NETWORKING] == "c-ns"  # "neither" never matches
    assert created("p3", {"app": "db", terway.LABEL_IGNORE: "true"}) == {}
    assert created("p4", {"app": "db"}, hostNetwork=True) == {}
    env.label_namespace({terway.ANN_POD_ENI: "false"})
    assert created("p5", {"app": "db"}) == {}


def test_fixed_matches_only_fixed_name_pods():
    env = Env(trunking=True, conf_extra={"custom_stateful_workload_kinds": ["CloneSet"]})
    env.restart_terway()
    env.label_namespace({"appname": "185"})
    env.create_pn("pn", **FIXED_NEVER)
    pods = env.rt("v1", "pods")

    def annotations(name, owner_kind=None):
        meta = {"name": name}
        if owner_kind:
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner_kind, "name": "owner",
                                        "uid": "5d1c9e7e-0000-4000-8000-000000000000"}]
        body = {"metadata": meta, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
        return env.api.create(pods, NS, body)["metadata"].get("annotations") or {}

    assert annotations("bare")[terway.ANN_POD_NETWORKING] == "pn"
    assert annotations("clone", "CloneSet")[terway.ANN_POD_NETWORKING] == "pn"
    assert annotations("rs", "ReplicaSet") == {}


def test_explicit_annotations():
    env = Env(trunking=True)
    env.restart_terway()
    pods = env.rt("v1", "pods")
    networks = json.dumps({"podNetworks": [{"vSwitchOptions": [VSW_I], "interface": "eth0"}]})
    with pytest.raises(errors.ApiError, match="can not use pod annotation and podNetworking at same time"):
        env.api.create(pods, NS, {"metadata": {"name": "two", "annotations": {
            terway.ANN_POD_NETWORKS: networks, terway.ANN_POD_NETWORKING: "x"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
    with pytest.raises(errors.ApiError, match="fixed ip only support for fixed name pod"):
        env.api.create(pods, NS, {"metadata": {"name": "rs-pod", "annotations": {
            terway.ANN_POD_NETWORKS: networks, terway.ANN_POD_ALLOC_TYPE: json.dumps({"type": "Fixed"})},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                 "uid": "5d1c9e7e-0000-4000-8000-000000000001"}]},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})

    def explicit(name, zone):
        return env.api.create(pods, NS, {"metadata": {"name": name, "annotations": {terway.ANN_POD_NETWORKS: networks}},
                                         "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}],
                                                  "nodeSelector": {terway.ZONE_LABEL: zone}}})

    pod = explicit("explicit", "cn-hangzhou-i")
    assert json.loads(pod["metadata"]["annotations"][terway.ANN_POD_NETWORKS])["podNetworks"][0][
        "securityGroupIDs"] == [SG]  # filled from eni_conf
    pod = env.pods()["explicit"]
    assert in_cidr(pod["status"]["podIP"], ACK_APP.vswitches[VSW_I]["cidr"])
    assert env.podeni("explicit")["spec"]["allocations"][0]["allocationType"] == {"type": "Elastic"}
    # no vSwitch of the annotation in the node's zone: the pod cannot get an ENI
    explicit("wrong-zone", "cn-hangzhou-h")
    assert env.pods()["wrong-zone"]["status"]["phase"] == "Pending"
    assert env.podeni("wrong-zone") is None
    assert any("no available vSwitch" in e["message"] for e in env.events(NS, "CniCreateENIError"))


# -------------------------------------------------------------------------------------------- pure helpers

@pytest.mark.parametrize("text, seconds", [
    ("5m0s", 300), ("1h", 3600), ("90s", 90), ("1.5h", 5400), ("1h30m", 5400), ("300ms", 0.3), ("0", 0),
    ("-2m", -120), ("", None), ("5", None), ("five", None), ("1d", None), ("5m ", None), (None, None),
])
def test_parse_go_duration(text, seconds):
    result = terway.parse_go_duration(text)
    assert result == pytest.approx(seconds) if seconds is not None else result is None


def test_denial_rules_are_pure():
    ok = {"vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"], "selector": {"podSelector": {}}}
    assert terway.podnetworking_denial(ok) is None
    no_selector = {"vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"], "eniOptions": {"eniType": "ENI"}}
    assert terway.podnetworking_denial(no_selector) is None
    assert "attachType must be default" in terway.podnetworking_denial(no_selector, inject_resource=False)


# ------------------------------------------------------------------------------------- the seeded estates, over HTTP

def test_seed_creates_the_before_estates(seeded):
    import base64
    import datetime

    made, clients, clusters = seeded.made, seeded.clients, seeded.clusters
    eks = made["demo-eks"]
    assert eks["node_ports"]["storefront"] == 30080 and eks["node_ports"]["api"] == 32050
    assert len(eks["node_ports"]) == 6 and len(eks["ingresses"]) == 4
    assert len(eks["custom_sg_ingresses"]) == 2 and "storefront" not in eks["custom_sg_ingresses"]
    lbc = clients["demo-eks"].request("GET", "apis/apps/v1/namespaces/kube-system/deployments/"
                                             "aws-load-balancer-controller")
    args = lbc["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--cluster-name=demo-eks" in args and "--ingress-class=alb" in args
    assert not any(a.startswith("--enable-backend-security-group") for a in args)
    assert lbc["status"]["readyReplicas"] == 2
    for name in eks["custom_sg_ingresses"]:
        annotations = clients["demo-eks"].request("GET", f"apis/networking.k8s.io/v1/namespaces/shop/ingresses/{name}")[
            "metadata"]["annotations"]
        assert len(annotations["alb.ingress.kubernetes.io/security-groups"].split(",")) == 2
        assert "alb.ingress.kubernetes.io/manage-backend-security-group-rules" not in annotations

    app = clients["ack-app"]
    cm = app.request("GET", "api/v1/namespaces/kube-system/configmaps/eni-config")
    conf = json.loads(cm["data"]["eni_conf"])
    assert "enable_eni_trunking" not in conf
    assert conf["vswitches"] == {"cn-hangzhou-h": [VSW_H], "cn-hangzhou-i": [VSW_I]}
    token = app.request("GET", "api/v1/namespaces/kube-system/secrets/addon.network.token")
    token = json.loads(base64.b64decode(token["data"]["addon.token.config"]))
    expiration = datetime.datetime.strptime(token["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    assert expiration > datetime.datetime.now(datetime.timezone.utc)
    assert set(token) >= {"access.key.id", "access.key.secret", "security.token", "keyring"}
    pods = app.request("GET", f"api/v1/namespaces/{NS}/pods")["items"]
    assert len(pods) == 2 and all(in_cidr(p["status"]["podIP"], ACK_APP.pod_cidr) for p in pods)
    assert clusters["ack-app"].terway.controlplane(clusters["ack-app"].api) == "ready"

    db = clients["ack-db"]
    service = db.request("GET", f"api/v1/namespaces/{NS}/services/abc-185-mysql-svc")
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["status"]["loadBalancer"]["ingress"][0]["ip"] == made["ack-db"]["load_balancer_ip"]
    prefix = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-"
    assert service["metadata"]["annotations"][prefix + "address-type"] == "intranet"
    assert service["metadata"]["annotations"][prefix + "id"].startswith("lb-")


def test_seed_004_steps_over_http(seeded):
    clients = seeded.clients
    app = clients["ack-app"]
    cm = app.request("GET", "api/v1/namespaces/kube-system/configmaps/eni-config")
    conf = json.loads(cm["data"]["eni_conf"])
    conf.update({"enable_eni_trunking": True, "credential_path": "/var/addon/token-config"})
    app.request("PATCH", "api/v1/namespaces/kube-system/configmaps/eni-config",
                {"data": {"eni_conf": json.dumps(conf)}}, content_type="application/merge-patch+json")
    for pod in app.request("GET", "api/v1/namespaces/kube-system/pods",
                           query={"labelSelector": "app=terway-eniip"})["items"]:
        app.request("DELETE", f"api/v1/namespaces/kube-system/pods/{pod['metadata']['name']}")
    nodes = app.request("GET", "api/v1/nodes")["items"]
    assert all(terway.ANN_TRUNK_ON in n["metadata"].get("annotations", {}) for n in nodes)

    article = {"apiVersion": "network.alibabacloud.com/v1beta1", "kind": "PodNetworking",
               "metadata": {"name": "podnetworking-185"},
               "spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never", "releaseAfter": "1h"},
                        "selector": {"namespaceSelector": {"matchLabels": {"appname": "185"}}}},
               "status": {"status": "Ready"}}
    path = "apis/network.alibabacloud.com/v1beta1/podnetworkings"
    with pytest.raises(RuntimeError, match="HTTP 403 .*releaseAfter must be empty"):
        app.request("POST", path, article)  # the article's YAML, as written, is refused
    del article["spec"]["allocationType"]["releaseAfter"]
    app.request("POST", path, article)
    assert app.request("GET", f"{path}/podnetworking-185")["status"]["status"] == "Ready"
    app.request("PATCH", f"api/v1/namespaces/{NS}", {"metadata": {"labels": {"appname": "185"}}},
                content_type="application/merge-patch+json")
    deploy = app.request("GET", f"apis/apps/v1/namespaces/{NS}/deployments/abc-ba7b5")
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "abc-ba7b5", "labels": deploy["metadata"]["labels"]},
           "spec": {"replicas": 2, "serviceName": "abc-ba7b5", "selector": deploy["spec"]["selector"],
                    "template": deploy["spec"]["template"]}}
    app.request("POST", f"apis/apps/v1/namespaces/{NS}/statefulsets", sts)
    app.request("PATCH", f"apis/apps/v1/namespaces/{NS}/deployments/abc-ba7b5/scale", {"spec": {"replicas": 0}},
                content_type="application/merge-patch+json")
    pods = app.request("GET", f"api/v1/namespaces/{NS}/pods")["items"]
    assert sorted(p["metadata"]["name"] for p in pods) == ["abc-ba7b5-0", "abc-ba7b5-1"]
    enis = {e["metadata"]["name"]: e for e in
            app.request("GET", f"apis/network.alibabacloud.com/v1beta1/namespaces/{NS}/podenis")["items"]}
    for pod in pods:
        assert in_vswitch(pod["status"]["podIP"])
        assert enis[pod["metadata"]["name"]]["spec"]["allocations"][0]["ipv4"] == pod["status"]["podIP"]
