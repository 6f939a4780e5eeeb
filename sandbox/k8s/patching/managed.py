"""Server-side apply and ``metadata.managedFields`` bookkeeping for non-apply writes.

Field sets are sets of paths in fieldsV1 notation: each path is a tuple of elements ``"f:<field>"``,
``'k:{"name":"app"}'`` (item of a keyed list, keys sorted, compact JSON), ``'v:"x"'`` (item of a
set list) or ``"i:<n>"``. ``fields_v1(paths)`` / ``paths_from_fields_v1(obj)`` convert to/from the
``fieldsV1`` JSON (a node that is itself a member and has children gets ``".": {}``).

This mirrors sigs.k8s.io/structured-merge-diff as driven by the apiserver:

* Apply: the applier's set is every leaf of the applied config, every item of a keyed/set list,
  and empty maps (non-empty maps are not members themselves). ``merged = live <- applied`` (maps
  deep-merge, keyed lists merge by key with the applied order for shared items, set lists union,
  atomic values replace). Fields in the applier's previous Apply set that it no longer applies
  are removed unless some manager still owns them or something below them. Then
  ``compare(live, merged)`` is computed; any other manager (Apply or Update entry) owning a
  modified/added path is a conflict. Without ``force`` -> ``ApplyConflict``; with ``force`` those
  paths move to the applier. Fields with the same value stay co-owned (no conflict).
* Update (``record_update``): the writer gets every added/modified path (added maps and items
  included, hence the ``".": {}`` in real Update entries) and loses removed ones; every other
  manager loses whatever changed.
* Manager identity: Apply entries are keyed by (manager, subresource); Update entries by (manager,
  apiVersion, subresource) -- as in ``BuildManagerIdentifier``. Entries are sorted like the
  apiserver sorts them (operation, time, manager, apiVersion, subresource).
* Never tracked: ``apiVersion``, ``kind``, ``metadata.{name,namespace,uid,resourceVersion,
  generation,creationTimestamp,selfLink,managedFields,deletionTimestamp,
  deletionGracePeriodSeconds}``; ``status`` is excluded for the main resource, and only ``status``
  is tracked for ``subresource="status"``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
from typing import Any, Iterable, Mapping

from .entries import _Entry, _decode_entries, _encode_entries, _now, _set_managed_fields, _strip_managed_fields
from .errors import ApplyConflict, PatchError
from .fieldsets import _elem_sort_key, _filter, path_to_string
from .jsonvalues import _MISSING
from .schema import Schema, _lookup, merge_keys_for
from .typed import _KeyError, _atomic, _compare, _config_set, _index_list, _item_elem, _value_elem


def _list_merge_order(lhs_elems: list[str], rhs_elems: list[str]) -> list[tuple[str, str]]:
    """Interleave keyed-list items like structured-merge-diff: LHS-only items keep their place,
    shared items follow the RHS order, RHS-only items are inserted where the RHS has them.
    Returns (side, elem) with side in {"l", "r", "both"}."""
    lhs_set, rhs_set = set(lhs_elems), set(rhs_elems)
    shared_order = [e for e in rhs_elems if e in lhs_set]
    next_shared = shared_order.pop(0) if shared_order else None
    done: set[str] = set()
    out: list[tuple[str, str]] = []
    li = ri = 0
    while li < len(lhs_elems) or ri < len(rhs_elems):
        if li < len(lhs_elems) and ri < len(rhs_elems):
            pe = lhs_elems[li]
            if pe == rhs_elems[ri]:
                done.add(pe)
                out.append(("both", pe))
                li += 1
                ri += 1
                next_shared = shared_order.pop(0) if shared_order else None
                continue
            if pe in rhs_set and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lhs_elems):
            pe = lhs_elems[li]
            if pe not in rhs_set:
                out.append(("l", pe))
                li += 1
                continue
            if pe in done:
                li += 1
                continue
        if ri < len(rhs_elems):
            pe = rhs_elems[ri]
            done.add(pe)
            out.append(("both" if pe in lhs_set else "r", pe))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared_order.pop(0) if shared_order else None
    return out


def _ssa_merge(lhs: Any, rhs: Any, fpath: tuple, schema: Schema) -> Any:
    """live.Merge(config)."""
    if isinstance(lhs, Mapping) and isinstance(rhs, Mapping) and not _atomic(rhs, fpath, schema):
        out = copy.deepcopy(dict(lhs))
        for k, v in rhs.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = _ssa_merge(out[k], v, fpath + (k,), schema)
            else:
                out[k] = _ssa_merge(None, v, fpath + (k,), schema)
        return out
    if isinstance(rhs, Mapping) and not _atomic(rhs, fpath, schema):
        return _ssa_merge({}, rhs, fpath, schema)
    if isinstance(lhs, list) and isinstance(rhs, list) and not _atomic(rhs, fpath, schema):
        rule = _lookup(schema, fpath)
        lhs_items = _index_list(lhs, rule, (), strict=False)
        rhs_items = _index_list(rhs, rule, (), strict=False)
        out_list = []
        for side, elem in _list_merge_order(list(lhs_items), list(rhs_items)):
            if side == "l":
                out_list.append(copy.deepcopy(lhs_items[elem]))
            elif side == "r" or rule.list_type == "set":
                out_list.append(_ssa_merge(None, rhs_items[elem], fpath, schema))
            else:
                out_list.append(_ssa_merge(lhs_items[elem], rhs_items[elem], fpath, schema))
        return out_list
    if isinstance(rhs, list) and not _atomic(rhs, fpath, schema):
        return _ssa_merge([], rhs, fpath, schema)
    return copy.deepcopy(rhs)


def _child(container: Any, elem: str, fpath: tuple, schema: Schema) -> tuple[Any, Any, tuple]:
    """(value, locator, fpath) of path element ``elem`` inside ``container``; value _MISSING if absent."""
    if elem.startswith("f:") and isinstance(container, Mapping):
        name = elem[2:]
        return container.get(name, _MISSING), name, fpath + (name,)
    if isinstance(container, list) and elem[:2] in ("k:", "v:", "i:"):
        if elem.startswith("i:"):
            idx = int(elem[2:])
            return (container[idx] if 0 <= idx < len(container) else _MISSING), idx, fpath
        rule = _lookup(schema, fpath)
        if rule is None or rule.list_type not in ("map", "set"):
            return _MISSING, None, fpath
        for i, item in enumerate(container):
            try:
                got = _item_elem(item, rule, False) if rule.list_type == "map" else _value_elem(item)
            except _KeyError:
                continue
            if got == elem:
                return item, i, fpath
    return _MISSING, None, fpath


def _remove_path(obj: dict, path: tuple, schema: Schema, keep: set) -> None:
    """Remove ``path`` from ``obj``; maps/lists left empty by the removal are dropped too unless
    their path is in ``keep`` (owned, or above something owned)."""
    chain = [(obj, None, ())]
    cur, fpath = obj, ()
    for elem in path[:-1]:
        cur, loc, fpath = _child(cur, elem, fpath, schema)
        if cur is _MISSING:
            return
        chain.append((cur, loc, fpath))
    value, loc, _ = _child(cur, path[-1], fpath, schema)
    if value is _MISSING:
        return
    del cur[loc]
    # Drop maps/lists that became empty (typed round-trips omit them), walking upwards.
    for depth in range(len(chain) - 1, 0, -1):
        node = chain[depth][0]
        if isinstance(node, (dict, list)) and not node and path[:depth] not in keep:
            parent = chain[depth - 1][0]
            del parent[chain[depth][1]]
        else:
            break


def _prefixes(paths: Iterable[tuple]) -> set[tuple]:
    out: set[tuple] = set()
    for p in paths:
        for i in range(1, len(p) + 1):
            out.add(p[:i])
    return out


def _is_key_field(path: tuple) -> bool:
    """``...k:{"name":"a"}, f:name`` -- a key field of a keyed item (never pruned on its own)."""
    if len(path) < 2 or not path[-2].startswith("k:") or not path[-1].startswith("f:"):
        return False
    try:
        return path[-1][2:] in json.loads(path[-2][2:])
    except ValueError:
        return False


def _sort_path_key(path: tuple) -> tuple:
    return tuple(_elem_sort_key(e) for e in path)


def _object_kind(*objs: Any) -> str | None:
    for obj in objs:
        if isinstance(obj, Mapping) and obj.get("kind"):
            return obj["kind"]
    return None


def apply_patch(live: Mapping | None, applied: Mapping, manager: str, managed_fields: list | None,
                force: bool = False, *, subresource: str | None = None,
                now: _dt.datetime | str | None = None) -> tuple[dict, list[dict]]:
    """Server-side apply of ``applied`` (already parsed) by ``manager`` onto ``live`` (None: create).

    Returns ``(merged_object, new_managed_fields)``; ``merged_object["metadata"]["managedFields"]``
    is set to the new list as well. Raises ``ApplyConflict`` (unless ``force``) and
    ``PatchError("BadRequest")`` for applied configs whose keyed-list items lack or repeat keys.
    """
    if not isinstance(applied, Mapping):
        raise PatchError.bad_request("apply patch must be an object")
    if not manager:
        raise PatchError.bad_request("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                                     "is required for apply patch")
    kind = _object_kind(applied, live)
    schema = merge_keys_for(kind)
    api_version = str(applied.get("apiVersion") or (live or {}).get("apiVersion") or "")
    timestamp = _now(now)
    subresource = subresource or None
    base = copy.deepcopy(dict(live)) if isinstance(live, Mapping) else {}
    config = copy.deepcopy(dict(applied))
    _strip_managed_fields(config)
    _strip_managed_fields(base)

    entries = _decode_entries(managed_fields)
    applier = _Entry(manager, "Apply", api_version, subresource or "", timestamp)
    previous = entries.pop(applier.ident, None)
    last_set = previous.paths if previous else set()
    applier.paths = _filter(_config_set(config, schema), subresource)

    merged = _ssa_merge(base, config, (), schema)

    # prune: what the applier applied last time but not now, unless someone still owns it
    owned = set(applier.paths)
    for entry in entries.values():
        owned |= entry.paths
    owned_prefixes = _prefixes(owned)
    for path in sorted(last_set - owned, key=len):
        if path in owned_prefixes or _is_key_field(path):
            continue
        _remove_path(merged, path, schema, owned_prefixes)

    added, modified, removed = _compare(base, merged, schema)
    changed = _filter(added | modified, subresource)
    removed = _filter(removed, subresource)

    conflicts: list[tuple[_Entry, tuple]] = []
    for entry in entries.values():
        for path in entry.paths & changed:
            conflicts.append((entry, path))
    if conflicts and not force:
        conflicts.sort(key=lambda c: (c[0].label(), _sort_path_key(c[1])))
        raise ApplyConflict([(e.manager, path_to_string(p)) for e, p in conflicts], [e.label() for e, _ in conflicts])
    for entry in entries.values():
        entry.paths -= changed | removed

    if previous is not None and previous.paths == applier.paths and not (added or modified or removed):
        applier.time = previous.time or timestamp
    entries[applier.ident] = applier
    encoded = _encode_entries(entries.values())
    _set_managed_fields(merged, encoded)
    return merged, encoded


def record_update(old: Mapping | None, new: Mapping, manager: str, managed_fields: list | None,
                  api_version: str | None = None, *, subresource: str | None = None,
                  now: _dt.datetime | str | None = None) -> list[dict]:
    """managedFields after a non-apply write (POST/PUT/PATCH) of ``new`` over ``old`` (None: create).

    ``manager`` (the request's fieldManager, or the server's default such as the user agent)
    gets every added/modified field with operation "Update"; other managers lose what changed.
    ``api_version`` defaults to ``new["apiVersion"]``. The caller stores the result in
    ``new["metadata"]["managedFields"]``; ``new`` is not modified.
    """
    kind = _object_kind(new, old)
    schema = merge_keys_for(kind)
    api_version = api_version or str((new or {}).get("apiVersion") or "")
    subresource = subresource or None
    old_cmp = copy.deepcopy(dict(old)) if isinstance(old, Mapping) else {}
    new_cmp = copy.deepcopy(dict(new))
    _strip_managed_fields(old_cmp)
    _strip_managed_fields(new_cmp)
    added, modified, removed = _compare(old_cmp, new_cmp, schema)
    added = _filter(added, subresource)
    modified = _filter(modified, subresource)
    removed = _filter(removed, subresource)

    entries = _decode_entries(managed_fields)
    writer = _Entry(manager or "", "Update", api_version, subresource or "", _now(now))
    previous = entries.pop(writer.ident, None)
    for entry in entries.values():
        entry.paths -= added | modified | removed
    writer.paths = ((previous.paths if previous else set()) - removed) | added | modified
    if previous is not None:
        writer.extra = previous.extra
        if not (added or modified or removed):
            writer.time = previous.time or writer.time
    entries[writer.ident] = writer
    return _encode_entries(entries.values())
