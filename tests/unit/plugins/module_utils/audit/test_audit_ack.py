"""The ACK checks on hand-built clusters and databases: each kind found, and not found where the estate is right."""

import ipaddress

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_ack
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import reach
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import AckCluster
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.read_ack import Database
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.acl_api import AclState
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import Entry
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.policy_engine import Enforcement

ON = Enforcement(True, "Terway")
DB_NS, UAT, PROD = "db", "app-uat", "app-prod"
HOSTNAME = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname"


def pod(name, namespace, ip, owner="ReplicaSet", annotations=None, **labels):
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": annotations or {},
            "ownerReferences": [{"kind": owner, "name": "x"}],
        },
        "spec": {"containers": [{"name": "c", "ports": [{"name": "mysql", "containerPort": 3306}]}]},
        "status": {"phase": "Running", "podIP": ip},
    }


def policy(name, namespace, spec):
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


def whitelist_policy(*cidrs, port=3306):
    return policy(
        "mysql-from-app",
        DB_NS,
        {
            "podSelector": {"matchLabels": {"app": "mysql"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": c}} for c in cidrs], "ports": [{"port": port}]}],
        },
    )


MYSQL = pod("mysql-0", DB_NS, "10.1.0.5", owner="StatefulSet", app="mysql")
UAT_POD = pod("app-0", UAT, "10.2.0.10", app="app")
PROD_POD = pod("app-0", PROD, "10.2.0.20", app="app")


def cluster(name, pods, policies=(), engine=ON, namespaces=None, pod_networkings=(), pod_enis=None):
    labels = namespaces or {DB_NS: {"env": "uat"}, UAT: {"env": "uat"}, PROD: {"env": "prod"}}
    return AckCluster(name, labels, list(pods), list(policies), engine, list(pod_networkings), pod_enis or {})


def database(entries=None, acl_type="white", acl=True, hostname="db.uat.internal", status_ip="10.1.0.200"):
    annotations = {HOSTNAME: hostname} if hostname else {}
    service = {
        "metadata": {"name": "mysql", "namespace": DB_NS, "annotations": annotations},
        "spec": {"type": "LoadBalancer", "selector": {"app": "mysql"}, "ports": [{"port": 3306, "targetPort": 3306}]},
        "status": {"loadBalancer": {"ingress": [{"ip": status_ip}] if not hostname else [{"hostname": hostname}]}},
    }
    listener = {"AclStatus": "on" if acl else "off", "AclType": acl_type, "AclId": "acl-1", "BackendServerPort": 3306}
    state = None
    if acl:
        state = AclState("acl-1", "db", "ipv4", [Entry(ipaddress.ip_network(e), e, "") for e in entries or []])
    return Database(service, service["spec"]["ports"][0], "lb-db", "10.1.0.200", listener, state, [MYSQL])


def kinds(found):
    return [(f.kind, f.resource) for f in found]


def test_the_listener_without_a_working_whitelist_is_found_in_each_form():
    db_cluster = cluster("ack-db", [MYSQL])
    assert checks_ack.open_listeners(db_cluster, [database(acl=False)])[0].evidence.endswith(
        "access control off: every source is forwarded"
    )
    assert (
        "a blacklist"
        in checks_ack.open_listeners(db_cluster, [database(["10.2.0.20/32"], acl_type="black")])[0].evidence
    )
    assert "bound with no entry" in checks_ack.open_listeners(db_cluster, [database([])])[0].evidence
    assert checks_ack.open_listeners(db_cluster, [database(["10.2.0.10/32"])]) == []


def test_a_missing_hostname_is_found_and_a_present_one_is_not():
    db_cluster = cluster("ack-db", [MYSQL])
    [found] = checks_ack.missing_hostname(db_cluster, [database(hostname=None)])
    assert found.resource == "ack-db/db/mysql" and "10.1.0.200" in found.evidence
    assert checks_ack.missing_hostname(db_cluster, [database()]) == []


def test_the_whitelist_and_the_policy_agree_in_any_spelling_and_drift_is_named_both_ways():
    same = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/32")])
    assert checks_ack.whitelist_drift(same, [database(["10.2.0.10"])]) == []  # a bare address is its /32
    drifted = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/32", "10.2.0.99/32")])
    [found] = checks_ack.whitelist_drift(drifted, [database(["10.2.0.10/32", "10.2.0.11/32"])])
    assert found.evidence == "only in whitelist acl-1: 10.2.0.11/32; only in the NetworkPolicies: 10.2.0.99/32"
    other_port = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/32", port=8080)])
    [unmirrored] = checks_ack.whitelist_drift(other_port, [database(["10.2.0.10/32"])])
    assert "no NetworkPolicy of db admits an ipBlock to the database pods on TCP/3306" in unmirrored.evidence
    # compared by the addresses held: a /31 is its two /32s
    pair = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/31")])
    assert checks_ack.whitelist_drift(pair, [database(["10.2.0.10", "10.2.0.11/32"])]) == []
    # an ipBlock's except takes a whitelisted address out of what the policy admits
    excepting = whitelist_policy("10.2.0.0/24")
    excepting["spec"]["ingress"][0]["from"][0]["ipBlock"]["except"] = ["10.2.0.10/32"]
    [carved] = checks_ack.whitelist_drift(cluster("ack-db", [MYSQL], [excepting]), [database(["10.2.0.10/32"])])
    assert carved.evidence.startswith("only in whitelist acl-1: 10.2.0.10/32; only in the NetworkPolicies: ")
    whole = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.0/24")])
    [wider] = checks_ack.whitelist_drift(whole, [database(["10.2.0.10/32"])])
    assert "only in whitelist" not in wider.evidence and wider.details["ip_blocks"] == ["10.2.0.0/24"]
    named = policy("named", DB_NS, dict(whitelist_policy("10.2.0.10/32")["spec"]))
    named["spec"]["ingress"][0]["ports"] = [{"port": "mysql"}]
    assert checks_ack.whitelist_drift(cluster("ack-db", [MYSQL], [named]), [database(["10.2.0.10/32"])]) == []


def test_prod_reaching_the_uat_database_is_found_only_where_every_hop_lets_it_through():
    db_cluster = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/32")])
    app = cluster("ack-app", [UAT_POD, PROD_POD])
    assert checks_ack.cross_environment(db_cluster, [database(["10.2.0.10/32"])], [db_cluster, app], "env") == []
    # an empty whitelist lets prod through the CLB, but the database's policy still refuses it
    assert checks_ack.cross_environment(db_cluster, [database([])], [db_cluster, app], "env") == []
    # without the policy (or without an engine) it gets through
    open_db = cluster("ack-db", [MYSQL])
    [found] = checks_ack.cross_environment(open_db, [database([])], [open_db, app], "env")
    assert found.details == {"source_cluster": "ack-app", "source_namespace": PROD, "pods": ["app-0"]}
    assert "through the CLB (whitelist acl-1 is empty)" in found.evidence
    unenforced = cluster("ack-db", [MYSQL], [whitelist_policy("10.2.0.10/32")], engine=Enforcement(False, "off"))
    assert kinds(checks_ack.cross_environment(unenforced, [database([])], [unenforced, app], "env")) == [
        ("KG-ACK-005", "ack-db/db/mysql")
    ]
    # prod's own egress policy stopping it at the source counts too
    deny_egress = policy("deny", PROD, {"podSelector": {}, "policyTypes": ["Egress"]})
    boxed = cluster("ack-app", [UAT_POD, PROD_POD], [deny_egress])
    assert checks_ack.cross_environment(open_db, [database([])], [open_db, boxed], "env") == []


def test_inside_the_database_cluster_kube_proxy_bypasses_the_whitelist():
    prod_here = pod("job-0", PROD, "10.1.0.30", app="job")
    db_cluster = cluster("ack-db", [MYSQL, prod_here])
    closed = database(["10.2.0.10/32"], hostname=None)
    [found] = checks_ack.cross_environment(db_cluster, [closed], [db_cluster], "env")
    assert "through kube-proxy inside the cluster" in found.evidence
    # with the hostname the connection goes to the CLB, whose whitelist refuses it
    assert checks_ack.cross_environment(db_cluster, [database(["10.2.0.10/32"])], [db_cluster], "env") == []
    # a namespace-selector policy admitting only uat namespaces stops it on the kube-proxy path
    same_env = policy(
        "same-env",
        DB_NS,
        {
            "podSelector": {},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": "uat"}}}]}],
        },
    )
    isolated = cluster("ack-db", [MYSQL, prod_here], [same_env])
    assert checks_ack.cross_environment(isolated, [closed], [isolated], "env") == []


def test_namespaces_without_the_label_are_neither_sources_nor_databases():
    tools = pod("client", "tools", "10.2.0.40")
    app = cluster("ack-app", [tools], namespaces={"tools": {}, DB_NS: {"env": "uat"}})
    open_db = cluster("ack-db", [MYSQL])
    assert checks_ack.cross_environment(open_db, [database([])], [app], "env") == []
    unlabelled = cluster("ack-db", [MYSQL], namespaces={DB_NS: {}, PROD: {"env": "prod"}})
    assert checks_ack.cross_environment(unlabelled, [database([])], [cluster("ack-app", [PROD_POD])], "env") == []


FIXED_PN = {
    "metadata": {"name": "pn-185"},
    "spec": {
        "allocationType": {"type": "Fixed"},
        "selector": {"namespaceSelector": {"matchLabels": {"appname": "185"}}},
    },
    "status": {"status": "Ready"},
}


def test_statefulset_pods_of_a_fixed_pod_networking_without_their_fixed_ip_are_found():
    labels = {UAT: {"appname": "185", "env": "uat"}}
    pool = pod("app-0", UAT, "10.2.0.10", owner="StatefulSet")
    fixed = pod(
        "app-1",
        UAT,
        "10.2.0.11",
        owner="StatefulSet",
        annotations={"k8s.aliyun.com/pod-networking": "pn-185", "k8s.aliyun.com/pod-eni": "true"},
    )
    podeni = {"spec": {"allocations": [{"allocationType": {"type": "Fixed"}, "ipv4": "10.2.0.11"}]}}
    deployment_pod = pod("web-abc", UAT, "10.2.0.12")  # Terway fixes StatefulSet pods only
    app = cluster(
        "ack-app",
        [pool, fixed, deployment_pod],
        namespaces=labels,
        pod_networkings=[FIXED_PN],
        pod_enis={(UAT, "app-1"): podeni},
    )
    [found] = checks_ack.pool_ips([app])
    assert found.resource == f"ack-app/{UAT}" and "1 pod(s) selected by Fixed PodNetworking pn-185" in found.evidence
    assert "shared-pool IP 10.2.0.10" in found.evidence and "app-1" not in found.evidence
    elastic = dict(FIXED_PN, spec=dict(FIXED_PN["spec"], allocationType={"type": "Elastic"}))
    assert checks_ack.pool_ips([cluster("ack-app", [pool], namespaces=labels, pod_networkings=[elastic])]) == []
    not_ready = dict(FIXED_PN, status={"status": "Fail"})
    assert checks_ack.pool_ips([cluster("ack-app", [pool], namespaces=labels, pod_networkings=[not_ready])]) == []


def test_access_control_decisions():
    assert reach.access_control(database(acl=False), "1.2.3.4") == (True, "access control off")
    assert reach.access_control(database(["10.2.0.0/24"]), "10.2.0.9")[0] is True
    assert reach.access_control(database(["10.2.0.0/24"]), "10.3.0.9") == (False, "10.3.0.9 is not in whitelist acl-1")
    assert reach.access_control(database(["10.2.0.0/24"], acl_type="black"), "10.2.0.9")[0] is False


BASE = {"target": "ack", "cluster_name": "ack-db", "environment": "uat"}


@pytest.mark.parametrize(
    "extra, path",
    [
        ({"target": "eks", "client_clusters": [{"name": "a"}]}, "client_clusters"),
        ({"target": "eks", "cluster_id": "c1"}, "cluster_id"),
        ({"node_security_groups": ["sg-1"]}, "node_security_groups"),
        ({"database_ports": []}, "database_ports"),
        ({"database_ports": [0]}, "database_ports[0]"),
        ({"environment_label": "-env"}, "environment_label"),
        (
            {"client_clusters": [{"name": "a", "kubernetes": {}}, {"name": "a", "kubernetes": {}}]},
            "client_clusters[1].name",
        ),
        ({"client_clusters": [{"name": "ack-db", "kubernetes": {}}]}, "client_clusters[0].name"),
    ],
)
def test_ack_options_are_checked_before_any_call(extra, path):
    with pytest.raises(InputError) as info:
        AuditSpec.from_params(dict(BASE, **extra))
    assert info.value.path == path


def test_ack_spec_defaults():
    spec = AuditSpec.from_params(
        dict(BASE, client_clusters=[{"name": "ack-app", "kubernetes": {"context": "ack-app"}}])
    )
    assert spec.environment_label == "env" and 3306 in spec.database_ports and spec.clients[0].name == "ack-app"
