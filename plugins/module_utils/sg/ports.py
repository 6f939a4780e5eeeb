# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Port compression: turn many tcp/udp rules into fewer ranges, only as far as asked.

``compress(rules, mode)`` with ``mode`` (the modules' ``port_compression`` option):

``exact``
    Never merges: every rule stays as given (one rule per listed port or range); only
    exact duplicates go. A range the user wrote stays one rule; nothing is split.
``adjacent``
    Merges ranges that overlap or touch (``80`` + ``81-90`` -> ``80-90``) for the same
    (direction, protocol, source, description). The result covers exactly the ports of the
    input, never one more.
``span``
    The AWS Load Balancer Controller's consolidation (aws-load-balancer-controller PR #2236):
    one rule ``min-max`` per (direction, protocol, source, description). It opens every
    port between the lowest and the highest, so it is used only when asked for.

Only tcp and udp have port ranges; ICMP, ``all`` and other protocols pass through as they
are. Rules with different descriptions are never merged (a merged rule carries one
description). Input may be ``Rule`` or ``DescribedRule``; the output has the same kind
when the input is all ``Rule``, and is sorted.
"""

from __future__ import annotations

from typing import Dict
from typing import Iterable
from typing import List
from typing import Tuple
from typing import Union

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import Rule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import described
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import unique_rules

COMPRESSION_MODES = ("exact", "adjacent", "span")


def merge_ranges(ranges: Iterable[Tuple[int, int]]) -> List[Tuple[int, int]]:
    """Sorted, merged (from, to) ranges: overlapping or touching ranges become one."""
    merged: List[Tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def span_range(ranges: Iterable[Tuple[int, int]]) -> Tuple[int, int]:
    """The one range from the lowest to the highest port."""
    ranges = list(ranges)
    return min(low for low, _high in ranges), max(high for _low, high in ranges)


def compress(rules: Iterable[Union[Rule, DescribedRule]], mode: str = "exact", path: str = "port_compression") -> list:
    """Compress tcp/udp port ranges per ``mode``; see the module docstring."""
    if mode not in COMPRESSION_MODES:
        raise InputError(path, f"{mode!r} is not one of {', '.join(COMPRESSION_MODES)}")
    rules = list(rules)
    plain = bool(rules) and all(isinstance(rule, Rule) for rule in rules)
    entries = unique_rules(described(rule) for rule in rules)
    if mode != "exact":
        entries = _merge(entries, mode)
    entries.sort(key=lambda entry: entry.sort_key())
    if plain:
        return [entry.rule for entry in entries]
    return entries


def _merge(entries: List[DescribedRule], mode: str) -> List[DescribedRule]:
    result: List[DescribedRule] = []
    groups: Dict[tuple, List[DescribedRule]] = {}
    for entry in entries:
        rule = entry.rule
        if not rule.has_port_range:
            result.append(entry)
            continue
        groups.setdefault((rule.direction, rule.protocol, rule.source, entry.description), []).append(entry)
    for (direction, protocol, source, description), members in groups.items():
        ranges = [(member.rule.from_port, member.rule.to_port) for member in members]
        merged = merge_ranges(ranges) if mode == "adjacent" else [span_range(ranges)]
        origins = sorted({member.origin for member in members if member.origin})
        origin = ", ".join(origins) if origins else None
        for low, high in merged:
            result.append(DescribedRule(Rule(direction, protocol, low, high, source), description, origin))
    return result
