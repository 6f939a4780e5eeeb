"""Pure helpers shared by the Terway modules: Go durations, fixed-IP PodENIs, deterministic tokens."""

from __future__ import annotations

import hashlib
import re
import string

_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text) -> float | None:
    """``time.ParseDuration`` in seconds ("5m0s", "1h", "90s", "1.5h", "-2m"); None if Go would refuse it."""
    if not isinstance(text, str) or not text:
        return None
    sign, rest = 1.0, text
    if rest[0] in "+-":
        sign, rest = (-1.0 if rest[0] == "-" else 1.0), rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total, pos = 0.0, 0
    while pos < len(rest):
        match = _DURATION_PART.match(rest, pos)
        if match is None:
            return None
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    return sign * total


def have_fixed_ip(podeni: dict) -> bool:
    return any((a.get("allocationType") or {}).get("type") == "Fixed"
               for a in (podeni.get("spec") or {}).get("allocations") or [])


def _token(seed: str, length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    value = int.from_bytes(digest, "big")
    out = []
    for _ in range(length):
        value, index = divmod(value, len(alphabet))
        out.append(alphabet[index])
    return "".join(out)
