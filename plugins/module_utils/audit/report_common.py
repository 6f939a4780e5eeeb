# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the HTML and the Markdown report share: the order and names of areas, scanners and crosswalk keys, the
verdict, the grouping and sorting of findings, and the text form of a detail value.

Nothing here escapes anything: each renderer escapes every string it writes (they come from the estate, the
catalog or the module's options, and none of them is markup).
"""

from __future__ import annotations

import json
import re
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple
from urllib.parse import urlsplit

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind

# area id -> heading, in the order the reports show them (an unknown area comes after these, by name)
AREAS = (
    ("security-groups", "Security groups"),
    ("load-balancer-controller", "Load balancer controller"),
    ("kubernetes", "Kubernetes"),
    ("ack", "ACK (Alibaba Cloud)"),
)

# the scanners ``Kind.seen_by`` names, as (normalised name, display name), in the appendix's column order
SCANNERS = (
    ("prowler", "Prowler"),
    ("checkov", "Checkov"),
    ("kubescape", "kubescape"),
    ("securityhub", "Security Hub"),
)

# crosswalk key -> display name, in the order the reports list them (unknown keys follow, by name)
CROSSWALK_LABELS = (
    ("securityhub", "Security Hub"),
    ("cis", "CIS"),
    ("prowler", "Prowler"),
    ("checkov", "Checkov"),
    ("kubescape", "kubescape"),
    ("kube_bench", "kube-bench"),
)

TARGET_LABELS = {"eks": "Amazon EKS", "ack": "Alibaba Cloud ACK"}

# the appendix's note on its last columns
SEEN_BY_NOTE = "The last columns say whether Prowler, Checkov, kubescape or AWS Security Hub can see it at all."

# an absolute http(s) URL made of URL characters only (no space, quote, angle bracket, backslash or backtick)
SAFE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+\Z")


def area_label(area: str) -> str:
    """The heading of an area (the id itself when the area is not a known one)."""
    return dict(AREAS).get(area, area)


def area_order(area: str) -> Tuple[int, str]:
    ids = [known for known, _label in AREAS]
    return (ids.index(area), "") if area in ids else (len(ids), str(area))


def severity_order(severity: object) -> int:
    """Critical first: the negated rank; an unknown severity sorts after ``info``."""
    return -SEVERITIES.index(severity) if severity in SEVERITIES else 1


def finding_order(finding: dict) -> Tuple[int, str, str, str]:
    """Severity (critical first), then id, then resource and evidence so that the order is total."""
    return (
        severity_order(finding.get("severity")),
        str(finding.get("id", "")),
        str(finding.get("resource", "")),
        str(finding.get("evidence", "")),
    )


def by_area(findings: Iterable[dict]) -> List[Tuple[str, List[dict]]]:
    """``[(area, findings)]``: the areas that have findings, in report order, each sorted by ``finding_order``."""
    groups = {}  # type: Dict[str, List[dict]]
    for finding in findings:
        groups.setdefault(str(finding.get("area", "")), []).append(finding)
    return [(area, sorted(groups[area], key=finding_order)) for area in sorted(groups, key=area_order)]


def sorted_kinds(kinds: Iterable[Kind]) -> List[Kind]:
    """The catalog in report order: by area, then id."""
    return sorted(kinds, key=lambda kind: (area_order(kind.area), kind.id))


def per_kind(findings: Iterable[dict]) -> Dict[str, int]:
    """Findings per kind id."""
    result = {}  # type: Dict[str, int]
    for finding in findings:
        key = text(finding.get("id"))
        result[key] = result.get(key, 0) + 1
    return result


def severity_counts(report: dict) -> Dict[str, int]:
    """Findings per severity, every severity present: the report's ``counts``, else counted from its findings."""
    given = report.get("counts")
    if given is None:
        given = {}
        for finding in report.get("findings") or []:
            given[finding.get("severity")] = given.get(finding.get("severity"), 0) + 1
    return {severity: int(given.get(severity, 0)) for severity in SEVERITIES}


def fails_gate(report: dict, finding: dict) -> bool:
    """Whether this finding fails the task, by the rule of ``verdict.gate``: ``fail_on`` a severity, at or above
    it; ``error``, an error in the profile; no ``fail_on`` (``never``), none does."""
    fail_on = report.get("fail_on")
    if not fail_on or fail_on == "never":
        return False
    if fail_on in SEVERITIES and finding.get("severity") in SEVERITIES:
        return SEVERITIES.index(finding["severity"]) >= SEVERITIES.index(fail_on)
    return bool(finding.get("error"))


def flags(report: dict, finding: dict) -> List[str]:
    """What a finding means for the run, in words: it fails the task, it is an error in the profile."""
    result = ["fails the task"] if fails_gate(report, finding) else []
    if finding.get("error"):
        result.append(f"error in the {text(report.get('profile'))} profile")
    return result


def failing(report: dict) -> List[dict]:
    """The findings that fail the task (``fails_gate``)."""
    return [finding for finding in report.get("findings") or [] if fails_gate(report, finding)]


def verdict(report: dict) -> Tuple[bool, str]:
    """``(fails, text)``: ``fails at <fail_on>`` when a finding fails the gate, else ``passes``."""
    if failing(report):
        return True, f"fails at {report.get('fail_on')}"
    return False, "passes"


def verdict_detail(report: dict) -> str:
    """The sentence after the verdict: how many findings fail the task, and how many are errors in the profile."""
    fail_on = report.get("fail_on")
    findings = report.get("findings") or []
    bad = len(failing(report))
    errors = sum(1 for finding in findings if finding.get("error"))
    profile = f"{errors} of {len(findings)} finding(s) are errors in the {text(report.get('profile'))} profile"
    if not fail_on or fail_on == "never":
        return f"no fail_on threshold set; {profile}"
    if fail_on == "error":
        return profile if bad else f"no finding is an error in the {text(report.get('profile'))} profile"
    if bad:
        return f"{bad} of {len(findings)} finding(s) at or above {fail_on}; {profile}"
    return f"no finding at or above {fail_on}; {profile}"


def normalise_scanner(name: str) -> str:
    """``Security Hub``, ``security_hub`` and ``securityhub`` are the same scanner."""
    return "".join(char for char in str(name).lower() if char.isalnum())


def seen_by(kind: Kind) -> Dict[str, bool]:
    """Scanner display name -> whether that scanner can see this kind of finding at all."""
    names = {normalise_scanner(name) for name in kind.seen_by}
    return {label: scanner in names for scanner, label in SCANNERS}


def crosswalk_items(crosswalk: Optional[Dict[str, object]]) -> List[Tuple[str, str]]:
    """``[(display name, reference)]`` in the reports' order; empty references are left out."""
    labels = dict(CROSSWALK_LABELS)
    order = [key for key, _label in CROSSWALK_LABELS]
    keys = sorted(crosswalk or {}, key=lambda key: (order.index(key) if key in order else len(order), str(key)))
    return [
        (labels.get(key, str(key)), detail_text(crosswalk[key])) for key in keys if crosswalk[key] not in ("", None)
    ]


def detail_text(value: object) -> str:
    """A detail or crosswalk value as text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str, separators=(", ", ": "))


def target_label(kind: object) -> str:
    """``Amazon EKS (eks)`` for a known target kind, the kind itself otherwise."""
    label = TARGET_LABELS.get(str(kind))
    return f"{label} ({kind})" if label else str(kind or "")


def text(value: object) -> str:
    """A report field as text (``None`` is empty)."""
    return "" if value is None else str(value)


def safe_link(uri: str) -> bool:
    """Whether ``uri`` may become a link: an absolute http(s) URL with a host, made of URL characters only."""
    if not SAFE_URL.match(uri or ""):
        return False
    try:
        return bool(urlsplit(uri).netloc)
    except ValueError:
        return False
