# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verdict on the findings: the environment profile's severity and error flag, the skipped kinds left out,
the order (most severe first), and the ``fail_on`` gate."""

from __future__ import annotations

from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import severity_rank
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import to_dict
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError


def judge(spec: AuditSpec, found: List[Finding]) -> List[dict]:
    """The findings as returned: the profile's severity and error flag, skipped kinds out, most severe first."""
    result, seen = [], set()
    for finding in sorted(found, key=lambda f: f.key()):
        if finding.kind in spec.skip or finding.key() in seen:
            continue
        seen.add(finding.key())
        kind = CATALOG[finding.kind]
        severity = finding.severity or spec.profile.severity(kind.id, kind.severity)
        result.append(to_dict(finding, kind, severity, spec.profile.is_error(severity)))
    return sorted(result, key=lambda item: (-severity_rank(item["severity"]), item["id"], item["resource"]))


def gate(spec: AuditSpec, findings: List[dict]) -> None:
    if spec.fail_on == "never":
        return
    if spec.fail_on == "error":
        failing = [item for item in findings if item["error"]]
        what = f"error(s) in the {spec.profile.name} profile"
    else:
        failing = [item for item in findings if severity_rank(item["severity"]) >= severity_rank(spec.fail_on)]
        what = f"finding(s) at or above {spec.fail_on}"
    if failing:
        shown = "; ".join(f"{item['id']} {item['title']} on {item['resource']}" for item in failing[:5])
        more = f"; and {len(failing) - 5} more" if len(failing) > 5 else ""
        raise OperationError(f"{len(failing)} {what} (fail_on: {spec.fail_on}): {shown}{more}")
