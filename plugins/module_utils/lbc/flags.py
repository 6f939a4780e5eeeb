# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Load Balancer Controller's command-line flags, as its Deployment's container ``args`` hold them.

The controller parses its arguments with Go's ``pflag``: ``--flag=value`` and ``--flag value`` are the same,
a boolean flag given alone means true, and the last occurrence wins. Unknown flags are kept as they are.
Defaults are the controller's (reference B.4). Pure functions: callers pass the Deployment they read.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError

LABEL_SELECTOR = "app.kubernetes.io/name=aws-load-balancer-controller"
CONTAINER = "aws-load-balancer-controller"
BOOLEAN_FLAGS = (
    "enable-backend-security-group",
    "enable-manage-backend-security-group-rules",
    "disable-restricted-sg-rules",
)
_TRUE = ("1", "t", "T", "true", "TRUE", "True")
_FALSE = ("0", "f", "F", "false", "FALSE", "False")


@dataclasses.dataclass(frozen=True)
class Arg:
    """One flag as written: its name, value, where it starts in ``args`` and how many items it spans."""

    name: str
    value: str
    index: int
    width: int  # 1 for ``--flag=value`` or a bare boolean, 2 for ``--flag value``


@dataclasses.dataclass(frozen=True)
class ControllerFlags:
    """The flags that decide the controller's security-group behaviour, with its defaults."""

    cluster_name: str = ""
    ingress_class: str = "alb"
    enable_backend_security_group: bool = True
    backend_security_group: str = ""
    enable_manage_backend_security_group_rules: bool = False
    disable_restricted_sg_rules: bool = False
    default_target_type: str = "instance"
    service_target_eni_security_group_tags: str = ""
    default_tags: str = ""


def parse(args: Sequence[str]) -> List[Arg]:
    """Every ``--flag`` in ``args`` with its value, in order (a later one overrides an earlier one)."""
    found: List[Arg] = []
    index = 0
    while index < len(args):
        item = str(args[index])
        if not item.startswith("-") or item in ("-", "--"):
            index += 1
            continue
        name, equals, value = item.lstrip("-").partition("=")
        width = 1
        if not equals:
            following = args[index + 1] if index + 1 < len(args) else None
            if name not in BOOLEAN_FLAGS and following is not None and not str(following).startswith("-"):
                value, width = str(following), 2
            else:
                value = "true"
        found.append(Arg(name, value, index, width))
        index += width
    return found


def values(args: Sequence[str]) -> Dict[str, str]:
    """``{flag: value}``, the last occurrence of each flag winning."""
    return {arg.name: arg.value for arg in parse(args)}


def boolean(name: str, text: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PlanError(f"--{name}={text}: the controller does not start with this value (a boolean is expected)")


def controller_flags(args: Sequence[str]) -> ControllerFlags:
    """The effective flags of these ``args``."""
    given = values(args)
    defaults = ControllerFlags()
    kwargs: Dict[str, Any] = {}
    for field in dataclasses.fields(ControllerFlags):
        flag = field.name.replace("_", "-")
        if flag not in given:
            continue
        current = getattr(defaults, field.name)
        kwargs[field.name] = boolean(flag, given[flag]) if isinstance(current, bool) else given[flag]
    return ControllerFlags(**kwargs)


def container(deployment: Mapping[str, Any]) -> Tuple[int, dict]:
    """The controller's container (by name, else the only one) and its index in the pod template."""
    template = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = list(template.get("containers") or [])
    for index, item in enumerate(containers):
        if item.get("name") == CONTAINER:
            return index, item
    if len(containers) == 1:
        return 0, containers[0]
    name = (deployment.get("metadata") or {}).get("name")
    raise PlanError(f"Deployment {name} has no container named {CONTAINER} among {len(containers)} containers")


def choose_deployment(found: Sequence[Mapping[str, Any]], where: str) -> Mapping[str, Any]:
    """The one controller Deployment among those listed by ``LABEL_SELECTOR``; an error naming them otherwise."""
    if len(found) == 1:
        return found[0]
    if not found:
        raise PlanError(
            f"no Deployment labelled {LABEL_SELECTOR} in {where}: is the AWS Load Balancer Controller "
            f"installed? Name it with the namespace and name options"
        )
    names = sorted(f"{d['metadata'].get('namespace')}/{d['metadata']['name']}" for d in found)
    raise PlanError(
        f"{len(found)} Deployments labelled {LABEL_SELECTOR} in {where} ({', '.join(names)}): name the "
        f"one to manage with the namespace and name options"
    )


def from_deployment(deployment: Mapping[str, Any]) -> ControllerFlags:
    """The effective flags of the controller Deployment's container."""
    return controller_flags(list(container(deployment)[1].get("args") or []))


def flag_value(args: Sequence[str], name: str) -> Optional[str]:
    return values(args).get(name)
