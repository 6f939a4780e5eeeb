# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""NetworkPolicy ports, checked as the API server checks them (networking.k8s.io/v1 NetworkPolicyPort).

- ``protocol``: TCP, UDP or SCTP (default TCP); other spellings of the same word (``tcp``) are accepted.
- ``port``: a number 1-65535, or a named port (an IANA service name: at most 15 lower-case letters, digits
  and ``-``, at least one letter, no ``--``, not starting or ending with ``-``); a number given as text
  (``"3306"``, what a template renders) is that number. Omitted: every port of the protocol.
- ``endPort``: only with a numeric port, at least ``port``.
"""

from __future__ import annotations

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

PROTOCOLS = ("TCP", "UDP", "SCTP")
_SERVICE_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def protocol(value: Any, path: str) -> str:
    if value is None:
        return "TCP"
    if not isinstance(value, str) or value.upper() not in PROTOCOLS:
        raise InputError(path, f"{value!r} is not one of {', '.join(PROTOCOLS)}")
    return value.upper()


def port_number_or_name(value: Any, path: str) -> Any:
    """An int 1-65535 or a valid named port; None stays None."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool):
        raise InputError(path, f"{value!r} is not a port number or a port name")
    if isinstance(value, int):
        if not 1 <= value <= 65535:
            raise InputError(path, f"{value} must be between 1 and 65535")
        return value
    if (
        not isinstance(value, str)
        or len(value) > 15
        or not _SERVICE_NAME.match(value)
        or "--" in value
        or not re.search("[a-z]", value)
    ):
        raise InputError(
            path,
            f"{value!r} is not a port number (1-65535) or a port name (at most 15 lower-case letters, digits and "
            "'-', with a letter, no '--', not starting or ending with '-')",
        )
    return value


def _end_port(value: Any, port: Any, path: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(port, int):
        raise InputError(path, "an end port needs a numeric port")
    if isinstance(value, bool) or not isinstance(value, int) or not port <= value <= 65535:
        raise InputError(path, f"{value!r} must be a number between the port ({port}) and 65535")
    return value


def manifest_port(item: Any, path: str, keys: Dict[str, str]) -> Dict[str, Any]:
    """One port in the manifest form, from an item whose keys are named by ``keys`` (``port``, ``protocol``,
    ``end_port`` -> the item's spelling: ``end_port`` in options, ``endPort`` in manifests)."""
    if not isinstance(item, dict):
        raise InputError(path, "each port is a mapping with port, protocol and an end port")
    unknown = sorted(set(item) - set(keys.values()))
    if unknown:
        raise InputError(path, f"unknown key(s) {', '.join(unknown)}; a port has {', '.join(keys.values())}")
    result: Dict[str, Any] = {"protocol": protocol(item.get(keys["protocol"]), f"{path}.{keys['protocol']}")}
    number = port_number_or_name(item.get(keys["port"]), f"{path}.{keys['port']}")
    if number is not None:
        result["port"] = number
    end = _end_port(item.get(keys["end_port"]), number, f"{path}.{keys['end_port']}")
    if end is not None:
        result["endPort"] = end
    return result


OPTION_KEYS = {"port": "port", "protocol": "protocol", "end_port": "end_port"}
MANIFEST_KEYS = {"port": "port", "protocol": "protocol", "end_port": "endPort"}


def from_options(items: Optional[List[Any]], path: str) -> List[Dict[str, Any]]:
    """The manifest ports of a ``ports`` option, without duplicates, in a stable order."""
    found: List[Dict[str, Any]] = []
    for index, item in enumerate(items or []):
        port = manifest_port(item, f"{path}[{index}]", OPTION_KEYS)
        if port not in found:
            found.append(port)
    return sorted(found, key=lambda p: (p["protocol"], str(p.get("port", "")), p.get("endPort", 0)))


def describe(port: Dict[str, Any]) -> str:
    """``TCP/3306``, ``UDP/53``, ``TCP/8000-8080``, ``TCP/mysql``, ``TCP/any``."""
    number = port.get("port", "any")
    end = f"-{port['endPort']}" if port.get("endPort") is not None else ""
    return f"{port.get('protocol', 'TCP')}/{number}{end}"
