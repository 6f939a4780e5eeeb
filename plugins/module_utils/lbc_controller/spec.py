# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eks_lbc_controller's options, validated before anything is read, and turned into ``{flag: value}``.

The named options are the controller's flags (``cluster_name`` is ``--cluster-name``); ``extra_args`` holds any
other flag; ``mode`` (or the ``controller`` result of eks_lbc_security_groups) is a shorthand for the flags a
security-group mode needs, and must agree with a named option that sets the same flag.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from typing import Dict
from typing import Mapping
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags as lbc_flags

NAMED = (
    "cluster_name",
    "enable_backend_security_group",
    "backend_security_group",
    "enable_manage_backend_security_group_rules",
    "disable_restricted_sg_rules",
    "default_target_type",
    "service_target_eni_security_group_tags",
    "default_tags",
)
MODE_FLAGS = {
    "auto": {"enable-backend-security-group": "true"},
    "hybrid": {"enable-backend-security-group": "true"},
    "custom": {"enable-backend-security-group": "false"},
}
_SG_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
_CLUSTER = re.compile(r"^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$")
_FLAG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TAG_TEXT = re.compile(r"^[^,=]+$")


@dataclasses.dataclass(frozen=True)
class Spec:
    state: str
    wanted: Mapping[str, str]
    namespace: Optional[str]
    name: Optional[str]
    force: bool
    allow_empty: bool
    wait: bool
    wait_timeout: int
    helm_values_file: Optional[str]
    update_deployment: bool


def _value(option: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if option == "cluster_name" and not _CLUSTER.match(str(value)):
        raise InputError(option, f"{value!r} is not an EKS cluster name (letters, digits, - and _, 100 at most)")
    if option == "backend_security_group" and not _SG_ID.match(str(value)):
        raise InputError(option, f"{value!r} is not a security group id (sg- and 8 or 17 hexadecimal digits)")
    return str(value)


def _tags(option: str, value: Mapping[str, Any]) -> str:
    """``k=v,k2=v2`` (sorted), the form the controller parses."""
    items = []
    for key, text in sorted((str(k), str(v)) for k, v in value.items()):
        if not _TAG_TEXT.match(key) or not _TAG_TEXT.match(text):
            raise InputError(f"{option}.{key}", "keys and values must be non-empty and contain neither ',' nor '='")
        items.append(f"{key}={text}")
    if not items:
        raise InputError(option, "is empty: leave it out, or remove the flag with state=deleted")
    return ",".join(items)


def _named(params: Mapping[str, Any]) -> Dict[str, str]:
    wanted = {}
    for option in NAMED:
        value = params.get(option)
        if value is None:
            continue
        flag = option.replace("_", "-")
        wanted[flag] = _tags(option, value) if isinstance(value, dict) else _value(option, value)
    return wanted


def _extra(params: Mapping[str, Any]) -> Dict[str, str]:
    found = {}
    for key, value in (params.get("extra_args") or {}).items():
        flag = str(key).lstrip("-")
        path = f"extra_args.{key}"
        if not _FLAG.match(flag) or "=" in flag:
            raise InputError(path, "is not a flag name (lower-case letters, digits and -, e.g. sync-period)")
        if flag.replace("-", "_") in NAMED:
            raise InputError(path, f"is a named option: use {flag.replace('-', '_')}")
        if value is None or isinstance(value, (dict, list)):
            raise InputError(path, "needs a text, number or boolean value (to remove a flag, use state=deleted)")
        found[flag] = _value(path, value)
    return found


def _shorthand(params: Mapping[str, Any]) -> Tuple[str, Dict[str, str]]:
    """The flags of ``mode`` or of ``controller.controller_flags``, and which option gave them."""
    if params.get("mode"):
        return "mode", dict(MODE_FLAGS[params["mode"]])
    controller = params.get("controller")
    if not controller:
        return "", {}
    items = controller.get("controller_flags") if isinstance(controller, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, str) and i.startswith("--") for i in items):
        raise InputError(
            "controller",
            "must be the controller result of eks_lbc_security_groups: controller_flags "
            "is a list of --flag=value items",
        )
    return "controller", lbc_flags.values(items)


def _combine(params: Mapping[str, Any]) -> Dict[str, str]:
    wanted = _named(params)
    source, implied = _shorthand(params)
    for flag, value in implied.items():
        if flag in wanted and wanted[flag] != value:
            raise InputError(source, f"sets --{flag}={value}, but {flag.replace('-', '_')} says {wanted[flag]}")
        wanted.setdefault(flag, value)
    for flag, value in _extra(params).items():
        if flag in wanted and wanted[flag] != value:
            raise InputError(f"extra_args.{flag}", f"conflicts with {source} (--{flag}={wanted[flag]})")
        wanted.setdefault(flag, value)
    return wanted


def build(params: Mapping[str, Any]) -> Spec:
    state = params.get("state") or "merged"
    wanted = _combine(params)
    if state in ("merged", "rendered") and not wanted:
        raise InputError(
            "state",
            f"state={state} with no flag asked for has nothing to do: name a flag option, "
            "mode, controller or extra_args",
        )
    if state == "replaced" and not wanted and not params.get("allow_empty"):
        raise InputError(
            "state",
            "state=replaced with no flag asked for would give back every flag this collection "
            "set; set allow_empty=true if that is meant, or use state=deleted",
        )
    timeout = 300 if params.get("wait_timeout") is None else params["wait_timeout"]
    if not 1 <= timeout <= 3600:
        raise InputError("wait_timeout", f"{timeout} is out of range (1-3600 seconds)")
    if params.get("helm_values_file") is None and params.get("update_deployment") is False:
        raise InputError("update_deployment", "false leaves nothing to do without helm_values_file")
    return Spec(
        state=state,
        wanted=wanted,
        namespace=params.get("namespace"),
        name=params.get("name"),
        force=bool(params.get("force")),
        allow_empty=bool(params.get("allow_empty")),
        wait=bool(params.get("wait")),
        wait_timeout=timeout,
        helm_values_file=params.get("helm_values_file"),
        update_deployment=params.get("update_deployment") is not False,
    )
