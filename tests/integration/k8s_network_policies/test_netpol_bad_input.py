"""Bad and ambiguous input fails with a clear message naming the option, before any write; an API server that
never answers fails the task within request_timeout."""

from __future__ import annotations

from netpol_support import UAT, Estate, NetpolPlayer, db_params, estate, player  # noqa: F401


def _ips(**extra) -> dict:
    item = {"name": "mysql-from-uat-app", "sources": ["192.168.64.13"], "ports": [{"port": 3306}]}
    item.update(extra)
    return item


def _run(**extra) -> dict:
    params = {"context": "ack-db", "namespaces": [UAT], "default_deny": "both", "state": "replaced",
              "allow_from_ips": [_ips()]}
    params.update(extra)
    return params


CASES = [
    (_run(allow_from_ips=[_ips(sources=["192.168.64.13/24"])]), "host bits set: did you mean 192.168.64.0/24"),
    (_run(allow_from_ips=[_ips(sources=[])]), "allow_from_ips[0].sources: is empty"),
    (_run(allow_from_ips=[_ips(sources=[{"ip": "192.168.64.13", "pod": "p"}])]), "needs ip, namespace and pod"),
    (_run(allow_from_ips=[_ips(ports=[{"port": 70000}])]), "must be between 1 and 65535"),
    (_run(allow_from_ips=[_ips(ports=[{"port": 80, "protocol": "ICMP"}])]), "value of protocol must be one of"),
    (_run(allow_from_ips=[_ips(name="kubeguard-default-deny")]), "is the name of a policy this module generates"),
    (_run(allow_from_ips=[_ips(), _ips()]), "policy names must be unique"),
    (_run(allow_from_ips=[_ips(pod_selector={"match_labels": {"app": "a b"}})]), "a label value must be empty"),
    (_run(extra_policies=[{"name": "x", "spec": {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"},
                                                                      "podSelector": {}}]}]}}]),
     "cannot be combined with a podSelector"),
    (_run(extra_policies=[{"name": "x", "spec": {"policyTypes": ["ingress"]}}]), "'ingress' is not Ingress or Egress"),
    (_run(extra_policies=[{"name": "x", "spec": {"podSelector": {}, "egres": []}}]), "unknown key(s) egres"),
    (_run(namespaces=["no-such-namespace"]), "namespace 'no-such-namespace' does not exist"),
    (_run(namespace_selector={"match_labels": {"env": "uat"}}), "mutually exclusive"),
    ({k: v for k, v in _run(namespace_selector={"match_labels": {"env": "nowhere"}}).items() if k != "namespaces"},
     "selects no namespace"),
    ({k: v for k, v in _run(namespace_selector={}).items() if k != "namespaces"},
     "namespace_selector selects kube-node-lease, kube-public, kube-system"),
    (_run(context="ack-prod"), "'ack-prod' is not a context of kubeconfig"),
    (_run(isolate_environments=True, namespaces=[UAT, "dba-tools"]), "namespace dba-tools has no 'env' label"),
    ({"context": "ack-db", "namespaces": [UAT], "state": "replaced"}, "set allow_empty=true if that is meant"),
    (_run(state="rendered", isolate_environments=True), "state=rendered works offline"),
    (_run(request_timeout=0), "request_timeout: 0 must be between 1 and 600"),
    (_run(allow_from_ips=[_ips(name="team-policy")]), "exists and was not made by kubeguard.netsec"),
]


def test_bad_input_is_refused_with_zero_writes(player: NetpolPlayer, estate: Estate):
    player.run(db_params(estate, default_deny="ingress", state="merged"))  # something of ours to lose
    estate.add_policy("ack-db", UAT, "team-policy", {"podSelector": {}})
    before = estate.policies("ack-db", UAT)
    steps = player.play([{"params": params} for params, _ in CASES])
    for (params, words), step in zip(CASES, steps):
        assert step.failed and words in step.msg, (params, step)
        assert step.writes == 0 and "Traceback" not in step.msg and "MODULE FAILURE" not in step.msg, (params, step)
    assert estate.policies("ack-db", UAT) == before


def test_an_api_server_that_never_answers_fails_within_request_timeout(player: NetpolPlayer, estate: Estate):
    estate.admin.set_faults([{"service": "k8s:ack-db", "latency_ms": 600_000}])
    try:
        step = player.run(_run(request_timeout=3))
    finally:
        estate.admin.clear_faults()
    assert step.failed and "no answer within the request timeout of 3s" in step.msg, step
    assert "context ack-db of kubeconfig" in step.msg and step.writes == 0


def test_a_policy_changed_by_someone_else_between_read_and_write_is_not_overwritten(player: NetpolPlayer,
                                                                                     estate: Estate):
    player.run(db_params(estate))
    moved = [dict(item, ip="192.168.64.99") if i == 0 else item for i, item in enumerate(estate.fixed_ips())]
    estate.admin.set_faults([{"service": "k8s:ack-db", "action": "patch networkpolicies", "conflict": 1.0}])
    try:
        step = player.run(db_params(estate, moved))
    finally:
        estate.admin.clear_faults()
    assert step.failed and "was changed by someone else after this run read it (HTTP 409" in step.msg, step
    assert "Run the task again" in step.msg and "Traceback" not in step.msg
    assert step.result["actions"] == [] and not step.changed
    again = player.run(db_params(estate, moved))
    assert again.k8s_writes("ack-db") == {"patch networkpolicies": 1}, again
