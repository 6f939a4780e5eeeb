"""Access control lists through the official Python SDK (alibabacloud-slb20140515), against the emulator."""

from __future__ import annotations

import json
import time

import pytest
from alibabacloud_slb20140515 import models
from slb_support import REGION, acl_attribute, add, create_acl, entries, fails, remove


def test_create_then_describe_by_fuzzy_name_with_paging(slb):
    client = slb.client()
    ids = [create_acl(client, f"uat-db-{i:02d}") for i in range(23)]
    create_acl(client, "prod-db")
    pages = []
    for number in (1, 2, 3):
        body = client.describe_access_control_lists(models.DescribeAccessControlListsRequest(
            region_id=REGION, acl_name="uat-db", page_number=number, page_size=10)).body
        assert (body.total_count, body.page_number, body.page_size) == (23, number, 10)
        pages.append([acl.acl_id for acl in body.acls.acl])
    assert [len(page) for page in pages] == [10, 10, 3]
    assert sum(pages, []) == ids  # in creation order, each exactly once
    default = client.describe_access_control_lists(models.DescribeAccessControlListsRequest(region_id=REGION)).body
    assert (default.page_size, default.count, default.total_count) == (10, 10, 24)


def test_page_size_is_bounded(slb):
    error = fails(slb.client().describe_access_control_lists,
                  models.DescribeAccessControlListsRequest(region_id=REGION, page_size=51))
    assert (error.code, error.status_code) == ("InvalidParameter", 400)


def test_names_are_unique_per_region_and_checked(slb):
    client = slb.client()
    create_acl(client, "uat-db")
    assert fails(create_acl, client, "uat-db").code == "AclNameExist"
    assert create_acl(client, "uat-db", region="cn-shanghai").startswith("acl-uf6")
    for bad in ("", "9starts-with-digit", "has space", "x" * 81):
        assert fails(create_acl, client, bad).code in ("InvalidParameter", "MissingParameter"), bad


def test_acls_per_region_quota(slb):
    slb.app.account.settings.acls_per_region = 3
    client = slb.client()
    for i in range(3):
        create_acl(client, f"acl-{i}")
    error = fails(create_acl, client, "one-too-many")
    assert (error.code, error.status_code) == ("AclNumberOverLimit", 400)
    assert create_acl(client, "acl-0", region="cn-beijing")  # the quota is per region


def test_entries_keep_their_comments_and_page_with_total(slb):
    client = slb.client()
    acl = create_acl(client, "uat-db")
    add(client, acl, *[(f"192.168.64.{i}/32", f"kubeguard:abc-185-7db8e/pod-{i}") for i in range(1, 24)])
    seen = []
    for page in (1, 2, 3):
        body = acl_attribute(client, acl, page=page, page_size=10)
        assert body.total_acl_entry == 23
        seen += [(e.acl_entry_ip, e.acl_entry_comment) for e in body.acl_entrys.acl_entry]
    assert seen == [(f"192.168.64.{i}/32", f"kubeguard:abc-185-7db8e/pod-{i}") for i in range(1, 24)]
    assert len(acl_attribute(client, acl).acl_entrys.acl_entry) == 10  # no Page/PageSize: the first 10 only
    filtered = acl_attribute(client, acl, acl_entry_comment="kubeguard:abc-185-7db8e/pod-7")
    assert [e.acl_entry_ip for e in filtered.acl_entrys.acl_entry] == ["192.168.64.7/32"]


def test_add_rejects_existing_bad_and_mismatched_entries(slb):
    client = slb.client()
    acl = create_acl(client, "uat-db")
    add(client, acl, "10.0.0.1/32", ("10.0.0.2/32", "x"), ("10.0.0.2/32", "duplicate in one request"))
    assert [e.acl_entry_ip for e in acl_attribute(client, acl).acl_entrys.acl_entry] == ["10.0.0.1/32", "10.0.0.2/32"]
    assert fails(add, client, acl, "10.0.0.1").code == "InvalidParam.AclEntryExists"  # same network, other spelling
    for bad in ("10.0.0.300/32", "10.0.0.5/24", "not-an-ip"):
        assert fails(add, client, acl, bad).code == "AclEntryIllegal", bad
    assert fails(add, client, acl, "2001:db8::1/128").code == "IllegalEntry"
    v6 = create_acl(client, "uat-db-v6", version="ipv6")
    assert fails(add, client, v6, "10.0.0.9/32").code == "IllegalEntry"
    add(client, v6, "2001:db8::1/128")
    assert fails(add, client, acl, ("10.0.0.3/32", "x" * 101)).code == "InvalidParam.Comment"
    assert len(acl_attribute(client, acl).acl_entrys.acl_entry) == 2  # nothing of the failed calls was written


def test_malformed_entry_json_is_invalid_parameter(slb):
    client = slb.client()
    acl = create_acl(client, "uat-db")
    for raw in ('[{"entry": "10.0.0.1/32"', '{"entry": "10.0.0.1/32"}', "[]", '[{"comment": "x"}]'):
        error = fails(client.add_access_control_list_entry, models.AddAccessControlListEntryRequest(
            region_id=REGION, acl_id=acl, acl_entrys=raw))
        assert (error.code, error.status_code) == ("InvalidParameter", 400), raw


def test_fifty_entries_per_call_and_three_hundred_per_acl(slb):
    client = slb.client()
    acl = create_acl(client, "big")
    batch = [f"10.1.{i // 250}.{i % 250 + 1}/32" for i in range(301)]
    assert fails(add, client, acl, *batch[:51]).code == "AclEntryExceedLimit"
    for start in range(0, 300, 50):
        add(client, acl, *batch[start:start + 50])
    assert acl_attribute(client, acl).total_acl_entry == 300
    error = fails(add, client, acl, batch[300])
    assert (error.code, error.status_code) == ("AclEntryExceedLimit", 400)
    assert fails(remove, client, acl, *batch[:51]).code == "AclEntryExceedLimit"
    remove(client, acl, *batch[:50])
    assert acl_attribute(client, acl).total_acl_entry == 250


def test_remove_ignores_absent_entries(slb):
    client = slb.client()
    acl = create_acl(client, "uat-db")
    add(client, acl, "10.0.0.1/32", "10.0.0.2/32")
    remove(client, acl, "10.0.0.1", "10.9.9.9/32")  # another spelling of an entry, and one that is not there
    assert [e.acl_entry_ip for e in acl_attribute(client, acl).acl_entrys.acl_entry] == ["10.0.0.2/32"]


def _bind(client, acl_id: str, port: int = 3306) -> str:
    lb = client.create_load_balancer(models.CreateLoadBalancerRequest(
        region_id=REGION, address_type="intranet", v_switch_id="vsw-bp1db00node0h0000000d")).body.load_balancer_id
    client.create_load_balancer_tcplistener(models.CreateLoadBalancerTCPListenerRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=port, backend_server_port=port, bandwidth=-1,
        acl_status="on", acl_type="white", acl_id=acl_id))
    return lb


def test_a_bound_acl_is_never_deleted_nor_emptied(slb):
    client = slb.client()
    acl = create_acl(client, "uat-db")
    add(client, acl, "10.0.0.1/32", "10.0.0.2/32")
    lb = _bind(client, acl)
    related = acl_attribute(client, acl).related_listeners.related_listener
    assert [(r.load_balancer_id, r.listener_port, r.protocol, r.acl_type) for r in related] == \
        [(lb, 3306, "tcp", "white")]
    error = fails(client.delete_access_control_list, models.DeleteAccessControlListRequest(region_id=REGION,
                                                                                           acl_id=acl))
    assert error.code == "AclInUsed" and lb in error.message
    assert fails(remove, client, acl, "10.0.0.1/32", "10.0.0.2/32").code == "AclEntryEmpty"
    remove(client, acl, "10.0.0.1/32")  # leaving one entry is fine
    client.set_load_balancer_tcplistener_attribute(models.SetLoadBalancerTCPListenerAttributeRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=3306, acl_status="off"))
    assert acl_attribute(client, acl).related_listeners.related_listener == []
    remove(client, acl, "10.0.0.2/32")
    client.delete_access_control_list(models.DeleteAccessControlListRequest(region_id=REGION, acl_id=acl))
    error = fails(acl_attribute, client, acl)
    assert (error.code, error.status_code) == ("AclNotExist", 400)


def test_rename_keeps_names_unique(slb):
    client = slb.client()
    first, second = create_acl(client, "first"), create_acl(client, "second")
    rename = client.set_access_control_list_attribute
    rename(models.SetAccessControlListAttributeRequest(region_id=REGION, acl_id=first, acl_name="renamed"))
    assert acl_attribute(client, first).acl_name == "renamed"
    assert fails(rename, models.SetAccessControlListAttributeRequest(region_id=REGION, acl_id=second,
                                                                     acl_name="renamed")).code == "AclNameExist"
    assert fails(rename, models.SetAccessControlListAttributeRequest(region_id=REGION, acl_id="acl-nope",
                                                                     acl_name="x")).code == "AclNotExist"


def test_a_second_write_inside_the_processing_window_is_refused(slb):
    slb.app.account.settings.acl_processing_ms = 400
    client = slb.client()
    acl = create_acl(client, "uat-db")
    add(client, acl, "10.0.0.1/32")
    error = fails(add, client, acl, "10.0.0.2/32")
    assert (error.code, error.status_code) == ("AclEntryProcessing", 400)
    assert fails(add, client, acl, "10.0.0.1/32").code == "AclEntryProcessing"  # checked before anything else
    assert fails(remove, client, acl, "10.0.0.1/32").code == "AclEntryProcessing"
    other = create_acl(client, "other")
    assert fails(add, client, other, "10.0.0.300/32").code == "AclEntryIllegal"
    add(client, other, "10.0.0.9/32")  # the window is per ACL, and a failed write opens none
    acl_attribute(client, acl)  # reads are never refused
    time.sleep(0.45)
    add(client, acl, "10.0.0.2/32")
    assert acl_attribute(client, acl).total_acl_entry == 2


def test_missing_parameters_name_the_parameter(slb):
    client = slb.client()
    error = fails(client.describe_access_control_list_attribute,
                  models.DescribeAccessControlListAttributeRequest(region_id=REGION))
    assert (error.code, error.status_code) == ("MissingParameter", 400) and "AclId" in error.message
    error = fails(client.describe_access_control_lists, models.DescribeAccessControlListsRequest())
    assert error.code == "MissingParameter" and "RegionId" in error.message
    assert fails(create_acl, client, "x", "ipv4", "xx-nowhere-1").code == "InvalidRegionId"


@pytest.mark.parametrize("count", [0, 1])
def test_the_json_of_an_entry_list_is_what_the_docs_show(slb, count):
    """The docs' example AclEntrys string is accepted as is."""
    client = slb.client()
    acl = create_acl(client, f"doc-{count}")
    raw = json.dumps([{"entry": "10.0.0.0/24", "comment": "privaterule1"},
                      {"entry": "192.168.0.0/16", "comment": "privaterule2"}][: count + 1])
    client.add_access_control_list_entry(models.AddAccessControlListEntryRequest(region_id=REGION, acl_id=acl,
                                                                                 acl_entrys=raw))
    assert acl_attribute(client, acl).total_acl_entry == count + 1
    assert entries("10.0.0.1/32") == '[{"entry": "10.0.0.1/32", "comment": ""}]'
