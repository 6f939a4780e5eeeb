"""playbooks/audit.yml under ansible-runner, as AWX runs a job template inside an execution environment: a
private data directory with env/envvars (what AWX credentials inject) and env/extravars (the survey), the job
events stream, per-host status, and the audit's SARIF published as an artifact (set_stats)."""

from __future__ import annotations

import json
import pathlib
import sysconfig

import ansible_runner
import jsonschema
import yaml

from conftest import reseed

REPO = pathlib.Path(__file__).resolve().parents[3]
SARIF_SCHEMA = REPO / "tests" / "unit" / "plugins" / "module_utils" / "audit" / "fixtures" / "sarif-schema-2.1.0.json"
CLUSTERS = ("ack-app", "ack-db", "demo-eks")
# the inventory's environment of each cluster, and the gate group_vars give it (prod: high, uat: critical)
ENVIRONMENTS = {"ack-app": ("prod", "high"), "ack-db": ("uat", "critical"), "demo-eks": ("prod", "high")}
# what an AWX job gets from its credentials (AWS, Kubernetes, the collection's Alibaba Cloud type) and settings
INJECTED = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "KUBECONFIG",
            "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID",
            "ALIBABA_CLOUD_SLB_ENDPOINT")


def _private_data_dir(root: pathlib.Path, sandbox_env: dict, extravars: dict) -> pathlib.Path:
    (root / "env").mkdir(parents=True)
    envvars = {name: sandbox_env[name] for name in INJECTED}
    envvars.update(ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), KUBEGUARD_REPORT_DIR=str(root / "reports"),
                   # this checkout (make collection-link), then amazon.aws and kubernetes.core of the ansible package
                   ANSIBLE_COLLECTIONS_PATH=f"{REPO / 'build' / 'collections'}:{sysconfig.get_paths()['purelib']}")
    (root / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    (root / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (root / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 600, "suppress_ansible_output": True}))
    return root


def _run(root: pathlib.Path, ident: str) -> ansible_runner.Runner:
    return ansible_runner.run(private_data_dir=str(root), playbook=str(REPO / "playbooks" / "audit.yml"),
                              inventory=str(REPO / "inventories" / "sandbox"), ident=ident, forks=3, quiet=True)


def test_the_audit_job_reports_every_cluster_and_publishes_its_sarif(sandbox_env, admin, tmp_path):
    reseed(sandbox_env, admin)
    root = _private_data_dir(tmp_path / "job", sandbox_env, {})
    gated = _run(root, "gated")
    # each environment's gate fails its cluster of the insecure estate, after each report is written
    assert (gated.status, gated.rc) == ("failed", 2), gated.stdout.read()[-3000:]
    assert set(gated.stats["failures"]) == set(CLUSTERS) and not gated.stats["dark"]
    events = list(gated.events)
    audited = {e["event_data"]["host"] for e in events if e["event"] == "runner_on_ok"
               and e["event_data"]["task"] == "Run the audit (read only)"}
    assert audited == set(CLUSTERS)
    gate = [e for e in events if e["event"] == "runner_on_failed"]
    assert {e["event_data"]["host"] for e in gate} == set(CLUSTERS)
    for event in gate:
        host = event["event_data"]["host"]
        assert f"at or above {ENVIRONMENTS[host][1]} (netsec_audit_fail_on)" in event["event_data"]["res"]["msg"], host
    stats = next(e for e in events if e["event"] == "playbook_on_stats")
    published = stats["event_data"]["artifact_data"]["netsec_audit"]
    assert set(published) == set(CLUSTERS)
    schema = json.loads(SARIF_SCHEMA.read_text())
    for cluster, entry in published.items():
        environment, gate = ENVIRONMENTS[cluster]
        assert entry["environment"] == environment and entry["counts"][gate] > 0, (cluster, entry)
        sarif = json.loads(pathlib.Path(entry["files"]["sarif"]).read_text())
        jsonschema.Draft4Validator(schema).validate(sarif)
        assert len(sarif["runs"][0]["results"]) == sum(entry["counts"].values())
    artifacts = root / "artifacts" / "gated"
    assert (artifacts / "rc").read_text().strip() == "2" and (artifacts / "status").read_text() == "failed"
    assert len(list((artifacts / "job_events").glob("*.json"))) == len(events)

    # the survey turns the gate off: the same job passes, per host
    (root / "env" / "extravars").write_text(yaml.safe_dump({"netsec_audit_fail_on": "never"}))
    report_only = _run(root, "report-only")
    assert (report_only.status, report_only.rc) == ("successful", 0)
    assert set(report_only.stats["ok"]) == set(CLUSTERS) and not report_only.stats["failures"]
    # the job's own calls only read (the sandbox's simulated controllers write on ec2:lbc, elbv2:lbc, slb:ccm)
    mine = admin.client_call_log()
    assert mine and all(call["kind"] == "read" for call in mine), [c for c in mine if c["kind"] != "read"]
