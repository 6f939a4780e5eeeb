# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""JSON merge patches (RFC 7386): the smallest patch between two documents, and applying one.

Our modules write with merge patches so that a write carries only what changes; the same
functions predict the object after the write for check mode and ``--diff``.
"""

from __future__ import annotations

import copy
from typing import Any
from typing import Dict


def merge_patch_diff(old: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """The RFC 7386 patch that turns ``old`` into ``new`` (``{}`` when they are equal).

    Objects are diffed key by key (a removed key becomes ``null``); anything else, lists included,
    is replaced whole. ``new`` must not contain ``None`` values, which a merge patch cannot set.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise TypeError("merge_patch_diff compares two objects")
    patch: Dict[str, Any] = {}
    for key in old:
        if key not in new:
            patch[key] = None
    for key, value in new.items():
        if key not in old:
            patch[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(old[key], dict):
            nested = merge_patch_diff(old[key], value)
            if nested:
                patch[key] = nested
        elif value != old[key] or type(value) is not type(old[key]):
            patch[key] = copy.deepcopy(value)
    return patch


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """``target`` with ``patch`` applied (RFC 7386), as a new document."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result
