# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The argument specs every security-group module shares: the state contract and the quota limits."""

from __future__ import annotations

from typing import Any
from typing import Dict

STATES = ("merged", "replaced", "overridden", "deleted", "gathered", "rendered")


def state_option() -> Dict[str, Any]:
    return {"type": "str", "default": "merged", "choices": list(STATES)}


def quota_option() -> Dict[str, Any]:
    """Rules per group and address family (quota L-0EA8095F) and per network interface."""
    return {
        "type": "dict",
        "options": {
            "rules_per_group": {"type": "int", "default": 60},
            "rules_per_eni": {"type": "int", "default": 1000},
        },
    }
