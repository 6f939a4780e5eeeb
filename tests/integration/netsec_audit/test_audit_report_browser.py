"""netsec_audit's HTML report as a person sees it (issue 17): written by the module on the insecure demo-eks
estate, it loads nothing from the network, renders in headless Chromium, and the screenshot of the whole page,
read back by OCR (tesseract), shows the header, the number of findings, each area's heading with its count,
every finding's title in the findings section and the footer (the page's end).

The titles are looked for between the "Findings" heading and the "What the audit checks" appendix: the appendix
lists every kind's title, so a title dropped from the findings would still be found on the page. Two controls
show that the matching does not find what is not there: the titles of the kinds the audit checks but did not
find (in the appendix only) are not found in the findings section, and a made-up title is not found at all.

Chromium and tesseract are system packages (``make browser-deps``, which ``make integration`` runs): without
them the test fails, it is not skipped."""

from __future__ import annotations

import html.parser
import pathlib
import re

import browser
from audit_support import MODULE, audit, estate, insecure  # noqa: F401

CLUSTER = "demo-eks"
WIDTH = 1280
AREAS = {"security-groups": "Security groups", "load-balancer-controller": "Load balancer controller",
         "kubernetes": "Kubernetes"}  # the area headings of the findings section, each with its count
MADE_UP = "Load balancer listener answers on a port nobody declared"


class Loads(html.parser.HTMLParser):
    """Every element of the page that would make a browser fetch something, with the address it names."""

    FETCHING = {"script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
                "frame": ("src",), "embed": ("src",), "object": ("data",), "source": ("src", "srcset"),
                "video": ("src", "poster"), "audio": ("src",), "track": ("src",), "input": ("src",),
                "image": ("href",), "use": ("href",), "base": ("href",), "meta": ("content",)}

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.styles: list[str] = []
        self.in_style = False
        self.csp = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.in_style = tag == "style"
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = values.get("content") or ""
        if tag == "meta" and (values.get("http-equiv") or "").lower() != "refresh":
            return  # only a refresh loads a page
        for name in self.FETCHING.get(tag, ()):
            if values.get(name):
                self.loads.append((tag, name, values[name]))
        if values.get("style"):
            self.styles.append(values["style"])

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)


def findings_text(text: str) -> str:
    """The OCR text from the "Findings" heading to the "What the audit checks" heading after it (the navigation
    bar names both, on one line with the other links)."""
    lines = [browser.normalise(line) for line in text.splitlines()]
    assert "findings" in lines and "what the audit checks" in lines, f"a section heading is not read:\n{text}"
    start = lines.index("findings")
    end = max(index for index, line in enumerate(lines) if line == "what the audit checks")
    assert start < end, f"the headings are out of order in the OCR text:\n{text}"
    return "\n".join(text.splitlines()[start + 1:end])


def test_the_html_report_renders_in_a_browser_with_every_finding_title(insecure, audit, tmp_path):
    assert not browser.missing_tools(), f"{browser.missing_tools()} missing: run scripts/browser-deps.sh"
    page, markdown, png = tmp_path / "demo-eks.html", tmp_path / "demo-eks.md", tmp_path / "demo-eks.png"
    step = audit.run({"cluster_name": CLUSTER, "environment": "prod",
                      "output": {"html": str(page), "markdown": str(markdown)}})
    assert not step.failed and markdown.is_file(), step  # (that the audit writes nothing: test_audit_eks_groups)
    findings = step.result["findings"]
    titles = sorted({finding["title"] for finding in findings})
    assert len(titles) >= 10, titles  # the estate is insecure in many ways
    assert sum(step.result["counts"].values()) == len(findings), step.result["counts"]
    check_report(page, png, findings)


def check_report(page: pathlib.Path, png: pathlib.Path, findings: list[dict]) -> None:
    """What the test checks of a report, on its own so that it can be tried on a broken copy of one."""
    titles = sorted({finding["title"] for finding in findings})
    # self-contained: nothing is fetched, by an element or by the CSS; the only link is a link
    source = page.read_text()
    loads = Loads()
    loads.feed(source)
    assert loads.loads == [], loads.loads
    assert not re.search(r"url\s*\(|@import", "\n".join(loads.styles)), "the CSS loads something"
    assert "script" not in loads.tags
    assert "default-src 'none'" in loads.csp  # and the CSP would forbid it anyway

    height = browser.screenshot(page, png, WIDTH)  # the whole page, measured first; at browser.SCALE
    print(f"\nscreenshot of the report: {png} ({WIDTH}x{height} CSS pixels at scale {browser.SCALE})")
    info = browser.png_info(png)
    assert (info["width"], info["height"]) == (WIDTH * browser.SCALE, height * browser.SCALE), info
    assert height > 2000 and png.stat().st_size > 100_000, (height, png.stat().st_size)  # a long page, not blank
    assert info["distinct_bytes"] > 64, info  # a blank or one-colour image inflates to a handful of byte values

    text = browser.ocr(png)
    png.with_suffix(".ocr.txt").write_text(text)  # next to the image, for a reviewer
    assert browser.contains(text, f"Network security audit: {CLUSTER}"), text
    assert browser.contains(text, f"{len(findings)} finding(s); per severity:"), text
    assert browser.contains(text, f"of {len(findings)} finding(s) are errors in the prod profile"), text  # verdict
    assert browser.contains(text, f"Written by {MODULE}"), "the page's end is cut off"
    # the severity badges (white capitals on a coloured pill) and the counts beside them are not read by
    # tesseract (tried at scales 1 to 4): the counts are checked as the total above and per area below

    section = findings_text(text)
    for area, label in AREAS.items():
        found = sum(finding["area"] == area for finding in findings)
        assert browser.contains(section, f"{label} ({found})") == bool(found), (label, found, section)
    missing = [title for title in titles if not browser.contains(section, title)]
    assert missing == [], f"titles not in the screenshot's findings section {png}:\n{missing}\n---\n{section}"

    # the controls: the kinds the audit checks but did not find (their titles only in the appendix's table)
    # and a made-up title are not found
    others = {title for kind, title in kind_titles(source).items() if kind not in {f["id"] for f in findings}}
    assert len(others) >= 3 and not others & set(titles), others
    assert [title for title in others if browser.contains(section, title)] == []
    assert not browser.contains(text, MADE_UP)


def kind_titles(source: str) -> dict[str, str]:
    """{kind: title} of every kind the appendix lists (its rows: the id, then the title)."""
    rows = re.findall(r'<th scope="row"><code>([^<]+)</code></th><td>([^<]+)</td>', source)
    return {html.unescape(kind): html.unescape(title) for kind, title in rows}
