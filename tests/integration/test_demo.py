"""`make demo` is the product's main job: scripts/demo.sh end to end on a sandbox of its own. What a newcomer
reads must be true - the before shows the open paths and the findings, the incident happens, the second
hardening run changes nothing and writes nothing, and the after has no finding above low and the paths flipped.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

from conftest import TEST_BASE_PORT

REPO = pathlib.Path(__file__).resolve().parents[2]


def _section(output: str, number: int) -> str:
    start = output.index(f"=== {number}.")
    end = output.find(f"=== {number + 1}.", start)
    return output[start:end if end > 0 else len(output)]


def test_the_demo_runs_end_to_end_and_says_what_changed(tmp_path):
    env = dict(os.environ, KUBEGUARD_DEMO_DIR=str(tmp_path / "demo"), KUBEGUARD_DEMO_BASE_PORT=str(TEST_BASE_PORT + 20))
    done = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    output = done.stdout
    assert done.returncode == 0, (output[-4000:], done.stderr[-2000:])
    before, incident = _section(output, 2), _section(output, 3)
    second, after = _section(output, 5), _section(output, 6)
    assert "CRITICAL KG-ACK-005" in before and "HIGH     KG-SG-004" in before
    assert before.count("REACHABLE") == 6
    assert "the hand-made rule is there: True" in incident and "the hand-made rule is there: False" in incident
    recaps = re.findall(r"^\s+(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", second, re.MULTILINE)
    assert sorted(host for host, _changed in recaps) == ["ack-app", "ack-db", "demo-eks"]
    assert all(changed == "0" for _host, changed in recaps), recaps
    assert "write calls by the playbook: 0" in second
    for cluster in ("ack-app", "ack-db", "demo-eks"):
        line = next(line for line in after.splitlines() if line.strip().startswith(f"{cluster} ("))
        assert not re.search(r"\d+ (critical|high|medium)", line), line
    verdicts = dict(re.findall(r"^\s+(REACHABLE|blocked)\s+(.+)$", after, re.MULTILINE)[i][::-1]
                    for i in range(6))
    assert verdicts["a prod pod (ack-app) -> the UAT database"] == "blocked"
    assert verdicts["a UAT application pod (ack-app) -> the UAT database"] == "REACHABLE"
    assert verdicts["a VPC host outside the cluster's groups -> a worker's NodePort 30080"] == "blocked"
    assert verdicts["the office -> the shop's admin ALB :443"] == "REACHABLE"
    assert len(list((tmp_path / "demo" / "reports" / "after").glob("*.html"))) == 3
