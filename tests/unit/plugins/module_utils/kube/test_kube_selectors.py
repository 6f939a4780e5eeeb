"""Label selectors: option validation (snake_case in, manifest form out) and evaluation."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.selectors import SelectorError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.selectors import from_option
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.selectors import matches
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.selectors import to_option

# --- matches ------------------------------------------------------------------------------

LABELS = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    "expression, expected",
    [
        ({"key": "app", "operator": "In", "values": ["web", "api"]}, True),
        ({"key": "app", "operator": "In", "values": ["api"]}, False),
        ({"key": "missing", "operator": "In", "values": ["web"]}, False),
        ({"key": "app", "operator": "NotIn", "values": ["api"]}, True),
        ({"key": "app", "operator": "NotIn", "values": ["web"]}, False),
        ({"key": "missing", "operator": "NotIn", "values": ["web"]}, True),
        ({"key": "tier", "operator": "Exists"}, True),
        ({"key": "missing", "operator": "Exists"}, False),
        ({"key": "missing", "operator": "DoesNotExist"}, True),
        ({"key": "tier", "operator": "DoesNotExist"}, False),
    ],
)
def test_selector_operators(expression, expected):
    assert matches({"matchExpressions": [expression]}, LABELS) is expected


def test_selector_requirements_are_anded():
    assert matches(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front"]},
                {"key": "canary", "operator": "DoesNotExist"},
            ],
        },
        LABELS,
    )
    assert not matches(
        {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]},
        LABELS,
    )
    assert not matches({"matchLabels": {"app": "web", "tier": "back"}}, LABELS)
    assert not matches({"matchLabels": {"zone": "a"}}, LABELS)
    assert matches({}, LABELS)


@pytest.mark.parametrize(
    "expression",
    [
        {"key": "app", "operator": "Equals", "values": ["web"]},
        {"key": "app", "operator": "In", "values": []},
        {"key": "app", "operator": "NotIn"},
        {"key": "app", "operator": "Exists", "values": ["web"]},
    ],
)
def test_selectors_the_api_server_refuses_raise(expression):
    with pytest.raises(ValueError):
        matches({"matchExpressions": [expression]}, LABELS)


def test_from_option_gives_the_manifest_form_and_to_option_reverses_it():
    option = {
        "match_labels": {"appname": "185"},
        "match_expressions": [
            {"key": "env", "operator": "In", "values": ["uat"]},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    selector = from_option("s", option)
    assert selector == {
        "matchLabels": {"appname": "185"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["uat"]},
            {"key": "legacy", "operator": "DoesNotExist"},
        ],
    }
    assert to_option(selector) == option
    assert from_option("s", None) is None


@pytest.mark.parametrize(
    "option, path, words",
    [
        ({"match_labels": {"appname": 185}}, "s.match_labels.appname", "must be a string"),
        ({"match_labels": {"bad key!": "x"}}, "s.match_labels.bad key!", "name part"),
        ({"match_labels": {"Example.COM/app": "x"}}, "s.match_labels.Example.COM/app", "prefix"),
        ({"match_labels": {"app": "-x"}}, "s.match_labels.app", "label value"),
        ({"match_labels": {"app": "x" * 64}}, "s.match_labels.app", "at most 63"),
        ({"matchLabels": {"app": "x"}}, "s", "unknown key"),
        (
            {"match_expressions": [{"key": "env", "operator": "Equals", "values": ["a"]}]},
            "s.match_expressions[0].operator",
            "not one of",
        ),
        ({"match_expressions": [{"key": "env", "operator": "In"}]}, "s.match_expressions[0].values", "non-empty"),
        (
            {"match_expressions": [{"key": "env", "operator": "Exists", "values": ["a"]}]},
            "s.match_expressions[0].values",
            "takes no values",
        ),
        ({"match_expressions": "env=uat"}, "s.match_expressions", "must be a list"),
        ("appname=185", "s", "must be a mapping"),
    ],
)
def test_bad_selector_options_name_their_path(option, path, words):
    with pytest.raises(SelectorError) as caught:
        from_option("s", option)
    assert caught.value.path == path
    assert words in str(caught.value)
