# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit's vocabulary: finding kinds (a stable id, a title, a default severity, the fix and the crosswalk
to other scanners) and findings (one kind on one resource, with its evidence).

A kind is data in ``CATALOG``; a check yields ``Finding(kind_id, resource, evidence, ...)``; everything the
outputs (module result, JSON, SARIF, HTML/Markdown) show about a kind comes from the catalog, so the ids, the
titles and the crosswalk cannot drift between them.

Crosswalk keys: ``securityhub`` (AWS Security Hub control), ``cis`` (CIS benchmark item, with its version),
``prowler``, ``checkov``, ``kubescape``, ``kube_bench``. ``seen_by`` lists which of Prowler, Checkov,
kubescape and Security Hub can see the finding at all (``[]``: none of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Kind:
    """One kind of finding, as the catalog describes it."""

    id: str
    title: str
    severity: str
    area: str  # security-groups, load-balancer-controller, kubernetes, ack
    description: str
    remediation: str  # the module and option that fix it
    crosswalk: Dict[str, str] = field(default_factory=dict)
    seen_by: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One kind on one resource: ``evidence`` is what was read that shows it (rule, object, addresses)."""

    kind: str
    resource: str
    evidence: str
    severity: Optional[str] = None  # None: the kind's default; a profile may raise or lower it
    details: Dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def key(self) -> Tuple[str, str, str]:
        return (self.kind, self.resource, self.evidence)


def to_dict(finding: Finding, kind: Kind, severity: str, error: bool) -> dict:
    """A finding as the module returns it (and the JSON file holds it)."""
    return {
        "id": kind.id,
        "title": kind.title,
        "severity": severity,
        "error": error,
        "area": kind.area,
        "resource": finding.resource,
        "evidence": finding.evidence,
        "remediation": kind.remediation,
        "crosswalk": dict(kind.crosswalk),
        "details": dict(finding.details),
    }


def counts(findings: List[dict]) -> Dict[str, int]:
    """Findings per severity, every severity present (0 when none)."""
    result = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        result[finding["severity"]] += 1
    return result
