"""The audit report as SARIF 2.1.0 (checked against the OASIS schema) and the report files."""

from __future__ import annotations

import json
import os
import pathlib
import re
from urllib.parse import unquote

import jsonschema
import pytest
from jsonschema.validators import validator_for

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import files
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import to_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.sarif import resource_uri
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.sarif import sarif_log
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

# The OASIS standard's schema (SARIF 2.1.0 Errata 01, OASIS Standard), from oasis-tcs/sarif-spec
# sarif-2.1/schema/sarif-schema-2.1.0.json.
SCHEMA = json.loads((pathlib.Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text("utf-8"))

NASTY_RESOURCE = "sg-0abc/ingress tcp:22 from 0.0.0.0/0"
NASTY_EVIDENCE = 'rule "allow-ssh" <script>alert(1)</script> admits 0.0.0.0/0'

KINDS = [
    Kind(
        "KG-T-001",
        "Remote administration open to the internet",
        "critical",
        "security-groups",
        "SSH from anywhere.",
        "kubeguard.netsec.eks_cluster_security_groups (ssh)",
        {"securityhub": "EC2.13", "checkov": "CKV_AWS_24"},
        ("checkov",),
    ),
    Kind(
        "KG-T-002",
        "Webhook port open",
        "high",
        "security-groups",
        "Port 9443 <b>wide</b> open.",
        "eks_lbc_security_groups",
        {"prowler": "ec2_any_port | x"},
    ),
    Kind("KG-T-003", "NodePort range reachable", "medium", "kubernetes", "NodePorts reachable.", "netpol"),
    Kind("KG-T-004", "Controller flag left at default", "low", "load-balancer-controller", "Flag.", "lbc"),
    Kind("KG-T-005", "Informational note", "info", "ack", "Note.", "none"),
    Kind("KG-T-006", "Never found here", "high", "ack", "Not found in this report.", "none"),
]
BY_ID = {kind.id: kind for kind in KINDS}
TARGET = {"kind": "eks", "cluster": "demo-eks", "region": "us-east-1"}


def finding(kind_id, resource="sg-0abc", evidence="tcp 22 from 0.0.0.0/0", severity=None, error=False):
    kind = BY_ID[kind_id]
    return to_dict(Finding(kind_id, resource, evidence), kind, severity or kind.severity, error)


def report(findings):
    return {
        "tool": {
            "name": "kubeguard.netsec.netsec_audit",
            "version": "0.2.0",
            "information_uri": "https://github.com/kubeguard/netsec",
        },
        "target": dict(TARGET),
        "profile": "prod",
        "generated_at": "2026-11-30T04:00:00Z",
        "findings": findings,
    }


def one_per_severity():
    return [
        finding("KG-T-001", resource=NASTY_RESOURCE, evidence=NASTY_EVIDENCE, error=True),
        finding("KG-T-002", resource="kube-system/aws-load-balancer-webhook-service"),
        finding("KG-T-003", resource="node group ng-1"),
        finding("KG-T-004", resource="deployment/kube-system/aws-load-balancer-controller"),
        finding("KG-T-005", resource="cluster demo-eks"),
    ]


def rfc3986_reference(value):
    """A URI reference by RFC 3986's character set (jsonschema checks "uri" only with rfc3987 installed)."""
    return isinstance(value, str) and re.fullmatch(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*", value)


def rfc3986_uri(value):
    return bool(rfc3986_reference(value)) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) is not None


def schema_errors(log):
    """Every violation of the SARIF schema, formats included, as readable lines."""
    cls = validator_for(SCHEMA)
    checker = jsonschema.FormatChecker(formats=list(cls.FORMAT_CHECKER.checkers))
    checker.checks("uri")(rfc3986_uri)
    checker.checks("uri-reference")(lambda value: bool(rfc3986_reference(value)))
    validator = cls(SCHEMA, format_checker=checker)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(log)]


def results_by_rule(log):
    return {result["ruleId"]: result for result in log["runs"][0]["results"]}


def test_schema_is_the_oasis_draft_04_schema_with_a_date_time_check():
    assert SCHEMA["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert validator_for(SCHEMA) is jsonschema.Draft4Validator
    assert "date-time" in jsonschema.Draft4Validator.FORMAT_CHECKER.checkers


def test_log_validates_against_the_sarif_schema():
    log = sarif_log(report(one_per_severity()), KINDS)

    assert schema_errors(log) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    assert len(log["runs"][0]["results"]) == 5


@pytest.mark.parametrize(
    "path, value",
    [
        (("results", 0, "level"), "critical"),
        (("results", 0, "ruleIndex"), -2),
        (("invocations", 0, "endTimeUtc"), "30/11/2026 04:00"),
        (("results", 0, "locations", 0, "physicalLocation", "artifactLocation", "uri"), "kubeguard/a b"),
        (("tool", "driver", "informationUri"), "github.com/kubeguard/netsec"),
    ],
)
def test_the_schema_check_catches_a_broken_log(path, value):
    log = sarif_log(report(one_per_severity()), KINDS)
    node = log["runs"][0]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value

    assert schema_errors(log) != []


def test_one_rule_per_catalog_kind_in_catalog_order_found_or_not():
    rules = sarif_log(report(one_per_severity()), KINDS)["runs"][0]["tool"]["driver"]["rules"]

    assert [rule["id"] for rule in rules] == [kind.id for kind in KINDS]
    first = rules[0]
    assert first["name"] == "RemoteAdministrationOpenToTheInternet"
    assert first["shortDescription"]["text"] == "Remote administration open to the internet"
    assert first["fullDescription"]["text"] == "SSH from anywhere."
    assert "kubeguard.netsec.eks_cluster_security_groups (ssh)" in first["help"]["text"]
    assert "eks\\_cluster\\_security\\_groups" in first["help"]["markdown"]
    assert first["properties"]["tags"] == ["security", "security-groups"]
    assert first["properties"]["crosswalk"] == {"securityhub": "EC2.13", "checkov": "CKV_AWS_24"}
    assert first["properties"]["precision"] in ("very-high", "high", "medium", "low")


def github_bucket(score):
    """GitHub's documented reading of security-severity: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
    0.1-3.9 low (docs: code-security/reference/code-scanning/sarif-files/sarif-support)."""
    value = float(score)
    if value > 9.0:
        return "critical"
    if value >= 7.0:
        return "high"
    if value >= 4.0:
        return "medium"
    return "low" if value >= 0.1 else None


def test_security_severity_lands_in_githubs_bucket_and_levels_map_from_severity():
    rules = {rule["id"]: rule for rule in sarif_log(report([]), KINDS)["runs"][0]["tool"]["driver"]["rules"]}
    expected_level = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}

    for kind in KINDS:
        properties = rules[kind.id]["properties"]
        assert isinstance(properties["security-severity"], str)
        assert github_bucket(properties["security-severity"]) == ("low" if kind.severity == "info" else kind.severity)
        assert rules[kind.id]["defaultConfiguration"]["level"] == expected_level[kind.severity]
    scores = [rules[f"KG-T-00{n}"]["properties"]["security-severity"] for n in (5, 4, 3, 2, 1)]
    assert scores == ["1.0", "3.0", "5.5", "8.0", "9.5"], "mid-bucket scores, info below low"


def test_result_levels_follow_each_findings_severity_and_rule_indexes_point_at_their_rule():
    log = sarif_log(report(one_per_severity()), KINDS)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]

    assert [r["level"] for r in run["results"]] == ["error", "error", "warning", "note", "note"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_profile_severity_changes_the_result_level_not_the_rule():
    raised = finding("KG-T-004", severity="critical")
    run = sarif_log(report([raised]), KINDS)["runs"][0]

    assert run["results"][0]["level"] == "error"
    assert run["results"][0]["properties"]["severity"] == "critical"
    assert run["tool"]["driver"]["rules"][3]["defaultConfiguration"]["level"] == "note"


def test_a_resource_is_one_safe_stable_path_segment_with_its_name_as_logical_location():
    result = results_by_rule(sarif_log(report(one_per_severity()), KINDS))["KG-T-001"]
    location = result["locations"][0]
    uri = location["physicalLocation"]["artifactLocation"]["uri"]

    assert uri == "kubeguard/eks/us-east-1/demo-eks/sg-0abc%2Fingress%20tcp%3A22%20from%200.0.0.0%2F0"
    assert rfc3986_reference(uri) and ":" not in uri and " " not in uri
    assert unquote(uri.split("/")[-1]) == NASTY_RESOURCE
    assert location["logicalLocations"][0]["name"] == NASTY_RESOURCE
    assert location["physicalLocation"]["region"]["startLine"] == 1


@pytest.mark.parametrize("resource", [".", "..", "a/../b", "ä ö", ""])
def test_resource_uri_has_exactly_five_segments_that_survive_normalisation(resource):
    segments = resource_uri(TARGET, resource).split("/")

    assert len(segments) == 5
    assert segments[-1] not in (".", "..", "")
    assert rfc3986_reference(resource_uri(TARGET, resource))


def test_fingerprints_are_stable_across_runs_and_differ_when_the_evidence_differs():
    def fingerprints(evidence):
        log = sarif_log(report([finding("KG-T-001", evidence=evidence)]), KINDS)
        return log["runs"][0]["results"][0]["partialFingerprints"]

    first, again, other = fingerprints("tcp 22"), fingerprints("tcp 22"), fingerprints("tcp 3389")

    assert first == again
    assert first["kubeguardFinding/v1"] != other["kubeguardFinding/v1"]
    assert first["primaryLocationLineHash"] != other["primaryLocationLineHash"]
    assert re.fullmatch(r"[0-9a-f]{16}:1", first["primaryLocationLineHash"])


def test_fingerprint_fields_do_not_run_into_each_other():
    a = sarif_log(report([finding("KG-T-001", resource="ab", evidence="c")]), KINDS)
    b = sarif_log(report([finding("KG-T-001", resource="a", evidence="bc")]), KINDS)

    assert a["runs"][0]["results"][0]["partialFingerprints"] != b["runs"][0]["results"][0]["partialFingerprints"]


def test_message_and_properties_carry_the_evidence_verbatim_as_plain_text():
    result = results_by_rule(sarif_log(report(one_per_severity()), KINDS))["KG-T-001"]
    text = result["message"]["text"]

    assert text.startswith("Remote administration open to the internet: " + NASTY_RESOURCE)
    assert NASTY_EVIDENCE in text
    assert result["properties"] == {
        "severity": "critical",
        "evidence": NASTY_EVIDENCE,
        "remediation": "kubeguard.netsec.eks_cluster_security_groups (ssh)",
        "error": True,
        "crosswalk": {"securityhub": "EC2.13", "checkov": "CKV_AWS_24"},
        "details": {},
    }
    assert json.loads(json.dumps(result))["message"]["text"] == text


def test_evidence_that_looks_like_an_embedded_link_is_escaped():
    result = sarif_log(report([finding("KG-T-003", evidence="see [here](0)")]), KINDS)["runs"][0]["results"][0]

    assert "\\[here\\](0)" in result["message"]["text"]
    assert result["properties"]["evidence"] == "see [here](0)"


def test_catalog_text_is_escaped_in_markdown_help():
    rules = sarif_log(report([]), KINDS)["runs"][0]["tool"]["driver"]["rules"]
    markdown = rules[1]["help"]["markdown"]

    assert "<b>" not in markdown and "\\<b\\>wide\\</b\\>" in markdown
    assert "| prowler | ec2\\_any\\_port \\| x |" in markdown


def test_an_audit_with_no_findings_is_still_a_valid_log_with_every_rule():
    log = sarif_log(report([]), KINDS)
    run = log["runs"][0]

    assert schema_errors(log) == []
    assert run["results"] == []
    assert len(run["tool"]["driver"]["rules"]) == len(KINDS)
    assert run["properties"]["counts"] == dict.fromkeys(SEVERITIES, 0)


def test_run_describes_tool_target_profile_counts_and_a_successful_invocation():
    run = sarif_log(report(one_per_severity() + [finding("KG-T-002", resource="x")]), KINDS)["runs"][0]
    driver = run["tool"]["driver"]

    assert (driver["name"], driver["semanticVersion"], driver["version"]) == (
        "kubeguard.netsec.netsec_audit",
        "0.2.0",
        "0.2.0",
    )
    assert driver["informationUri"] == "https://github.com/kubeguard/netsec"
    assert run["invocations"] == [{"executionSuccessful": True, "endTimeUtc": "2026-11-30T04:00:00Z"}]
    assert run["properties"] == {
        "profile": "prod",
        "target": TARGET,
        "counts": {"info": 1, "low": 1, "medium": 1, "high": 2, "critical": 1},
    }
    assert run["automationDetails"]["id"] == "kubeguard.netsec.netsec_audit/eks/us-east-1/demo-eks/"


def test_a_finding_of_a_kind_outside_the_catalog_is_refused():
    with pytest.raises(ValueError, match="KG-T-002 .* not in the catalog"):
        sarif_log(report([finding("KG-T-002")]), [BY_ID["KG-T-001"]])


def test_a_kind_listed_twice_is_refused():
    with pytest.raises(ValueError, match="KG-T-001 is in the catalog twice"):
        sarif_log(report([]), [BY_ID["KG-T-001"], BY_ID["KG-T-001"]])


# The report files


def test_writes_json_and_sarif_and_returns_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = report(one_per_severity())

    written = files.write_report_files(data, KINDS, {"json": "audit.json", "sarif": str(tmp_path / "audit.sarif")})

    assert written == {"json": str(tmp_path / "audit.json"), "sarif": str(tmp_path / "audit.sarif")}
    assert json.loads((tmp_path / "audit.json").read_text("utf-8")) == data
    assert json.loads((tmp_path / "audit.sarif").read_text("utf-8")) == sarif_log(data, KINDS)
    assert sorted(os.listdir(tmp_path)) == ["audit.json", "audit.sarif"], "no temporary file is left"


def test_json_file_has_sorted_keys_and_keeps_non_ascii(tmp_path):
    data = report([finding("KG-T-003", resource="nœud ä")])

    files.write_report_files(data, KINDS, {"json": str(tmp_path / "r.json")})
    text = (tmp_path / "r.json").read_text("utf-8")

    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "nœud ä" in text


def test_a_missing_directory_names_the_option_and_nothing_is_written(tmp_path):
    paths = {"json": str(tmp_path / "audit.json"), "sarif": str(tmp_path / "missing" / "audit.sarif")}

    with pytest.raises(InputError) as raised:
        files.write_report_files(report([]), KINDS, paths)

    assert raised.value.path == "output.sarif"
    assert str(tmp_path / "missing") in raised.value.message
    assert os.listdir(tmp_path) == []


def test_a_directory_as_path_and_an_unknown_format_are_input_errors(tmp_path):
    with pytest.raises(InputError, match=r"^output\.json: .* is a directory"):
        files.write_report_files(report([]), KINDS, {"json": str(tmp_path)})
    with pytest.raises(
        InputError, match=r"^output\.pdf: no writer for this format \(known: html, json, markdown, sarif\)"
    ):
        files.write_report_files(report([]), KINDS, {"pdf": str(tmp_path / "r.pdf")})


def test_an_empty_path_is_skipped(tmp_path):
    assert files.write_report_files(report([]), KINDS, {"json": None, "sarif": ""}) == {}


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "audit.sarif"
    target.write_text("old report\n", "utf-8")

    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        files.write_report_files(report([]), KINDS, {"sarif": str(target)})

    assert target.read_text("utf-8") == "old report\n"
    assert os.listdir(tmp_path) == ["audit.sarif"]


def test_an_existing_file_is_replaced_and_keeps_its_mode(tmp_path):
    target = tmp_path / "audit.json"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)

    files.write_report_files(report([]), KINDS, {"json": str(target)})

    assert json.loads(target.read_text("utf-8"))["findings"] == []
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path):
    previous = os.umask(0o027)
    try:
        files.write_report_files(report([]), KINDS, {"json": str(tmp_path / "new.json")})
    finally:
        os.umask(previous)

    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o640


def test_another_format_is_written_once_its_writer_is_registered(tmp_path, monkeypatch):
    monkeypatch.setitem(files.WRITERS, "markdown", lambda data, kinds: f"# {data['target']['cluster']}\n")

    written = files.write_report_files(report([]), KINDS, {"markdown": str(tmp_path / "r.md")})

    assert (tmp_path / "r.md").read_text("utf-8") == "# demo-eks\n"
    assert written == {"markdown": str(tmp_path / "r.md")}


def test_the_sarif_file_round_trips_and_validates(tmp_path):
    files.write_report_files(report(one_per_severity()), KINDS, {"sarif": str(tmp_path / "a.sarif")})
    log = json.loads((tmp_path / "a.sarif").read_text("utf-8"))

    assert schema_errors(log) == []
    assert log == sarif_log(report(one_per_severity()), KINDS)
