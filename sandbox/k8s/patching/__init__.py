"""PATCH semantics of the kube-apiserver: JSON merge patch, JSON patch, strategic merge patch and
server-side apply (with ``metadata.managedFields`` bookkeeping).

Everything here works on plain JSON-like Python values (dict/list/str/int/float/bool/None) and never
mutates its inputs.

Modules
-------
* ``errors`` -- ``PatchError`` and ``ApplyConflict`` (reasons, HTTP codes, metav1.Status bodies).
* ``merge`` -- JSON merge patch (RFC 7386): ``json_merge_patch``, ``create_merge_patch``.
* ``jsonpatch`` -- JSON patch (RFC 6902): ``json_patch`` and its JSON pointer helpers.
* ``schema`` -- the merge-key schema: ``FieldRule``, ``BUILTIN_KINDS``, ``BUILTIN_MERGE_KEYS``,
  ``merge_keys_for``, ``supports_strategic_merge``.
* ``strategic`` -- strategic merge patch: ``strategic_merge_patch``, ``strategic_merge_patch_for_kind``.
* ``fieldsets`` -- fieldsV1 encoding of field sets: ``fields_v1``, ``paths_from_fields_v1``,
  ``path_to_string``.
* ``typed`` -- field sets and comparison of objects under a schema (used by server-side apply).
* ``entries`` -- ``metadata.managedFields`` entries.
* ``managed`` -- server-side apply and Update bookkeeping: ``apply_patch``, ``record_update``.
* ``jsonvalues`` -- shared helpers on decoded JSON values.
"""

from __future__ import annotations

from .errors import ApplyConflict, PatchError
from .fieldsets import fields_v1, path_to_string, paths_from_fields_v1
from .jsonpatch import json_patch
from .managed import apply_patch, record_update
from .merge import create_merge_patch, json_merge_patch
from .schema import BUILTIN_KINDS, BUILTIN_MERGE_KEYS, FieldRule, merge_keys_for, supports_strategic_merge
from .schema import Schema  # noqa: F401  (importable as before; not part of __all__)
from .strategic import strategic_merge_patch, strategic_merge_patch_for_kind

__all__ = [
    "PatchError",
    "ApplyConflict",
    "json_merge_patch",
    "create_merge_patch",
    "json_patch",
    "FieldRule",
    "BUILTIN_KINDS",
    "BUILTIN_MERGE_KEYS",
    "merge_keys_for",
    "supports_strategic_merge",
    "strategic_merge_patch",
    "strategic_merge_patch_for_kind",
    "apply_patch",
    "record_update",
    "fields_v1",
    "paths_from_fields_v1",
    "path_to_string",
]
