"""JSON merge patch (RFC 7386)."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .jsonvalues import _json_equal


def json_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 MergePatch(target, patch): returns a new value, ``target`` is left untouched."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = copy.deepcopy(dict(target)) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = json_merge_patch(result.get(key), value)
    return result


def create_merge_patch(original: Any, modified: Any) -> Any:
    """A JSON merge patch turning ``original`` into ``modified``.

    Exact for every pair where ``modified`` contains no ``null`` inside an object (merge patch can
    not express "set to null"); lists and non-object values are sent whole.
    """
    if not isinstance(original, Mapping) or not isinstance(modified, Mapping):
        return copy.deepcopy(modified)
    patch: dict = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, value in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(value)
        elif isinstance(value, Mapping) and isinstance(original[key], Mapping):
            sub = create_merge_patch(original[key], value)
            if sub:
                patch[key] = sub
        elif not _json_equal(original[key], value) or type(original[key]) is not type(value):
            patch[key] = copy.deepcopy(value)
    return patch
