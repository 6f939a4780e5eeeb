"""JSON patch (RFC 6902) and the JSON pointer helpers it uses."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .errors import PatchError
from .jsonvalues import _go_repr, _json_equal


_OPS = ("add", "remove", "replace", "move", "copy", "test")


def _parse_pointer(pointer: Any, member: str) -> list[str]:
    if not isinstance(pointer, str):
        raise PatchError.bad_request(f"json patch operation field {member!r} must be a string, got {_go_repr(pointer)}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError.bad_request(f"invalid JSON pointer {pointer!r}: must be empty or start with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        out, i = [], 0
        while i < len(raw):
            ch = raw[i]
            if ch == "~":
                nxt = raw[i + 1] if i + 1 < len(raw) else ""
                if nxt == "0":
                    out.append("~")
                elif nxt == "1":
                    out.append("/")
                else:
                    raise PatchError.bad_request(f"invalid JSON pointer {pointer!r}: bad escape '~{nxt}'")
                i += 2
            else:
                out.append(ch)
                i += 1
        tokens.append("".join(out))
    return tokens


def _array_index(token: str, length: int, path: str, *, allow_end: bool) -> int:
    """Index for ``token`` in an array of ``length``; '-' only for add; no leading zeros."""
    if token == "-":
        if allow_end:
            return length
        raise PatchError.invalid(f"Unable to access invalid index: -: invalid index referenced ({path})")
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        raise PatchError.invalid(f"Unable to access invalid index: {token}: invalid index referenced ({path})")
    index = int(token)
    limit = length if allow_end else length - 1
    if index > limit:
        raise PatchError.invalid(f"Unable to access invalid index: {index}: invalid index referenced ({path})")
    return index


def _missing_path(opname: str, path: str) -> PatchError:
    return PatchError.invalid(f"{opname} operation does not apply: doc is missing path: \"{path}\": missing value")


def _resolve_parent(doc: Any, tokens: list[str], path: str, opname: str) -> Any:
    cur = doc
    for token in tokens[:-1]:
        if isinstance(cur, dict):
            if token not in cur:
                raise _missing_path(opname, path)
            cur = cur[token]
        elif isinstance(cur, list):
            cur = cur[_array_index(token, len(cur), path, allow_end=False)]
        else:
            raise _missing_path(opname, path)
    if not isinstance(cur, (dict, list)):
        raise _missing_path(opname, path)
    return cur


def _get(doc: Any, tokens: list[str], path: str, opname: str) -> Any:
    """The value at ``tokens``; raises 422 when it does not exist."""
    if not tokens:
        return doc
    parent = _resolve_parent(doc, tokens, path, opname)
    key = tokens[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError.invalid(f"{opname} operation does not apply: doc is missing path: {path}: missing value")
        return parent[key]
    return parent[_array_index(key, len(parent), path, allow_end=False)]


def _add(doc: Any, tokens: list[str], value: Any, path: str) -> Any:
    if not tokens:
        return value
    parent = _resolve_parent(doc, tokens, path, "add")
    key = tokens[-1]
    if isinstance(parent, dict):
        parent[key] = value
    else:
        parent.insert(_array_index(key, len(parent), path, allow_end=True), value)
    return doc


def _remove(doc: Any, tokens: list[str], path: str, opname: str = "remove") -> tuple[Any, Any]:
    if not tokens:
        raise PatchError.invalid(f"error in {opname} for path: '{path}': unable to remove the whole document")
    parent = _resolve_parent(doc, tokens, path, opname)
    key = tokens[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError.invalid(
                f"error in {opname} for path: '{path}': Unable to remove nonexistent key: {key}: missing value")
        return doc, parent.pop(key)
    return doc, parent.pop(_array_index(key, len(parent), path, allow_end=False))


def _replace(doc: Any, tokens: list[str], value: Any, path: str) -> Any:
    if not tokens:
        return value
    parent = _resolve_parent(doc, tokens, path, "replace")
    key = tokens[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError.invalid(f"replace operation does not apply: doc is missing key: {path}: missing value")
        parent[key] = value
    else:
        parent[_array_index(key, len(parent), path, allow_end=False)] = value
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902: apply ``operations`` atomically to a copy of ``target`` and return it.

    Malformed documents raise ``PatchError("BadRequest")``; operations that do not apply raise
    ``PatchError("Invalid")`` (422) and leave nothing changed. One apiserver (evanphx/json-patch)
    quirk is kept on purpose: ``test`` of a missing member against ``null`` succeeds (clients use
    it to assert absence); every other ``test`` needs the location to exist.
    """
    if not isinstance(operations, list):
        raise PatchError.bad_request(
            f"json: cannot unmarshal {type(operations).__name__} into Go value of type jsonpatch.Patch")
    parsed = []
    for i, op in enumerate(operations):
        if not isinstance(op, Mapping):
            raise PatchError.bad_request(
                f"json: cannot unmarshal {type(op).__name__} into Go value of type jsonpatch.Operation (operation {i})")
        kind = op.get("op")
        if "op" not in op:
            raise PatchError.bad_request(f"json patch operation {i} is missing the 'op' member")
        if kind not in _OPS:
            raise PatchError.bad_request(f"Unexpected kind: {_go_repr(kind)}")
        if "path" not in op:
            raise PatchError.bad_request(f"json patch {kind} operation {i} is missing the 'path' member")
        tokens = _parse_pointer(op["path"], "path")
        from_tokens = None
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError.bad_request(f"json patch {kind} operation {i} is missing the 'value' member")
        if kind in ("move", "copy"):
            if "from" not in op:
                raise PatchError.bad_request(f"json patch {kind} operation {i} is missing the 'from' member")
            from_tokens = _parse_pointer(op["from"], "from")
        parsed.append((kind, op["path"], tokens, op.get("from"), from_tokens, op.get("value")))

    doc = copy.deepcopy(target)
    for kind, path, tokens, from_path, from_tokens, value in parsed:
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(value), path)
        elif kind == "remove":
            doc, _ = _remove(doc, tokens, path)
        elif kind == "replace":
            doc = _replace(doc, tokens, copy.deepcopy(value), path)
        elif kind == "move":
            if from_tokens == tokens:
                _get(doc, from_tokens, from_path, "move")
                continue
            if len(from_tokens) < len(tokens) and tokens[:len(from_tokens)] == from_tokens:
                raise PatchError.invalid(
                    f"move operation does not apply: cannot move {from_path} into its child {path}")
            _get(doc, from_tokens, from_path, "move")
            doc, moved = _remove(doc, from_tokens, from_path, "move")
            doc = _add(doc, tokens, moved, path)
        elif kind == "copy":
            doc = _add(doc, tokens, copy.deepcopy(_get(doc, from_tokens, from_path, "copy")), path)
        else:  # test
            _test(doc, tokens, value, path)
    return doc


def _test(doc: Any, tokens: list[str], value: Any, path: str) -> None:
    if tokens:
        try:
            parent = _resolve_parent(doc, tokens, path, "test")
        except PatchError:
            raise PatchError.invalid(f"test operation does not apply: is missing path: {path}: missing value") from None
        key = tokens[-1]
        if isinstance(parent, dict):
            if key not in parent:
                if value is None:  # evanphx/json-patch: a missing member equals null
                    return
                raise PatchError.invalid(f"testing value {path} failed: test failed")
            actual = parent[key]
        else:
            actual = parent[_array_index(key, len(parent), path, allow_end=False)]
    else:
        actual = doc
    if not _json_equal(actual, value):
        raise PatchError.invalid(f"testing value {path} failed: test failed")
