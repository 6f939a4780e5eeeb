# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ownership marks on Kubernetes objects (CONVENTIONS: never destroy what you did not create).

- Objects this collection creates carry ``app.kubernetes.io/managed-by: kubeguard.netsec``.
- Annotations and labels it adds to objects it does not own are recorded, as a sorted JSON list of
  keys, in ``netsec.kubeguard.io/managed-annotations`` and ``netsec.kubeguard.io/managed-labels``
  on that object, so that a later rollback removes exactly those keys and nothing else.
- A label whose value it changed (only when the user opts in) is recorded with the value before and
  the value it set, ``{"key": ["before", "set"]}``, in ``netsec.kubeguard.io/replaced-labels``: the
  rollback puts the old value back, unless someone changed the label since.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "kubeguard.netsec"
ANN_MANAGED_ANNOTATIONS = "netsec.kubeguard.io/managed-annotations"
ANN_MANAGED_LABELS = "netsec.kubeguard.io/managed-labels"
ANN_REPLACED_LABELS = "netsec.kubeguard.io/replaced-labels"


def is_owned(obj: Optional[Dict[str, Any]]) -> bool:
    """True when the object carries this collection's managed-by label."""
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY


def recorded_keys(obj: Optional[Dict[str, Any]], record: str = ANN_MANAGED_ANNOTATIONS) -> List[str]:
    """The keys recorded in ``record`` (an annotation holding a JSON list); unreadable means none."""
    text = (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(record)
    try:
        keys = json.loads(text) if text else []
    except ValueError:
        return []
    return sorted(k for k in keys if isinstance(k, str)) if isinstance(keys, list) else []


def record_value(keys: Iterable[str]) -> Optional[str]:
    """The annotation value recording ``keys`` (sorted, compact JSON), or None when there is none."""
    keys = sorted(set(keys))
    return json.dumps(keys, separators=(",", ":")) if keys else None


def recorded_values(obj: Optional[Dict[str, Any]], record: str) -> Dict[str, List[str]]:
    """``{key: [value before, value we set]}`` recorded in ``record`` (an annotation holding a JSON object);
    unreadable means none."""
    text = (((obj or {}).get("metadata") or {}).get("annotations") or {}).get(record)
    try:
        values = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(values, dict):
        return {}
    return {
        key: pair
        for key, pair in values.items()
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(item, str) for item in pair)
    }


def record_values(values: Dict[str, List[str]]) -> Optional[str]:
    """The annotation value recording ``{key: [before, set]}`` (sorted, compact JSON), or None when empty."""
    return json.dumps(dict(sorted(values.items())), separators=(",", ":")) if values else None
