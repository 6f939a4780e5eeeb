"""Option validation helpers name the option path."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import check_items
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import int_in_range


def test_check_items_names_the_item():
    def positive(value, path):
        if value <= 0:
            raise InputError(path, f"{value} is not positive")
        return value

    assert check_items([1, 2], "ports", positive) == [1, 2]
    with pytest.raises(InputError, match=r"^ports\[2\]: -1 is not positive$"):
        check_items([1, 2, -1], "ports", positive)


@pytest.mark.parametrize("value", [0, 3601, True, "5", 2.5])
def test_int_in_range_refuses_outside_and_non_integers(value):
    with pytest.raises(InputError, match="^wait_timeout: .* must be between 1 and 3600 seconds$"):
        int_in_range(value, "wait_timeout", 1, 3600, "seconds")


def test_int_in_range_passes_none_and_bounds():
    assert int_in_range(None, "x", 1, 2) is None
    assert int_in_range(1, "x", 1, 2) == 1 and int_in_range(2, "x", 1, 2) == 2
