# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reads and writes of one CLB ACL through the SLB backend: found by exact name across every page (the
API's name filter is fuzzy), its entries read page by page until ``TotalAclEntry`` are held."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import Iterator
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import MAX_PER_CALL
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import Entry
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.entries import live
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError

NEW_ACL = "<the new ACL's id>"  # in plans and rendered calls, before the ACL exists
PAGE_SIZE = 50
MAX_PAGES = 100  # 5000 ACLs or entries: far above any quota, a bound against an endpoint that pages forever


@dataclass
class AclState:
    acl_id: str
    name: str
    ip_version: str
    entries: List[Entry] = field(default_factory=list)
    related: List[Dict[str, Any]] = field(default_factory=list)  # RelatedListeners

    @property
    def bound_as_whitelist(self) -> List[Dict[str, Any]]:
        return [item for item in self.related if item.get("AclType") == "white"]


def _check_chunk(entries: List[Entry]) -> None:
    if not entries or len(entries) > MAX_PER_CALL:
        raise OperationError(f"{len(entries)} entries in one call; the plan sends 1 to {MAX_PER_CALL}")


def add_params(acl_id: str, entries: List[Entry]) -> Dict[str, Any]:
    """The parameters of one AddAccessControlListEntry call (sent, or rendered)."""
    _check_chunk(entries)
    return {"AclId": acl_id, "AclEntrys": json.dumps([entry.payload() for entry in entries])}


class AclApi:
    def __init__(self, slb: Any) -> None:
        self.slb = slb

    def _pages(self, action: str, number_param: str, items_at: tuple, total_key: str, **params: Any) -> Iterator:
        """(page, its items) of a paged Describe call, until ``total_key`` items were seen (or a page is empty)."""
        seen = 0
        for number in range(1, MAX_PAGES + 1):
            page = self.slb.call(action, **{number_param: number, "PageSize": PAGE_SIZE}, **params)
            items = (page.get(items_at[0]) or {}).get(items_at[1]) or []
            yield page, items
            seen += len(items)
            if not items or seen >= int(page.get(total_key) or 0):
                return
        raise OperationError(f"{action} still had pages after {MAX_PAGES}; stopped")

    def find(self, name: str) -> Optional[Dict[str, Any]]:
        """The ACL named exactly ``name``, or None."""
        for _page, acls in self._pages(
            "DescribeAccessControlLists", "PageNumber", ("Acls", "Acl"), "TotalCount", AclName=name
        ):
            exact = [acl for acl in acls if acl.get("AclName") == name]
            if exact:
                return exact[0]
        return None

    def read(self, acl_id: str) -> AclState:
        items: List[Dict[str, Any]] = []
        page: Dict[str, Any] = {}
        for page, chunk in self._pages(
            "DescribeAccessControlListAttribute", "Page", ("AclEntrys", "AclEntry"), "TotalAclEntry", AclId=acl_id
        ):
            items += chunk
        related = (page.get("RelatedListeners") or {}).get("RelatedListener") or []
        return AclState(acl_id, page.get("AclName") or "", page.get("AddressIPVersion") or "ipv4", live(items), related)

    def create(self, name: str, ip_version: str) -> str:
        return self.slb.call("CreateAccessControlList", AclName=name, AddressIPVersion=ip_version)["AclId"]

    def add(self, acl_id: str, entries: List[Entry]) -> None:
        self.slb.call("AddAccessControlListEntry", **add_params(acl_id, entries))

    def remove(self, acl_id: str, entries: List[Entry]) -> None:
        _check_chunk(entries)
        self.slb.call(
            "RemoveAccessControlListEntry",
            AclId=acl_id,
            AclEntrys=json.dumps([{"entry": entry.text} for entry in entries]),
        )
