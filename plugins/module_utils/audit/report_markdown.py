# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit report in GitHub-flavoured Markdown, for a pull request comment or a job summary.

``markdown_report(report, kinds)`` holds what the HTML page holds: the target and the verdict, a table of the
counts per severity, a table of findings per area (one row per finding, sorted by severity, critical first,
then id) and a table of every kind the audit checks, with the scanners that can see it.

No string is written as Markdown. Values read from the estate or the options (resource, evidence, details,
crosswalk references, cluster, region, profile, time) go into code spans, where nothing is a link, an HTML
tag, an emphasis, a mention or an emoji: the fence is longer than any run of backticks in the value, and a
pipe is written outside the span as ``\\|`` (GFM splits table cells before it reads code spans). Prose
(titles, remediation, area names) is written as text with every Markdown-active character backslash-escaped
and ``://`` and ``www.`` broken so that GitHub makes no autolink. Line breaks, which would end a table row,
become U+21B5 (a visible return arrow); other control characters become U+FFFD.
"""

from __future__ import annotations

import re
from typing import Dict
from typing import List
from typing import Sequence

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import report_common as common
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind

NEWLINE = "\u21b5"
LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
ACTIVE = re.compile(r"([\\`*_\[\]<>|~#&$@!{}])")
FINDING_COLUMNS = ("Severity", "ID", "Title", "Resource", "Evidence", "Remediation", "Crosswalk", "Details")
CHECK_COLUMNS = ("ID", "Title", "Area", "Default severity", "Findings", "Crosswalk")


def one_line(value: object) -> str:
    """The value as one line: line breaks become U+21B5, other control characters U+FFFD (tabs stay)."""
    return CONTROLS.sub("\ufffd", LINE_BREAKS.sub(NEWLINE, common.text(value)))


def text(value: object) -> str:
    """Prose as Markdown text that means nothing but itself."""
    escaped = ACTIVE.sub(r"\\\1", one_line(value))
    escaped = re.sub(r":(?=//)", r"\\:", escaped)
    return re.sub(r"(?i)(www)\.", r"\1\\.", escaped)


def code(value: object) -> str:
    """A value as code spans, the pipes between them escaped; empty for an empty value."""
    return "\\|".join(code_span(part) if part else "" for part in one_line(value).split("|"))


def code_span(value: str) -> str:
    """One code span holding ``value`` (no pipe, no line break) exactly."""
    longest = max((len(run) for run in re.findall("`+", value)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both ends are spaces (and not all of it is); pad to
    # make it strip ours, and to keep a backtick at either end from joining the fence
    spaced = value.startswith(" ") and value.endswith(" ") and value.strip(" ") != ""
    padded = value.startswith("`") or value.endswith("`") or spaced
    pad = " " if padded else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def table(headers: Sequence[str], rows: List[Sequence[str]], right: Sequence[int] = ()) -> List[str]:
    """A GFM table; ``headers`` are the page's own words, the cells are escaped by the caller."""
    rule = ["---:" if index in right else "---" for index in range(len(headers))]
    return [row(headers), row(rule)] + [row(cells) for cells in rows]


def markdown_report(report: dict, kinds: List[Kind]) -> str:
    """The whole report for ``report`` (the module's result) and ``kinds`` (every kind the audit checks)."""
    findings = report.get("findings") or []
    lines = header(report) + summary(report) + findings_part(report) + appendix(kinds, findings) + footer(report)
    return "\n".join(lines) + "\n"


def header(report: dict) -> List[str]:
    target = report.get("target") or {}
    fails, verdict = common.verdict(report)
    fields = [
        ("Cluster", code(target.get("cluster"))),
        ("Target", text(common.target_label(target.get("kind")))),
        ("Region", code(target.get("region"))),
        ("Profile", code(report.get("profile"))),
        ("Fails at", code(report.get("fail_on")) if report.get("fail_on") else "not set"),
        ("Generated", code(report.get("generated_at"))),
    ]
    mark = "\u274c" if fails else "\u2705"
    return (
        [f"# Network security audit: {code(target.get('cluster')) or '(no cluster)'}", ""]
        + [f"{mark} **Verdict: {text(verdict)}** \u2014 {text(common.verdict_detail(report))}", ""]
        + table(("Field", "Value"), [list(field) for field in fields])
        + [""]
    )


def summary(report: dict) -> List[str]:
    counts = common.severity_counts(report)
    rows = [[severity, str(counts[severity])] for severity in reversed(SEVERITIES)]
    rows.append(["**total**", f"**{len(report.get('findings') or [])}**"])
    return ["## Summary", ""] + table(("Severity", "Findings"), rows, right=(1,)) + [""]


def findings_part(report: dict) -> List[str]:
    lines = ["## Findings", ""]
    groups = common.by_area(report.get("findings") or [])
    if not groups:
        lines += ["No findings.", ""]
    for area, found in groups:
        lines += [f"### {text(common.area_label(area))} ({len(found)})", ""]
        rows = [finding_cells(finding, common.flags(report, finding)) for finding in found]
        lines += table(FINDING_COLUMNS, rows) + [""]
    return lines


def finding_cells(finding: dict, flags: List[str]) -> List[str]:
    severity = ", ".join([f"**{text(finding.get('severity'))}**"] + [text(words) for words in flags])
    details = finding.get("details") if isinstance(finding.get("details"), dict) else {}
    return [
        severity,
        code(finding.get("id")),
        text(finding.get("title")),
        code(finding.get("resource")),
        code(finding.get("evidence")),
        text(finding.get("remediation")),
        crosswalk_cell(finding.get("crosswalk")),
        details_cell(details),
    ]


def crosswalk_cell(crosswalk: object) -> str:
    items = common.crosswalk_items(crosswalk if isinstance(crosswalk, dict) else {})
    return "; ".join(f"{text(label)}: {code(reference)}" for label, reference in items) or "none"


def details_cell(details: Dict[str, object]) -> str:
    items = sorted(details.items(), key=lambda item: str(item[0]))
    return "; ".join(f"{text(key)}: {code(common.detail_text(value))}" for key, value in items)


def appendix(kinds: List[Kind], findings: List[dict]) -> List[str]:
    found = common.per_kind(findings)
    headers = CHECK_COLUMNS + tuple(label for _name, label in common.SCANNERS)
    rows = [kind_cells(kind, found.get(kind.id, 0)) for kind in common.sorted_kinds(kinds)]
    intro = f"{len(kinds)} kind(s) of finding. {text(common.SEEN_BY_NOTE)}"
    return ["## What the audit checks", "", intro, ""] + table(headers, rows) + [""]


def kind_cells(kind: Kind, found: int) -> List[str]:
    seen = ["yes" if visible else "no" for visible in common.seen_by(kind).values()]
    return [
        code(kind.id),
        text(kind.title),
        text(common.area_label(kind.area)),
        text(kind.severity),
        str(found),
        crosswalk_cell(kind.crosswalk),
    ] + seen


def footer(report: dict) -> List[str]:
    tool = report.get("tool") or {}
    name = text(f"{common.text(tool.get('name'))} {common.text(tool.get('version'))}".strip())
    uri = common.text(tool.get("information_uri"))
    if common.safe_link(uri):
        name = f"[{name}](<{uri}>)"
    return [
        "---",
        "",
        f"Written by {name} at {code(report.get('generated_at'))}.",
    ]
