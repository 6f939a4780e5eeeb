# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Minimal edits of Terway's ``eni_conf`` (data key of the ConfigMap ``kube-system/eni-config`` on ACK).

The ConfigMap belongs to the Terway add-on, so this collection may set a few top-level keys
(``enable_eni_trunking``, ``credential_path``) but must leave every other byte as it was: a
``json.loads``/``json.dumps`` round trip would re-indent, re-escape and re-spell numbers, and the
add-on's owner would see a diff nobody asked for. So the text is scanned for the spans of its
top-level members and only the spans that must change are rewritten; the result is checked against
the intended document before it is returned.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import NamedTuple
from typing import NoReturn
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import KubeguardError

_WS = " \t\n\r"
_SCALAR_END = ",]}" + _WS
_TYPE_NAMES = ((bool, "boolean"), (list, "array"), (str, "string"), ((int, float), "number"), (type(None), "null"))


class EniConfError(KubeguardError):
    """eni_conf cannot be read or edited safely; str(exc) says why."""


class _ConstantError(Exception):
    """NaN/Infinity met by the parser: Python accepts them but JSON (and Terway, written in Go) does not."""


class _Member(NamedTuple):
    """Spans of one top-level member; ``lead_start`` is where the whitespace before its key begins."""

    key: str
    lead_start: int
    key_start: int
    key_end: int
    value_start: int
    value_end: int


def parse_eni_conf(text: Any) -> Dict[str, Any]:
    """Parse eni_conf into a dict, refusing anything Terway would not read as one unambiguous object.

    Raises EniConfError when the text is empty, is not JSON, is not an object, or repeats a
    top-level key (the last one would win silently, so an edit of the first would be a no-op).
    """
    if not isinstance(text, str) or not text.strip(_WS):
        raise EniConfError("eni_conf is empty")
    top = {}

    def keep_pairs(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
        # Objects complete inside-out, so the last call is the top-level object.
        top["pairs"] = pairs
        return dict(pairs)

    try:
        conf = json.loads(text, object_pairs_hook=keep_pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise EniConfError(_json_error_message(exc)) from None
    except _ConstantError as exc:
        position = _constant_position(text, str(exc))
        raise EniConfError(_json_error_message(json.JSONDecodeError(f"{exc} is not allowed", text, position))) from None
    except (ValueError, RecursionError) as exc:
        # Valid JSON that Python cannot hold: an integer over the digit limit, nesting over the recursion limit.
        raise EniConfError(f"eni_conf cannot be parsed: {exc}") from None
    if not isinstance(conf, dict):
        raise EniConfError(f"eni_conf must be a JSON object, not {_type_name(conf)}")
    _refuse_duplicates(top["pairs"])
    return conf


def set_top_level_keys(text: str, values: Mapping[str, Any]) -> Tuple[str, List[str]]:
    """Return (new_text, changed_keys): ``text`` with each top-level key of ``values`` set, by a minimal edit.

    An equal value (compared type-strictly) is left byte for byte; a different one has exactly its
    value span replaced; a missing key is appended after the last member in the formatting of that
    member. changed_keys lists, in ``values`` order, the keys replaced or added. When nothing changes
    the original text object is returned, so callers can test identity as well as equality.
    """
    conf = parse_eni_conf(text)
    wanted = _render_values(values)
    open_pos, close_pos, members = _scan_members(text)
    present = {member.key: member for member in members}
    edits = []
    changed = []
    added = []
    for key, (rendered, value) in wanted.items():
        member = present.get(key)
        if member is None:
            added.append((key, rendered))
        elif _same_json(conf[key], value):
            continue
        else:
            edits.append((member.value_start, member.value_end, rendered))
        changed.append(key)
    if not changed:
        return text, []
    if added:
        edits.append(_append_edit(text, open_pos, close_pos, members, added))
    new_text = _apply_edits(text, edits)
    _check_result(new_text, conf, wanted, [key for key, _rendered in added])
    return new_text, changed


def _reject_constant(name: str) -> NoReturn:
    """parse_constant hook: stop at NaN, Infinity and -Infinity."""
    raise _ConstantError(name)


def _json_error_message(exc: json.JSONDecodeError) -> str:
    """The message promised for invalid JSON, with json's own wording and 1-based position."""
    return f"eni_conf is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"


def _constant_position(text: str, name: str) -> int:
    """Index of the first ``name`` outside strings: the parser reports constants in text order."""
    pos = 0
    while pos < len(text) and not text.startswith(name, pos):
        pos = _string_end(text, pos) if text[pos] == '"' else pos + 1
    return pos


def _type_name(value: Any) -> str:
    """JSON's name for the type of a parsed value (bool first: it is an int subclass)."""
    for types, name in _TYPE_NAMES:
        if isinstance(value, types):
            return name
    return type(value).__name__


def _refuse_duplicates(pairs: List[Tuple[str, Any]]) -> None:
    """Raise for the first top-level key seen twice (keys compared decoded, so "a" equals "\\u0061")."""
    seen = set()
    for key, _value in pairs:
        if key in seen:
            raise EniConfError(f"eni_conf has the key {json.dumps(key, ensure_ascii=False)} more than once")
        seen.add(key)


def _render_values(values: Mapping[str, Any]) -> Dict[str, Tuple[str, Any]]:
    """Map key -> (JSON text, value as JSON reads it back), so tuples, int dict keys etc. compare as written."""
    rendered = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"eni_conf keys must be strings, not {type(key).__name__}")
        value_text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        rendered[key] = (value_text, json.loads(value_text))
    return rendered


def _same_json(left: Any, right: Any) -> bool:
    """Equality of parsed JSON that keeps types apart (true is not 1, 1 is not 1.0); object order is ignored."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same_json(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same_json(a, b) for a, b in zip(left, right))
    return left == right


def _skip_ws(text: str, pos: int) -> int:
    """Index of the first non-JSON-whitespace character at or after pos."""
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _string_end(text: str, pos: int) -> int:
    """Index just past the JSON string whose opening quote is at pos; a backslash always takes the next character."""
    pos += 1
    while text[pos] != '"':
        pos += 2 if text[pos] == "\\" else 1
    return pos + 1


def _value_end(text: str, pos: int) -> int:
    """Index just past the JSON value starting at pos, in text already known to be valid."""
    if text[pos] == '"':
        return _string_end(text, pos)
    if text[pos] not in "{[":
        while pos < len(text) and text[pos] not in _SCALAR_END:
            pos += 1
        return pos
    depth = 0
    while True:
        char = text[pos]
        if char == '"':
            pos = _string_end(text, pos)
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1


def _scan_members(text: str) -> Tuple[int, int, List[_Member]]:
    """Return (index of "{", index of "}", members) of the top-level object of valid JSON text."""
    open_pos = _skip_ws(text, 0)
    members = []
    lead_start = open_pos + 1
    pos = _skip_ws(text, lead_start)
    while text[pos] != "}":
        key_start = pos
        key_end = _string_end(text, key_start)
        value_start = _skip_ws(text, _skip_ws(text, key_end) + 1)
        value_end = _value_end(text, value_start)
        key = json.loads(text[key_start:key_end])
        members.append(_Member(key, lead_start, key_start, key_end, value_start, value_end))
        pos = _skip_ws(text, value_end)
        if text[pos] == ",":
            lead_start = pos + 1
            pos = _skip_ws(text, lead_start)
    return open_pos, pos, members


def _append_edit(
    text: str, open_pos: int, close_pos: int, members: List[_Member], added: List[Tuple[str, str]]
) -> Tuple[int, int, str]:
    """The edit adding new members: after the last value, copying its lead whitespace and key separator."""
    if not members:
        body = ", ".join(f"{json.dumps(key, ensure_ascii=False)}: {rendered}" for key, rendered in added)
        return open_pos, close_pos + 1, "{" + body + "}"
    last = members[-1]
    separator = text[last.key_end : last.value_start]
    lead = _lead(text, last, len(members), separator)
    insert = "".join(f",{lead}{json.dumps(key, ensure_ascii=False)}{separator}{rendered}" for key, rendered in added)
    return last.value_end, last.value_end, insert


def _lead(text: str, last: _Member, count: int, separator: str) -> str:
    """The whitespace before the last member's key; for a lone member on one line (``{"a": 1}``) a space,
    unless the separator is compact too (``{"a":1}``)."""
    lead = text[last.lead_start : last.key_start]
    if not lead and count == 1 and " " in separator:
        return " "
    return lead


def _apply_edits(text: str, edits: List[Tuple[int, int, str]]) -> str:
    """Apply non-overlapping (start, end, replacement) edits; an insertion at a replaced value's end goes after it."""
    pieces = []
    cursor = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _check_result(
    new_text: str, conf: Dict[str, Any], wanted: Dict[str, Tuple[str, Any]], added_keys: List[str]
) -> None:
    """Defensive postcondition: the edit must mean {**conf, **wanted}, in the old key order plus the added keys."""
    try:
        new_conf = parse_eni_conf(new_text)
    except EniConfError as exc:
        raise AssertionError(f"edited eni_conf does not parse: {exc}") from exc
    expected = dict(conf)
    expected.update((key, value) for key, (_rendered, value) in wanted.items())
    if not _same_json(new_conf, expected):
        raise AssertionError("edited eni_conf does not hold the intended values")
    if list(new_conf) != list(conf) + added_keys:
        raise AssertionError("edited eni_conf does not keep the key order")
