# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the HTML and Markdown audit reports: structure, order, verdict, appendix and escaping.

The HTML is parsed into a small tree (html.parser) so that the tests read what a browser would show; the
Markdown is split into table cells the way GFM does, and rendered with markdown-it (GFM tables) to check that
hostile estate values come out as text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import report_common as common
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import SEVERITIES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import counts
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import to_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_html import html_report
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import code
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import markdown_report
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import one_line
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import table
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import text

INFO_URI = "https://github.com/kubeguard/netsec"

SCRIPT = '"><script>alert(1)</script>'
PIPES = "a|b\\|c||"
TICKS = "``x`` `y` `"
NEWLINES = "line one\nline two\r\nline three"
LINK = "[x](javascript:alert(1))"
HOSTILE = (SCRIPT, PIPES, TICKS, NEWLINES, LINK)

KINDS = [
    Kind(
        "KG-T-001",
        "Remote administration <b>open</b> to the internet",
        "critical",
        "security-groups",
        "SSH from anywhere.",
        "kubeguard.netsec.eks_cluster_security_groups (ssh)",
        {"securityhub": "EC2.13", "cis": "AWS Foundations 3.0 5.2", "prowler": "ec2_sg_22"},
        ("prowler", "securityhub"),
    ),
    Kind("KG-T-002", "Controller label | on a hand-made rule", "high", "load-balancer-controller", "d", "fix 2"),
    Kind(
        "KG-T-003",
        "Namespace without a default-deny policy",
        "medium",
        "kubernetes",
        "d",
        "kubeguard.netsec.k8s_network_policies",
        {"kubescape": "C-0260"},
        ("kubescape", "checkov"),
    ),
    Kind("KG-T-004", "SLB ACL open to `everyone` [x](javascript:alert(1))", "low", "ack", "d", "ack_slb_acl", {}, ()),
    Kind("KG-T-005", "Rule without a description", "info", "security-groups", "d", "fix 5", {}, ("Security Hub",)),
    Kind("KG-T-006", "Never found here", "high", "kubernetes", "d", "fix 6", {"checkov": "CKV_K8S_1"}, ("checkov",)),
]
BY_ID = {kind.id: kind for kind in KINDS}

# (kind, severity, resource, evidence): one per severity, several areas, the hostile strings in each field
FOUND = [
    ("KG-T-005", "info", "sg-0info" + PIPES, "rule " + TICKS),
    ("KG-T-004", "low", "lb-1" + NEWLINES, "acl " + LINK),
    ("KG-T-003", "medium", "ns/" + LINK, "no policy " + PIPES),
    ("KG-T-002", "high", "sg-0high" + TICKS, "\nlabel " + NEWLINES),
    ("KG-T-001", "critical", "sg-0crit" + SCRIPT, "tcp 22 from 0.0.0.0/0 " + SCRIPT),
    ("KG-T-001", "critical", "sg-0aaa", "tcp 3389 from ::/0"),
    ("KG-T-005", "high", "sg-0raised", "raised by the profile"),
    ("KG-T-005", "critical", "sg-0000", "raised to critical: after KG-T-001 by id, before it by resource"),
]

AREA_ORDER = ["Security groups", "Load balancer controller", "Kubernetes", "ACK (Alibaba Cloud)"]
SCANNERS = ["Prowler", "Checkov", "kubescape", "Security Hub"]


def finding(kind_id, severity, resource, evidence, error):
    details = {"rule": evidence, "count": 2}
    return to_dict(Finding(kind_id, resource, evidence, severity, details), BY_ID[kind_id], severity, error)


def report(found=FOUND, fail_on="high", errors_from="medium", cluster="demo-eks", info_uri=INFO_URI):
    """A report as the module builds it; ``errors_from`` plays the profile (prod: medium)."""
    rank = SEVERITIES.index
    findings = [
        finding(kind, severity, resource, evidence, errors_from is not None and rank(severity) >= rank(errors_from))
        for kind, severity, resource, evidence in found
    ]
    return {
        "tool": {"name": "kubeguard.netsec.netsec_audit", "version": "0.2.0", "information_uri": info_uri},
        "target": {"kind": "eks", "cluster": cluster, "region": "us-east-1"},
        "profile": "prod",
        "fail_on": fail_on,
        "generated_at": "2026-11-30T04:00:00Z",
        "counts": counts(findings),
        "findings": findings,
    }


def expected_order(findings):
    """(area label, [(id, severity, resource)]) as the reports must show them."""
    result = []
    for area in ["security-groups", "load-balancer-controller", "kubernetes", "ack"]:
        mine = [f for f in findings if f["area"] == area]
        mine.sort(key=lambda f: (-SEVERITIES.index(f["severity"]), f["id"], f["resource"], f["evidence"]))
        if mine:
            result.append((common.area_label(area), [(f["id"], f["severity"], f["resource"]) for f in mine]))
    return result


# --- a small DOM -------------------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def all(self, tag, cls=None):
        return [n for n in self.iter() if n.tag == tag and (cls is None or cls in n.attrs.get("class", "").split())]

    def one(self, tag, cls=None):
        found = self.all(tag, cls)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls}> in <{self.tag}>"
        return found[0]

    def cells(self):
        return [child for child in self.children if isinstance(child, Node) and child.tag in ("th", "td")]


class Tree(HTMLParser):
    """Builds the tree and records every end tag that does not close the open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.problems = []
        self.declarations = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.problems.append(f"</{tag}> while <{self.current.tag}> is open")
            return
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def handle_decl(self, decl):
        self.declarations.append(decl)


def parse(page):
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.problems == []
    assert tree.current is tree.root, f"<{tree.current.tag}> never closed"
    return tree


def pre_text(node):
    """What a browser shows in a <pre>: the first newline right after the tag is dropped."""
    content = node.text()
    return content[1:] if content.startswith("\n") else content


def articles_by_area(root):
    """[(area heading, [article])] from the findings section."""
    section = [s for s in root.all("section") if s.attrs.get("id") == "findings"][0]
    result = []
    for area in section.all("section", "area"):
        heading = area.one("h3").text()
        result.append((re.sub(r" \(\d+\)$", "", heading), area.all("article", "finding")))
    return result


# --- HTML --------------------------------------------------------------------------------------------------


def test_html_is_one_well_formed_page_that_loads_nothing():
    page = html_report(report(), KINDS)
    tree = parse(page)
    root = tree.root
    assert [d.lower() for d in tree.declarations] == ["doctype html"]
    assert root.one("html").attrs.get("lang") == "en"
    assert "demo-eks" in root.one("title").text() and "fails at high" in root.one("title").text()
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form", "frame", "svg"):
        assert root.all(tag) == [], tag
    for node in root.iter():
        assert "src" not in node.attrs and "srcset" not in node.attrs, node.tag
        assert not any(name.startswith("on") for name in node.attrs), node.tag
        if "href" in node.attrs:
            assert node.attrs["href"].startswith("#") or node.attrs["href"] == INFO_URI, node.attrs["href"]
    style = root.one("style").text()
    assert "@media print" in style
    assert "url(" not in style and "@import" not in style and "//" not in style
    csp = [m for m in root.all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].attrs["content"]


def test_html_shows_hostile_estate_strings_as_text():
    rep = report(cluster='demo"<eks>')
    page = html_report(rep, KINDS)
    root = parse(page).root
    assert "<script" not in page.lower() and "<b>" not in page
    assert root.all("b") == []
    for value in HOSTILE + ('demo"<eks>', KINDS[0].title):
        assert html.escape(value, quote=True) in page, value
    shown = {}
    for _area, articles in articles_by_area(root):
        for article in articles:
            fields = dict(zip([dt.text() for dt in article.all("dt")], article.all("dd")))
            shown[fields["Resource"].one("code").text()] = pre_text(fields["Evidence"].one("pre"))
    assert shown == {f["resource"]: f["evidence"] for f in rep["findings"]}
    assert root.one("h1").text() == 'Network security audit: demo"<eks>'
    assert any(h4.text() == KINDS[0].title for h4 in root.all("h4"))


def test_html_gives_every_finding_its_title_as_a_heading_its_id_and_its_severity_in_words():
    rep = report()
    root = parse(html_report(rep, KINDS)).root
    articles = [article for _area, group in articles_by_area(root) for article in group]
    assert len(articles) == len(rep["findings"])
    seen = sorted(
        (a.one("h4").text(), a.one("code", "kind-id").text(), a.one("span", "badge").text()) for a in articles
    )
    assert seen == sorted((f["title"], f["id"], f["severity"]) for f in rep["findings"])
    for article in articles:
        badge = article.one("span", "badge")
        assert badge.attrs["class"].split() == ["badge", "sev-" + badge.text()]


def test_html_groups_findings_by_area_then_sorts_by_severity_and_id():
    rep = report()
    root = parse(html_report(rep, KINDS)).root
    shown = [
        (area, [(a.one("code", "kind-id").text(), a.one("span", "badge").text()) for a in articles])
        for area, articles in articles_by_area(root)
    ]
    expected = [(area, [(i, s) for i, s, _r in rows]) for area, rows in expected_order(rep["findings"])]
    assert shown == expected
    assert [area for area, _rows in shown] == AREA_ORDER
    assert shown[0][1] == [
        ("KG-T-001", "critical"),
        ("KG-T-001", "critical"),
        ("KG-T-005", "critical"),
        ("KG-T-005", "high"),
        ("KG-T-005", "info"),
    ]


@pytest.mark.parametrize(
    "fail_on, found, state, words",
    [
        ("high", FOUND, "fail", "fails at high"),
        ("critical", FOUND, "fail", "fails at critical"),
        ("high", [row for row in FOUND if row[1] in ("info", "low", "medium")], "pass", "passes"),
        (None, FOUND, "pass", "passes"),
        ("error", [row for row in FOUND if row[1] == "medium"], "fail", "fails at error"),
        ("error", [row for row in FOUND if row[1] in ("info", "low")], "pass", "passes"),
    ],
)
def test_html_verdict(fail_on, found, state, words):
    root = parse(html_report(report(found=found, fail_on=fail_on), KINDS)).root
    verdict = root.one("p", "verdict")
    assert verdict.attrs["class"].split() == ["verdict", state]
    assert verdict.one("strong").text() == words
    assert words in root.one("title").text()


def test_verdict_follows_the_fail_on_gate_not_only_the_error_flags():
    """prod makes medium an error, but fail_on: high does not fail on it (verdict.gate); and the reverse."""
    medium = [row for row in FOUND if row[1] == "medium"]
    assert common.verdict(report(found=medium, fail_on="high")) == (False, "passes")
    assert common.verdict(report(found=medium, fail_on="medium", errors_from=None)) == (True, "fails at medium")
    rep = report(found=medium, fail_on="high")
    assert common.flags(rep, rep["findings"][0]) == ["error in the prod profile"]


def test_html_summary_shows_each_severity_as_a_word_with_its_count():
    rep = report()
    root = parse(html_report(rep, KINDS)).root
    items = root.one("ul", "counts").all("li")
    shown = [(li.one("span", "badge").text(), int(li.one("strong").text())) for li in items]
    assert shown == [(severity, rep["counts"][severity]) for severity in reversed(SEVERITIES)]
    assert rep["counts"]["critical"] == 3 and rep["counts"]["high"] == 2


def test_html_appendix_lists_every_kind_with_the_scanners_that_see_it():
    rep = report()
    root = parse(html_report(rep, KINDS)).root
    checks = root.one("table", "checks")
    headers = [th.text() for th in checks.one("thead").all("th")]
    assert headers[-4:] == SCANNERS
    rows = {}
    for tr in checks.one("tbody").all("tr"):
        cells = [cell.text().strip() for cell in tr.cells()]
        rows[cells[0]] = dict(zip(headers, cells))
    assert sorted(rows) == sorted(BY_ID)
    for kind in KINDS:
        row = rows[kind.id]
        assert row["Title"] == kind.title and row["Default severity"] == kind.severity
        assert int(row["Findings"]) == sum(1 for f in rep["findings"] if f["id"] == kind.id)
        seen = {common.normalise_scanner(name) for name in kind.seen_by}
        assert [row[name][-3:].strip() for name in SCANNERS] == [
            "yes" if common.normalise_scanner(name) in seen else "no" for name in SCANNERS
        ]
    assert rows["KG-T-005"]["Security Hub"].endswith("yes") and rows["KG-T-006"]["Findings"] == "0"
    assert "EC2.13" in rows["KG-T-001"]["Crosswalk"] and rows["KG-T-002"]["Crosswalk"] == "none"


def test_html_tables_have_scoped_headers_and_finding_crosswalks_are_tables():
    root = parse(html_report(report(), KINDS)).root
    assert all(th.attrs.get("scope") in ("col", "row") for th in root.all("th"))
    first = [a for _area, group in articles_by_area(root) for a in group][0]
    crosswalk = first.one("table", "crosswalk")
    assert [(tr.cells()[0].text(), tr.cells()[1].text()) for tr in crosswalk.one("tbody").all("tr")] == [
        ("Security Hub", "EC2.13"),
        ("CIS", "AWS Foundations 3.0 5.2"),
        ("Prowler", "ec2_sg_22"),
    ]


def test_html_clean_report_still_says_what_was_checked():
    root = parse(html_report(report(found=[]), KINDS)).root
    assert root.all("article") == []
    assert any(p.text() == "No findings." for p in root.all("p"))
    assert root.one("p", "verdict").one("strong").text() == "passes"
    assert len(root.one("table", "checks").one("tbody").all("tr")) == len(KINDS)


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "https://x.example/a b", 'https://x.example/"q', "//x", ""])
def test_html_links_only_to_an_http_information_uri(uri):
    root = parse(html_report(report(info_uri=uri), KINDS)).root
    assert [a.attrs["href"] for a in root.all("a") if not a.attrs["href"].startswith("#")] == []
    linked = parse(html_report(report(), KINDS)).root
    assert [a.attrs["href"] for a in linked.all("a") if not a.attrs["href"].startswith("#")] == [INFO_URI]


# --- Markdown ----------------------------------------------------------------------------------------------


def split_row(line):
    """The cells of a GFM table row: a backslash escapes the next character, an unescaped pipe ends a cell."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells, cell, index = [], "", 1
    while index < len(line) - 1:
        char = line[index]
        if char == "\\":
            cell += line[index : index + 2]
            index += 2
            continue
        if char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
        index += 1
    return cells + [cell.strip()]


def tables(markdown):
    """[(heading above, [rows as cell lists])]; every line of a table starts and ends with a pipe."""
    result, heading, current = [], None, None
    for line in markdown.split("\n"):
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("|"):
            if current is None:
                current = (heading, [])
                result.append(current)
            current[1].append(split_row(line))
        else:
            current = None
    return result


def test_markdown_tables_keep_their_columns():
    markdown = markdown_report(report(), KINDS)
    found = tables(markdown)
    assert len(found) == 2 + 4 + 1  # header, summary, one per area, appendix
    for heading, rows in found:
        assert len(rows) >= 3, heading
        assert all(len(row) == len(rows[0]) for row in rows), (heading, [len(row) for row in rows])
        assert all(re.fullmatch(r"-{3,}:?", cell) for cell in rows[1]), heading
    assert "\r" not in markdown
    for line in markdown.split("\n"):
        assert not line.startswith(("line two", "line three")), line


def test_markdown_has_one_row_per_finding_under_its_area():
    rep = report()
    found = dict(tables(markdown_report(rep, KINDS)))
    for area, expected in expected_order(rep["findings"]):
        rows = found[f"{text(area)} ({len(expected)})"]
        assert rows[0][:3] == ["Severity", "ID", "Title"]
        assert [(row[1], row[0].split(",")[0], row[3]) for row in rows[2:]] == [
            (code(kind_id), f"**{severity}**", code(resource)) for kind_id, severity, resource in expected
        ]


def test_markdown_summary_and_verdict():
    rep = report()
    markdown = markdown_report(rep, KINDS)
    assert "**Verdict: fails at high**" in markdown
    summary = {row[0]: row[1] for row in tables(markdown)[1][1][2:]}
    assert summary == {**{s: str(n) for s, n in rep["counts"].items()}, "**total**": f"**{len(rep['findings'])}**"}
    passing = markdown_report(report(found=FOUND[:2]), KINDS)
    assert "**Verdict: passes**" in passing and "fails at" not in passing


def test_markdown_appendix_lists_every_kind_with_the_scanners_that_see_it():
    heading, rows = tables(markdown_report(report(found=[]), KINDS))[-1]
    assert heading == "What the audit checks"
    assert rows[0][-4:] == SCANNERS
    body = {row[0]: row for row in rows[2:]}
    assert sorted(body) == sorted(code(kind.id) for kind in KINDS)
    assert body[code("KG-T-001")][-4:] == ["yes", "no", "no", "yes"]
    assert body[code("KG-T-003")][-4:] == ["no", "yes", "yes", "no"]
    assert body[code("KG-T-005")][-4:] == ["no", "no", "no", "yes"]
    assert body[code("KG-T-004")][-4:] == ["no", "no", "no", "no"]


def render(markdown):
    markdown_it = pytest.importorskip("markdown_it")
    return parse(markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)).root


def test_markdown_renders_hostile_values_as_text():
    rep = report(cluster="demo`|<eks>")
    root = render(markdown_report(rep, KINDS))
    for tag in ("script", "img", "b", "br", "em", "s", "del"):
        assert root.all(tag) == [], tag
    assert [a.attrs["href"] for a in root.all("a")] == [INFO_URI]
    assert root.one("h1").text() == "Network security audit: " + one_line("demo`|<eks>")
    shown = {}
    for tbody in root.all("tbody"):
        for tr in tbody.all("tr"):
            cells = [cell.text() for cell in tr.cells()]
            if len(cells) == 8:
                shown[cells[3]] = (cells[4], cells[2])
    assert shown == {one_line(f["resource"]): (one_line(f["evidence"]), one_line(f["title"])) for f in rep["findings"]}


PROSE = (
    "see https://evil.example/x or www.evil.example",
    "*a* _b_ ~~c~~ <b>d</b> &lt; &#60;",
    "[x](/relative) ![i](/i.png) [y][ref] <https://evil.example>",
    "# not a heading | not a cell",
)


@pytest.mark.parametrize("value", HOSTILE + PROSE)
def test_markdown_text_shows_prose_literally_and_links_nothing(value):
    cell = one_cell(text(value))
    assert cell.text() == one_line(value)
    assert [node.tag for node in cell.iter()] == []
    # GFM's extended autolinks (not in markdown-it's commonmark preset) start at http://, https:// or www.
    assert re.search(r"(?i)(https?://|www\.)", text(value)) is None


def one_cell(value):
    """``value`` rendered in the middle cell of a one-row table (markdown-it, GFM tables)."""
    rows = render("\n".join(table(["a", "b", "c"], [["L", value, "R"]]))).one("tbody").all("tr")
    assert len(rows) == 1
    cells = rows[0].cells()
    assert [cells[0].text(), cells[2].text()] == ["L", "R"]
    return cells[1]


@example("`")
@example(" ` ")
@example(" a ")
@example("  ")
@example("a\\|b")
@example("``a`|`b``")
@given(st.text(alphabet=st.sampled_from(list("ab |\\`*_[]()<>!&#;:/.\n\r\t$~@w") + ["\u2028", "\x00"]), max_size=30))
def test_markdown_code_and_text_hold_any_value_in_one_cell(value):
    assert one_cell(code(value)).text() == one_line(value)
    assert one_cell(text(value)).text() == one_line(value).strip(" \t")
    assert one_cell(text(value)).all("a") == [] and one_cell(code(value)).all("a") == []
