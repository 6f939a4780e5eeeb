# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ownership records on an annotated object (CONVENTIONS, ``kube.ownership``).

- ``netsec.kubeguard.io/managed-annotations``: the keys this collection set, a sorted JSON list as every
  module of the collection writes it (``kube.ownership.record_value``); a comma-separated list is read too.
  The record is shared: keys another module recorded (ack_slb_acl's, say) are kept as they are.
- ``netsec.kubeguard.io/replaced-annotations``: ``{key: [value before, value set]}`` for a value someone else
  had set and this module changed with ``force``, so that releasing the key puts their value back.
"""

from __future__ import annotations

import json
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import REPLACED_RECORD


def recorded(annotations: Mapping[str, str]) -> List[str]:
    """The keys of the managed-annotations record (JSON list, or comma-separated), sorted."""
    text = annotations.get(RECORD) or ""
    try:
        found = json.loads(text) if text else []
    except ValueError:
        found = [item.strip() for item in text.split(",")]
    if not isinstance(found, list):
        return []
    return sorted({k for k in found if isinstance(k, str) and k})


def replaced(annotations: Mapping[str, str]) -> Dict[str, List[str]]:
    """``{key: [before, set]}`` of the replaced-annotations record (unreadable means none)."""
    return ownership.recorded_values({"metadata": {"annotations": dict(annotations)}}, REPLACED_RECORD)


def record_text(keys: List[str], current: Optional[str]) -> Optional[str]:
    """The record's new value: the current text when it already lists exactly ``keys`` (however spelt)."""
    if current is not None and recorded({RECORD: current}) == sorted(set(keys)):
        return current
    return ownership.record_value(keys)


def replaced_text(values: Dict[str, List[str]], current: Optional[str]) -> Optional[str]:
    if current is not None and replaced({REPLACED_RECORD: current}) == values:
        return current
    return ownership.record_values(values)
