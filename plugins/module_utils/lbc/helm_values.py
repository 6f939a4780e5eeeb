# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller's flags as values of its Helm chart (``eks/aws-load-balancer-controller``), and edits of a
values file that keep everything else of it: comments, blank lines, key order and formatting.

Value names, their types and when the chart renders a flag from them are the chart's own
(``helm/aws-load-balancer-controller/templates/deployment.yaml`` and ``values.yaml``, chart 3.5.0): a
boolean value gives a flag only when it is a YAML boolean (``kindIs "bool"``), a string, number, list or
map only when it is not empty, ``defaultTargetType`` only when it is not ``instance``; maps are rendered
``k=v,k2=v2`` sorted by key and lists joined with ``,``. Flags the chart sets only from nested values
(``NESTED_VALUE_OF_FLAG``) or not at all are not expressible as top-level values.

Values files are read with PyYAML; they are written by editing the text around the positions PyYAML's
parser reports, never by dumping the whole document again. Pure functions: callers pass the text.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import Tuple

try:
    import yaml
except ImportError:  # the host running the module lacks PyYAML: helm_values_file says so (HAS_YAML)
    yaml = None
    HAS_YAML = False
else:
    HAS_YAML = True

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.flags import boolean

BOOL, STRING, INT, LIST, MAP = "bool", "string", "int", "list", "map"

# controller flag -> (top-level chart value, its type in values.yaml)
_CHART_FLAGS: Dict[str, Tuple[str, str]] = {
    "cluster-name": ("clusterName", STRING),
    "enable-backend-security-group": ("enableBackendSecurityGroup", BOOL),
    "backend-security-group": ("backendSecurityGroup", STRING),
    "enable-manage-backend-security-group-rules": ("enableManageBackendSecurityGroupRules", BOOL),
    "disable-restricted-sg-rules": ("disableRestrictedSecurityGroupRules", BOOL),
    "default-target-type": ("defaultTargetType", STRING),
    "service-target-eni-security-group-tags": ("serviceTargetENISGTags", STRING),
    "default-tags": ("defaultTags", MAP),
    "external-managed-tags": ("externalManagedTags", LIST),
    "ingress-class": ("ingressClass", STRING),
    "aws-region": ("region", STRING),
    "aws-vpc-id": ("vpcId", STRING),
    "aws-vpc-tags": ("vpcTags", MAP),
    "aws-api-endpoints": ("awsApiEndpoints", STRING),
    "aws-api-throttle": ("awsApiThrottle", LIST),
    "aws-max-retries": ("awsMaxRetries", INT),
    "enable-pod-readiness-gate-inject": ("enablePodReadinessGateInject", BOOL),
    "enable-shield": ("enableShield", BOOL),
    "enable-waf": ("enableWaf", BOOL),
    "enable-wafv2": ("enableWafv2", BOOL),
    "enable-endpoint-slices": ("enableEndpointSlices", BOOL),
    "metrics-bind-addr": ("metricsBindAddr", STRING),
    "ingress-max-concurrent-reconciles": ("ingressMaxConcurrentReconciles", INT),
    "service-max-concurrent-reconciles": ("serviceMaxConcurrentReconciles", INT),
    "targetgroupbinding-max-concurrent-reconciles": ("targetgroupbindingMaxConcurrentReconciles", INT),
    "targetgroupbinding-max-exponential-backoff-delay": ("targetgroupbindingMaxExponentialBackoffDelay", STRING),
    "targetgroupbinding-requeue-duration": ("targetgroupbindingRequeueDuration", STRING),
    "alb-gateway-max-concurrent-reconciles": ("albGatewayMaxConcurrentReconciles", INT),
    "nlb-gateway-max-concurrent-reconciles": ("nlbGatewayMaxConcurrentReconciles", INT),
    "globalaccelerator-max-concurrent-reconciles": ("globalAcceleratorMaxConcurrentReconciles", INT),
    "globalaccelerator-max-exponential-backoff-delay": ("globalAcceleratorMaxExponentialBackoffDelay", STRING),
    "lb-stabilization-monitor-interval": ("lbStabilizationMonitorInterval", STRING),
    "log-level": ("logLevel", STRING),
    "webhook-bind-port": ("webhookBindPort", INT),
    "sync-period": ("syncPeriod", STRING),
    "watch-namespace": ("watchNamespace", STRING),
    "disable-ingress-class-annotation": ("disableIngressClassAnnotation", BOOL),
    "disable-ingress-group-name-annotation": ("disableIngressGroupNameAnnotation", BOOL),
    "tolerate-non-existent-backend-service": ("tolerateNonExistentBackendService", BOOL),
    "tolerate-non-existent-backend-action": ("tolerateNonExistentBackendAction", BOOL),
    "default-ssl-policy": ("defaultSSLPolicy", STRING),
    "default-load-balancer-scheme": ("defaultLoadBalancerScheme", STRING),
    "load-balancer-class": ("loadBalancerClass", STRING),
    "max-targets-per-target-group": ("maxTargetsPerTargetGroup", INT),
}
VALUE_OF_FLAG: Dict[str, str] = {flag: value for flag, (value, _type) in _CHART_FLAGS.items()}
KIND_OF_VALUE: Dict[str, str] = dict(_CHART_FLAGS.values())
FLAG_OF_VALUE: Dict[str, str] = {value: flag for flag, value in VALUE_OF_FLAG.items()}
# flags the chart renders from nested values only: a top-level edit cannot set them
NESTED_VALUE_OF_FLAG: Dict[str, str] = {
    "feature-gates": "controllerConfig.featureGates",
    "allowed-certificate-authority-arns": "certDiscovery.allowedCertificateAuthorityARNs",
    "default-pca-arn": "certManagement.defaultPCAARN",
}
# the chart's own values.yaml for the values above that are not empty there
CHART_DEFAULTS: Dict[str, Any] = {"ingressClass": "alb", "defaultTargetType": "instance"}
# a value the chart renders no flag for although it is set (the controller's default as well)
_NO_FLAG: Dict[str, str] = {"defaultTargetType": "instance"}

_BREAKS = "\n\r\x85\u2028\u2029"  # what PyYAML counts as a line break
_COMMENT = re.compile(r"[ \t]+#.*")
_BLOCK_HEADER = re.compile(r"(?:[&!][^ \t]*[ \t]+)*([|>])([0-9+-]{0,2})")  # anchor, tag, indicators
_WIDTH = 1 << 30  # never fold a scalar


# -- controller flags <-> chart values ---------------------------------------------------------------------


def to_values(flags: Mapping[str, str]) -> Tuple[Dict[str, Any], List[str]]:
    """``({chart value: typed value}, [flags no top-level chart value sets])`` for these controller flags
    (names with or without their dashes, values as on the command line)."""
    values: Dict[str, Any] = {}
    not_expressible: List[str] = []
    for given, text in flags.items():
        flag = given.lstrip("-")
        if flag not in VALUE_OF_FLAG:
            not_expressible.append(flag)
            continue
        values[VALUE_OF_FLAG[flag]] = _typed(flag, text)
    return values, not_expressible


def _typed(flag: str, text: str) -> Any:
    kind = KIND_OF_VALUE[VALUE_OF_FLAG[flag]]
    if kind == BOOL:
        return boolean(flag, text)
    if kind == INT:
        # only a canonical decimal: anything else is kept as written, which the chart renders unchanged
        return int(text) if re.fullmatch(r"-?(0|[1-9][0-9]*)", text) else text
    if kind == MAP:
        return _string_to_string(flag, text)
    if kind == LIST:
        return next(csv.reader([text])) if text else []
    return text


def _string_to_string(flag: str, text: str) -> Dict[str, str]:
    """What pflag's ``StringToString`` makes of ``text``: one ``k=v`` pair, or comma-separated (CSV) ones."""
    if "=" not in text:
        raise PlanError(f"--{flag}={text}: the controller does not start with this value (key=value pairs)")
    pairs = [text.strip('"')] if text.count("=") == 1 else next(csv.reader([text]))
    found: Dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals:
            raise PlanError(f"--{flag}={text}: {pair} is not formatted as key=value")
        found[key] = value
    return found


def rendered_flag(value: str, file_value: Any) -> Optional[str]:
    """The flag text the chart renders for chart value ``value`` set to ``file_value``; None for no flag."""
    kind = KIND_OF_VALUE[value]
    if value in _NO_FLAG:
        return None if file_value == _NO_FLAG[value] else _go_text(file_value)
    if kind == BOOL:
        return _go_text(file_value) if isinstance(file_value, bool) else None
    if not _go_truthy(file_value):
        return None
    if kind == MAP and isinstance(file_value, Mapping):
        return ",".join(f"{_go_text(k)}={_go_text(v)}" for k, v in sorted(file_value.items(), key=_go_key))
    if kind == LIST and isinstance(file_value, list):
        return ",".join(_go_text(item) for item in file_value)
    return _go_text(file_value)


def _go_key(item: Tuple[Any, Any]) -> str:
    return _go_text(item[0])


def _go_truthy(value: Any) -> bool:
    return value is not None and value is not False and value != 0 and value != "" and value != {} and value != []


def _go_text(value: Any) -> str:
    """How a Go template prints a value read from YAML (``<no value>`` is printed empty by Helm)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def drift(file_values: Mapping[str, Any], live_flags: Mapping[str, str]) -> List[Dict[str, Any]]:
    """Where the flags the chart renders from ``file_values`` (over the chart's defaults) differ from the
    live Deployment's ``live_flags``: ``{"value", "file", "live"}`` per chart value, ``live`` None when the
    flag is absent. ``file`` is the value the file gives (or the chart's default), ``live`` the flag as a
    chart value."""
    given = {flag.lstrip("-"): text for flag, text in live_flags.items()}
    effective = dict(CHART_DEFAULTS)
    effective.update(file_values)
    found: List[Dict[str, Any]] = []
    for flag, value in VALUE_OF_FLAG.items():
        if value not in effective and flag not in given:
            continue
        live_text = given.get(flag)
        if live_text is not None and _NO_FLAG.get(value) == live_text:
            live_text = None
        if not _same(_comparable(flag, rendered_flag(value, effective.get(value))), _comparable(flag, live_text)):
            live = None if flag not in given else _comparable(flag, given[flag])
            found.append({"value": value, "file": effective.get(value), "live": live})
    return found


def _comparable(flag: str, text: Optional[str]) -> Any:
    if text is None:
        return None
    try:
        return _typed(flag, text)
    except PlanError:
        return text


# -- reading and editing the values file -------------------------------------------------------------------


def read_values(text: str) -> Dict[Any, Any]:
    """The values of a Helm values file: ``{}`` when it has none."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PlanError(f"the Helm values file is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise PlanError(
            f"the Helm values file holds a {type(loaded).__name__} at its top level, not a mapping of values"
        )
    return loaded


def update_text(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with these top-level values set; everything else of it (comments included) as it was.

    A key already there is replaced where it is (every occurrence, keeping the comment on its line); a new
    one is appended at the end. The same text comes back when every value is already what it should be."""
    current = read_values(text)
    changed = {key: value for key, value in values.items() if key not in current or not _same(current[key], value)}
    if not changed:
        return text
    layout = _layout(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    edits: List[Tuple[int, int, str]] = []
    appended: List[str] = []
    for key, value in changed.items():
        spans = layout.entries.get(key, [])
        for span in spans:
            _check_anchors(key, span, layout.aliases)
            edits.append((span.start, span.end, _entry(key, value, span.comment, layout.indent, newline)))
        if not spans:
            appended.append(_entry(key, value, "", layout.indent, newline) + newline)
    if appended:
        at = layout.append_at
        lead = newline if at and text[at - 1] not in _BREAKS else ""
        edits.extend(_strip_final_break(text) if lead and at == len(text) else [])
        edits.append((at, at, lead + "".join(appended)))
    updated = text
    for start, end, new in sorted(edits, key=lambda edit: edit[0], reverse=True):
        updated = updated[:start] + new + updated[end:]
    _check_result(updated, {**current, **values})
    return updated


def _check_result(updated: str, wanted: Mapping[Any, Any]) -> None:
    """The edit gives the values wanted, or nothing is written (a case this module does not know about)."""
    try:
        result = read_values(updated)
    except PlanError as error:
        raise PlanError(f"editing the Helm values file would make it invalid ({error}): edit it by hand") from None
    if not _same(result, dict(wanted)):
        raise PlanError("editing the Helm values file would change values other than those set: edit it by hand")


def _strip_final_break(text: str) -> List[Tuple[int, int, str]]:
    """A block scalar that ends the file without a line break has none in its value: ending the file with
    one would add it, unless the scalar strips it (``|-``). The edit of its header that does that, if any."""
    events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    last = [e for e in events if isinstance(e, yaml.ScalarEvent) and e.end_mark.index == len(text)]
    if not last or last[-1].style not in ("|", ">") or last[-1].value.endswith("\n"):
        return []
    header = _BLOCK_HEADER.match(text, last[-1].start_mark.index)
    if header is None:
        raise PlanError("the block scalar at the end of the Helm values file has no line break: add one")
    digits = header.group(2).strip("+-")
    return [(header.start(2), header.end(2), digits + "-")]


def _same(one: Any, other: Any) -> bool:
    """Equal and of the same kinds all the way down (``True`` is not ``1``, ``"1"`` is not ``1``)."""
    if isinstance(one, Mapping) and isinstance(other, Mapping):
        return one.keys() == other.keys() and all(_same(one[key], other[key]) for key in one)
    if isinstance(one, (list, tuple)) and isinstance(other, (list, tuple)):
        return len(one) == len(other) and all(_same(a, b) for a, b in zip(one, other))
    both_nan = isinstance(one, float) and isinstance(other, float) and math.isnan(one) and math.isnan(other)
    return _kind(one) is _kind(other) and (one == other or both_nan)


def _kind(value: Any) -> type:
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind
    return type(value)


@dataclass(frozen=True)
class _Span:
    """Where one top-level entry is: from its line's start to the end of its value's last line."""

    start: int
    end: int
    comment: str  # the comment on its key line, with the blanks before it ("" when none)
    anchors: Tuple[str, ...]  # anchors its key or value define


@dataclass(frozen=True)
class _Layout:
    entries: Dict[Any, List[_Span]]
    aliases: Tuple[str, ...]  # every alias used in the document
    indent: str  # what precedes every top-level key
    append_at: int  # where a new key goes: the end, or the start of an explicit document end (``...``)


def _layout(text: str) -> _Layout:
    events = list(yaml.parse(text, Loader=yaml.SafeLoader))
    aliases = tuple(event.anchor for event in events if isinstance(event, yaml.AliasEvent))
    ends = [e.start_mark.index for e in events if isinstance(e, yaml.DocumentEndEvent) and e.explicit]
    append_at = _line_start(text, ends[0]) if ends else len(text)
    root = events[2] if len(events) > 3 else None
    if root is None or _is_empty_scalar(root):
        return _Layout({}, aliases, "", append_at)
    if not isinstance(root, yaml.MappingStartEvent) or root.flow_style:
        raise PlanError("the Helm values file is not a block mapping (key: value lines): it cannot be edited")
    entries: Dict[Any, List[_Span]] = {}
    indent = ""
    index = 3
    while not isinstance(events[index], yaml.MappingEndEvent):
        key_end = _node_end(events, index)
        value_end = _node_end(events, key_end)
        key = events[index]
        if _is_string(key):
            span = _span(text, events[index:key_end], events[key_end:value_end])
            entries.setdefault(key.value, []).append(span)
            indent = text[span.start : key.start_mark.index]
        index = value_end
    return _Layout(entries, aliases, indent, append_at)


@functools.lru_cache(maxsize=1)
def _resolver() -> Any:
    return yaml.resolver.Resolver()


def _is_string(event: yaml.Event) -> bool:
    """Whether a key reads as a string, as PyYAML's composer resolves it (``yes`` and ``1`` do not)."""
    if not isinstance(event, yaml.ScalarEvent):
        return False
    tag = event.tag
    if tag is None or tag == "!":
        tag = _resolver().resolve(yaml.ScalarNode, event.value, event.implicit)
    return tag == "tag:yaml.org,2002:str"


def _is_empty_scalar(event: yaml.Event) -> bool:
    return isinstance(event, yaml.ScalarEvent) and event.value == "" and event.tag is None and not event.anchor


def _node_end(events: Sequence[yaml.Event], index: int) -> int:
    """The index of the event after the node that starts at ``index``."""
    depth = 0
    while True:
        event = events[index]
        index += 1
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if depth == 0:
            return index


def _span(text: str, key_events: Sequence[yaml.Event], value_events: Sequence[yaml.Event]) -> _Span:
    key = key_events[0]
    start = _line_start(text, key.start_mark.index)
    if text[start : key.start_mark.index].strip(" "):
        raise PlanError(f"the key {key.value} does not start its line in the Helm values file: edit it by hand")
    # a block collection ends (zero-width) where the next key starts, after the comments before it
    ends = [e.end_mark.index for e in value_events if e.end_mark.index > e.start_mark.index or _is_leaf(e)]
    value_end = len(text[: max(ends)].rstrip(" \t" + _BREAKS))
    line_end = _line_end(text, value_end)
    key_line_end = _line_end(text, key.start_mark.index)
    if value_end <= key_line_end:  # on one line: what follows the value is its comment
        comment = text[value_end:line_end]
    elif value_events[0].start_mark.index > key_line_end:  # a block under the key: keep the key line's comment
        comment = text[key.end_mark.index : key_line_end]
    else:  # a block scalar or a flow collection over several lines: its comments go with it
        comment = ""
    match = _COMMENT.search(comment)
    defining = (yaml.ScalarEvent, yaml.CollectionStartEvent)
    anchors = tuple(e.anchor for e in [*key_events, *value_events] if isinstance(e, defining) and e.anchor)
    return _Span(start, line_end, match.group(0) if match else "", anchors)


def _is_leaf(event: yaml.Event) -> bool:
    return isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent))


def _line_start(text: str, index: int) -> int:
    while index > 0 and text[index - 1] not in _BREAKS:
        index -= 1
    return index


def _line_end(text: str, index: int) -> int:
    while index < len(text) and text[index] not in _BREAKS:
        index += 1
    return index


def _check_anchors(key: str, span: _Span, aliases: Sequence[str]) -> None:
    used = sorted(set(span.anchors) & set(aliases))
    if used:
        raise PlanError(
            f"{key} in the Helm values file defines the anchor &{used[0]} used elsewhere in it: replacing it "
            f"would break that alias; edit it by hand"
        )


# -- rendering ---------------------------------------------------------------------------------------------


def _entry(key: Any, value: Any, comment: str, indent: str, newline: str) -> str:
    """``key: value`` as YAML lines at ``indent``, with ``comment`` at the end of the key's line."""
    inline = _inline(value)
    head = f"{indent}{_scalar(key)}:"
    if inline is not None:
        return f"{head} {inline}{comment}"
    lines = [head + comment] + [f"{indent}  {line}" for line in _block(value)]
    return newline.join(lines)


def _inline(value: Any) -> Optional[str]:
    """The value on the key's line: a scalar, ``{}`` or ``[]``; None for a non-empty map or list."""
    if isinstance(value, Mapping):
        return None if value else "{}"
    if isinstance(value, (list, tuple)):
        return None if value else "[]"
    return _scalar(value)


def _block(value: Any) -> List[str]:
    """A non-empty map or list as block lines, nested ones indented by two spaces more."""
    lines: List[str] = []
    items = value.items() if isinstance(value, Mapping) else ((None, item) for item in value)
    for key, item in items:
        lead = "- " if not isinstance(value, Mapping) else f"{_scalar(key)}: "
        inline = _inline(item)
        if inline is not None:
            lines.append(lead + inline)
            continue
        inner = _block(item)
        if isinstance(value, Mapping):
            lines.append(lead.rstrip(" "))
            lines.extend(f"  {line}" for line in inner)
        else:
            lines.append(lead + inner[0])
            lines.extend(f"  {line}" for line in inner[1:])
    return lines


def _scalar(value: Any) -> str:
    """One scalar as PyYAML writes it, on one line: quoted when it would read back as something else
    (``'true'``, ``'1.0'``, ``''``, ``'a: b'``, ``'#x'``), double-quoted with escapes when it has line breaks."""
    value = _plain(value)
    try:
        dumped = yaml.safe_dump(value, width=_WIDTH, allow_unicode=True)
    except yaml.YAMLError:
        raise PlanError(f"{value!r} ({type(value).__name__}) cannot be written in a Helm values file") from None
    if dumped.endswith("\n...\n"):
        dumped = dumped[: -len("\n...\n")]
    dumped = dumped[:-1] if dumped.endswith("\n") else dumped
    if any(char in dumped for char in _BREAKS):
        dumped = yaml.safe_dump(value, width=_WIDTH, allow_unicode=True, default_style='"').rstrip("\n")
    return dumped


def _plain(value: Any) -> Any:
    """The built-in type of a scalar (a subclass, as Ansible's unsafe text, is not one PyYAML writes)."""
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value
