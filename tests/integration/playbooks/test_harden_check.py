"""playbooks/harden.yml --check --diff on the insecure estate, as a team previews a job template before its first
real run: every role plans through the whole baseline without a failure, says what it would change, and writes
nothing (the sandbox's call log and the security groups as boto3 reads them); the audit, which judges the estate
as it stands, still fails the prod gate on every cluster."""

from __future__ import annotations

import json
import pathlib
import subprocess

from conftest import reseed
from module_steps import ANSIBLE_PLAYBOOK
from module_steps import make_env

REPO = pathlib.Path(__file__).resolve().parents[3]
CLUSTERS = ("ack-app", "ack-db", "demo-eks")
GATE = "kubeguard.netsec.netsec_audit : Fail when the gate is reached (after the reports were written and the verdict shown)"


def _groups(ec2, vpc_id: str) -> list:
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return sorted(groups, key=lambda g: g["GroupId"])


def _by_host(output: dict, key: str) -> set:
    return {(host, task["task"]["name"]) for play in output["plays"] for task in play["tasks"]
            for host, result in task["hosts"].items() if result.get(key)}


def test_check_mode_previews_the_whole_baseline_and_writes_nothing(sandbox_env, admin, aws, tmp_path):
    seed = reseed(sandbox_env, admin)
    ec2 = aws("ec2")
    before = _groups(ec2, seed["aws"]["vpc_id"])
    (tmp_path / "tmp").mkdir()
    env = dict(make_env(sandbox_env), ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_NOCOLOR="1",
               KUBEGUARD_REPORT_DIR=str(tmp_path / "reports"), TMPDIR=str(tmp_path / "tmp"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    admin.settle(60)
    admin.reset_calls()
    done = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(REPO / "inventories" / "sandbox"), "--check", "--diff",
                           str(REPO / "playbooks" / "harden.yml")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    output = json.loads(done.stdout)

    # the EKS and ACK plays went through on every host; only the audit's gate failed, once per cluster
    assert done.returncode == 2, done.stdout[-3000:]
    assert _by_host(output, "failed") == {(host, GATE) for host in CLUSTERS}, done.stdout[-3000:]
    assert set(output["stats"]) == set(CLUSTERS) and not any(s["unreachable"] for s in output["stats"].values())
    # ...and previewed changes on every cluster, with a diff
    changed = _by_host(output, "changed")
    assert {host for host, _ in changed} == set(CLUSTERS), changed
    diffs = {host for play in output["plays"] for task in play["tasks"] for host, result in task["hosts"].items()
             for item in (result["results"] if isinstance(result.get("results"), list) else [result])
             if item.get("changed") and item.get("diff")}  # a loop's diffs are in its items
    assert diffs == set(CLUSTERS), changed

    # nothing written: no write by the job's own clients but kubernetes.core's server-side dry runs, and the
    # security groups are as they were
    mine = admin.client_call_log()
    assert mine
    writes = [c for c in mine if c["kind"] == "write" and "(dryRun)" not in c["action"]]
    assert writes == []
    admin.settle(60)
    assert _groups(ec2, seed["aws"]["vpc_id"]) == before
