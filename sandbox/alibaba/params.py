"""Reading RPC parameters: required values, integers in range, enumerations, JSON strings, lists."""

from __future__ import annotations

import json
import re

from sandbox.alibaba import errors


def required(params: dict, name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise errors.missing(name)
    return value


def integer(params: dict, name: str, default: int | None, low: int, high: int) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid(name, f"{raw!r} is not an integer.") from None
    if not low <= value <= high:
        raise errors.invalid(name, f"It must be between {low} and {high}.")
    return value


def choice(params: dict, name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    value = params.get(name) or default
    if value is not None and value not in allowed:
        raise errors.invalid(name, f"Valid values: {', '.join(allowed)}.")
    return value


def json_list(params: dict, name: str) -> list:
    """A parameter that carries a JSON array in one string (AclEntrys, BackendServers)."""
    raw = required(params, name)
    try:
        value = json.loads(raw)
    except ValueError:
        raise errors.invalid(name, "It is not valid JSON.") from None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise errors.invalid(name, "It must be a JSON array of objects.")
    return value


def indexed(params: dict, name: str) -> list[str]:
    """``Name.1``, ``Name.2`` ... (how the SDKs flatten a list), or one comma-separated ``Name``."""
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)$")
    numbered = sorted((int(m.group(1)), value) for key, value in params.items() if (m := pattern.match(key)))
    if numbered:
        return [value for _, value in numbered]
    return [item.strip() for item in (params.get(name) or "").split(",") if item.strip()]


def tags(params: dict) -> list[dict]:
    """``Tag.N.Key`` / ``Tag.N.Value`` pairs."""
    pattern = re.compile(r"^Tag\.(\d+)\.(Key|Value)$")
    found: dict[int, dict] = {}
    for key, value in params.items():
        match = pattern.match(key)
        if match:
            found.setdefault(int(match.group(1)), {})["Tag" + match.group(2)] = value
    return [found[index] for index in sorted(found) if found[index].get("TagKey")]


def page(items: list, number: int, size: int) -> list:
    start = (number - 1) * size
    return items[start:start + size]
