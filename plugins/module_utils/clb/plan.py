# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What to add to and remove from an ACL for each state, and in which order (pure functions).

- ``merged``: add the missing entries; remove nothing.
- ``replaced``: add the missing ones; remove the entries carrying this collection's comment marker
  that are not listed. Foreign entries stay.
- ``overridden``: the ACL holds exactly the listed entries (and the ``protect`` networks).
- ``deleted``: remove the listed entries that this collection wrote (none listed: all of them).
An entry already there under another comment satisfies the wish and is left as it is (reported).

Order: make-before-break, adds first, then removes, 50 per call. When adding first would pass the
300-entry quota, just enough of the removals go first; a final count over the quota is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import List
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import MAX_PER_ACL
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import MAX_PER_CALL
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import Entry
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError


@dataclass
class AclPlan:
    add: List[Entry] = field(default_factory=list)
    remove: List[Entry] = field(default_factory=list)
    after: List[Entry] = field(default_factory=list)
    kept: List[Entry] = field(default_factory=list)  # foreign entries that a wish did not remove
    comment_differs: List[Tuple[Entry, Entry]] = field(default_factory=list)  # (wanted, live)

    @property
    def changes(self) -> bool:
        return bool(self.add or self.remove)


def plan(state: str, wanted: List[Entry], current: List[Entry], protect: List = ()) -> AclPlan:
    by_net = {entry.network: entry for entry in current}
    wanted_nets = {entry.network for entry in wanted}
    result = AclPlan()
    result.comment_differs = [
        (w, by_net[w.network]) for w in wanted if w.network in by_net and by_net[w.network].comment != w.comment
    ]
    if state == "deleted":
        targets = wanted_nets if wanted else {e.network for e in current if e.ours}
        result.remove = [e for e in current if e.network in targets and e.ours]
        result.kept = [e for e in current if e.network in targets and not e.ours]
    else:
        result.add = [w for w in wanted if w.network not in by_net]
        if state == "replaced":
            result.remove = [e for e in current if e.ours and e.network not in wanted_nets]
        elif state == "overridden":
            result.remove = [e for e in current if e.network not in wanted_nets and not _protected(e, protect)]
    removed = {e.network for e in result.remove}
    result.after = [e for e in current if e.network not in removed] + result.add
    return result


def _protected(entry: Entry, protect: List) -> bool:
    return any(entry.network.version == net.version and entry.network.subnet_of(net) for net in protect)


def steps(acl_plan: AclPlan, current_count: int, quota: int = MAX_PER_ACL) -> List[Tuple[str, List[Entry]]]:
    """[("add" | "remove", chunk of at most 50)] in the order they are sent."""
    final = current_count + len(acl_plan.add) - len(acl_plan.remove)
    if final > quota:
        raise PlanError(
            f"the ACL would hold {final} entries; a CLB ACL holds at most {quota} "
            f"({current_count} now, {len(acl_plan.add)} to add, {len(acl_plan.remove)} to remove)"
        )
    first = max(current_count + len(acl_plan.add) - quota, 0)
    early, late = acl_plan.remove[:first], acl_plan.remove[first:]
    return _chunks("remove", early) + _chunks("add", acl_plan.add) + _chunks("remove", late)


def _chunks(kind: str, entries: List[Entry]) -> List[Tuple[str, List[Entry]]]:
    return [(kind, entries[i : i + MAX_PER_CALL]) for i in range(0, len(entries), MAX_PER_CALL)]
