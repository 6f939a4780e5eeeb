"""The controller's command-line flags, read from its running pod (a changed Deployment takes effect when its
pods roll, as for the real controller, which reads its flags once at start).

Go's flag package accepts ``--flag=value`` and ``--flag value``; a bare boolean flag means true. Unknown flags
are ignored. Defaults are the controller's (reference B.4).
"""

from __future__ import annotations

import dataclasses

LABEL = ("app.kubernetes.io/name", "aws-load-balancer-controller")
CONTAINER = "aws-load-balancer-controller"
_TRUE = ("1", "t", "T", "true", "TRUE", "True")
_BOOLEANS = ("enable-backend-security-group", "enable-manage-backend-security-group-rules",
             "disable-restricted-sg-rules")


@dataclasses.dataclass(frozen=True)
class Flags:
    cluster_name: str
    vpc_id: str | None = None
    ingress_class: str = "alb"
    enable_backend_sg: bool = True
    backend_sg: str = ""
    manage_backend_rules: bool = False
    disable_restricted: bool = False
    default_target_type: str = "instance"
    eni_sg_tags: tuple = ()  # ((key, value), ...) the endpoint group must also carry
    default_tags: tuple = ()


def parse_args(args: list[str]) -> dict[str, str]:
    """``{name: value}`` of ``--name=value``, ``--name value`` and bare ``--name`` (``"true"``)."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not arg.startswith("-"):
            continue
        name, equals, value = arg.lstrip("-").partition("=")
        if not equals:
            following = args[index] if index < len(args) else None
            if name not in _BOOLEANS and following is not None and not following.startswith("-"):
                value, index = following, index + 1
            else:
                value = "true"
        found[name] = value
    return found


def _tags(text: str) -> tuple:
    pairs = [item.split("=", 1) for item in text.split(",") if "=" in item]
    return tuple((key.strip(), value.strip()) for key, value in pairs)


def from_args(args: list[str]) -> Flags | None:
    """The flags, or None without ``--cluster-name`` (the real controller refuses to start)."""
    values = parse_args(args)
    if not values.get("cluster-name"):
        return None
    return Flags(
        cluster_name=values["cluster-name"], vpc_id=values.get("aws-vpc-id"),
        ingress_class=values.get("ingress-class", "alb"),
        enable_backend_sg=values.get("enable-backend-security-group", "true") in _TRUE,
        backend_sg=values.get("backend-security-group", ""),
        manage_backend_rules=values.get("enable-manage-backend-security-group-rules", "false") in _TRUE,
        disable_restricted=values.get("disable-restricted-sg-rules", "false") in _TRUE,
        default_target_type=values.get("default-target-type", "instance"),
        eni_sg_tags=_tags(values.get("service-target-eni-security-group-tags", "")),
        default_tags=_tags(values.get("default-tags", "")))


def from_pods(pods: list[dict]) -> Flags | None:
    """The flags of the newest running controller pod (None when none runs)."""
    running = [p for p in pods if (p["metadata"].get("labels") or {}).get(LABEL[0]) == LABEL[1]
               and (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]
    if not running:
        return None
    newest = max(running, key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
    containers = newest["spec"].get("containers") or []
    container = next((c for c in containers if c.get("name") == CONTAINER), containers[0] if containers else {})
    return from_args(list(container.get("args") or []))
