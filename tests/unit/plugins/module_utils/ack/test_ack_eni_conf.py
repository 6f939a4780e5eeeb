# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit and property tests of parse_eni_conf and set_top_level_keys (minimal edits of Terway's eni_conf)."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import eni_conf
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import EniConfError
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import parse_eni_conf
from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.eni_conf import set_top_level_keys

SETTINGS = settings(max_examples=300, deadline=None)
WANTED = {"enable_eni_trunking": True, "credential_path": "/var/addon/token-config"}
SEED = {
    "version": "1",
    "max_pool_size": 5,
    "min_pool_size": 0,
    "vswitches": {"cn-hangzhou-i": ["vsw-0001", "vsw-0002"], "cn-hangzhou-j": ["vsw-0003"]},
    "eni_tags": {"ack.aliyun.com": "c0123456789"},
    "service_cidr": "172.16.0.0/16",
    "security_group": "sg-0123456789",
    "vswitch_selection_policy": "ordered",
}
TRICKY = (
    '{"a": "}{,:\\"\\\\", "b\\"}": {"c": ["]", "\\"", {"d": "\\u007d\\u005d"}], "e": "\\\\"},'
    ' "enable_eni_trunking": false, "z": "\\ud83d\\ude00\\n"}\n'
)


def seed_text(conf=None):
    """The ConfigMap's eni_conf as ACK writes it: indent 2 and a final newline."""
    return json.dumps(SEED if conf is None else conf, indent=2) + "\n"


def value_span(text, key):
    """Start and end of the value of top-level ``key`` in json.dumps(..., indent=2) output (test-side oracle)."""
    start = text.index(f'\n  "{key}": ') + len(f'\n  "{key}": ')
    end = start + len(json.dumps(json.loads(text)[key]))
    return start, end


def error_of(text):
    """The EniConfError message parse_eni_conf raises for text."""
    with pytest.raises(EniConfError) as info:
        parse_eni_conf(text)
    return str(info.value)


def json_error(text):
    """The message promised for invalid JSON, built from json's own error (its wording varies across Pythons)."""
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    exc = info.value
    return f"eni_conf is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"


# --- set_top_level_keys on fixed inputs ---------------------------------------------------------


def test_seed_gains_both_keys_after_last_member():
    text = seed_text()
    new_text, changed = set_top_level_keys(text, WANTED)
    assert changed == ["enable_eni_trunking", "credential_path"]
    assert new_text == seed_text({**SEED, **WANTED})
    assert new_text.startswith(text[:-3]) and new_text.endswith('"\n}\n')
    assert list(json.loads(new_text)) == list(SEED) + list(WANTED)


def test_false_becomes_true_changing_only_that_token():
    text = seed_text({**SEED, "enable_eni_trunking": False, "credential_path": WANTED["credential_path"]})
    start, end = value_span(text, "enable_eni_trunking")
    assert text[start:end] == "false"
    new_text, changed = set_top_level_keys(text, WANTED)
    assert changed == ["enable_eni_trunking"]
    assert new_text == text[:start] + "true" + text[end:]


def test_already_set_returns_same_object():
    text = seed_text({**SEED, **WANTED})
    new_text, changed = set_top_level_keys(text, WANTED)
    assert new_text is text
    assert changed == []


def test_equal_value_left_byte_for_byte_even_if_spelled_differently():
    text = '{"a": 1.50, "b": "\\u0041", "c": {"y": 1, "x": [true]}}'
    new_text, changed = set_top_level_keys(text, {"a": 1.5, "b": "A", "c": {"x": [True], "y": 1}})
    assert new_text is text
    assert changed == []


@pytest.mark.parametrize(
    "old, new, rendered",
    [
        ("1", True, "true"),
        ("true", 1, "1"),
        ("1", 1.0, "1.0"),
        ("1.0", 1, "1"),
        ("0", False, "false"),
        ("null", False, "false"),
        ('"1"', 1, "1"),
        ("[1]", [True], "[true]"),
        ('{"x": 1}', {"x": 1.0}, '{"x": 1.0}'),
    ],
)
def test_values_compare_type_strictly(old, new, rendered):
    text = '{"k": ' + old + ', "z": 0}'
    assert set_top_level_keys(text, {"k": new}) == ('{"k": ' + rendered + ', "z": 0}', ["k"])


def test_container_values_are_rendered_compactly():
    text = seed_text({"a": 1, "b": 2})
    new_text, changed = set_top_level_keys(text, {"a": {"x": [1, "é"]}, "c": []})
    assert changed == ["a", "c"]
    assert new_text == '{\n  "a": {"x": [1, "é"]},\n  "b": 2,\n  "c": []\n}\n'


def test_compact_json():
    text = json.dumps(SEED, separators=(",", ":"))
    new_text, changed = set_top_level_keys(text, WANTED)
    assert changed == list(WANTED)
    assert new_text == json.dumps({**SEED, **WANTED}, separators=(",", ":"))


def test_one_line_json_with_spaces():
    text = json.dumps({**SEED, "enable_eni_trunking": False})
    new_text, changed = set_top_level_keys(text, WANTED)
    assert changed == list(WANTED)
    assert new_text == json.dumps({**SEED, **WANTED})


def test_single_member_copies_what_it_has():
    assert set_top_level_keys('{ "a": 1 }', {"b": 2}) == ('{ "a": 1, "b": 2 }', ["b"])
    assert set_top_level_keys('{"a" :\t1}', {"b": 2}) == ('{"a" :\t1, "b" :\t2}', ["b"])
    assert set_top_level_keys('{"a": 1}', {"b": 2}) == ('{"a": 1, "b": 2}', ["b"])
    assert set_top_level_keys('{"a":1}', {"b": 2}) == ('{"a":1,"b":2}', ["b"])


def test_unusual_whitespace_and_crlf():
    text = ' \r\n{\r\n\t"a"\t:  false ,\r\n\t"b" :[ 1 ,2 ]\r\n}\r\n '
    new_text, changed = set_top_level_keys(text, {"a": True, "c": "x"})
    assert changed == ["a", "c"]
    assert new_text == ' \r\n{\r\n\t"a"\t:  true ,\r\n\t"b" :[ 1 ,2 ],\r\n\t"c" :"x"\r\n}\r\n '


def test_replacing_and_appending_after_the_last_value():
    new_text, changed = set_top_level_keys('{"a": 1,\n "b": false\n}', {"b": True, "c": None})
    assert changed == ["b", "c"]
    assert new_text == '{"a": 1,\n "b": true,\n "c": null\n}'


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{}", '{"enable_eni_trunking": true, "credential_path": "/var/addon/token-config"}'),
        ("{}\n", '{"enable_eni_trunking": true, "credential_path": "/var/addon/token-config"}\n'),
        ("\n { \n }\n", '\n {"enable_eni_trunking": true, "credential_path": "/var/addon/token-config"}\n'),
    ],
)
def test_empty_object(text, expected):
    assert set_top_level_keys(text, WANTED) == (expected, list(WANTED))


def test_nested_tricky_strings():
    new_text, changed = set_top_level_keys(TRICKY, WANTED)
    assert changed == list(WANTED)
    start = TRICKY.index("false")
    tail = ', "credential_path": "/var/addon/token-config"}\n'
    assert new_text == TRICKY[:start] + "true" + TRICKY[start + 5 : -2] + tail
    assert json.loads(new_text) == {**json.loads(TRICKY), **WANTED}


def test_tricky_value_replaced_by_span():
    text = '{"a": {"s": "}\\"]", "t": [{}, []]}, "b": "\\\\\\"", "c": 0}'
    new_text, changed = set_top_level_keys(text, {"a": 1, "b": "}"})
    assert changed == ["a", "b"]
    assert new_text == '{"a": 1, "b": "}", "c": 0}'


def test_escaped_key_names_are_compared_decoded():
    text = '{\n  "enable_eni\\u005ftrunking": false,\n  "credential\\u005fpath": "/old"\n}\n'
    new_text, changed = set_top_level_keys(text, WANTED)
    assert changed == list(WANTED)
    assert new_text == text.replace("false", "true").replace('"/old"', '"/var/addon/token-config"')


def test_new_keys_needing_escapes_are_written_as_json():
    new_text, changed = set_top_level_keys('{"a": 1}', {'q"\\ü\n': "é\u2028"})
    assert changed == ['q"\\ü\n']
    assert new_text == '{"a": 1, "q\\"\\\\ü\\n": "é\u2028"}'


def test_non_string_values_are_normalised_as_json_reads_them():
    text = '{"a": [1, 2], "b": {"1": true}}'
    assert set_top_level_keys(text, {"a": (1, 2), "b": {1: True}}) == (text, [])


def test_invalid_values_are_refused_before_any_edit():
    with pytest.raises(TypeError):
        set_top_level_keys("{}", {1: True})
    with pytest.raises(TypeError):
        set_top_level_keys("{}", {"a": object()})
    with pytest.raises(ValueError):
        set_top_level_keys("{}", {"a": float("nan")})


def test_invalid_input_is_refused_not_edited():
    with pytest.raises(EniConfError, match="not valid JSON"):
        set_top_level_keys('{"a": 1,}', WANTED)
    with pytest.raises(EniConfError, match="more than once"):
        set_top_level_keys('{"enable_eni_trunking": false, "enable_eni_trunking": true}', WANTED)


def test_postcondition_is_live(monkeypatch):
    monkeypatch.setattr(eni_conf, "_apply_edits", lambda text, edits: '{"a": 2}')
    with pytest.raises(AssertionError, match="intended values"):
        set_top_level_keys('{"a": 1}', {"a": 3})
    monkeypatch.setattr(eni_conf, "_apply_edits", lambda text, edits: '{"b": 2, "a": 1}')
    with pytest.raises(AssertionError, match="key order"):
        set_top_level_keys('{"a": 1}', {"b": 2})
    monkeypatch.setattr(eni_conf, "_apply_edits", lambda text, edits: '{"a": 1,}')
    with pytest.raises(AssertionError, match="does not parse"):
        set_top_level_keys('{"a": 1}', {"b": 2})


# --- parse_eni_conf -------------------------------------------------------------------------------


def test_parse_returns_the_object():
    assert parse_eni_conf(seed_text()) == SEED


@pytest.mark.parametrize("text", ["", None, b"{}", {}, "  \n\t\r"])
def test_parse_empty(text):
    assert error_of(text) == "eni_conf is empty"


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"a": 1', "eni_conf is not valid JSON: Expecting ',' delimiter (line 1, column 8)"),
        ('{\n  "a": [1,\n', "eni_conf is not valid JSON: Expecting value (line 3, column 1)"),
        (
            "{'a': 1}",
            "eni_conf is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)",
        ),
        ('{"a": 1} x', "eni_conf is not valid JSON: Extra data (line 1, column 10)"),
        ('{"a": NaN}', "eni_conf is not valid JSON: NaN is not allowed (line 1, column 7)"),
        (
            '{"NaN": "Infinity",\n "b": [-Infinity]}',
            "eni_conf is not valid JSON: -Infinity is not allowed (line 2, column 8)",
        ),
        ('{"a": Infinity}', "eni_conf is not valid JSON: Infinity is not allowed (line 1, column 7)"),
    ],
)
def test_parse_invalid_json(text, message):
    assert error_of(text) == message


@pytest.mark.parametrize("text", ['{"a": 1,}', '{"a": [1, 2,]}', '{"a": "\x01"}', "\ufeff{}"])
def test_parse_invalid_json_in_json_wording(text):
    assert error_of(text) == json_error(text)


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="Python 3.13 words trailing-comma errors differently")
def test_trailing_comma_message():
    assert error_of('{\n  "a": 1,\n}\n') == (
        "eni_conf is not valid JSON: Expecting property name enclosed in double quotes (line 3, column 1)"
    )


@pytest.mark.parametrize(
    "text, name",
    [
        ("[]", "array"),
        ('[{"a": 1}]', "array"),
        ('"{}"', "string"),
        ("null", "null"),
        ("1", "number"),
        ("-1.5e3", "number"),
        ("true", "boolean"),
        ("false", "boolean"),
    ],
)
def test_parse_not_an_object(text, name):
    assert error_of(text) == f"eni_conf must be a JSON object, not {name}"


@pytest.mark.parametrize(
    "text, key",
    [
        ('{"a": 1, "b": 2, "a": 1}', "a"),
        ('{"b": 1, "a": {"x": 1, "x": 2}, "c": 0, "b": 2}', "b"),
        ('{"a": 1, "\\u0061": 1}', "a"),
    ],
)
def test_parse_duplicate_top_level_key(text, key):
    assert error_of(text) == f'eni_conf has the key "{key}" more than once'


def test_parse_allows_duplicates_below_the_top_level():
    assert parse_eni_conf('{"a": {"x": 1, "x": 2}}') == {"a": {"x": 2}}


def test_parse_too_large_for_python():
    assert error_of('{"a": ' + "1" * 5000 + "}").startswith("eni_conf cannot be parsed: ")
    assert error_of("[" * 100000 + "]" * 100000).startswith("eni_conf cannot be parsed: ")


# --- properties ---------------------------------------------------------------------------------

WS = " \t\n\r"
PUNCTUATION = '{}[],:"\\/ \n\t\x00\u2028'
texts = st.text(st.one_of(st.sampled_from(PUNCTUATION), st.characters(), st.sampled_from("abcé😀")), max_size=8)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)),
    max_leaves=12,
)
objects = st.dictionaries(texts, json_values, max_size=6)
whitespace = st.text(st.sampled_from(WS), max_size=3)


def same_json(left, right):
    """Test-side type-strict equality of parsed JSON (bool is not int, int is not float)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_json(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same_json(a, b) for a, b in zip(left, right))
    return left == right


@st.composite
def edits_for(draw, old):
    """Values to set: a mix of existing keys (sometimes with their current value) and new keys."""
    keys = draw(
        st.lists(st.sampled_from(sorted(old)) | texts, unique=True, max_size=4)
        if old
        else st.lists(texts, unique=True, max_size=4)
    )
    return {key: draw(st.just(old[key]) | json_values if key in old else json_values) for key in keys}


def expected_changes(old, values):
    """Keys set_top_level_keys must report, computed independently of it."""
    return [key for key in values if key not in old or not same_json(old[key], values[key])]


def check_common(old_text, new_text, changed, old, values):
    """What holds for every edit: meaning, key order, idempotence, and untouched text."""
    new = json.loads(new_text)
    assert same_json(new, {**old, **values})
    assert list(new) == list(old) + [key for key in values if key not in old]
    assert changed == expected_changes(old, values)
    if not changed:
        assert new_text is old_text
    again, changed_again = set_top_level_keys(new_text, values)
    assert again is new_text and changed_again == []


@SETTINGS
@given(
    old=objects,
    data=st.data(),
    indent=st.sampled_from([None, 0, 2, 4, "\t"]),
    item_separator=st.sampled_from([",", ", "]),
    key_separator=st.sampled_from([":", ": "]),
    ensure_ascii=st.booleans(),
    before=whitespace,
    after=st.sampled_from(["", "\n", " \n", "\r\n"]),
)
def test_property_dumped_objects(old, data, indent, item_separator, key_separator, ensure_ascii, before, after):
    values = data.draw(edits_for(old))
    options = {"indent": indent, "separators": (item_separator, key_separator), "ensure_ascii": ensure_ascii}
    old_text = before + json.dumps(old, **options) + after
    new_text, changed = set_top_level_keys(old_text, values)
    check_common(old_text, new_text, changed, old, values)

    # Untouched members keep their text: rendered alone at the same depth, they must still be found.
    for key in old:
        if key not in changed:
            member = json.dumps({key: old[key]}, **options)[1:-1].strip(WS)
            assert member in new_text

    # Exact text: what json.dumps gives for the new object, with each set value (and added key) in the
    # form set_top_level_keys writes: compact, not ASCII-escaped. A single member's lead is the
    # whitespace after "{" - or, on one line, a space when the key separator has one - which can differ
    # from json's item separator; an empty object gets the one-line form.
    one_line_item_separator = ", " if " " in key_separator else ","
    if old and (
        len(old) > 1
        or (indent is None and item_separator == one_line_item_separator)
        or (indent is not None and item_separator == ",")
    ):
        marked = dict(old)
        written = {}
        for index, key in enumerate(changed):
            value_mark = f"@mark-value-{index}@"
            written[value_mark] = json.dumps(values[key], ensure_ascii=False)
            if key in old:
                marked[key] = value_mark
            else:
                marked[f"@mark-key-{index}@"] = value_mark
                written[f"@mark-key-{index}@"] = json.dumps(key, ensure_ascii=False)
        expected = json.dumps(marked, **options)
        for mark, text in written.items():
            assert expected.count(json.dumps(mark)) == 1
            expected = expected.replace(json.dumps(mark), text)
        assert new_text == before + expected + after
    elif not old and changed:
        members = ", ".join(
            f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(values[key], ensure_ascii=False)}" for key in changed
        )
        assert new_text == before + "{" + members + "}" + after


def escape_all(text):
    """A JSON string literal spelling every UTF-16 code unit as \\uXXXX."""
    units = text.encode("utf-16-be", "surrogatepass")
    return '"' + "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)) + '"'


def render_string(draw, text):
    """A JSON string literal for text in one of several legal spellings."""
    style = draw(st.sampled_from(["plain", "ascii", "escaped"]))
    if style == "escaped":
        return escape_all(text)
    return json.dumps(text, ensure_ascii=style == "ascii")


def render(draw, value):
    """JSON text for value with random whitespace between every pair of tokens."""
    if isinstance(value, dict):
        items = [
            draw(whitespace)
            + render_string(draw, key)
            + draw(whitespace)
            + ":"
            + draw(whitespace)
            + render(draw, item)
            + draw(whitespace)
            for key, item in value.items()
        ]
        return "{" + (",".join(items) if items else draw(whitespace)) + "}"
    if isinstance(value, list):
        items = [draw(whitespace) + render(draw, item) + draw(whitespace) for item in value]
        return "[" + (",".join(items) if items else draw(whitespace)) + "]"
    if isinstance(value, str):
        return render_string(draw, value)
    return json.dumps(value)


@st.composite
def spaced_documents(draw):
    """(text, old, members, open, close): a top-level object with random spacing, and its spans as written.

    members holds (key, lead, separator, value_start, value_end) per member, recorded while writing,
    so the expected edit can be computed without scanning the text.
    """
    old = draw(objects)
    text = draw(whitespace) + "{"
    open_pos = len(text) - 1
    members = []
    for index, (key, value) in enumerate(old.items()):
        if index:
            text += ","
        lead = draw(whitespace)
        separator = draw(whitespace) + ":" + draw(whitespace)
        text += lead + render_string(draw, key) + separator
        value_start = len(text)
        text += render(draw, value)
        members.append((key, lead, separator, value_start, len(text)))
        text += draw(whitespace)
    if not old:
        text += draw(whitespace)
    close_pos = len(text)
    text += "}" + draw(whitespace)
    return text, old, members, open_pos, close_pos


@SETTINGS
@given(document=spaced_documents(), data=st.data())
def test_property_random_spacing_and_escapes(document, data):
    old_text, old, members, open_pos, close_pos = document
    values = data.draw(edits_for(old))
    new_text, changed = set_top_level_keys(old_text, values)
    check_common(old_text, new_text, changed, old, values)

    added = [key for key in changed if key not in old]
    edits = [
        (member[3], member[4], json.dumps(values[member[0]], ensure_ascii=False))
        for member in members
        if member[0] in changed
    ]
    if added and members:
        lead, separator, end = members[-1][1], members[-1][2], members[-1][4]
        if not lead and len(members) == 1 and " " in separator:
            lead = " "
        insert = "".join(
            f",{lead}{json.dumps(key, ensure_ascii=False)}{separator}{json.dumps(values[key], ensure_ascii=False)}"
            for key in added
        )
        edits.append((end, end, insert))
    elif added:
        body = ", ".join(
            f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(values[key], ensure_ascii=False)}" for key in added
        )
        edits.append((open_pos, close_pos + 1, "{" + body + "}"))
    expected = old_text
    for start, end, replacement in sorted(edits, reverse=True):
        expected = expected[:start] + replacement + expected[end:]
    assert new_text == expected
