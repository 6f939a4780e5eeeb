"""Field sets in fieldsV1 notation: encoding, decoding, printing and the never-tracked fields.

The path notation is described in :mod:`sandbox.k8s.patching.managed`.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _elem_sort_key(elem: str) -> tuple:
    rank = {".": 0, "f": 1, "k": 2, "v": 3, "i": 4}.get(elem[:1], 5)
    if elem.startswith("i:"):
        try:
            return (rank, int(elem[2:]), "")
        except ValueError:
            pass
    return (rank, 0, elem)


def fields_v1(paths: Iterable[tuple]) -> dict:
    """Encode a set of paths as a fieldsV1 object (children sorted, ``"."`` for inner members)."""
    trie: dict = {}
    members: set[tuple] = set()
    for p in paths:
        node = trie
        for elem in p:
            node = node.setdefault(elem, {})
        members.add(tuple(p))

    def render(node: dict, prefix: tuple) -> dict:
        out: dict = {}
        if node and prefix in members:
            out["."] = {}
        for elem in sorted(node, key=_elem_sort_key):
            out[elem] = render(node[elem], prefix + (elem,))
        return out

    return render(trie, ())


def paths_from_fields_v1(obj: Mapping | None) -> set[tuple]:
    """Decode a fieldsV1 object into its set of member paths."""
    out: set[tuple] = set()

    def walk(node: Mapping, prefix: tuple) -> None:
        for elem, sub in node.items():
            if elem == ".":
                if prefix:
                    out.add(prefix)
                continue
            child = prefix + (elem,)
            if not isinstance(sub, Mapping) or not sub:
                out.add(child)
            else:
                walk(sub, child)

    walk(obj or {}, ())
    return out


def path_to_string(path: Iterable[str]) -> str:
    """fieldpath.Path.String(): ``.spec.containers[name="app"].image``, ``.metadata.finalizers[="x"]``."""
    out = []
    for elem in path:
        tag, rest = elem[:2], elem[2:]
        if tag == "f:":
            out.append("." + rest)
        elif tag == "k:":
            try:
                keys = json.loads(rest)
                out.append("[" + ",".join(f"{k}={_compact(v)}" for k, v in sorted(keys.items())) + "]")
            except (ValueError, AttributeError):
                out.append("[" + rest + "]")
        elif tag == "v:":
            out.append("[=" + rest + "]")
        elif tag == "i:":
            out.append("[" + rest + "]")
        else:
            out.append(elem)
    return "".join(out)


_STRIPPED = [("f:apiVersion",), ("f:kind",)] + [
    ("f:metadata", "f:" + name) for name in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds")]


def _ignored(path: tuple, subresource: str | None) -> bool:
    if path == ("f:metadata",):
        return True
    if subresource == "status":
        return not path or path[0] != "f:status"
    if path and path[0] == "f:status":
        return True
    return any(path[:len(p)] == p for p in _STRIPPED)


def _filter(paths: Iterable[tuple], subresource: str | None) -> set[tuple]:
    return {p for p in paths if p and not _ignored(p, subresource)}
