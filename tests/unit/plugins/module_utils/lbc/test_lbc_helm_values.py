"""The controller's flags as Helm chart values, and edits of a values file that keep the rest of it."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import NESTED_VALUE_OF_FLAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import VALUE_OF_FLAG
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import drift
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import read_values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import rendered_flag
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import to_values
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc.helm_values import update_text

# an excerpt of the chart's values.yaml (3.5.0), with its comments, nested blocks and empty values
CHART = """\
# Default values for aws-load-balancer-controller.
# This is a YAML-formatted file.

replicaCount: 2

image:
  repository: public.ecr.aws/eks/aws-load-balancer-controller
  tag: v3.5.0
  pullPolicy: IfNotPresent

resources: {}
  # We usually recommend not to specify default resources and to leave this as a conscious
  # limits:
  #   cpu: 100m

# The name of the Kubernetes cluster. A non-empty value is required
clusterName:

# The ingress class this controller will satisfy.
ingressClass: alb

# defaultTags are the tags to apply to all AWS resources managed by this controller
defaultTags: {}
  # default_tag1: value1
  # default_tag2: value2

# enableBackendSecurityGroup enables shared security group for backend traffic (default true)
enableBackendSecurityGroup:

# backendSecurityGroup specifies backend security group id
backendSecurityGroup:

# controllerConfig specifies controller configuration
controllerConfig:
  # featureGates set of key: value pairs that describe AWS load balance controller features
  featureGates: {}
  # ListenerRulesTagging: true

# serviceTargetENISGTags specifies AWS tags, in addition to the cluster tags
serviceTargetENISGTags:

# creator will disable helm default labels, so you can only add yours
# creator: "me"
"""


def changed_lines(before, after):
    """The lines of ``before`` missing from ``after`` and the lines of ``after`` new to it, in order."""
    old, new = before.splitlines(), after.splitlines()
    return [line for line in old if line not in new], [line for line in new if line not in old]


def expected(text, values):
    merged = dict(read_values(text))
    merged.update(values)
    return merged


# -- update_text: what is kept --------------------------------------------------------------------------------


def test_setting_values_changes_only_their_lines_and_keeps_comments_and_order():
    values = {"clusterName": "prod", "enableBackendSecurityGroup": False, "backendSecurityGroup": "sg-0123abcd"}
    updated = update_text(CHART, values)
    assert changed_lines(CHART, updated) == (
        ["clusterName:", "enableBackendSecurityGroup:", "backendSecurityGroup:"],
        ["clusterName: prod", "enableBackendSecurityGroup: false", "backendSecurityGroup: sg-0123abcd"],
    )
    assert len(updated.splitlines()) == len(CHART.splitlines())
    assert read_values(updated) == expected(CHART, values)


def test_inline_comments_of_replaced_scalars_are_kept():
    text = "clusterName: old   # the EKS cluster\nenableBackendSecurityGroup:  # default true\nother: 1 # mine\n"
    updated = update_text(text, {"clusterName": "new", "enableBackendSecurityGroup": True})
    assert (
        updated
        == "clusterName: new   # the EKS cluster\nenableBackendSecurityGroup: true  # default true\nother: 1 # mine\n"
    )


def test_a_quoted_value_holding_a_hash_keeps_the_real_comment_only():
    text = 'backendSecurityGroup: "sg-1 # not a comment"  # the real one\n'
    assert update_text(text, {"backendSecurityGroup": "sg-2"}) == "backendSecurityGroup: sg-2  # the real one\n"


def test_nested_blocks_of_other_keys_are_untouched():
    text = (
        "image:\n  repository: x  # registry\n  tag: v1\n"
        "clusterName: a\n"
        "tolerations:\n- key: clusterName\n  value: b\n"
        "controllerConfig:\n  featureGates:\n    NLBSecurityGroup: false\n  clusterName: nested\n"
    )
    updated = update_text(text, {"clusterName": "b"})
    assert updated == text.replace("clusterName: a\n", "clusterName: b\n")
    assert read_values(updated)["controllerConfig"]["clusterName"] == "nested"


def test_block_scalars_of_other_keys_are_untouched_even_when_they_look_like_keys():
    text = "note: |\n  clusterName: fake\n  # not a comment\n\nclusterName: real\nafter: >-\n  folded\n  text\n"
    updated = update_text(text, {"clusterName": "other"})
    assert updated == text.replace("clusterName: real", "clusterName: other")
    assert read_values(updated)["note"] == "clusterName: fake\n# not a comment\n"


def test_a_map_value_replaces_an_empty_flow_map_and_keeps_the_comments_after_it():
    updated = update_text(CHART, {"defaultTags": {"team": "platform", "env": "prod"}})
    assert (
        "# defaultTags are the tags to apply to all AWS resources managed by this controller\n"
        "defaultTags:\n  team: platform\n  env: prod\n  # default_tag1: value1\n  # default_tag2: value2\n\n"
    ) in updated
    assert read_values(updated)["defaultTags"] == {"team": "platform", "env": "prod"}


def test_a_map_value_replaces_an_existing_multi_line_block_and_keeps_the_key_line_comment():
    text = "a: 1\ndefaultTags:  # tags for all\n  # owners\n  team: old\n  # between\n  env: dev\n# after\nb: 2\n"
    updated = update_text(text, {"defaultTags": {"team": "platform"}})
    assert updated == "a: 1\ndefaultTags:  # tags for all\n  team: platform\n# after\nb: 2\n"


def test_a_map_set_empty_is_written_flow_style_and_a_scalar_replaces_a_block():
    text = "defaultTags:\n  team: old\nclusterName:\n  - not\n  - a string\nz: 0\n"
    updated = update_text(text, {"defaultTags": {}, "clusterName": "prod"})
    assert updated == "defaultTags: {}\nclusterName: prod\nz: 0\n"


def test_a_block_scalar_of_a_managed_key_is_replaced_with_its_lines():
    text = "serviceTargetENISGTags: |\n  a=b\n  c=d\n\nnext: 1\n"
    assert update_text(text, {"serviceTargetENISGTags": "x=y"}) == "serviceTargetENISGTags: x=y\n\nnext: 1\n"


def test_every_occurrence_of_a_duplicated_key_is_replaced():
    text = "clusterName: a\nx: 1\nclusterName: b\n"
    assert update_text(text, {"clusterName": "c"}) == "clusterName: c\nx: 1\nclusterName: c\n"


def test_keys_that_read_as_other_types_are_not_the_string_key():
    text = "yes: 1\n'yes': 2\n"
    updated = update_text(text, {"yes": 3})
    assert updated == "yes: 1\n'yes': 3\n"
    assert read_values(updated) == {True: 1, "yes": 3}


def test_windows_line_endings_and_an_indented_root_are_kept():
    assert update_text("a: 1\r\nclusterName: x\r\n", {"clusterName": "y", "vpcId": "vpc-1"}) == (
        "a: 1\r\nclusterName: y\r\nvpcId: vpc-1\r\n"
    )
    assert update_text("  a: 1\n  clusterName: x\n", {"clusterName": "y", "region": "eu-west-1"}) == (
        "  a: 1\n  clusterName: y\n  region: eu-west-1\n"
    )


# -- update_text: appending ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, result",
    [
        ("", "clusterName: prod\ndefaultTags:\n  team: a\n"),
        ("# only a comment", "# only a comment\nclusterName: prod\ndefaultTags:\n  team: a\n"),
        ("a: 1\n", "a: 1\nclusterName: prod\ndefaultTags:\n  team: a\n"),
        ("a: 1", "a: 1\nclusterName: prod\ndefaultTags:\n  team: a\n"),
        ("a: |\n  text", "a: |-\n  text\nclusterName: prod\ndefaultTags:\n  team: a\n"),  # still "text"
        ("a: &x !!str >2+\n   text", "a: &x !!str >2-\n   text\nclusterName: prod\ndefaultTags:\n  team: a\n"),
        ("---\na: 1\n...\n# end\n", "---\na: 1\nclusterName: prod\ndefaultTags:\n  team: a\n...\n# end\n"),
        ("---\n", "---\nclusterName: prod\ndefaultTags:\n  team: a\n"),
    ],
)
def test_missing_keys_are_appended_at_the_end_in_the_given_order(text, result):
    values = {"clusterName": "prod", "defaultTags": {"team": "a"}}
    assert update_text(text, values) == result
    assert read_values(result) == expected(text, values)


def test_lists_and_nested_maps_are_written_as_indented_blocks():
    values = {"externalManagedTags": ["a", "b: c"], "x": {"y": {"z": [1, {"k": "v"}]}, "e": []}}
    updated = update_text("", values)
    assert updated == ("externalManagedTags:\n  - a\n  - 'b: c'\nx:\n  y:\n    z:\n      - 1\n      - k: v\n  e: []\n")
    assert read_values(updated) == values


# -- update_text: quoting -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, written",
    [
        ("sg-0123abcd", "sg-0123abcd"),
        ("true", "'true'"),
        ("no", "'no'"),
        ("null", "'null'"),
        ("1.0", "'1.0'"),
        ("", "''"),
        ("a: b", "'a: b'"),
        ("a #b", "'a #b'"),
        ("#x", "'#x'"),
        ("*alias", "'*alias'"),
        ("- item", "'- item'"),
        ("it's", "it's"),
        ("k=v,k2=v2", "k=v,k2=v2"),
        ("two\nlines", '"two\\nlines"'),
        (True, "true"),
        (None, "null"),
        (9443, "9443"),
    ],
)
def test_scalars_are_quoted_only_when_they_would_read_back_as_something_else(value, written):
    updated = update_text("backendSecurityGroup: old  # c\n", {"backendSecurityGroup": value})
    assert updated == f"backendSecurityGroup: {written}  # c\n"
    assert read_values(updated) == {"backendSecurityGroup": value}


# -- update_text: idempotence and no-ops ------------------------------------------------------------------------


def test_updating_twice_gives_the_text_of_updating_once():
    values = {"clusterName": "prod", "defaultTags": {"team": "a"}, "enableBackendSecurityGroup": True, "new": ""}
    once = update_text(CHART, values)
    assert update_text(once, values) == once


def test_values_already_set_return_the_same_text_whatever_its_formatting():
    text = "clusterName: 'prod'   # quoted\nenableBackendSecurityGroup: True\ndefaultTags: {team: a}\n"
    values = {"clusterName": "prod", "enableBackendSecurityGroup": True, "defaultTags": {"team": "a"}}
    assert update_text(text, values) is text
    assert update_text(CHART, {}) is CHART


def test_a_value_of_another_type_is_a_change():
    assert update_text("enableBackendSecurityGroup: 'true'\n", {"enableBackendSecurityGroup": True}) == (
        "enableBackendSecurityGroup: true\n"
    )
    assert update_text("webhookBindPort: 1\n", {"webhookBindPort": True}) == "webhookBindPort: true\n"


# -- update_text: what cannot be edited -----------------------------------------------------------------------


def test_a_value_defining_an_anchor_used_elsewhere_is_not_replaced():
    text = "defaultTags: &tags\n  team: a\nvpcTags: *tags\n"
    with pytest.raises(PlanError, match="anchor &tags"):
        update_text(text, {"defaultTags": {"team": "b"}})
    assert read_values(update_text(text, {"vpcTags": {}})) == {"defaultTags": {"team": "a"}, "vpcTags": {}}


@pytest.mark.parametrize("text", ["{clusterName: a}\n", "~\n"])
def test_a_document_that_is_not_a_block_mapping_is_not_edited(text):
    with pytest.raises(PlanError, match="block mapping"):
        update_text(text, {"clusterName": "b"})


def test_a_value_yaml_cannot_hold_is_an_error():
    with pytest.raises(PlanError, match="cannot be written"):
        update_text("", {"defaultTags": {"a": object()}})


# -- the round trip, over random files and values ----------------------------------------------------------------

KNOWN = ["clusterName", "enableBackendSecurityGroup", "backendSecurityGroup", "defaultTags", "defaultTargetType"]
TRICKY = st.sampled_from(
    ["true", "False", "yes", "off", "null", "~", "", "sg-0abc", "a: b", "a #b", "#x", "- x", "1.0", "0x1F", "010",
     "*x", "&a", "!t", "%p", "@a", "`b", "'q'", '"d"', " lead", "trail ", "a\nb", "k=v,k2=v2", "{x}", "[y]", "...",
     "---", "=", "?", "|", ">", "a\u2028b", "\x85", "\t"]
)  # fmt: skip
STRINGS = st.one_of(TRICKY, st.text(max_size=8))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), STRINGS)
VALUES = st.one_of(
    SCALARS, st.dictionaries(STRINGS, SCALARS, max_size=3), st.lists(STRINGS, max_size=3), st.just({}), st.just([])
)
FORMATS = [
    "<key>:",
    "<key>: plain  # inline <n>",
    "<key>: {}  # flow <n>",
    "<key>: 'quoted # <n>'",
    "<key>:  # above a block <n>\n  team: a\n  # inside\n  env: b",
    "<key>: |\n  line one\n  clusterName: inside a block scalar\n",
    "<key>: >-\n  folded\n\n  # kept text",
    "<key>: [x, y]",
    "<key>:\n- one\n- two",
]
OTHERS = [
    "image:\n  repository: x  # registry <n>\n  tag: v1",
    "resources: {}\n  # indented comment <n>",
    "note: |\n  clusterName: fake\n  # not a comment\n",
    "tolerations:\n- key: defaultTags\n  value: b  # comment <n>",
    "last: |\n  no final line break",
    "",
    "# comment <n>",
]
COMMENTS = re.compile(r"# (?:comment|inline|flow|above a block|registry|indented comment) [0-9]+")


@st.composite
def values_files(draw):
    """A values file of other keys, comments, blank lines and some of the known keys in various formats;
    every comment outside a known key's block is numbered, so that its survival can be checked."""
    keys = draw(st.lists(st.sampled_from(KNOWN), unique=True, max_size=len(KNOWN)))
    chunks = [draw(st.sampled_from(FORMATS)).replace("<key>", key) for key in keys]
    chunks += [draw(st.sampled_from(OTHERS)) for _ in range(draw(st.integers(0, 4)))]
    order = draw(st.permutations(range(len(chunks))))
    lines = [chunks[index].replace("<n>", str(position)) for position, index in enumerate(order)]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


def kept_comments(text):
    return COMMENTS.findall(text)


@given(values_files(), st.dictionaries(st.sampled_from(KNOWN), VALUES, max_size=len(KNOWN)))
def test_helm_values_round_trip_and_idempotence(text, values):
    updated = update_text(text, values)
    assert read_values(updated) == expected(text, values)
    assert update_text(updated, values) == updated
    assert kept_comments(updated) == kept_comments(text)
    same = {key: value for key, value in read_values(text).items() if key in values}
    assert update_text(text, same) is text


# -- read_values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing\n", "---\n", "~\n"])
def test_an_empty_values_file_has_no_values(text):
    assert read_values(text) == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("- a\n- b\n", "holds a list at its top level, not a mapping"),
        ("just text\n", "holds a str at its top level"),
        ("a: [1\n", "not valid YAML"),
        ("a: 1\n---\nb: 2\n", "not valid YAML"),
        ("a: *missing\n", "not valid YAML"),
    ],
)
def test_a_values_file_that_is_not_a_mapping_is_an_error(text, message):
    with pytest.raises(PlanError, match=message):
        read_values(text)


# -- flags -> values --------------------------------------------------------------------------------------------


def test_flags_become_typed_chart_values():
    values, not_expressible = to_values(
        {
            "cluster-name": "prod",
            "--enable-backend-security-group": "true",
            "enable-manage-backend-security-group-rules": "False",
            "disable-restricted-sg-rules": "1",
            "backend-security-group": "sg-0123",
            "default-target-type": "ip",
            "service-target-eni-security-group-tags": "k=v,k2=v2",
            "default-tags": "team=platform,env=prod",
            "ingress-class": "alb",
            "aws-region": "eu-west-1",
            "aws-vpc-id": "vpc-1",
            "external-managed-tags": "Owner,Team",
            "webhook-bind-port": "9443",
            "sync-period": "10h",
        }
    )
    assert values == {
        "clusterName": "prod",
        "enableBackendSecurityGroup": True,
        "enableManageBackendSecurityGroupRules": False,
        "disableRestrictedSecurityGroupRules": True,
        "backendSecurityGroup": "sg-0123",
        "defaultTargetType": "ip",
        "serviceTargetENISGTags": "k=v,k2=v2",
        "defaultTags": {"team": "platform", "env": "prod"},
        "ingressClass": "alb",
        "region": "eu-west-1",
        "vpcId": "vpc-1",
        "externalManagedTags": ["Owner", "Team"],
        "webhookBindPort": 9443,
        "syncPeriod": "10h",
    }
    assert not_expressible == []


def test_flags_without_a_top_level_chart_value_are_reported_not_expressible():
    values, not_expressible = to_values({"feature-gates": "NLBSecurityGroup=false", "kubeconfig": "/k", "v": "2"})
    assert values == {}
    assert not_expressible == ["feature-gates", "kubeconfig", "v"]
    assert "feature-gates" in NESTED_VALUE_OF_FLAG
    assert not set(NESTED_VALUE_OF_FLAG) & set(VALUE_OF_FLAG)


@pytest.mark.parametrize(
    "flags, values",
    [
        ({"default-tags": 'a="x"'}, {"defaultTags": {"a": '"x'}}),
        ({"default-tags": "a=b=c"}, {"defaultTags": {"a": "b=c"}}),
        ({"default-tags": '"a=1,b",c=2'}, {"defaultTags": {"a": "1,b", "c": "2"}}),
        ({"default-tags": "a=1,b"}, {"defaultTags": {"a": "1,b"}}),  # one "=": one pair, as pflag reads it
        ({"aws-max-retries": "010"}, {"awsMaxRetries": "010"}),
        ({"external-managed-tags": ""}, {"externalManagedTags": []}),
    ],
)
def test_flag_values_are_parsed_as_the_controller_parses_them(flags, values):
    assert to_values(flags)[0] == values


@pytest.mark.parametrize(
    "flags, message",
    [
        ({"enable-backend-security-group": "yes"}, "a boolean is expected"),
        ({"default-tags": "team"}, "key=value"),
        ({"default-tags": ""}, "key=value"),
        ({"default-tags": "a=1,b,c=2"}, "b is not formatted as key=value"),
    ],
)
def test_flag_values_the_controller_rejects_are_errors(flags, message):
    with pytest.raises(PlanError, match=message):
        to_values(flags)


@pytest.mark.parametrize(
    "value, file_value, flag",
    [
        ("enableBackendSecurityGroup", False, "false"),
        ("enableBackendSecurityGroup", "true", None),  # kindIs "bool": a string gives no flag
        ("enableBackendSecurityGroup", None, None),
        ("backendSecurityGroup", "", None),
        ("defaultTargetType", "instance", None),
        ("defaultTargetType", "ip", "ip"),
        ("defaultTags", {"team": "a", "env": True}, "env=true,team=a"),
        ("defaultTags", {}, None),
        ("externalManagedTags", ["a", "b"], "a,b"),
        ("webhookBindPort", 9443, "9443"),
        ("webhookBindPort", 0, None),
    ],
)
def test_the_flag_the_chart_renders_from_a_value(value, file_value, flag):
    assert rendered_flag(value, file_value) == flag


# -- drift ------------------------------------------------------------------------------------------------------


def test_drift_lists_the_values_whose_rendered_flag_differs_from_the_live_one():
    file_values = {
        "clusterName": "prod",
        "enableBackendSecurityGroup": False,
        "backendSecurityGroup": "sg-1",
        "defaultTags": {"team": "platform", "env": "prod"},
        "disableRestrictedSecurityGroupRules": True,
        "replicaCount": 2,
    }
    live = {
        "cluster-name": "prod",
        "ingress-class": "alb",
        "enable-backend-security-group": "true",
        "default-tags": "env=prod,team=platform",
        "disable-restricted-sg-rules": "true",
        "enable-manage-backend-security-group-rules": "true",
        "default-target-type": "instance",
    }
    assert drift(file_values, live) == [
        {"value": "enableBackendSecurityGroup", "file": False, "live": True},
        {"value": "backendSecurityGroup", "file": "sg-1", "live": None},
        {"value": "enableManageBackendSecurityGroupRules", "file": None, "live": True},
    ]


def test_no_drift_between_the_chart_defaults_and_the_flags_they_render():
    assert drift({}, {"ingress-class": "alb"}) == []
    assert (
        drift(
            {"defaultTargetType": "instance", "defaultTags": {}, "backendSecurityGroup": None}, {"ingress-class": "alb"}
        )
        == []
    )
    assert drift({}, {}) == [{"value": "ingressClass", "file": "alb", "live": None}]


def test_a_string_where_the_chart_wants_a_boolean_is_drift():
    found = drift(
        {"enableBackendSecurityGroup": "false", "ingressClass": ""}, {"enable-backend-security-group": "false"}
    )
    assert found == [{"value": "enableBackendSecurityGroup", "file": "false", "live": False}]


def test_drift_of_a_flag_value_the_controller_would_reject_compares_its_text():
    assert drift({"ingressClass": None}, {"enable-backend-security-group": "maybe"}) == [
        {"value": "enableBackendSecurityGroup", "file": None, "live": "maybe"}
    ]
