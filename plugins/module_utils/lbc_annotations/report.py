# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a run returns: per object the managed annotations before and after, the summary, the diff, and the
``gathered`` and ``rendered`` forms."""

from __future__ import annotations

from typing import Any
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube import ownership
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import records
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import REPLACED_RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import ObjectPlan
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.rules import Finding
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.spec import Spec


def security(kind: Kind, annotations: Dict[str, str]) -> Dict[str, str]:
    """The annotations this module manages on ``kind``, and the ownership records."""
    shown = kind.annotations + (RECORD, REPLACED_RECORD)
    return {key: annotations[key] for key in sorted(annotations) if key in shown}


def object_view(plan: ObjectPlan, after: Dict[str, str]) -> Dict[str, Any]:
    return {
        "kind": plan.kind.name,
        "namespace": plan.namespace,
        "name": plan.name,
        "changed": bool(plan.changes),
        "before": security(plan.kind, plan.before),
        "after": security(plan.kind, after),
        "set": plan.set_keys,
        "removed": plan.removed,
        "restored": plan.restored,
        "overridden": plan.overridden,
        "unowned_equal": plan.unowned_equal,
        "not_owned": plan.not_owned,
        "owned": plan.owned(after),
    }


def summary(views: List[Dict[str, Any]], problems: List[Finding], conflicts: int) -> Dict[str, int]:
    changed = sum(1 for v in views if v["changed"])
    return {
        "selected": len(views),
        "changed": changed,
        "unchanged": len(views) - changed,
        "problems": len(problems),
        "errors": sum(1 for p in problems if p.severity == "error"),
        "conflicts": conflicts,
    }


def diff(views: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Before and after of each object the run changes (or would change)."""
    changed = [v for v in views if v["changed"]]
    return {
        "before": {f"{v['kind']} {v['namespace']}/{v['name']}": v["before"] for v in changed},
        "after": {f"{v['kind']} {v['namespace']}/{v['name']}": v["after"] for v in changed},
    }


def _option_value(kind: Kind, annotation: str, text: str) -> Any:
    """An annotation in the module's option form (its raw text when the controller could not read it)."""
    option = kind.option_of(annotation)
    parsed = values.codec(kind.name, option).parse(text)
    if parsed is None:
        return text
    if option == "listen_ports":
        return [{protocol: port} for protocol, port in parsed]
    return list(parsed) if isinstance(parsed, tuple) else parsed


def gathered(kind: Kind, obj: Dict[str, Any]) -> Dict[str, Any]:
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    options = {kind.option_of(a): _option_value(kind, a, annotations[a]) for a in kind.annotations if a in annotations}
    return {
        "kind": kind.name,
        "namespace": metadata.get("namespace"),
        "name": metadata.get("name"),
        "annotations": security(kind, annotations),
        "owned": [k for k in records.recorded(annotations) if k in kind.annotations],
        kind.option: dict(sorted(options.items())),
    }


def rendered(spec: Spec) -> List[Dict[str, Any]]:
    """The merge patch a first run sends to each object of a kind that has none of the wanted annotations."""
    found = []
    for kind in spec.kinds:
        wanted = spec.wanted(kind)
        if wanted:
            annotations = dict(sorted(wanted.items()), **{RECORD: ownership.record_value(wanted)})
            patch = {"metadata": {"annotations": annotations}}
            found.append({"kind": kind.name, "apiVersion": kind.api_version, "patch": patch})
    return found


def action(plan: ObjectPlan) -> str:
    parts = [
        f"{word} {', '.join(k.split('/')[1] for k in keys)}"
        for word, keys in (("set", plan.set_keys), ("removed", plan.removed), ("restored", plan.restored))
        if keys
    ]
    return f"patched {plan.ref}: {'; '.join(parts) or 'records'}"
