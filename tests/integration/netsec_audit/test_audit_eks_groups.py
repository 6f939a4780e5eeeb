"""netsec_audit on demo-eks: each security-group and controller finding on the insecure estate, with its
evidence; none once the collection's modules have fixed the estate (no false positive on a correct one)."""

from __future__ import annotations

import json
import pathlib

import jsonschema

from audit_support import CONTROLLER_LABEL, OFFICE, SPARE_GROUP, audit, baseline, by_kind, estate, insecure  # noqa: F401,E501

CLUSTER = "demo-eks"
SARIF_SCHEMA = (pathlib.Path(__file__).resolve().parents[2] / "unit" / "plugins" / "module_utils" / "audit" / "fixtures"
                / "sarif-schema-2.1.0.json")
# this file is about the AWS side; the findings that read Kubernetes are in test_audit_eks_kubernetes.py
K8S = [f"KG-K8S-00{n}" for n in range(1, 6)] + ["KG-LBC-002", "KG-LBC-003", "KG-LBC-004"]


def test_every_group_finding_on_the_insecure_estate_then_none_after_the_fix(insecure, audit, baseline, tmp_path):
    estate, spare = insecure
    sg = estate.sg
    node = f"{sg['node']} ({estate.group(sg['node'])['GroupName']})"
    sarif, report = tmp_path / "audit.sarif", tmp_path / "audit.json"
    before = audit.run({"cluster_name": CLUSTER, "environment": "prod",
                        "output": {"sarif": str(sarif), "json": str(report)}})
    assert not before.failed and not before.changed and before.writes == 0, before
    found = by_kind(before.result)
    evidence = {kind: sorted(f["evidence"] for f in items) for kind, items in found.items()}
    assert evidence["KG-SG-001"] == ["ingress tcp 22 from 0.0.0.0/0 (on-call ssh)", "ingress tcp 3389 from ::/0 (rdp)"]
    assert [f["resource"] for f in found["KG-SG-002"]] == [f"{spare} ({SPARE_GROUP})"]
    assert evidence["KG-SG-003"] == ["ingress tcp 3306 from 0.0.0.0/0 (mysql for the analysts)"]
    assert evidence["KG-SG-004"] == [
        "ingress tcp 30000-32767 from 0.0.0.0/0 (temp: open nodeports for ALB debugging (ops ticket 4411))"]
    assert [f["resource"] for f in found["KG-SG-004"]] == [node]
    assert evidence["KG-SG-005"] == ["ingress tcp 10250 from 0.0.0.0/0 (metrics debugging)"]
    assert evidence["KG-SG-006"] == ["egress all to 0.0.0.0/0", "egress all to 0.0.0.0/0"]  # prod restricts egress
    assert len(found["KG-SG-007"]) == 1 and found["KG-SG-007"][0]["resource"].endswith("(default)")
    assert [f["resource"] for f in found["KG-SG-008"]] == [f"{spare} ({SPARE_GROUP})"]
    assert evidence["KG-SG-009"] == ["ingress tcp 8080 from 10.0.96.0/22"]
    assert evidence["KG-LBC-001"] == [f"ingress tcp 31080 from {OFFICE} ({CONTROLLER_LABEL})"]
    assert found["KG-SG-001"][0]["severity"] == "critical" and found["KG-SG-001"][0]["error"] is True
    assert found["KG-SG-001"][0]["crosswalk"]["securityhub"] == "EC2.13, EC2.14, EC2.53, EC2.54"
    assert "KG-SG-011" not in found and "KG-SG-010" not in found
    assert before.result["counts"]["critical"] == 4 and before.result["files"]["sarif"] == str(sarif)
    assert json.loads(report.read_text())["findings"] == before.result["findings"]
    log = json.loads(sarif.read_text())
    assert len(log["runs"][0]["results"]) == len(before.result["findings"])
    schema = json.loads(SARIF_SCHEMA.read_text())  # the OASIS SARIF 2.1.0 schema (draft-04)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(log)

    # the fix, with the collection's modules (and EC2 for what no module owns: the default and spare groups)
    fixed = baseline.run({"cluster_name": CLUSTER, "baseline": "minimum", "egress": "restricted", "state": "overridden",
                          "extra_rules": [{"ports": ["8080"], "cidr_ip": ["10.0.96.0/22"], "description": "probes"}],
                          "unprotect": [{"group": "nodes", "ports": ["31080"], "cidr_ip": [OFFICE]}]})
    assert fixed.changed and not fixed.failed, fixed
    # the module never takes over a hand-made rule equal to a desired one (it keeps it as it is): describe it
    estate.ec2.update_security_group_rule_descriptions_ingress(GroupId=sg["node"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
         "IpRanges": [{"CidrIp": "10.0.96.0/22", "Description": "probes from the public subnets"}]}])
    estate.ec2.delete_security_group(GroupId=spare)
    default = next(g for g in estate.groups() if g["GroupName"] == "default")
    estate.ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    estate.ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    try:
        after = audit.run({"cluster_name": CLUSTER, "environment": "prod", "fail_on": "low", "skip": K8S})
    finally:
        estate.ec2.authorize_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
        estate.ec2.authorize_security_group_egress(GroupId=default["GroupId"],
                                                   IpPermissions=default["IpPermissionsEgress"])
    assert not after.failed and after.result["findings"] == [], after  # fail_on low: nothing at all is left


def test_fail_on_fails_after_the_report_is_written_and_skip_leaves_kinds_out(insecure, audit, tmp_path):
    html = tmp_path / "gate.json"
    gate, skipped = audit.play([
        {"params": {"cluster_name": CLUSTER, "environment": "uat", "fail_on": "error", "output": {"json": str(html)}}},
        {"params": {"cluster_name": CLUSTER, "environment": "dev", "fail_on": "critical",
                    "skip": ["KG-SG-001", "KG-SG-002", "KG-SG-005"]}},
    ])
    assert gate.failed and "error(s) in the uat profile (fail_on: error)" in gate.msg, gate
    assert "KG-SG-00" in gate.msg and "Traceback" not in gate.msg
    assert html.exists() and gate.result["findings"] and gate.writes == 0
    assert not skipped.failed, skipped  # nothing critical left once those kinds are skipped
    assert not {"KG-SG-001", "KG-SG-002", "KG-SG-005"} & set(by_kind(skipped.result))
    assert skipped.result["skipped"] == ["KG-SG-001", "KG-SG-002", "KG-SG-005"]


def test_a_second_cluster_tagged_group_on_a_node_is_found(estate, audit):
    estate.restore()
    instance = estate.seed["instances"][0]
    reservation = estate.ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
    eni = next(i for i in reservation["NetworkInterfaces"] if i["Attachment"]["DeviceIndex"] == 0)
    groups = [g["GroupId"] for g in eni["Groups"]]
    estate.ec2.modify_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                                  Groups=groups + [estate.sg["cluster"]])
    try:
        step = audit.run({"cluster_name": CLUSTER, "environment": "stage"})
    finally:
        estate.ec2.modify_network_interface_attribute(NetworkInterfaceId=eni["NetworkInterfaceId"], Groups=groups)
    (finding,) = by_kind(step.result)["KG-SG-011"]
    assert finding["resource"] == f"{instance} ({eni['NetworkInterfaceId']})"
    assert "2 groups carry kubernetes.io/cluster/demo-eks" in finding["evidence"]


def test_the_examples_run_as_written(estate, audit, tmp_path):
    estate.restore()
    results = audit.run_examples(["prod", "audit", "ack"], {"/tmp/": f"{tmp_path}/"})
    assert results["prod"]["files"] == {"sarif": f"{tmp_path}/demo-eks.sarif", "html": f"{tmp_path}/demo-eks.html"}
    html = (tmp_path / "demo-eks.html").read_text()
    assert "NodePort range open to the internet on a node group" in html and "<script" not in html
    assert "KG-SG-009" not in {f["id"] for f in results["audit"]["findings"]}
    assert results["audit"]["api_calls"]["writes"] == 0
    ack = results["ack_audit"]  # the ACK example, on the same sandbox's ack-db and ack-app
    assert ack["target"]["kind"] == "ack" and ack["files"] == {"html": f"{tmp_path}/ack-db.html"}
    assert ack["api_calls"]["writes"] == 0 and ack["databases"][0]["port"] == 3306
