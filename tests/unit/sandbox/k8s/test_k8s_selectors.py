import pytest
from hypothesis import given, settings, strategies as st

from sandbox.k8s.selectors import (
    LabelSelector, Requirement, SelectorError, label_selector_from_object, parse_field_selector,
    parse_label_selector, supported_fields,
)

LABELS = [
    {},
    {"env": "prod"},
    {"env": "uat", "tier": "web"},
    {"env": "prod", "legacy": "true"},
    {"env": "dev", "tier": "db"},
    {"tier": "db"},
    {"gen": "7"},
    {"gen": "x"},
]


@pytest.mark.parametrize("text, expected", [
    ("", [True] * 8),
    ("   ", [True] * 8),
    ("env=prod", [False, True, False, True, False, False, False, False]),
    ("env==prod", [False, True, False, True, False, False, False, False]),
    ("env!=prod", [True, False, True, False, True, True, True, True]),  # absent key matches !=
    ("env in (uat,prod),!legacy", [False, True, True, False, False, False, False, False]),
    ("env in (uat, prod) , ! legacy", [False, True, True, False, False, False, False, False]),
    ("tier notin (db)", [True, True, True, True, False, False, True, True]),  # absent key matches notin
    ("tier", [False, False, True, False, True, True, False, False]),
    ("!tier", [True, True, False, True, False, False, True, True]),
    ("env,tier", [False, False, True, False, True, False, False, False]),
    ("env=", [False] * 8),
    ("gen>5", [False, False, False, False, False, False, True, False]),
    ("gen<5", [False] * 8),
    ("in=x", [False] * 8),  # 'in' is a valid key outside operator position
])
def test_label_selector_matching(text, expected):
    selector = parse_label_selector(text)
    assert [selector.matches(labels) for labels in LABELS] == expected


def test_empty_value_and_empty_parens():
    assert parse_label_selector("a=").matches({"a": ""})
    # The real parser accepts "()" as the single empty value.
    assert parse_label_selector("a in ()").requirements == (Requirement("a", "in", ("",)),)
    assert parse_label_selector("a in (x,,y)").requirements[0].values == ("", "x", "y")
    assert parse_label_selector("x in (foo,,baz),y,z notin ()").to_string() == "x in (,baz,foo),y,z notin ()"


@pytest.mark.parametrize("text, message", [
    ("a in (x", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("=b", "found '=', expected: !, identifier, or 'end of string'"),
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a,", "found '', expected: identifier after ','"),
    (",a", "found ',', expected: !, identifier, or 'end of string'"),
    ("a in x", "unable to parse requirement: found 'x' expected: '('"),
    ("a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a==b==c", "found '==', expected: ',' or 'end of string'"),
    ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
])
def test_malformed_label_selectors(text, message):
    with pytest.raises(SelectorError) as err:
        parse_label_selector(text)
    assert str(err.value) == message


@pytest.mark.parametrize("text, fragment", [
    ("x/y/z=1", 'unable to parse requirement: <nil>: Invalid value: "x/y/z": a qualified name must consist'),
    ("Bad_Key!=1", None),
    ("-bad=1", '<nil>: Invalid value: "-bad": name part must consist of alphanumeric characters'),
    ("k=bad value", "found 'value', expected: ',' or 'end of string'"),
    ("k=-v", 'unable to parse requirement: values[0][k]: Invalid value: "-v": a valid label must be an empty'),
    ("k in (" + "v" * 64 + ")", "values[0][k]: Invalid value: \"" + "v" * 64 + "\": must be no more than 63 characters"),
    ("k>x", "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
])
def test_invalid_keys_and_values(text, fragment):
    if fragment is None:
        parse_label_selector(text)  # underscores and upper case are legal in keys
        return
    with pytest.raises(SelectorError) as err:
        parse_label_selector(text)
    assert fragment in str(err.value)


def test_to_string_is_canonical_and_sorted_by_key():
    selector = parse_label_selector("tier notin (db),  env in (uat,prod), !legacy, app==web, x!=y, gen>3")
    assert selector.to_string() == "app==web,env in (prod,uat),gen>3,!legacy,tier notin (db),x!=y"
    assert parse_label_selector(selector.to_string()) == selector
    assert str(selector) == selector.to_string()


def test_label_selector_object_semantics():
    assert label_selector_from_object(None).matches({}) is False
    assert label_selector_from_object(None).matches({"a": "b"}) is False
    assert label_selector_from_object({}).matches({}) is True
    assert label_selector_from_object({"matchLabels": {}, "matchExpressions": []}).empty
    selector = label_selector_from_object({
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "uat"]},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "tier", "operator": "NotIn", "values": ["db"]},
            {"key": "team", "operator": "Exists", "values": None},
        ],
    })
    assert selector.to_string() == "app=web,env in (prod,uat),!legacy,team,tier notin (db)"
    assert selector.matches({"app": "web", "env": "uat", "team": "a"})
    assert not selector.matches({"app": "web", "env": "uat", "team": "a", "legacy": "1"})
    assert not selector.matches({"app": "web", "env": "dev", "team": "a"})
    assert parse_label_selector(selector.to_string()) == selector


@pytest.mark.parametrize("obj, fragment", [
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
     "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn"}]}, "values set can't be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
     'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist", "values": ["x"]}]}, "must be empty"),
    ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
     '"Equals" is not a valid label selector operator'),
    ({"matchLabels": {"a": "not valid"}}, 'values[0][a]: Invalid value: "not valid"'),
    ({"matchLabels": {"-a": "x"}}, 'key: Invalid value: "-a"'),
])
def test_label_selector_object_validation(obj, fragment):
    with pytest.raises(SelectorError) as err:
        label_selector_from_object(obj)
    assert fragment in str(err.value)


def test_selector_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_label_selector("a in (")


@pytest.mark.parametrize("text, expected_terms", [
    ("", []),
    ("metadata.name=web", [("metadata.name", "=", "web")]),
    ("metadata.name==web", [("metadata.name", "=", "web")]),
    ("status.phase!=Running,spec.nodeName=n1", [("spec.nodeName", "=", "n1"), ("status.phase", "!=", "Running")]),
    (r"metadata.name=a\,b\=c\\d", [("metadata.name", "=", "a,b=c\\d")]),
    ("spec.nodeName=", [("spec.nodeName", "=", "")]),
])
def test_parse_field_selector(text, expected_terms):
    selector = parse_field_selector(text)
    assert [(t.field, t.operator, t.value) for t in selector.terms] == expected_terms
    assert parse_field_selector(selector.to_string()) == selector


@pytest.mark.parametrize("text, message", [
    ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character ="),
    (r"a=b\x", "invalid field selector: invalid escape sequence: \\x"),
])
def test_malformed_field_selectors(text, message):
    with pytest.raises(SelectorError) as err:
        parse_field_selector(text)
    assert str(err.value) == message


def test_field_selector_matching():
    pod = {"metadata": {"name": "web-1", "namespace": "prod"},
           "spec": {"nodeName": "n1", "hostNetwork": False}, "status": {"phase": "Running"}}
    assert parse_field_selector("metadata.name=web-1,metadata.namespace=prod").matches(pod)
    assert parse_field_selector("status.phase!=Pending").matches(pod)
    assert not parse_field_selector("spec.nodeName=n2").matches(pod)
    assert parse_field_selector("spec.hostNetwork=false").matches(pod)
    assert parse_field_selector("spec.schedulerName=").matches(pod)  # absent reads as ""
    assert parse_field_selector("spec.schedulerName!=x").matches(pod)


def test_field_selector_supported_fields():
    selector = parse_field_selector("spec.nodeName=n1,status.phase=Running")
    assert selector.fields() == {"spec.nodeName", "status.phase"}
    selector.check_supported(supported_fields("pods"))
    with pytest.raises(SelectorError, match="^field label not supported: spec.nodeName$"):
        selector.check_supported(supported_fields("configmaps"))
    assert selector.requires_exact_match("spec.nodeName") == "n1"
    assert supported_fields("widgets") == {"metadata.name", "metadata.namespace"}


# --- property tests -----------------------------------------------------------------------

_name = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?", fullmatch=True)
_key = st.one_of(_name, st.builds(lambda p, n: f"{p}/{n}", st.from_regex(r"[a-z]{1,5}\.[a-z]{2,3}", fullmatch=True), _name))
_value = st.one_of(st.just(""), _name)
_requirement = st.one_of(
    st.builds(lambda k, v, op: Requirement.new(k, op, [v]), _key, _value, st.sampled_from(["=", "==", "!="])),
    st.builds(lambda k, vs, op: Requirement.new(k, op, vs), _key, st.lists(_value, min_size=1, max_size=4),
              st.sampled_from(["in", "notin"])),
    st.builds(lambda k, op: Requirement.new(k, op), _key, st.sampled_from(["exists", "!"])),
    st.builds(lambda k, n, op: Requirement.new(k, op, [str(n)]), _key, st.integers(0, 10**6), st.sampled_from(["gt", "lt"])),
)


@settings(deadline=None)
@given(st.lists(_requirement, max_size=6))
def test_to_string_parse_round_trip(reqs):
    selector = LabelSelector(tuple(sorted(reqs, key=lambda r: r.key)))
    assert parse_label_selector(selector.to_string()) == selector


@settings(deadline=None)
@given(st.lists(_requirement, max_size=4), st.dictionaries(_key, _value, max_size=4))
def test_matching_is_conjunction_of_requirements(reqs, labels):
    selector = parse_label_selector(",".join(r.to_string() for r in reqs))
    assert selector.matches(labels) == all(r.matches(labels) for r in reqs)


@settings(deadline=None)
@given(st.text(alphabet="ab =!(),in", max_size=20))
def test_parser_only_raises_selector_error(text):
    try:
        parse_label_selector(text)
    except SelectorError:
        pass
