"""netsec_audit refuses bad input cleanly, before any call where it can; a silent endpoint fails within bounds."""

from __future__ import annotations

import module_steps
from audit_support import MODULE, audit, estate, run_task  # noqa: F401

BASE = {"cluster_name": "demo-eks", "skip": ["KG-K8S-001", "KG-K8S-002", "KG-K8S-003", "KG-K8S-004", "KG-K8S-005",
                                             "KG-LBC-002", "KG-LBC-003", "KG-LBC-004"]}


def test_bad_input_fails_cleanly_and_reads_nothing_it_need_not(estate, audit, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    cases = [
        ({"skip": ["KG-SG-999"]}, ["skip[0]", "'KG-SG-999' is no finding id"], 0),
        ({"output": {"sarif": str(out / "missing" / "a.sarif")}}, ["output.sarif", "does not exist"], 0),
        ({"output": {"html": str(out)}}, ["output.html", "is a directory"], 0),
        ({"output": {"json": str(out / "a"), "sarif": str(out / "a")}}, ["output.sarif", "another report"], 0),
        ({"cluster_name": "demo eks"}, ["cluster_name", "is not an EKS cluster name"], 0),
        ({"node_port_range": "32767-30000"}, ["node_port_range"], 0),
        ({"environment": "qa"}, ["environment", "dev, uat, stage, prod"], 0),
        ({"cluster_name": "demo-eks-prod"}, ["cluster_name", "no cluster named demo-eks-prod"], 1),
    ]
    steps = audit.play([{"params": dict(BASE, **params)} for params, _texts, _calls in cases])
    for (params, texts, calls), step in zip(cases, steps):
        assert step.failed and step.writes == 0 and step.reads == calls, (params, step)
        for text in texts:
            assert text in step.msg, (params, text, step.msg)
        assert "Traceback" not in step.msg and "MODULE FAILURE" not in step.msg
    assert list(out.iterdir()) == []  # no report file was written by a refused run


def test_a_silent_kubernetes_endpoint_fails_within_its_request_timeout(sandbox_env, estate, tmp_path):
    estate.admin.set_faults([{"service": "k8s:demo-eks", "latency_ms": 600_000}])
    try:
        params = {"cluster_name": "demo-eks", "kubernetes": {"context": "demo-eks", "request_timeout": 3}}
        run = run_task(MODULE, params, module_steps.make_env(sandbox_env), estate.admin, tmp_path)
    finally:
        estate.admin.clear_faults()
    run.assert_clean("no answer within the request timeout of 3s", "context demo-eks")
    assert run.result["api_calls"]["writes"] == 0 and run.seconds < 60, run.seconds
