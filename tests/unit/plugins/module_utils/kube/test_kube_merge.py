"""RFC 7386 merge patches: the smallest diff, and applying it gives the target back."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import apply_merge_patch
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.merge import merge_patch_diff

_SCALARS = st.one_of(st.booleans(), st.integers(-5, 5), st.text(max_size=3), st.lists(st.integers(0, 3), max_size=3))
_DOCS = st.recursive(_SCALARS, lambda inner: st.dictionaries(st.sampled_from("abcd"), inner, max_size=4), max_leaves=12)
_OBJECTS = st.dictionaries(st.sampled_from("abcde"), _DOCS, max_size=5)


def test_removed_keys_become_null_and_lists_are_replaced_whole():
    old = {
        "spec": {
            "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "1h"},
            "vSwitchOptions": ["vsw-a", "vsw-b"],
        }
    }
    new = {"spec": {"allocationType": {"type": "Fixed", "releaseStrategy": "Never"}, "vSwitchOptions": ["vsw-b"]}}
    assert merge_patch_diff(old, new) == {
        "spec": {"allocationType": {"releaseStrategy": "Never", "releaseAfter": None}, "vSwitchOptions": ["vsw-b"]}
    }


def test_equal_documents_give_an_empty_patch_and_types_count():
    assert merge_patch_diff({"a": {"b": [1]}}, {"a": {"b": [1]}}) == {}
    assert merge_patch_diff({"a": 1}, {"a": True}) == {"a": True}


def test_only_objects_are_diffed():
    with pytest.raises(TypeError):
        merge_patch_diff([], {})


@given(_OBJECTS, _OBJECTS)
def test_applying_the_diff_gives_the_target(old, new):
    patch = merge_patch_diff(old, new)
    assert apply_merge_patch(old, patch) == new
    # as JSON sees them: Python's 0 == False, but a merge patch must turn 0 into false
    assert (patch == {}) == (json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True))


@given(_OBJECTS, _OBJECTS)
def test_apply_never_mutates_its_inputs(old, new):
    before_old, patch = repr(old), merge_patch_diff(old, new)
    before_patch = repr(patch)
    apply_merge_patch(old, patch)
    assert repr(old) == before_old and repr(patch) == before_patch
