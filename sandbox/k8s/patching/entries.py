"""``metadata.managedFields`` entries: decoding, encoding and sorting them like the apiserver."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .errors import PatchError
from .fieldsets import fields_v1, paths_from_fields_v1


@dataclass
class _Entry:
    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    paths: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)

    @property
    def ident(self) -> tuple:
        if self.operation == "Apply":
            return (self.manager, "Apply", "", self.subresource)
        return (self.manager, self.operation, self.api_version, self.subresource)

    def label(self) -> str:
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def encode(self) -> dict:
        out = dict(self.extra)
        out.update({"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version})
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = fields_v1(self.paths)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def _decode_entries(managed_fields: Iterable[Mapping] | None) -> dict[tuple, _Entry]:
    entries: dict[tuple, _Entry] = {}
    for raw in managed_fields or []:
        if not isinstance(raw, Mapping):
            raise PatchError.bad_request("metadata.managedFields: entries must be objects")
        extra = {k: v for k, v in raw.items() if k not in
                 ("manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource")}
        entry = _Entry(str(raw.get("manager", "")), str(raw.get("operation", "Update")), str(raw.get("apiVersion", "")),
                       str(raw.get("subresource", "") or ""), raw.get("time"),
                       paths_from_fields_v1(raw.get("fieldsV1")), extra)
        if entry.ident in entries:
            entries[entry.ident].paths |= entry.paths
        else:
            entries[entry.ident] = entry
    return entries


def _encode_entries(entries: Iterable[_Entry]) -> list[dict]:
    live = [e for e in entries if e.paths]
    live.sort(key=lambda e: (e.operation, e.time or "", e.manager, e.api_version, e.subresource))
    return [e.encode() for e in live]


def _now(now: _dt.datetime | str | None) -> str:
    if isinstance(now, str):
        return now
    moment = now or _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _strip_managed_fields(obj: dict) -> None:
    if isinstance(obj.get("metadata"), dict):
        obj["metadata"].pop("managedFields", None)


def _set_managed_fields(obj: dict, encoded: list[dict]) -> None:
    meta = obj.setdefault("metadata", {})
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)
