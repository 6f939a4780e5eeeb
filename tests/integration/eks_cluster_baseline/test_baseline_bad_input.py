"""Bad input, wrong targets and a silent endpoint: one clean failure naming the option, zero writes.

All cases run as tasks of one play (a failed task is ignored and the next runs), so the sandbox's counts of
each are exactly its own."""

from __future__ import annotations

import pytest

import module_steps
from baseline_support import CLUSTER, MODULE, baseline, estate, rules_of, run_task  # noqa: F401

BASE = {"cluster_name": CLUSTER}
NODEPORT_WORLD = "opens the NodePort range (30000-32767) to the whole internet"

CASES = [
    # (params, texts the message must hold)
    ({"nodeport_sources": ["0.0.0.0/0"]}, ["nodeport_sources[0]", NODEPORT_WORLD, "allow_public_node_ports"]),
    ({"nodeport_sources": [" ::/0 "]}, ["nodeport_sources[0]", NODEPORT_WORLD]),
    ({"nodeport_sources": ["0:0::0/0"]}, ["nodeport_sources[0]", "::/0"]),
    ({"nodeport_sources": ["0.0.0.0/1", "128.0.0.0/1"]}, ["nodeport_sources[0]", "0.0.0.0/1, 128.0.0.0/1"]),
    ({"nodeport_sources": ["10.1.2.3/0"]}, ["nodeport_sources[0]", "host bits set", "0.0.0.0/0"]),
    ({"ssh": ["0.0.0.0/0"]}, ["ssh[0]", "opens SSH (22-22) to the whole internet"]),
    ({"ssh": ["0.0.0.0/0"], "allow_public_node_ports": True}, ["ssh[0]", "SSH"]),
    ({"extra_rules": [{"ports": ["3389"], "cidr_ip": ["0.0.0.0/0"]}]}, ["extra_rules[0]", "RDP"]),
    ({"extra_rules": [{"proto": "all", "cidr_ipv6": ["::/0"]}]}, ["extra_rules[0]", "SSH"]),
    ({"extra_rules": [{"ports": ["10000-11000"], "cidr_ip": ["0.0.0.0/0"]}]}, ["extra_rules[0]", "kubelet"]),
    ({"extra_rules": [{"ports": ["22"], "cidr_ip": ["0.0.0.0/0"], "direction": "sideways"}]},
     ["extra_rules[0].direction", "sideways"]),
    ({"extra_rules": [{"port": ["8080"], "group_id": ["nodes"]}]}, ["extra_rules[0].port", "unknown option"]),
    ({"extra_rules": [{"ports": ["8080"], "group_id": ["sg-0123456789abcdef0"]}]},
     ["sg-0123456789abcdef0 does not exist"]),
    ({"extra_rules": [{"ports": ["8080"], "group": "sg-12345", "group_id": ["nodes"]}]},
     ["extra_rules[0].group", "sg-12345"]),
    ({"egress_extra": [{"ports": ["443"], "cidr_ip": ["10.0.0.0/16"]}]}, ["egress_extra[0]", "egress: restricted"]),
    ({"cluster_name": "demo-eks-prod"}, ["cluster_name", "no cluster named demo-eks-prod", "nothing was changed"]),
    ({"cluster_security_group": "{node}"}, ["cluster_security_group", "is not a control-plane group of demo-eks"]),
    ({"node_security_groups": ["{office}x"]}, ["node_security_groups[0]", "not a security group id"]),
    ({"baseline": "custom", "keep_required_rules": False}, ["baseline", "desires nothing"]),
    ({"node_port_range": "32767-30000"}, ["node_port_range", "30000"]),
    ({"unprotect": [{"proto": "all"}]}, ["unprotect[0]", "naming the group"]),
    ({"baseline": "strict"}, ["baseline", "minimum, recommended, custom"]),
    ({"extra_rules": [{"ports": ["8080"], "group_id": ["nodes"],
                       "description": "elbv2.k8s.aws/targetGroupBinding=shared"}]},
     ["extra_rules[0].description", "Controller label"]),
]


def _fill(value, sg: dict):
    if isinstance(value, str):
        return value.format(node=sg["node"], office=sg["custom_office"])
    if isinstance(value, list):
        return [_fill(item, sg) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, sg) for key, item in value.items()}
    return value


def test_every_bad_input_fails_cleanly_with_zero_writes(estate, baseline):
    sg = estate.sg
    before = {group: rules_of(estate, sg[group]) for group in ("node", "cluster")}
    steps = baseline.play([{"params": dict(BASE, **_fill(params, sg))} for params, _texts in CASES])
    assert len(CASES) >= 10
    for (params, texts), step in zip(CASES, steps):
        assert step.failed and step.writes == 0, (params, step)
        for text in texts:
            assert text in step.msg, (params, text, step.msg)
        assert "Traceback" not in step.msg and "MODULE FAILURE" not in step.msg, step.msg
    assert {group: rules_of(estate, sg[group]) for group in ("node", "cluster")} == before


def test_the_world_is_allowed_on_node_ports_only_when_asked(estate, baseline):
    run = baseline.run(dict(BASE, nodeport_sources=["::/0"], allow_public_node_ports=True), check=True)
    assert not run.failed and run.changed and run.writes == 0, run
    assert run.result["plan"][estate.sg["node"]]["authorize"]["ingress"] == [
        {"proto": "tcp", "ports": ["30000-32767"], "cidr_ipv6": ["::/0"],
         "description": "NodePorts kubeguard:eks-cluster-baseline"}]


@pytest.mark.parametrize("service", ["eks", "ec2"])
def test_an_endpoint_that_never_answers_fails_within_the_configured_bound(sandbox_env, estate, tmp_path, service):
    estate.admin.set_faults([{"service": service, "latency_ms": 600_000}])
    config = {"connect_timeout": 2, "read_timeout": 2, "retries": {"total_max_attempts": 2}}
    try:
        run = run_task(MODULE, dict(BASE, aws_config=config), module_steps.make_env(sandbox_env), estate.admin,
                       tmp_path)
    finally:
        estate.admin.clear_faults()
    call = "describe_cluster" if service == "eks" else "describe_instances"
    run.assert_clean(f"{call} failed", "no answer within the read timeout of 2s", sandbox_env["AWS_ENDPOINT_URL"])
    assert run.result["api_calls"]["writes"] == 0
    assert run.seconds < 45, run.seconds
