"""The AWS side of the run boundary, as an AWX job meets it: an endpoint that refuses, one that accepts and
never answers, no credentials. Each is one clean failure naming the call, the region and the endpoint,
within the documented bound (docs: a connect timeout of 10 s, a read timeout of 20 s, 3 attempts)."""

from __future__ import annotations

import pytest

from boundary_support import LBC, REGION, free_port, not_an_api_server, run_task

PARAMS = {"cluster_name": "demo-eks", "mode": "auto", "node_rules": {"ports_from": "nodeport_range"}}
SILENT = [{"service": "ec2", "latency_ms": 600_000}]  # the sandbox holds every EC2 request for ten minutes


def test_an_endpoint_that_refuses_connections(sandbox_env, fresh, tmp_path):
    port = free_port()
    run = run_task(LBC, dict(PARAMS, endpoint_url=f"http://127.0.0.1:{port}"), sandbox_env, fresh, tmp_path)
    run.assert_clean("describe_instances failed", "cannot connect", f"http://127.0.0.1:{port}", f"region {REGION}")
    assert run.result["api_calls"]["writes"] == 0
    assert run.seconds < 60, run.seconds  # 3 attempts, a few seconds of back-off


def test_an_endpoint_that_is_no_aws_api(sandbox_env, fresh, tmp_path):
    with not_an_api_server() as url:
        run = run_task(LBC, dict(PARAMS, endpoint_url=url), sandbox_env, fresh, tmp_path)
    # botocore cannot parse the empty 404: a clear failure of the call, not "a bug in kubeguard.netsec"
    run.assert_clean("describe_instances failed", "is not an AWS API response", url, f"region {REGION}")
    assert "bug in kubeguard" not in run.msg, run
    assert run.result["api_calls"]["writes"] == 0


def test_an_endpoint_that_never_answers_fails_within_the_configured_bound(sandbox_env, fresh, tmp_path):
    fresh.set_faults(SILENT)
    config = {"connect_timeout": 2, "read_timeout": 2, "retries": {"total_max_attempts": 2}}
    run = run_task(LBC, dict(PARAMS, aws_config=config), sandbox_env, fresh, tmp_path)
    run.assert_clean("describe_instances failed", "no answer within the read timeout of 2s",
                     sandbox_env["AWS_ENDPOINT_URL"], f"region {REGION}")
    assert run.calls_on("ec2") == 2  # both attempts reached the endpoint (botocore retried once), nothing more
    assert run.result["api_calls"]["by_operation"] == {"DescribeInstances": 1}
    assert run.seconds < 45, run.seconds  # 2 x 2 s, back-off and ansible-playbook's own start


@pytest.mark.slow
def test_an_endpoint_that_never_answers_fails_within_the_default_bound(sandbox_env, fresh, tmp_path):
    fresh.set_faults(SILENT)
    run = run_task(LBC, PARAMS, sandbox_env, fresh, tmp_path)
    run.assert_clean("no answer within the read timeout of 20s", sandbox_env["AWS_ENDPOINT_URL"])
    assert run.calls_on("ec2") == 3
    assert 60 <= run.seconds < 150, run.seconds  # "about a minute": 3 x 20 s and the back-off


def test_no_credentials_anywhere(sandbox_env, fresh, tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {key: value for key, value in sandbox_env.items() if not key.startswith("AWS_") or key in (
        "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(empty), AWS_CONFIG_FILE=str(empty), AWS_EC2_METADATA_DISABLED="true",
               HOME=str(tmp_path))
    run = run_task(LBC, PARAMS, env, fresh, tmp_path)
    run.assert_clean("no AWS credentials found", "AWS_ACCESS_KEY_ID", f"region {REGION}")
    assert run.calls_on("ec2") == 0  # botocore refuses to send an unsigned request
