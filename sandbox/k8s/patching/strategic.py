"""Kubernetes strategic merge patch (StrategicMergeMapPatch with the apiserver's options)."""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .errors import PatchError
from .jsonvalues import _MISSING, _go_repr, _json_equal, _kind_of
from .schema import FieldRule, Schema, _lookup, merge_keys_for, supports_strategic_merge


_SMP_MEDIA_TYPES = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_DELETE_FROM = "$deleteFromPrimitiveList/"
_SET_ORDER = "$setElementOrder/"
_DELETED = object()  # a map that "$patch: delete" removed


def strategic_merge_patch_for_kind(kind: str | None, target: Mapping, patch: Any) -> dict:
    """What the server calls for ``application/strategic-merge-patch+json``.

    Raises ``PatchError("UnsupportedMediaType")`` (415) for kinds that are not built in -- the
    apiserver does not offer strategic merge patch for custom resources.
    """
    if not supports_strategic_merge(kind):
        raise PatchError("UnsupportedMediaType", "the body of the request was in an unknown format - "
                                                 f"accepted media types include: {_SMP_MEDIA_TYPES}")
    return strategic_merge_patch(target, patch, merge_keys_for(kind))


def strategic_merge_patch(target: Mapping, patch: Any, schema: Schema) -> dict:
    """Kubernetes strategic merge patch (StrategicMergeMapPatch, server-side options).

    * maps merge recursively; ``null`` deletes a key; scalars and type changes replace.
    * lists with a ``keyed`` rule merge by the merge key; lists with a ``set`` rule are unioned;
      other lists are replaced whole.
    * ordering: items that appear in the patch keep the patch's relative order, server-only items
      keep theirs, and the two are interleaved by their live positions -- so a NEW item the patch
      does not anchor to an existing one comes FIRST (``[a, b]`` + ``[c]`` -> ``[c, a, b]``), as
      the apiserver does. ``$setElementOrder/<list>`` fixes the order explicitly.
    * directives: ``$patch: replace|delete`` in maps, ``{"$patch": "replace"}`` /
      ``{<key>: v, "$patch": "delete"}`` in keyed lists, ``$deleteFromPrimitiveList/<list>``,
      ``$setElementOrder/<list>``, ``$retainKeys``. Directives never leak into the result.

    ``$patch: delete`` on a nested map removes that key (the apiserver yields an empty map, which
    the typed round trip then drops or zeroes); at the top level it yields ``{}``.
    """
    if not isinstance(patch, Mapping):
        raise PatchError.bad_request("invalid JSON document")
    original = copy.deepcopy(dict(target)) if isinstance(target, Mapping) else {}
    result = _smp_map(original, copy.deepcopy(dict(patch)), (), schema)
    return {} if result is _DELETED else result


def _smp_clean(value: Any, path: tuple, schema: Schema) -> Any:
    """A patch value that lands where the original has nothing: strip nulls and directives."""
    if isinstance(value, Mapping):
        out = _smp_map({}, dict(value), path, schema)
        return {} if out is _DELETED else out
    if isinstance(value, list):
        return _smp_list([], value, path, schema)
    return value


def _smp_map(original: dict, patch: dict, path: tuple, schema: Schema) -> Any:
    if _DIRECTIVE in patch:
        directive = patch.pop(_DIRECTIVE)
        if directive == "replace":
            return _smp_clean(patch, path, schema)
        if directive == "delete":
            return _DELETED
        raise PatchError.bad_request(f"Unknown patch type: {_go_repr(directive)} in map: {_go_repr(patch)}")
    result = original

    if _RETAIN_KEYS in patch:
        retain = patch.pop(_RETAIN_KEYS)
        if not isinstance(retain, list):
            raise PatchError.bad_request("invalid patch format of retainKeys")
        for key, value in patch.items():
            if value is None or key.startswith(_DELETE_FROM) or key.startswith(_SET_ORDER):
                continue
            if key not in retain:
                raise PatchError.invalid("patch content doesn't match retainKeys list")
        result = {k: v for k, v in result.items() if k in retain}

    for key in [k for k in patch if k.startswith(_SET_ORDER)]:
        _smp_set_element_order(result, patch, key, path, schema)

    for key, value in patch.items():
        if key.startswith(_DELETE_FROM):
            name = key[len(_DELETE_FROM):]
            if not isinstance(value, list) or not name:
                raise PatchError.bad_request("invalid patch format of primitive list")
            current = result.get(name)
            if isinstance(current, list):
                result[name] = [x for x in current if not any(_json_equal(x, d) for d in value)]
            continue
        if key.startswith("$"):
            continue  # $retainKeys/$setElementOrder already handled; unknown directives are dropped
        child = path + (key,)
        if value is None:
            result.pop(key, None)
            continue
        if key not in result:
            cleaned = _smp_clean(value, child, schema)
            result[key] = cleaned
            continue
        current = result[key]
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged = _smp_map(dict(current), dict(value), child, schema)
            if merged is _DELETED:
                del result[key]
            else:
                result[key] = merged
        elif isinstance(current, list) and isinstance(value, list):
            result[key] = _smp_list(current, value, child, schema)
        else:
            result[key] = _smp_clean(value, child, schema)
    return result


def _merge_key_of(rule: FieldRule | None) -> str | None:
    if rule is not None and rule.list_type == "map" and rule.patch_merge:
        return rule.merge_key
    return None


def _merges(rule: FieldRule | None) -> bool:
    return rule is not None and rule.patch_merge and rule.list_type in ("map", "set")


def _element_kind(*lists: list) -> str | None:
    kinds = {_kind_of(x) for lst in lists for x in lst}
    if "list" in kinds:
        raise PatchError.invalid("lists of lists are not supported")
    if len(kinds) > 1:
        raise PatchError.bad_request(f"list element types are not identical: {_go_repr(list(lists))}")
    return kinds.pop() if kinds else None


def _ident(item: Any, key: str | None) -> Any:
    if key is None:
        return item
    return item.get(key, _MISSING) if isinstance(item, Mapping) else _MISSING


def _index_of(items: list, item: Any, key: str | None) -> int:
    want = _ident(item, key)
    if want is _MISSING:
        return -1
    for i, candidate in enumerate(items):
        got = _ident(candidate, key)
        if got is not _MISSING and _json_equal(got, want):
            return i
    return -1


def _partition(merged: list, by: list, key: str | None) -> tuple[list, list]:
    present, server_only = [], []
    for item in merged:
        (present if _index_of(by, item, key) >= 0 else server_only).append(item)
    return present, server_only


def _normalize_order(patch_items: list, server_only: list, patch_order: list, server_order: list,
                     key: str | None) -> list:
    """normalizeElementOrder: sort each side by its own order, then interleave by live position."""
    patch_items = sorted(patch_items, key=lambda x: _index_of(patch_order, x, key))
    server_only = sorted(server_only, key=lambda x: _index_of(server_order, x, key))
    out, i, j = [], 0, 0
    while i < len(server_only) or j < len(patch_items):
        if i >= len(server_only):
            out.append(patch_items[j])
            j += 1
        elif j >= len(patch_items):
            out.append(server_only[i])
            i += 1
        else:
            li = _index_of(server_order, server_only[i], key)
            ri = _index_of(server_order, patch_items[j], key)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(server_only[i])
                i += 1
            else:
                out.append(patch_items[j])
                j += 1
    return out


def _require_key(item: Any, key: str) -> None:
    if not isinstance(item, Mapping):
        raise PatchError.bad_request(f"expected a map, but received a {_kind_of(item)}")
    if key not in item:
        raise PatchError.bad_request(f"map: {_go_repr(item)} does not contain declared merge key: {key}")


def _smp_list(original: list, patch: list, path: tuple, schema: Schema) -> list:
    rule = _lookup(schema, path)
    if not _merges(rule):
        return [_smp_clean(item, path, schema) for item in patch]
    if not original and not patch:
        return []
    kind = _element_kind(original, patch)
    if kind != "map":
        merged: list = []
        for item in list(original) + list(patch):
            if not any(_json_equal(item, seen) and type(item) is type(seen) for seen in merged):
                merged.append(copy.deepcopy(item))
        present, server_only = _partition(merged, patch, None)
        return _normalize_order(present, server_only, patch, original, None)

    key = _merge_key_of(rule)
    if not key:
        raise PatchError.bad_request(f"cannot merge lists without merge key for {'.'.join(path)}")
    original = list(original)
    plain, replace = [], False
    for item in patch:
        if _DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[_DIRECTIVE]
        if directive == "delete":
            _require_key(item, key)
            original = [o for o in original
                        if not (isinstance(o, Mapping) and key in o and _json_equal(o[key], item[key]))]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise PatchError.bad_request("merging lists cannot yet be specified in the patch")
        else:
            raise PatchError.bad_request(f"Unknown patch type: {_go_repr(directive)} in map: {_go_repr(item)}")
    if replace:
        return [_smp_clean(item, path, schema) for item in plain]
    merged = list(original)
    for item in plain:
        _require_key(item, key)
        idx = _index_of(merged, item, key)
        if idx >= 0:
            out = _smp_map(copy.deepcopy(dict(merged[idx])), dict(item), path, schema)
            merged[idx] = {} if out is _DELETED else out
        else:
            merged.append(_smp_clean(item, path, schema))
    for item in merged:
        _require_key(item, key)
    present, server_only = _partition(merged, plain, key)
    return _normalize_order(present, server_only, plain, original, key)


def _smp_set_element_order(result: dict, patch: dict, directive_key: str, path: tuple, schema: Schema) -> None:
    order = patch.pop(directive_key)
    name = directive_key[len(_SET_ORDER):]
    if not isinstance(order, list) or not name:
        raise PatchError.bad_request("invalid patch format of setElementOrder list")
    child = path + (name,)
    rule = _lookup(schema, child)
    key = _merge_key_of(rule)
    has_original, has_patch = name in result, name in patch
    original = result.get(name) if has_original else []
    patch_list = patch.get(name) if has_patch else []
    if has_original and not isinstance(original, list):
        raise PatchError.bad_request(f"expected a list, but received a {_kind_of(original)}")
    if has_patch and not isinstance(patch_list, list):
        raise PatchError.bad_request(f"expected a list, but received a {_kind_of(patch_list)}")
    if key:
        for item in order:
            _require_key(item, key)
    _validate_set_order(patch_list, order, key)
    if has_original and not has_patch:
        merged = original
    elif has_patch and not has_original:
        merged = _smp_list([], patch_list, child, schema)
    elif has_patch and has_original:
        merged = _smp_list(original, patch_list, child, schema)
    else:
        return
    present, server_only = _partition(merged, order, key)
    result[name] = _normalize_order(present, server_only, order, original or [], key)
    patch.pop(name, None)


def _validate_set_order(patch_list: list, order: list, key: str | None) -> None:
    """validatePatchWithSetOrderList: the patch items must appear in the same relative order."""
    items = [x for x in patch_list if not (isinstance(x, Mapping) and _DIRECTIVE in x)]
    pi = oi = 0
    while pi < len(items) and oi < len(order):
        if _json_equal(_ident(items[pi], key), _ident(order[oi], key)):
            pi += 1
        oi += 1
    if pi < len(items):
        raise PatchError.bad_request(
            f"The order in patch list:\n{_go_repr(patch_list)}\n doesn't match $setElementOrder list:\n"
            f"{_go_repr(order)}\n")
