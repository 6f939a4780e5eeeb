"""Access control lists: create, describe (list and attribute, both paged), entries, rename, delete.

Semantics: names unique per region (``AclNameExist``), the per-region ACL quota
(``AclNumberOverLimit``), at most ``entries_per_call`` entries per add/remove and
``entries_per_acl`` per ACL (``AclEntryExceedLimit``), an entry already present
(``InvalidParam.AclEntryExists``), a malformed CIDR (``AclEntryIllegal``) or one of the other IP
version (``IllegalEntry``), a bound ACL never deleted (``AclInUsed``) nor emptied
(``AclEntryEmpty``), and after every write a short window in which the next write to the same ACL
gets ``AclEntryProcessing``.
"""

from __future__ import annotations

import ipaddress
import re

from sandbox.alibaba import errors, params
from sandbox.alibaba.errors import SlbError
from sandbox.alibaba.model import Account, Acl, Region

_NAME = re.compile(r"^[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff.\-/]{0,79}$")
_MAX_COMMENT = 100


def _tags_view(tags: list[dict]) -> dict:
    return {"Tag": [dict(tag) for tag in tags]}


def _summary(acl: Acl) -> dict:
    return {"AclId": acl.acl_id, "AclName": acl.name, "AddressIPVersion": acl.ip_version,
            "CreateTime": acl.create_time, "ResourceGroupId": acl.resource_group_id, "Tags": _tags_view(acl.tags)}


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise errors.invalid("AclName", "It must be 1 to 80 characters, start with a letter or a Chinese "
                                        "character, and contain only letters, digits, Chinese characters, '.', "
                                        "'-', '/' and '_'.")
    return value


def _check_name_free(region: Region, name: str, except_id: str = "") -> None:
    if any(acl.name == name and acl.acl_id != except_id for acl in region.acls.values()):
        raise SlbError("AclNameExist", f"The specified acl name {name} already exists.")


def create(account: Account, p: dict) -> dict:
    region_id, region = account.region(p)
    name = _name(params.required(p, "AclName"))
    version = params.choice(p, "AddressIPVersion", ("ipv4", "ipv6"), "ipv4")
    _check_name_free(region, name)
    if len(region.acls) >= account.settings.acls_per_region:
        raise SlbError("AclNumberOverLimit", f"The number of acls in region {region_id} exceeds the limit "
                                             f"{account.settings.acls_per_region}.")
    acl_id = account.new_id("acl", region_id)
    region.acls[acl_id] = Acl(acl_id, name, version, account.now()[0], p.get("ResourceGroupId") or "rg-acfmsandbox",
                              params.tags(p))
    return {"AclId": acl_id}


def describe_many(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    number = params.integer(p, "PageNumber", 1, 1, 1_000_000)
    size = params.integer(p, "PageSize", 10, 1, 50)
    name, version = p.get("AclName"), p.get("AddressIPVersion")
    wanted_tags = params.tags(p)
    found = [acl for acl in region.acls.values()
             if (not name or name in acl.name) and (not version or acl.ip_version == version)
             and (not p.get("ResourceGroupId") or acl.resource_group_id == p["ResourceGroupId"])
             and all(tag in acl.tags for tag in wanted_tags)]
    shown = params.page(found, number, size)
    return {"Acls": {"Acl": [_summary(acl) for acl in shown]}, "TotalCount": len(found), "PageNumber": number,
            "PageSize": size, "Count": len(shown)}


def describe_one(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    acl = account.find_acl(region, p.get("AclId"))
    number = params.integer(p, "Page", 1, 1, 1_000_000)
    size = params.integer(p, "PageSize", 10, 1, 50)
    comment = p.get("AclEntryComment")
    entries = [(entry, note) for entry, note in acl.entries.items() if not comment or note == comment]
    related = [{"LoadBalancerId": lb.lb_id, "ListenerPort": listener.port, "Protocol": listener.protocol,
                "AclType": listener.acl_type} for lb, listener in account.listeners_using(region, acl.acl_id)]
    return {**_summary(acl), "TotalAclEntry": len(entries),
            "AclEntrys": {"AclEntry": [{"AclEntryIP": entry, "AclEntryComment": note}
                                       for entry, note in params.page(entries, number, size)]},
            "RelatedListeners": {"RelatedListener": related}}


def rename(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    acl = _writable(account, region, p)
    name = _name(params.required(p, "AclName"))
    _check_name_free(region, name, except_id=acl.acl_id)
    acl.name = name
    _written(account, acl)
    return {"AclId": acl.acl_id}


def delete(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    acl = _writable(account, region, p)
    users = account.listeners_using(region, acl.acl_id)
    if users:
        lb, listener = users[0]
        raise SlbError("AclInUsed", f"The acl {acl.acl_id} is used by listener {lb.lb_id}:{listener.port}; "
                                    f"unbind it first.")
    del region.acls[acl.acl_id]
    return {}


def add_entries(account: Account, p: dict) -> dict:
    _, region = account.region(p)
    acl = _writable(account, region, p)
    wanted = _entries(account, acl, params.json_list(p, "AclEntrys"), with_comments=True)
    present = {acl.network_of(entry) for entry in acl.entries}
    for entry, _ in wanted:
        if acl.network_of(entry) in present:
            raise SlbError("InvalidParam.AclEntryExists", "The specified aclEntry already exists in the acl.")
    if len(acl.entries) + len(wanted) > account.settings.entries_per_acl:
        raise SlbError("AclEntryExceedLimit", f"The maximum number of ACL entries is exceeded: the acl has "
                                              f"{len(acl.entries)}, the limit is {account.settings.entries_per_acl}.")
    acl.entries.update(wanted)
    _written(account, acl)
    return {}


def remove_entries(account: Account, p: dict) -> dict:
    """Entries that are not in the ACL are ignored; a listener-bound ACL is never left empty."""
    _, region = account.region(p)
    acl = _writable(account, region, p)
    doomed = {acl.network_of(entry) for entry, _ in _entries(account, acl, params.json_list(p, "AclEntrys"),
                                                            with_comments=False)}
    remaining = [entry for entry in acl.entries if acl.network_of(entry) not in doomed]
    if not remaining and account.listeners_using(region, acl.acl_id):
        raise SlbError("AclEntryEmpty", f"The acl {acl.acl_id} is bound to a listener and cannot be left "
                                        f"without entries.")
    acl.entries = {entry: acl.entries[entry] for entry in remaining}
    _written(account, acl)
    return {}


def _entries(account: Account, acl: Acl, items: list[dict], with_comments: bool) -> list[tuple[str, str]]:
    """Validate a parsed AclEntrys list; duplicates within the request are dropped."""
    if not items:
        raise errors.invalid("AclEntrys", "It contains no entry.")
    if len(items) > account.settings.entries_per_call:
        raise SlbError("AclEntryExceedLimit", f"At most {account.settings.entries_per_call} entries can be "
                                              f"added or removed in one call; got {len(items)}.")
    seen, result = set(), []
    for item in items:
        entry = item.get("entry")
        if not isinstance(entry, str) or not entry:
            raise errors.invalid("AclEntrys", "Every item needs an \"entry\".")
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            raise SlbError("AclEntryIllegal", f"The acl entry {entry} is not a valid IP address or CIDR block."
                           ) from None
        if f"ipv{network.version}" != acl.ip_version:
            raise SlbError("IllegalEntry", "Entry version is conflict to the acl version.")
        comment = item.get("comment", "") if with_comments else ""
        if not isinstance(comment, str) or len(comment) > _MAX_COMMENT or any(ord(c) < 32 for c in comment):
            raise SlbError("InvalidParam.Comment", "The specified comment is invalid.")
        if network not in seen:
            seen.add(network)
            result.append((entry, comment))
    return result


def _writable(account: Account, region: Region, p: dict) -> Acl:
    """The ACL a write names. Writes to one ACL are serialised by the service: one that arrives inside the
    window of the last successful write fails before anything else is checked."""
    acl = account.find_acl(region, p.get("AclId"))
    if account.clock() < acl.busy_until:
        raise SlbError("AclEntryProcessing", f"The acl {acl.acl_id} is processing a previous request, "
                                             f"please try again later.")
    return acl


def _written(account: Account, acl: Acl) -> None:
    acl.busy_until = account.clock() + account.settings.acl_processing_ms / 1000.0
