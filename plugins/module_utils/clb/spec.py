# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_slb_acl's options, validated and normalised before any call (CONVENTIONS: bad input makes no write)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import entries as acl_entries
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb import listeners as acl_listeners
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import Entry
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import int_in_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import check_name

ACL_NAME = re.compile(r"^[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff.\-/]{0,79}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
EMPTYING_STATES = ("replaced", "overridden")
WRITE_INTERVAL = 0.5  # seconds between entry writes to one ACL (the module's entry_write_interval default)


@dataclass
class ServiceRef:
    namespace: str
    name: str
    bind: bool
    hostname: Optional[str]


@dataclass
class Spec:
    name: str
    ip_version: str
    state: str
    entries: List[Entry]
    protect: List[Any] = field(default_factory=list)
    listeners: List[acl_listeners.Listener] = field(default_factory=list)
    service: Optional[ServiceRef] = None
    allow_empty: bool = False
    overwrite_listener_acl: bool = False
    overwrite_annotations: bool = False
    wait: bool = True
    wait_timeout: int = 180
    entry_write_interval: float = WRITE_INTERVAL

    @property
    def binds(self) -> bool:
        return bool(self.listeners) or bool(self.service and self.service.bind)

    @classmethod
    def from_params(cls, params: dict) -> "Spec":
        name = params.get("name")
        if not isinstance(name, str) or not ACL_NAME.match(name):
            raise InputError(
                "name",
                f"{name!r} is not a CLB ACL name (1-80 letters, digits, Chinese characters, "
                f"'.', '-', '/', '_', starting with a letter)",
            )
        version = params.get("ip_version") or "ipv4"
        spec = cls(
            name=name,
            ip_version=version,
            state=params.get("state") or "merged",
            entries=acl_entries.desired(params.get("entries"), version),
            protect=[
                acl_entries.network(text, f"protect[{i}]", version)
                for i, text in enumerate(params.get("protect") or [])
            ],
            listeners=acl_listeners.wanted(params.get("listeners")),
            service=_service(params.get("service"), bool(params.get("listeners"))),
            allow_empty=bool(params.get("allow_empty")),
            overwrite_listener_acl=bool(params.get("overwrite_listener_acl")),
            overwrite_annotations=bool(params.get("overwrite_annotations")),
            wait=params.get("wait", True) is not False,
            wait_timeout=int_in_range(params.get("wait_timeout", 180), "wait_timeout", 1, 3600, "seconds"),
            entry_write_interval=_interval(params.get("entry_write_interval")),
        )
        spec.check_consistent(params)
        return spec

    def check_consistent(self, params: dict) -> None:
        if self.state in EMPTYING_STATES and params.get("entries") is None:
            raise InputError(
                "entries",
                f"state {self.state} needs the list of entries (an empty list, with allow_empty, empties the ACL)",
            )
        if self.state in EMPTYING_STATES and not self.entries and not self.allow_empty:
            raise InputError(
                "entries",
                f"the list is empty: state {self.state} would remove every entry it may; "
                f"set allow_empty: true if that is meant",
            )
        if self.state == "deleted" and (self.binds or (self.service and self.service.hostname)):
            raise InputError(
                "state",
                "deleted removes entries only; it does not unbind listeners or change the "
                "Service (unbinding a whitelist opens the listener to every source)",
            )


def _interval(value: Any) -> float:
    if value is None:
        return WRITE_INTERVAL
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 30:
        raise InputError("entry_write_interval", f"{value!r} is not a number of seconds between 0 and 30")
    return float(value)


def _service(raw: Any, has_listeners: bool) -> Optional[ServiceRef]:
    if not raw:
        return None
    namespace = check_name("service.namespace", raw.get("namespace"), form="label")
    name = check_name("service.name", raw.get("name"), form="label")
    bind = raw.get("bind")
    bind = not has_listeners if bind is None else bool(bind)
    if bind and has_listeners:
        raise InputError(
            "service.bind",
            "bind the ACL either through listeners (the API) or through the Service's "
            "annotations (the cloud-controller-manager), not both: pick one owner",
        )
    hostname = raw.get("hostname")
    if hostname is not None and (not isinstance(hostname, str) or not HOSTNAME.match(hostname)):
        raise InputError("service.hostname", f"{hostname!r} is not a DNS name (lower case, dot-separated labels)")
    if not bind and not hostname:
        raise InputError("service", "with bind: false, give a hostname (or leave service out)")
    return ServiceRef(namespace, name, bind, hostname)
