# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Environment profiles: what an environment expects, and from which severity a finding is an error there.

| profile | errors from | egress restricted | quota share | severities changed |
|---|---|---|---|---|
| dev | (none: reporting only) | no | 0.9 | rules without description: info |
| uat | critical | no | 0.8 | |
| stage | high | yes | 0.8 | |
| prod | medium | yes | 0.75 | unrestricted egress: high |

``fail_on`` is separate: the task fails when a finding reaches it (``error``: when any finding is an error in
the profile).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import severity_rank


@dataclass(frozen=True)
class Profile:
    name: str
    errors_from: Optional[str]
    restrict_egress: bool
    quota_share: float
    severities: Dict[str, str] = field(default_factory=dict)

    def severity(self, kind_id: str, default: str) -> str:
        return self.severities.get(kind_id, default)

    def is_error(self, severity: str) -> bool:
        return self.errors_from is not None and severity_rank(severity) >= severity_rank(self.errors_from)


PROFILES: Dict[str, Profile] = {
    "dev": Profile("dev", None, False, 0.9, {"KG-SG-009": "info"}),
    "uat": Profile("uat", "critical", False, 0.8),
    "stage": Profile("stage", "high", True, 0.8),
    "prod": Profile("prod", "medium", True, 0.75, {"KG-SG-006": "high"}),
}
