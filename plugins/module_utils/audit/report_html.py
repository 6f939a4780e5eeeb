# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit report as one self-contained HTML page, for a person to read (SARIF is for tools).

``html_report(report, kinds)`` returns the page: a header (cluster, target, region, profile, time and the
verdict), a summary of the counts per severity, the findings grouped by area and sorted by severity (critical
first) then id, and an appendix of every kind the audit checks, so that a clean report still says what was
looked at and which other scanners could have seen each kind.

The page needs nothing from outside: the CSS is inline, there is no script, font or image, and a Content
Security Policy forbids loading any. Every string in it that is not the page's own markup (resource, evidence,
details, titles, remediation, crosswalk, the target and the tool) goes through ``html.escape(quote=True)``;
the only link out is the tool's ``information_uri``, and only when it is an http(s) URL. The severity is always
written as a word, the colour only repeats it.
"""

from __future__ import annotations

import html
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import report_common as common
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
:root { --critical: #7a1020; --high: #b3261e; --medium: #8a5300; --low: #1f5fae; --info: #545b66;
  --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --pass: #1a7f37; --fail: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 70rem; padding: 1.5rem; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; } h2 { border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { margin-top: 2rem; } h4 { margin: 0 0 .4rem; font-size: 1.1rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .9em; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px;
  padding: .5rem .7rem; margin: 0; }
.tool { color: var(--muted); margin: 0; }
dl.meta { display: flex; flex-wrap: wrap; gap: .3rem 2rem; margin: .5rem 0 1rem; }
dl.meta div { display: flex; gap: .5rem; } dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
.verdict { font-size: 1.2rem; padding: .6rem .9rem; border-radius: 4px; border: 2px solid; }
.verdict.fail { border-color: var(--fail); background: #fdecea; }
.verdict.pass { border-color: var(--pass); background: #e8f5ec; }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: 1rem; color: #fff; font-weight: 600;
  font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; border: 1px solid transparent; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); }
.sev-info, .sev-unknown { background: var(--info); }
ul.counts { list-style: none; display: flex; flex-wrap: wrap; gap: .6rem 1.5rem; padding: 0; }
ul.counts strong { font-size: 1.2rem; margin-left: .3rem; }
nav ul { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; padding: 0; list-style: none; }
article.finding { border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 4px;
  padding: .8rem 1rem; margin: 1rem 0; }
article.critical { border-left-color: var(--critical); } article.high { border-left-color: var(--high); }
article.medium { border-left-color: var(--medium); } article.low { border-left-color: var(--low); }
.finding-meta { margin: 0 0 .5rem; display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; }
.flag { font-weight: 600; color: var(--fail); }
dl.fields { display: grid; grid-template-columns: 8rem 1fr; gap: .4rem 1rem; margin: 0 0 .6rem; }
dl.fields dt { font-weight: 600; color: var(--muted); } dl.fields dd { margin: 0; min-width: 0; }
table { border-collapse: collapse; margin: .3rem 0; }
caption { text-align: left; font-weight: 600; color: var(--muted); padding-bottom: .2rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
table.checks { width: 100%; font-size: .9rem; }
td.seen-yes { color: var(--pass); font-weight: 600; } td.seen-no { color: var(--muted); }
ul.plain { margin: 0; padding-left: 1rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  .badge, .verdict, thead th, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .badge { border-color: #000; }
  article.finding, tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
}
"""


def esc(value: object) -> str:
    """Any value as HTML text or attribute content (``None`` is empty)."""
    return html.escape(common.text(value), quote=True)


def severity_class(severity: object) -> str:
    return str(severity) if severity in SEVERITIES else "unknown"


def badge(severity: object) -> str:
    """The severity as a coloured badge that also spells it out."""
    return f'<span class="badge sev-{severity_class(severity)}">{esc(severity)}</span>'


def html_report(report: dict, kinds: List[Kind]) -> str:
    """The whole page for ``report`` (the module's result) and ``kinds`` (every kind the audit checks)."""
    findings = report.get("findings") or []
    groups = common.by_area(findings)
    parts = [
        head(report),
        "<body>",
        header(report),
        navigation(groups),
        "<main>",
        summary(report),
        findings_section(report, groups),
        appendix(kinds, findings),
        "</main>",
        footer(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def head(report: dict) -> str:
    target = report.get("target") or {}
    _fails, verdict = common.verdict(report)
    where = ", ".join(common.text(target.get(key)) for key in ("kind", "region"))
    title = f"Network security audit: {common.text(target.get('cluster'))} ({where}): {verdict}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{esc(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
        ]
    )


def header(report: dict) -> str:
    target = report.get("target") or {}
    when = esc(report.get("generated_at"))
    fields = [
        ("Cluster", esc(target.get("cluster"))),
        ("Target", esc(common.target_label(target.get("kind")))),
        ("Region", esc(target.get("region"))),
        ("Profile", esc(report.get("profile"))),
        ("Fails at", esc(report.get("fail_on")) if report.get("fail_on") else "not set"),
        ("Generated", f'<time datetime="{when}">{when}</time>'),
    ]
    meta = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in fields)
    return "\n".join(
        [
            "<header>",
            f'<p class="tool">{tool_name(report)}</p>',
            f"<h1>Network security audit: {esc(target.get('cluster'))}</h1>",
            f'<dl class="meta">{meta}</dl>',
            verdict_line(report),
            "</header>",
        ]
    )


def verdict_line(report: dict) -> str:
    fails, verdict = common.verdict(report)
    state, icon = ("fail", "&#10007;") if fails else ("pass", "&#10003;")
    detail = esc(common.verdict_detail(report))
    return (
        f'<p class="verdict {state}" id="verdict"><span aria-hidden="true">{icon}</span> '
        f"Verdict: <strong>{esc(verdict)}</strong> &#8212; {detail}</p>"
    )


def tool_name(report: dict) -> str:
    tool = report.get("tool") or {}
    return f"{esc(tool.get('name'))} {esc(tool.get('version'))}".strip()


def navigation(groups: list) -> str:
    links = [("summary", "Summary")]
    links += [(area_anchor(index), common.area_label(area)) for index, (area, _found) in enumerate(groups)]
    links.append(("checks", "What the audit checks"))
    items = "".join(f'<li><a href="#{anchor}">{esc(label)}</a></li>' for anchor, label in links)
    return f'<nav aria-label="Contents"><ul>{items}</ul></nav>'


def area_anchor(index: int) -> str:
    return f"area-{index + 1}"


def summary(report: dict) -> str:
    counts = common.severity_counts(report)
    items = "".join(
        f'<li class="count-{severity}">{badge(severity)}<strong>{counts[severity]}</strong></li>'
        for severity in reversed(SEVERITIES)
    )
    total = len(report.get("findings") or [])
    return "\n".join(
        [
            '<section id="summary" aria-labelledby="summary-title">',
            '<h2 id="summary-title">Summary</h2>',
            f"<p>{total} finding(s); per severity:</p>",
            f'<ul class="counts">{items}</ul>',
            "</section>",
        ]
    )


def findings_section(report: dict, groups: list) -> str:
    parts = ['<section id="findings" aria-labelledby="findings-title">', '<h2 id="findings-title">Findings</h2>']
    if not groups:
        parts.append('<p class="none">No findings.</p>')
    number = 0
    for index, (area, found) in enumerate(groups):
        anchor = area_anchor(index)
        parts.append(f'<section class="area" id="{anchor}" aria-labelledby="{anchor}-title">')
        parts.append(f'<h3 id="{anchor}-title">{esc(common.area_label(area))} ({len(found)})</h3>')
        for finding in found:
            number += 1
            parts.append(finding_article(finding, number, common.flags(report, finding)))
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def finding_article(finding: dict, number: int, flags: List[str]) -> str:
    anchor = f"finding-{number}"
    severity = finding.get("severity")
    kind_id = esc(finding.get("id"))
    flag = "".join(f' <span class="flag">{esc(words)}</span>' for words in flags)
    fields = [
        ("Resource", f"<code>{esc(finding.get('resource'))}</code>"),
        # a browser drops one newline right after <pre>: this one, not the evidence's own
        ("Evidence", f"<pre>\n{esc(finding.get('evidence'))}</pre>"),
        ("Remediation", esc(finding.get("remediation"))),
    ]
    if finding.get("details"):
        fields.append(("Details", details_table(finding["details"])))
    rows = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields)
    return "\n".join(
        [
            f'<article class="finding {severity_class(severity)}" id="{anchor}" aria-labelledby="{anchor}-title">',
            f'<h4 id="{anchor}-title">{esc(finding.get("title"))}</h4>',
            f'<p class="finding-meta">{badge(severity)} <code class="kind-id">{kind_id}</code>{flag}</p>',
            f'<dl class="fields">{rows}</dl>',
            crosswalk_table(finding.get("crosswalk")),
            "</article>",
        ]
    )


def details_table(details: Dict[str, object]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{esc(key)}</th><td><code>{esc(common.detail_text(value))}</code></td></tr>'
        for key, value in sorted(details.items(), key=lambda item: str(item[0]))
    )
    head = '<thead><tr><th scope="col">Detail</th><th scope="col">Value</th></tr></thead>'
    return f'<table class="details">{head}<tbody>{rows}</tbody></table>'


def crosswalk_table(crosswalk: object) -> str:
    items = common.crosswalk_items(crosswalk if isinstance(crosswalk, dict) else {})
    if not items:
        return '<p class="crosswalk none">Crosswalk: no other scanner or benchmark maps this finding.</p>'
    rows = "".join(
        f'<tr><th scope="row">{esc(label)}</th><td><code>{esc(reference)}</code></td></tr>'
        for label, reference in items
    )
    head = '<thead><tr><th scope="col">Scanner or benchmark</th><th scope="col">Reference</th></tr></thead>'
    return f'<table class="crosswalk"><caption>Crosswalk</caption>{head}<tbody>{rows}</tbody></table>'


def appendix(kinds: List[Kind], findings: List[dict]) -> str:
    scanners = "".join(f'<th scope="col">{esc(label)}</th>' for _name, label in common.SCANNERS)
    columns = ["ID", "Title", "Area", "Default severity", "Findings", "Crosswalk"]
    head = "".join(f'<th scope="col">{name}</th>' for name in columns) + scanners
    found = common.per_kind(findings)
    rows = "\n".join(kind_row(kind, found.get(kind.id, 0)) for kind in common.sorted_kinds(kinds))
    return "\n".join(
        [
            '<section id="checks" aria-labelledby="checks-title">',
            '<h2 id="checks-title">What the audit checks</h2>',
            f"<p>{len(kinds)} kind(s) of finding. {esc(common.SEEN_BY_NOTE)}</p>",
            '<table class="checks"><caption>Every kind of finding the audit checks</caption>',
            f"<thead><tr>{head}</tr></thead>",
            "<tbody>",
            rows,
            "</tbody></table>",
            "</section>",
        ]
    )


def kind_row(kind: Kind, found: int) -> str:
    crosswalk = common.crosswalk_items(kind.crosswalk)
    items = "".join(f"<li>{esc(label)}: <code>{esc(ref)}</code></li>" for label, ref in crosswalk)
    mapped = f'<ul class="plain">{items}</ul>' if crosswalk else "none"
    seen = "".join(seen_cell(visible) for visible in common.seen_by(kind).values())
    cells = [
        f'<th scope="row"><code>{esc(kind.id)}</code></th>',
        f"<td>{esc(kind.title)}</td>",
        f"<td>{esc(common.area_label(kind.area))}</td>",
        f"<td>{badge(kind.severity)}</td>",
        f"<td>{found}</td>",
        f"<td>{mapped}</td>",
    ]
    return f"<tr>{''.join(cells)}{seen}</tr>"


def seen_cell(visible: bool) -> str:
    """``yes``/``no`` in words; the mark and the colour only repeat it."""
    word, mark = ("yes", "&#10003;") if visible else ("no", "&#8211;")
    return f'<td class="seen-{word}"><span aria-hidden="true">{mark}</span> {word}</td>'


def footer(report: dict) -> str:
    tool = report.get("tool") or {}
    name = tool_name(report)
    uri = common.text(tool.get("information_uri"))
    if common.safe_link(uri):
        name = f'<a href="{esc(uri)}" rel="noopener noreferrer">{name}</a>'
    return f"<footer><p>Written by {name} at {esc(report.get('generated_at'))}.</p></footer>"
