# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit report as a SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.

What maps to what:

* each catalog ``Kind`` is a rule (``reportingDescriptor``) in ``tool.driver.rules``, found or not, in catalog
  order: its title, description, remediation and crosswalk, its default level, and GitHub's
  ``security-severity`` (a score whose range GitHub turns back into critical/high/medium/low);
* each finding is a ``result`` naming its rule by id and index, with a level from its own severity (a profile
  may have raised or lowered the kind's default), a plain-text message (title, resource, evidence), and the
  finding's fields in ``properties``;
* the target, the profile and the counts per severity go in ``run.properties``.

Why the locations look like this: a cluster resource is not a file, but GitHub requires at least one
``location`` with ``physicalLocation.artifactLocation.uri`` to show a result, and converts (or rejects) absolute
URIs against the checkout, so the uri is a relative pseudo-path, ``kubeguard/<kind>/<region>/<cluster>/<resource>``,
each part percent-encoded into one path segment: stable across runs (GitHub matches alerts by path and
fingerprint) and never a real path in the repository. A ``logicalLocation`` names the resource as it is.

Why two fingerprints: ``kubeguardFinding/v1`` is a SHA-256 of (kind id, resource, evidence), so a re-run that
finds the same thing gives the same result identity; GitHub reads only ``primaryLocationLineHash`` (and would
compute it from the file otherwise, which does not exist), so the hash is given under that name too, in the
``<16 hex digits>:<occurrence>`` form GitHub's own tools write.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Sequence
from typing import Tuple
from urllib.parse import quote

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import counts

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# SARIF has three failure levels; critical and high both need a fix before the next release.
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}

# GitHub code scanning reads these back as: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
# (0.0 or outside: no security severity). GitHub has no "info": 1.0 shows as low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}

# How often a rule's results are true (GitHub: very-high, high, medium, low). The checks read the
# configuration itself, not a heuristic; "high" leaves room for what the audit cannot see (a compensating
# control elsewhere).
PRECISION = "high"

FINGERPRINT = "kubeguardFinding/v1"
GITHUB_FINGERPRINT = "primaryLocationLineHash"

# Where a resource "is": one line of a file that does not exist (GitHub lists the region as required).
_REGION = {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")


def sarif_log(report: Dict[str, Any], kinds: Sequence[Kind]) -> Dict[str, Any]:
    """The SARIF log of one audit ``report`` (``findings``: ``to_dict`` outputs); ``kinds``: the catalog."""
    rules, index = _rules(kinds)
    target = report["target"]
    run = {
        "tool": {"driver": _driver(report["tool"], rules)},
        "automationDetails": {"id": _category(report["tool"]["name"], target)},
        "invocations": [_invocation(report)],
        "results": [_result(finding, index, target) for finding in report["findings"]],
        "properties": {
            "profile": report.get("profile"),
            "target": dict(target),
            "counts": counts(report["findings"]),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def rule_name(title: str) -> str:
    """A readable identifier for a rule: the title in CamelCase (``RemoteAdministrationOpenToTheInternet``)."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def resource_uri(target: Dict[str, Any], resource: str) -> str:
    """The relative pseudo-URI of a resource: each part is one percent-encoded path segment."""
    parts = ("kubeguard", target.get("kind"), target.get("region"), target.get("cluster"), resource)
    return "/".join(_segment(str(part or "-")) for part in parts)


def fingerprint(rule_id: str, resource: str, evidence: str) -> str:
    """A SHA-256 (hex) of what identifies a finding across runs; JSON keeps the three fields apart."""
    text = json.dumps([rule_id, resource, evidence], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _segment(part: str) -> str:
    encoded = quote(part, safe="")
    # "." and ".." would be removed by URI normalisation (RFC 3986 5.2.4): encode their dots too.
    return encoded.replace(".", "%2E") if set(encoded) == {"."} else encoded


def _category(tool: str, target: Dict[str, Any]) -> str:
    """GitHub's analysis category (``category/run-id``): one per cluster, so uploads do not replace each other."""
    parts = (tool, target.get("kind"), target.get("region"), target.get("cluster"))
    return "/".join(_segment(str(part or "-")) for part in parts) + "/"


def _driver(tool: Dict[str, Any], rules: List[Dict[str, Any]]) -> Dict[str, Any]:
    driver = {"name": tool["name"], "rules": rules}
    if tool.get("version"):
        driver["semanticVersion"] = driver["version"] = tool["version"]
    if tool.get("information_uri"):
        driver["informationUri"] = tool["information_uri"]
    return driver


def _invocation(report: Dict[str, Any]) -> Dict[str, Any]:
    invocation: Dict[str, Any] = {"executionSuccessful": True}
    if report.get("generated_at"):
        invocation["endTimeUtc"] = report["generated_at"]
    return invocation


def _rules(kinds: Sequence[Kind]) -> Tuple[List[Dict[str, Any]], Dict[str, int]]:
    index: Dict[str, int] = {}
    for position, kind in enumerate(kinds):
        if kind.id in index:
            raise ValueError(f"kind {kind.id} is in the catalog twice")
        index[kind.id] = position
    return [_rule(kind) for kind in kinds], index


def _rule(kind: Kind) -> Dict[str, Any]:
    return {
        "id": kind.id,
        "name": rule_name(kind.title),
        "shortDescription": {"text": kind.title},
        "fullDescription": {"text": kind.description},
        "help": {"text": _help_text(kind), "markdown": _help_markdown(kind)},
        "defaultConfiguration": {"level": LEVELS[kind.severity]},
        "properties": {
            "tags": ["security", kind.area],
            "security-severity": SECURITY_SEVERITY[kind.severity],
            "precision": PRECISION,
            "severity": kind.severity,
            "crosswalk": dict(kind.crosswalk),
            "seen_by": list(kind.seen_by),
        },
    }


def _help_text(kind: Kind) -> str:
    lines = [kind.description, "", f"Remediation: {kind.remediation}"]
    if kind.crosswalk:
        lines += ["", "Crosswalk: " + "; ".join(f"{tool}: {check}" for tool, check in kind.crosswalk.items())]
    return "\n".join(lines)


def _help_markdown(kind: Kind) -> str:
    """The same help for GitHub, which shows it instead of the text; catalog text is escaped, not markup."""
    lines = [_md(kind.description), "", f"**Remediation:** {_md(kind.remediation)}"]
    if kind.crosswalk:
        lines += ["", "| Tool | Closest check |", "| --- | --- |"]
        lines += [f"| {_md(tool)} | {_md(check)} |" for tool, check in kind.crosswalk.items()]
    return "\n".join(lines)


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _result(finding: Dict[str, Any], index: Dict[str, int], target: Dict[str, Any]) -> Dict[str, Any]:
    rule_id = finding["id"]
    if rule_id not in index:
        raise ValueError(f"finding of kind {rule_id} on {finding['resource']}: the kind is not in the catalog")
    digest = fingerprint(rule_id, finding["resource"], finding["evidence"])
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": LEVELS[finding["severity"]],
        "message": {"text": _message(finding)},
        "locations": [_location(finding["resource"], target)],
        "partialFingerprints": {FINGERPRINT: digest, GITHUB_FINGERPRINT: f"{digest[:16]}:1"},
        "properties": {
            "severity": finding["severity"],
            "evidence": finding["evidence"],
            "remediation": finding["remediation"],
            "error": finding["error"],
            "crosswalk": dict(finding.get("crosswalk") or {}),
            "details": dict(finding.get("details") or {}),
        },
    }


def _message(finding: Dict[str, Any]) -> str:
    """Plain text: title and resource first (GitHub shows the first sentence when short of space)."""
    text = f"{finding['title']}: {finding['resource']}. {finding['evidence']}"
    # In a SARIF plain-text message "[text](n)" is a link to a location; evidence is data, never a link.
    return re.sub(r"([\[\]])", r"\\\1", text) if "](" in text else text


def _location(resource: str, target: Dict[str, Any]) -> Dict[str, Any]:
    cluster = f"{target.get('kind')}/{target.get('region')}/{target.get('cluster')}"
    return {
        "physicalLocation": {"artifactLocation": {"uri": resource_uri(target, resource)}, "region": dict(_REGION)},
        "logicalLocations": [{"name": resource, "fullyQualifiedName": f"{cluster}/{resource}", "kind": "resource"}],
    }
