# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Option validation helpers: every failure is an InputError naming the option path."""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError


def check_items(values: Iterable[Any], path: str, check: Callable[[Any, str], Any]) -> List[Any]:
    """``check(value, "<path>[i]")`` for each item of a list option; returns the checked values."""
    return [check(value, f"{path}[{index}]") for index, value in enumerate(values)]


def int_in_range(value: Optional[int], path: str, low: int, high: int, unit: str = "") -> Optional[int]:
    """``value`` when it lies in [low, high] (None passes), else an InputError saying the range."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        suffix = f" {unit}" if unit else ""
        raise InputError(path, f"{value!r} must be between {low} and {high}{suffix}")
    return value
