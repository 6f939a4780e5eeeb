# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Label selectors: validated from module options, evaluated like the API server does.

Module options use snake_case (``match_labels``, ``match_expressions``); manifests use the
Kubernetes spelling (``matchLabels``, ``matchExpressions``). ``from_option`` checks label keys,
values and operators (so a bad selector fails before any write, naming its option path) and
returns the manifest form; ``matches`` evaluates a manifest-form selector against labels.
"""

from __future__ import annotations

import re
from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import DNS1123_SUBDOMAIN

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


class SelectorError(InputError):
    """A selector option (or a selector read from an object) is invalid; ``path`` names it."""


def label_key_problem(key: Any) -> Optional[str]:
    """Why ``key`` is not a valid label key, or None."""
    if not isinstance(key, str) or not key:
        return "a label key must be a non-empty string"
    prefix, name = key.rpartition("/")[::2]
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        return f"{key!r}: the prefix must be a DNS subdomain (lower case, at most 253 characters)"
    if len(name) > 63 or not _NAME.match(name):
        return (
            f"{key!r}: the name part must be at most 63 characters of alphanumerics, '-', '_' or '.', "
            "starting and ending with an alphanumeric"
        )
    return None


def label_value_problem(value: Any) -> Optional[str]:
    """Why ``value`` is not a valid label value, or None."""
    if not isinstance(value, str):
        return f"{value!r}: a label value must be a string (quote numbers and booleans in YAML)"
    if value and (len(value) > 63 or not _NAME.match(value)):
        return (
            f"{value!r}: a label value must be empty or at most 63 characters of alphanumerics, '-', '_' or '.', "
            "starting and ending with an alphanumeric"
        )
    return None


def check_labels(path: str, labels: Any) -> Dict[str, str]:
    """Validate a {key: value} label map; returns it with string values."""
    if not isinstance(labels, dict):
        raise SelectorError(path, "must be a mapping of label keys to values")
    for key, value in labels.items():
        problem = label_key_problem(key) or label_value_problem(value)
        if problem:
            raise SelectorError(f"{path}.{key}", problem)
    return dict(labels)


def from_option(path: str, option: Any) -> Optional[Dict[str, Any]]:
    """The manifest form of a selector option ``{match_labels, match_expressions}`` (None stays None)."""
    if option is None:
        return None
    if not isinstance(option, dict):
        raise SelectorError(path, "must be a mapping with match_labels and/or match_expressions")
    unknown = sorted(set(option) - {"match_labels", "match_expressions"})
    if unknown:
        raise SelectorError(path, f"unknown key(s) {', '.join(unknown)}; use match_labels and match_expressions")
    selector: Dict[str, Any] = {}
    if option.get("match_labels"):
        selector["matchLabels"] = check_labels(path + ".match_labels", option["match_labels"])
    expressions = option.get("match_expressions") or []
    if not isinstance(expressions, list):
        raise SelectorError(path + ".match_expressions", "must be a list")
    for index, expression in enumerate(expressions):
        selector.setdefault("matchExpressions", []).append(
            _expression(f"{path}.match_expressions[{index}]", expression)
        )
    return selector


def _expression(path: str, expression: Any) -> Dict[str, Any]:
    if not isinstance(expression, dict):
        raise SelectorError(path, "must be a mapping with key, operator and values")
    key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values")
    problem = label_key_problem(key)
    if problem:
        raise SelectorError(path + ".key", problem)
    if operator not in OPERATORS:
        raise SelectorError(path + ".operator", f"{operator!r} is not one of {', '.join(OPERATORS)}")
    if operator in ("In", "NotIn"):
        if not values or not isinstance(values, list):
            raise SelectorError(path + ".values", f"operator {operator} needs a non-empty list of values")
        for value in values:
            problem = label_value_problem(value)
            if problem:
                raise SelectorError(path + ".values", problem)
        return {"key": key, "operator": operator, "values": list(values)}
    if values:
        raise SelectorError(path + ".values", f"operator {operator} takes no values")
    return {"key": key, "operator": operator}


def _requirement_holds(expression: Dict[str, Any], labels: Dict[str, Any]) -> bool:
    """One matchExpressions entry, with the API server's rules: NotIn and DoesNotExist select a missing key.

    A requirement the API server would refuse raises SelectorError rather than guessing a result.
    """
    key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
    if operator not in OPERATORS:
        raise SelectorError("matchExpressions", f"operator {operator!r} is not one of {', '.join(OPERATORS)}")
    if operator in ("In", "NotIn") and not values:
        raise SelectorError("matchExpressions", f"operator {operator} on {key!r} needs a non-empty list of values")
    if operator in ("Exists", "DoesNotExist") and values:
        raise SelectorError("matchExpressions", f"operator {operator} on {key!r} takes no values")
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    return key not in labels


def matches(selector: Any, labels: Any) -> bool:
    """Whether a manifest-form selector selects ``labels`` (requirements ANDed; an empty selector selects all).

    Raises SelectorError (a ValueError) for a selector the API server would refuse.
    """
    labels = labels if isinstance(labels, dict) else {}
    selector = selector if isinstance(selector, dict) else {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if key not in labels or labels[key] != value:
            return False
    return all(
        _requirement_holds(e if isinstance(e, dict) else {}, labels) for e in selector.get("matchExpressions") or []
    )


def to_option(selector: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The option form of a manifest-form selector (for ``gathered``)."""
    if selector is None:
        return None
    option: Dict[str, Any] = {}
    if selector.get("matchLabels"):
        option["match_labels"] = dict(selector["matchLabels"])
    if selector.get("matchExpressions"):
        option["match_expressions"] = [dict(e) for e in selector["matchExpressions"]]
    return option
