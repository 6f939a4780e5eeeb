"""Field sets of objects under a schema, like structured-merge-diff's ``typed`` package: the set of
an applied configuration (ToFieldSet) and the added/modified/removed paths between two objects
(Compare).
"""

from __future__ import annotations

from typing import Any, Mapping

from .errors import PatchError
from .fieldsets import _compact, path_to_string
from .jsonvalues import _json_equal, _kind_of
from .schema import FieldRule, Schema, _lookup


class _KeyError(Exception):
    pass


def _item_elem(item: Any, rule: FieldRule, strict: bool) -> str:
    """The fieldsV1 path element of a keyed-list item, e.g. ``k:{"name":"app"}``."""
    if not isinstance(item, Mapping):
        if strict:
            raise _KeyError(f"expected a map in an associative list, got {_kind_of(item)}")
        return "k:" + _compact({"?": item})
    defaults = dict(rule.key_defaults)
    keys = {}
    for k in rule.keys:
        if k in item and item[k] is not None:
            keys[k] = item[k]
        elif k in defaults:
            keys[k] = defaults[k]
        elif strict:
            raise _KeyError(f'associative list with keys has an element that omits key field "{k}" '
                            f"(and doesn't have default value)")
    return "k:" + _compact(keys)


def _value_elem(value: Any) -> str:
    return "v:" + _compact(value)


def _atomic(value: Any, fpath: tuple, schema: Schema) -> bool:
    rule = _lookup(schema, fpath)
    if isinstance(value, list):
        return rule is None or rule.list_type not in ("map", "set")
    if isinstance(value, Mapping):
        return rule is not None and rule.list_type == "atomic"
    return True


def _index_list(items: list, rule: FieldRule, path: tuple, strict: bool) -> dict[str, Any]:
    """Map path element -> item (first wins) for a keyed or set list."""
    out: dict[str, Any] = {}
    for i, item in enumerate(items):
        try:
            elem = _item_elem(item, rule, strict) if rule.list_type == "map" else _value_elem(item)
        except _KeyError as err:
            raise PatchError.bad_request(f"{path_to_string(path)}: element {i}: {err}") from None
        if elem in out and strict:
            raise PatchError.bad_request(f"{path_to_string(path)}: element {i}: duplicate entries for key {elem[2:]}")
        out.setdefault(elem, item)
    return out


def _config_set(value: Any, schema: Schema) -> set[tuple]:
    """ToFieldSet of an applied configuration: leaves, list items and empty maps."""
    out: set[tuple] = set()

    def walk(val: Any, path: tuple, fpath: tuple) -> None:
        if isinstance(val, Mapping) and not _atomic(val, fpath, schema):
            if not val and path:
                out.add(path)
            for k, v in val.items():
                walk(v, path + ("f:" + k,), fpath + (k,))
        elif isinstance(val, list) and not _atomic(val, fpath, schema):
            rule = _lookup(schema, fpath)
            if not val:
                out.add(path)
            for elem, item in _index_list(val, rule, path, strict=True).items():
                out.add(path + (elem,))
                if rule.list_type == "map" and isinstance(item, Mapping):
                    for k, v in item.items():
                        walk(v, path + (elem, "f:" + k), fpath + (k,))
        elif path:
            out.add(path)

    walk(value, (), ())
    return out


def _all_paths(value: Any, path: tuple, fpath: tuple, schema: Schema, out: set) -> None:
    """``path`` and everything below it (what "added"/"removed" covers)."""
    if path and not (isinstance(value, Mapping) and value and _is_struct(fpath, schema)):
        out.add(path)
    if isinstance(value, Mapping) and not _atomic(value, fpath, schema):
        for k, v in value.items():
            _all_paths(v, path + ("f:" + k,), fpath + (k,), schema, out)
    elif isinstance(value, list) and not _atomic(value, fpath, schema):
        rule = _lookup(schema, fpath)
        for elem, item in _index_list(value, rule, path, strict=False).items():
            if rule.list_type == "map" and isinstance(item, Mapping):
                _all_paths(item, path + (elem,), fpath, schema, out)
            else:
                out.add(path + (elem,))


def _is_struct(fpath: tuple, schema: Schema) -> bool:
    rule = _lookup(schema, fpath)
    return rule is not None and rule.list_type == "struct"


def _compare(old: Any, new: Any, schema: Schema) -> tuple[set, set, set]:
    """(added, modified, removed) paths between two objects, like typed.Compare."""
    added: set = set()
    modified: set = set()
    removed: set = set()

    def walk(o: Any, n: Any, path: tuple, fpath: tuple) -> None:
        if isinstance(o, Mapping) and isinstance(n, Mapping) and not _atomic(n, fpath, schema):
            for k in list(o) + [k for k in n if k not in o]:
                child, fchild = path + ("f:" + k,), fpath + (k,)
                if k not in n:
                    _all_paths(o[k], child, fchild, schema, removed)
                elif k not in o:
                    _all_paths(n[k], child, fchild, schema, added)
                else:
                    walk(o[k], n[k], child, fchild)
            return
        if isinstance(o, list) and isinstance(n, list) and not _atomic(n, fpath, schema):
            rule = _lookup(schema, fpath)
            old_items = _index_list(o, rule, path, strict=False)
            new_items = _index_list(n, rule, path, strict=False)
            for elem, item in old_items.items():
                if elem not in new_items:
                    if rule.list_type == "map":
                        _all_paths(item, path + (elem,), fpath, schema, removed)
                    else:
                        removed.add(path + (elem,))
            for elem, item in new_items.items():
                if elem not in old_items:
                    if rule.list_type == "map":
                        _all_paths(item, path + (elem,), fpath, schema, added)
                    else:
                        added.add(path + (elem,))
                elif rule.list_type == "map":
                    walk(old_items[elem], item, path + (elem,), fpath)
            return
        if not (_json_equal(o, n) and _kind_of(o) == _kind_of(n)):
            if path:
                modified.add(path)
            if isinstance(o, (Mapping, list)) and not _atomic(o, fpath, schema):
                below: set = set()
                _all_paths(o, path, fpath, schema, below)
                removed.update(below - {path})

    walk(old, new, (), ())
    return added, modified, removed
