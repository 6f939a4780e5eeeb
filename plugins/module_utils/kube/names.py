# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kubernetes object names, checked as the API server checks them (RFC 1123 and RFC 1035 forms)."""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_FORMS = {
    "label": (DNS1123_LABEL, "a DNS-1123 label"),
    "subdomain": (DNS1123_SUBDOMAIN, "a DNS-1123 name"),
    "dns1035": (DNS1035_LABEL, "a DNS-1035 label"),
}


def is_subdomain(name: Any) -> bool:
    """A valid name for most kinds (DNS-1123 subdomain, at most 253 characters)."""
    return isinstance(name, str) and len(name) <= 253 and bool(DNS1123_SUBDOMAIN.match(name))


def check_name(path: str, value: Any, form: str = "label", limit: int = 63, what: str = "") -> str:
    """``value`` when it is a valid name of ``form`` (label, subdomain or dns1035) of at most ``limit``
    characters; an InputError naming ``path`` otherwise."""
    pattern, described = _FORMS[form]
    if not isinstance(value, str) or len(value) > limit or not pattern.match(value):
        raise InputError(path, f"{value!r} is not a valid name ({what or described}, at most {limit} characters)")
    return value
