import copy

import pytest
from hypothesis import given, settings, strategies as st

from sandbox.k8s.patching import PatchError, create_merge_patch, json_merge_patch, json_patch

# --- RFC 7386 -------------------------------------------------------------------------------

# Appendix A of RFC 7386, verbatim.
RFC7386_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("target, patch, expected", RFC7386_CASES)
def test_rfc7386_examples(target, patch, expected):
    before = copy.deepcopy(target)
    assert json_merge_patch(target, patch) == expected
    assert target == before


def test_merge_patch_lists_are_replaced_and_result_is_not_aliased():
    target = {"spec": {"ports": [{"port": 80}, {"port": 443}]}}
    patch = {"spec": {"ports": [{"port": 8080}]}, "data": {"k": "v"}}
    out = json_merge_patch(target, patch)
    assert out == {"spec": {"ports": [{"port": 8080}]}, "data": {"k": "v"}}
    out["data"]["k"] = "changed"
    out["spec"]["ports"][0]["port"] = 1
    assert patch == {"spec": {"ports": [{"port": 8080}]}, "data": {"k": "v"}}


_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3))
_json = st.recursive(_scalar, lambda c: st.one_of(st.lists(c, max_size=3),
                                                   st.dictionaries(st.text(max_size=3), c, max_size=3)), max_leaves=12)
_json_no_null_in_objects = st.recursive(
    st.one_of(st.booleans(), st.integers(-5, 5), st.text(max_size=3)),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=3), c, max_size=3)),
    max_leaves=12)


@settings(deadline=None)
@given(st.dictionaries(st.text(max_size=3), _json, max_size=4),
       st.dictionaries(st.text(max_size=3), _json_no_null_in_objects, max_size=4))
def test_create_merge_patch_round_trip(a, b):
    assert json_merge_patch(a, create_merge_patch(a, b)) == b


@settings(deadline=None)
@given(_json, _json)
def test_merge_patch_never_mutates(a, p):
    a0, p0 = copy.deepcopy(a), copy.deepcopy(p)
    json_merge_patch(a, p)
    assert a == a0 and p == p0


@settings(deadline=None)
@given(st.dictionaries(st.text(max_size=3), _json, max_size=4), _json)
def test_merge_patch_is_idempotent(a, p):
    once = json_merge_patch(a, p)
    assert json_merge_patch(once, p) == once


# --- RFC 6902 -------------------------------------------------------------------------------

# Appendix A of RFC 6902 (successful examples).
RFC6902_CASES = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"/": 9, "~1": 10}, [{"op": "replace", "path": "/~1", "value": 1}], {"/": 1, "~1": 10}),
    ({"foo": None}, [{"op": "add", "path": "/foo", "value": 1}], {"foo": 1}),
]


@pytest.mark.parametrize("target, ops, expected", RFC6902_CASES)
def test_rfc6902_examples(target, ops, expected):
    before = copy.deepcopy(target)
    assert json_patch(target, ops) == expected
    assert target == before


@pytest.mark.parametrize("target, ops, expected", [
    ({"a": [1, 2]}, [{"op": "add", "path": "/a/2", "value": 3}], {"a": [1, 2, 3]}),  # index == len
    ({"a": 1}, [{"op": "add", "path": "", "value": [1]}], [1]),  # whole document
    ({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}, {"op": "replace", "path": "/c/b", "value": 2}],
     {"a": {"b": 1}, "c": {"b": 2}}),  # copies are deep
    ({"a": 1}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": 1}),
    ({"n": 1}, [{"op": "test", "path": "/n", "value": 1.0}], {"n": 1}),  # 1 == 1.0
    ({"o": {"x": [1, {"y": None}]}}, [{"op": "test", "path": "/o", "value": {"x": [1.0, {"y": None}]}}],
     {"o": {"x": [1, {"y": None}]}}),
    # apiserver (evanphx/json-patch) quirk: a missing member tests equal to null
    ({"metadata": {"labels": {}}}, [{"op": "test", "path": "/metadata/labels/x", "value": None}],
     {"metadata": {"labels": {}}}),
    ({"metadata": {"labels": {"a": "1"}}},
     [{"op": "test", "path": "/metadata/labels/a", "value": "1"},
      {"op": "replace", "path": "/metadata/labels/a", "value": "2"}],
     {"metadata": {"labels": {"a": "2"}}}),
])
def test_json_patch_more(target, ops, expected):
    assert json_patch(target, ops) == expected


@pytest.mark.parametrize("target, ops, detail", [
    ({"metadata": {"labels": {"a": "1"}}}, [{"op": "test", "path": "/metadata/labels/a", "value": "2"}],
     "testing value /metadata/labels/a failed: test failed"),
    ({"n": 1}, [{"op": "test", "path": "/n", "value": True}], "testing value /n failed"),  # True != 1
    ({"b": True}, [{"op": "test", "path": "/b", "value": 1}], "testing value /b failed"),
    ({"s": "1"}, [{"op": "test", "path": "/s", "value": 1}], "testing value /s failed"),
    ({"l": [1, 2]}, [{"op": "test", "path": "/l", "value": [2, 1]}], "testing value /l failed"),
    ({"a": {}}, [{"op": "test", "path": "/a/x", "value": "v"}], "testing value /a/x failed"),
    ({}, [{"op": "test", "path": "/a/b", "value": None}], "test operation does not apply: is missing path: /a/b"),
    ({"a": 1}, [{"op": "remove", "path": "/b"}], "Unable to remove nonexistent key: b: missing value"),
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 1}], "replace operation does not apply: doc is missing key: /b"),
    ({"a": 1}, [{"op": "add", "path": "/x/y", "value": 1}], 'add operation does not apply: doc is missing path: "/x/y"'),
    ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 1}], "Unable to access invalid index: 2"),
    ({"a": [1]}, [{"op": "remove", "path": "/a/1"}], "Unable to access invalid index: 1"),
    ({"a": [1]}, [{"op": "replace", "path": "/a/-", "value": 1}], "invalid index"),
    ({"a": [1, 2]}, [{"op": "remove", "path": "/a/01"}], "invalid index"),
    ({"a": [1]}, [{"op": "add", "path": "/a/-1", "value": 1}], "invalid index"),
    ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}], "move operation does not apply"),
    ({"a": 1}, [{"op": "copy", "from": "/nope", "path": "/b"}], "copy operation does not apply"),
    ({"a": "str"}, [{"op": "add", "path": "/a/b", "value": 1}], "doc is missing path"),
])
def test_json_patch_unprocessable(target, ops, detail):
    with pytest.raises(PatchError) as err:
        json_patch(target, ops)
    assert err.value.reason == "Invalid" and err.value.code == 422
    assert detail in err.value.message and detail in err.value.detail
    assert err.value.message.startswith("the server rejected our request due to an error in our request")
    status = err.value.to_status()
    assert status["reason"] == "Invalid" and status["code"] == 422
    assert detail in status["details"]["causes"][0]["message"]


@pytest.mark.parametrize("ops", [
    {"op": "add", "path": "/a", "value": 1},  # not a list
    "[]",
    [["add"]],
    [{"path": "/a", "value": 1}],
    [{"op": "add", "value": 1}],
    [{"op": "add", "path": "/a"}],
    [{"op": "replace", "path": "/a"}],
    [{"op": "test", "path": "/a"}],
    [{"op": "move", "path": "/a"}],
    [{"op": "copy", "path": "/a"}],
    [{"op": "frobnicate", "path": "/a"}],
    [{"op": "add", "path": "a", "value": 1}],  # pointer must start with '/'
    [{"op": "add", "path": "/a~2", "value": 1}],  # bad escape
    [{"op": "add", "path": 5, "value": 1}],
])
def test_json_patch_malformed(ops):
    with pytest.raises(PatchError) as err:
        json_patch({"a": 1}, ops)
    assert err.value.reason == "BadRequest" and err.value.code == 400


def test_malformed_later_operation_rejects_whole_patch_before_applying():
    target = {"a": 1}
    with pytest.raises(PatchError):
        json_patch(target, [{"op": "replace", "path": "/a", "value": 2}, {"op": "nope", "path": "/a"}])
    assert target == {"a": 1}


def test_json_patch_is_atomic():
    target = {"a": {"b": [1, 2]}, "c": "d"}
    ops = [{"op": "add", "path": "/a/b/-", "value": 3},
           {"op": "remove", "path": "/c"},
           {"op": "test", "path": "/a/b/0", "value": 99}]
    with pytest.raises(PatchError):
        json_patch(target, ops)
    assert target == {"a": {"b": [1, 2]}, "c": "d"}


def test_added_values_are_not_aliased():
    value = {"x": [1]}
    out = json_patch({}, [{"op": "add", "path": "/v", "value": value}])
    out["v"]["x"].append(2)
    assert value == {"x": [1]}


@settings(deadline=None)
@given(st.dictionaries(st.text(alphabet="ab/~", max_size=3), _json, max_size=4),
       st.lists(st.tuples(st.sampled_from(["add", "remove", "replace", "test", "move", "copy"]),
                          st.text(alphabet="ab/~0", max_size=4), _json), max_size=5))
def test_json_patch_atomic_property(doc, raw_ops):
    ops = []
    for op, path, value in raw_ops:
        entry = {"op": op, "path": "/" + path}
        if op in ("add", "replace", "test"):
            entry["value"] = value
        if op in ("move", "copy"):
            entry["from"] = "/" + path[::-1]
        ops.append(entry)
    before = copy.deepcopy(doc)
    try:
        json_patch(doc, ops)
    except PatchError as err:
        assert err.reason in ("BadRequest", "Invalid")
    assert doc == before


@settings(deadline=None)
@given(st.dictionaries(st.text(alphabet="ab/~", min_size=1, max_size=3), _json, max_size=4),
       st.text(alphabet="ab/~", min_size=1, max_size=3), _json)
def test_add_then_test_then_remove(doc, key, value):
    pointer = "/" + key.replace("~", "~0").replace("/", "~1")
    out = json_patch(doc, [{"op": "add", "path": pointer, "value": value},
                           {"op": "test", "path": pointer, "value": value}])
    assert out[key] == value
    back = json_patch(out, [{"op": "remove", "path": pointer}])
    assert key not in back
