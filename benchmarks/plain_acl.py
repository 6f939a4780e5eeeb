"""The "plain tasks" side of benchmarks/slb_acl.py: what a team without ack_slb_acl writes - a loop
calling the CLB API through the official SDK, one entry per call, retrying refused calls after a second.

    python benchmarks/plain_acl.py NAME LOAD_BALANCER_ID PORT ENTRIES.json

It finds the ACL by name (creating it), reads every entry, removes the extra ones then adds the missing
ones, one call each (removing first, as the Terraform provider does: adding first fails at the 300-entry
quota), and binds the listener. Credentials, region and endpoint come from the environment
(the sandbox's env file). It prints {"changed": bool, "calls": n} as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time

from alibabacloud_slb20140515 import models
from alibabacloud_slb20140515.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

RETRY = ("Throttling", "ServiceUnavailable", "SystemBusy", "AclEntryProcessing")


def client() -> Client:
    endpoint = os.environ["ALIBABA_CLOUD_SLB_ENDPOINT"]
    return Client(openapi.Config(access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                                 access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                                 region_id=os.environ["ALIBABA_CLOUD_REGION_ID"],
                                 endpoint=endpoint.split("://")[-1], protocol=endpoint.split("://")[0]))


def patiently(call, request):
    for _ in range(20):
        try:
            return call(request).body
        except AlibabaCloudException as exc:
            if exc.code not in RETRY:
                raise
            time.sleep(1)
    raise RuntimeError("gave up")


def main(name: str, lb_id: str, port: int, entries: list) -> dict:
    slb, region = client(), os.environ["ALIBABA_CLOUD_REGION_ID"]
    changed = False
    found = [a for a in patiently(slb.describe_access_control_lists, models.DescribeAccessControlListsRequest(
        region_id=region, acl_name=name, page_size=50)).acls.acl if a.acl_name == name]
    if found:
        acl_id = found[0].acl_id
    else:
        acl_id = patiently(slb.create_access_control_list, models.CreateAccessControlListRequest(
            region_id=region, acl_name=name)).acl_id
        changed = True
    current, page = {}, 1
    while True:
        body = patiently(slb.describe_access_control_list_attribute, models.DescribeAccessControlListAttributeRequest(
            region_id=region, acl_id=acl_id, page=page, page_size=50))
        current.update({e.acl_entry_ip: e.acl_entry_comment for e in body.acl_entrys.acl_entry})
        if len(current) >= body.total_acl_entry or not body.acl_entrys.acl_entry:
            break
        page += 1
    wanted = {e["cidr"]: e["comment"] for e in entries}
    for cidr in [c for c in current if c not in wanted]:
        patiently(slb.remove_access_control_list_entry, models.RemoveAccessControlListEntryRequest(
            region_id=region, acl_id=acl_id, acl_entrys=json.dumps([{"entry": cidr}])))
        changed = True
    for cidr in [c for c in wanted if c not in current]:
        patiently(slb.add_access_control_list_entry, models.AddAccessControlListEntryRequest(
            region_id=region, acl_id=acl_id, acl_entrys=json.dumps([{"entry": cidr, "comment": wanted[cidr]}])))
        changed = True
    listener = patiently(slb.describe_load_balancer_tcplistener_attribute,
                         models.DescribeLoadBalancerTCPListenerAttributeRequest(
                             region_id=region, load_balancer_id=lb_id, listener_port=port))
    if (listener.acl_status, listener.acl_type, listener.acl_id) != ("on", "white", acl_id):
        patiently(slb.set_load_balancer_tcplistener_attribute, models.SetLoadBalancerTCPListenerAttributeRequest(
            region_id=region, load_balancer_id=lb_id, listener_port=port, acl_status="on", acl_type="white",
            acl_id=acl_id))
        changed = True
    return {"changed": changed}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), json.load(open(sys.argv[4])))))
