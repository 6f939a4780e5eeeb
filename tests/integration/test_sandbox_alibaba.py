"""The running sandbox's Alibaba side from the outside: the official SDK configured only from the sandbox's
env file, the seeded CLB and what the CCM made of it, `python -m sandbox reach`, faults and settings."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest
from alibabacloud_slb20140515 import models
from alibabacloud_slb20140515.client import Client
from alibabacloud_tea_openapi import models as openapi
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from conftest import run_cli

DB_SERVICE = "ack-db/abc-185-7db8e/abc-185-mysql-svc"


def _sdk(env: dict) -> Client:
    """Configured the way a user's shell would: the standard variables, plus the endpoint override."""
    return Client(openapi.Config(
        access_key_id=env["ALIBABA_CLOUD_ACCESS_KEY_ID"], access_key_secret=env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        region_id=env["ALIBABA_CLOUD_REGION_ID"], endpoint=env["ALIBABA_CLOUD_SLB_ENDPOINT"].split("://")[1],
        protocol="http", read_timeout=10000, connect_timeout=5000))


def _seed_ids(env: dict) -> dict:
    return json.loads((pathlib.Path(env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "seed.json").read_text())


def _pod(env: dict, context: str, namespace: str) -> str:
    names = subprocess.run(["kubectl", "--context", context, "-n", namespace, "get", "pods", "-o", "name"],
                           env=env, capture_output=True, text=True, check=True, timeout=60).stdout.split()
    return names[0].split("/", 1)[1]


def test_the_seeded_clb_through_the_sdk_and_the_ccm(sandbox_env, seeded, admin):
    region = sandbox_env["ALIBABA_CLOUD_REGION_ID"]
    ids = _seed_ids(sandbox_env)["alibaba"]
    client = _sdk(sandbox_env)
    lbs = client.describe_load_balancers(models.DescribeLoadBalancersRequest(region_id=region)).body
    assert [lb.load_balancer_id for lb in lbs.load_balancers.load_balancer] == [ids["db_load_balancer_id"]]
    attribute = client.describe_load_balancer_attribute(models.DescribeLoadBalancerAttributeRequest(
        region_id=region, load_balancer_id=ids["db_load_balancer_id"])).body
    assert attribute.address == "10.10.0.200" and attribute.address_type == "intranet"
    assert len(attribute.backend_servers.backend_server) == 1  # the database pod, added by the CCM
    listener = client.describe_load_balancer_tcplistener_attribute(
        models.DescribeLoadBalancerTCPListenerAttributeRequest(region_id=region,
                                                               load_balancer_id=ids["db_load_balancer_id"],
                                                               listener_port=3306)).body
    assert (listener.status, listener.acl_status) == ("running", "off")
    calls = admin.calls()["services"]["slb"]
    assert calls["writes"] == 0 and calls["actions"]["DescribeLoadBalancers"]["calls"] == 1


def test_reach_from_the_command_line(sandbox_env, seeded):
    prod = _pod(sandbox_env, "ack-app", "abc-185-prod")
    uat = _pod(sandbox_env, "ack-app", "abc-185-7db8e")
    args = ("reach", "--to-service", DB_SERVICE, "--port", "3306")
    before = run_cli(*args, "--from-pod", f"ack-app/abc-185-prod/{prod}", env=sandbox_env)
    assert "REACHABLE via clb" in before.stdout and "access control off" in before.stdout
    client, region = _sdk(sandbox_env), sandbox_env["ALIBABA_CLOUD_REGION_ID"]
    acl = client.create_access_control_list(models.CreateAccessControlListRequest(
        region_id=region, acl_name="uat-only")).body.acl_id
    ip = json.loads(run_cli(*args, "--from-pod", f"ack-app/abc-185-7db8e/{uat}", "--format", "json",
                            env=sandbox_env).stdout)["hops"][0]["what"].split("source address ")[1].split()[0]
    client.add_access_control_list_entry(models.AddAccessControlListEntryRequest(
        region_id=region, acl_id=acl, acl_entrys=json.dumps([{"entry": f"{ip}/32", "comment": "uat"}])))
    client.set_load_balancer_tcplistener_attribute(models.SetLoadBalancerTCPListenerAttributeRequest(
        region_id=region, load_balancer_id=_seed_ids(sandbox_env)["alibaba"]["db_load_balancer_id"],
        listener_port=3306, acl_status="on", acl_type="white", acl_id=acl))
    after = run_cli(*args, "--from-pod", f"ack-app/abc-185-prod/{prod}", env=sandbox_env, check=False)
    assert after.returncode == 3 and "NOT REACHABLE via clb" in after.stdout and f"whitelist {acl}" in after.stdout
    verdict = json.loads(run_cli(*args, "--from-pod", f"ack-app/abc-185-7db8e/{uat}", "--format", "json",
                                 env=sandbox_env).stdout)
    assert verdict["reachable"] and verdict["path"] == "clb"
    direct = run_cli("reach", "--from-pod", f"ack-app/abc-185-prod/{prod}", "--to-pod",
                     "ack-db/abc-185-7db8e/abc-185-mysql-0", "--port", "3306", env=sandbox_env)
    assert "REACHABLE via direct" in direct.stdout and "networkpolicy ingress (ack-db)" in direct.stdout
    wrong = run_cli("reach", "--from-pod", "nowhere", "--to-service", DB_SERVICE, "--port", "3306",
                    env=sandbox_env, check=False)
    assert wrong.returncode == 1 and "CLUSTER/NAMESPACE/NAME" in wrong.stderr


def test_faults_and_settings_reach_the_sdk(sandbox_env, fresh, admin):
    client, region = _sdk(sandbox_env), sandbox_env["ALIBABA_CLOUD_REGION_ID"]
    run_cli("faults", "set", "--service", "slb", "--call", "CreateAccessControlList", "--throttle", "1",
            env=sandbox_env)
    with pytest.raises(AlibabaCloudException) as info:
        client.create_access_control_list(models.CreateAccessControlListRequest(region_id=region, acl_name="x"))
    assert (info.value.code, info.value.status_code) == ("Throttling", 400)
    admin.clear_faults()
    assert admin.settings("slb")["acl_processing_ms"] == 200
    admin.set_settings("slb", {"acl_processing_ms": 5000})
    acl = client.create_access_control_list(models.CreateAccessControlListRequest(region_id=region,
                                                                                  acl_name="x")).body.acl_id
    add = models.AddAccessControlListEntryRequest(region_id=region, acl_id=acl,
                                                  acl_entrys=json.dumps([{"entry": "10.0.0.1/32"}]))
    client.add_access_control_list_entry(add)
    with pytest.raises(AlibabaCloudException) as info:
        client.add_access_control_list_entry(add)
    assert info.value.code == "AclEntryProcessing"
    with pytest.raises(ValueError, match="HTTP 400"):
        admin.set_settings("slb", {"acl_processing_ms": -1})
    admin.reset()
    assert admin.settings("slb")["acl_processing_ms"] == 200
