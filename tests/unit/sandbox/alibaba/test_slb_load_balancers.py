"""Load balancers, backends and listeners through the official Python SDK, against the emulator."""

from __future__ import annotations

import json

from alibabacloud_slb20140515 import models
from slb_support import REGION, create_acl, fails

DB_VSWITCH = "vsw-bp1db00node0h0000000d"  # 10.10.0.0/20


def _create(client, **kwargs) -> models.CreateLoadBalancerResponseBody:
    return client.create_load_balancer(models.CreateLoadBalancerRequest(region_id=REGION, **kwargs)).body


def _attribute(client, lb_id: str):
    return client.describe_load_balancer_attribute(models.DescribeLoadBalancerAttributeRequest(
        region_id=REGION, load_balancer_id=lb_id)).body


def test_intranet_and_internet_instances_get_addresses_where_they_live(slb):
    client = slb.client()
    intranet = _create(client, address_type="intranet", v_switch_id=DB_VSWITCH, address="10.10.0.200",
                       load_balancer_name="abc-185-mysql-uat")
    assert (intranet.address, intranet.network_type, intranet.v_switch_id) == ("10.10.0.200", "vpc", DB_VSWITCH)
    assert intranet.vpc_id.startswith("vpc-") and intranet.load_balancer_id.startswith("lb-bp1")
    picked = _create(client, address_type="intranet", v_switch_id=DB_VSWITCH)
    assert picked.address.startswith("10.10.0.") and picked.address != "10.10.0.200"
    internet = _create(client)
    assert internet.address.startswith("198.51.100.") and internet.network_type == "classic"
    assert fails(_create, client, address_type="intranet", v_switch_id=DB_VSWITCH, address="10.10.0.200").code \
        == "InvalidParameter"  # taken
    assert fails(_create, client, address_type="intranet", v_switch_id=DB_VSWITCH, address="10.20.0.5").code \
        == "InvalidParameter"  # not in the vSwitch
    assert fails(_create, client, address_type="intranet", v_switch_id="vsw-unknown").code == \
        "InvalidVSwitchId.NotExist"
    assert fails(_create, client, address_type="intranet").code == "MissingParameter"


def test_describe_load_balancers_filters_and_pages(slb):
    client = slb.client()
    ids = [_create(client, address_type="intranet", v_switch_id=DB_VSWITCH,
                   load_balancer_name=f"lb-{i}").load_balancer_id for i in range(12)]
    body = client.describe_load_balancers(models.DescribeLoadBalancersRequest(region_id=REGION, page_number=2,
                                                                              page_size=5)).body
    assert (body.total_count, body.page_number, body.page_size) == (12, 2, 5)
    assert [lb.load_balancer_id for lb in body.load_balancers.load_balancer] == ids[5:10]
    one = client.describe_load_balancers(models.DescribeLoadBalancersRequest(region_id=REGION,
                                                                             load_balancer_name="lb-7")).body
    assert [lb.load_balancer_id for lb in one.load_balancers.load_balancer] == [ids[7]]
    two = client.describe_load_balancers(models.DescribeLoadBalancersRequest(
        region_id=REGION, load_balancer_id=f"{ids[0]},{ids[3]}")).body
    assert two.total_count == 2 and two.load_balancers.load_balancer[0].address_type == "intranet"


def test_delete_protection_is_honoured(slb):
    client = slb.client()
    lb = _create(client, delete_protection="on").load_balancer_id
    delete = client.delete_load_balancer
    assert fails(delete, models.DeleteLoadBalancerRequest(region_id=REGION, load_balancer_id=lb)).code == \
        "DeleteProtectionIsOn"
    client.set_load_balancer_delete_protection(models.SetLoadBalancerDeleteProtectionRequest(
        region_id=REGION, load_balancer_id=lb, delete_protection="off"))
    delete(models.DeleteLoadBalancerRequest(region_id=REGION, load_balancer_id=lb))
    error = fails(_attribute, client, lb)
    assert (error.code, error.status_code) == ("InvalidLoadBalancerId.NotFound", 400)


def test_backend_servers_are_added_and_removed(slb):
    client = slb.client()
    lb = _create(client, address_type="intranet", v_switch_id=DB_VSWITCH).load_balancer_id
    servers = [{"ServerId": "eni-bp1aaa", "ServerIp": "10.10.64.11", "Type": "eni", "Weight": 100},
               {"ServerId": "eni-bp1bbb", "ServerIp": "10.10.64.12", "Type": "eni", "Weight": 50}]
    client.add_backend_servers(models.AddBackendServersRequest(region_id=REGION, load_balancer_id=lb,
                                                               backend_servers=json.dumps(servers)))
    got = _attribute(client, lb).backend_servers.backend_server
    assert [(s.server_id, s.server_ip, s.type, s.weight) for s in got] == [
        ("eni-bp1aaa", "10.10.64.11", "eni", 100), ("eni-bp1bbb", "10.10.64.12", "eni", 50)]
    client.remove_backend_servers(models.RemoveBackendServersRequest(
        region_id=REGION, load_balancer_id=lb, backend_servers=json.dumps([{"ServerId": "eni-bp1aaa"}])))
    assert [s.server_id for s in _attribute(client, lb).backend_servers.backend_server] == ["eni-bp1bbb"]
    bad = json.dumps([{"ServerId": "eni-x", "Type": "eni"}])  # an ENI backend needs its IP
    assert fails(client.add_backend_servers, models.AddBackendServersRequest(
        region_id=REGION, load_balancer_id=lb, backend_servers=bad)).code == "InvalidParameter"


def test_tcp_listener_lifecycle_with_access_control(slb):
    client = slb.client()
    lb = _create(client, address_type="intranet", v_switch_id=DB_VSWITCH).load_balancer_id
    acl = create_acl(client, "uat-db")
    client.create_load_balancer_tcplistener(models.CreateLoadBalancerTCPListenerRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=3306, backend_server_port=3306, bandwidth=-1))
    describe = client.describe_load_balancer_tcplistener_attribute
    request = models.DescribeLoadBalancerTCPListenerAttributeRequest(region_id=REGION, load_balancer_id=lb,
                                                                     listener_port=3306)
    listener = describe(request).body
    assert (listener.status, listener.acl_status, listener.backend_server_port) == ("stopped", "off", 3306)
    client.start_load_balancer_listener(models.StartLoadBalancerListenerRequest(region_id=REGION,
                                                                                load_balancer_id=lb,
                                                                                listener_port=3306))
    set_attr = client.set_load_balancer_tcplistener_attribute
    on = dict(region_id=REGION, load_balancer_id=lb, listener_port=3306, acl_status="on")
    assert fails(set_attr, models.SetLoadBalancerTCPListenerAttributeRequest(**on, acl_type="white")).code == \
        "MissingParameter"
    assert fails(set_attr, models.SetLoadBalancerTCPListenerAttributeRequest(
        **on, acl_type="white", acl_id="acl-bp1missing")).code == "AclNotExist"
    assert fails(set_attr, models.SetLoadBalancerTCPListenerAttributeRequest(
        **on, acl_type="grey", acl_id=acl)).code == "InvalidParameter"
    v6 = create_acl(client, "v6", version="ipv6")
    assert fails(set_attr, models.SetLoadBalancerTCPListenerAttributeRequest(
        **on, acl_type="white", acl_id=v6)).code == "InvalidParameter"
    set_attr(models.SetLoadBalancerTCPListenerAttributeRequest(**on, acl_type="white", acl_id=acl))
    listener = describe(request).body
    assert (listener.status, listener.acl_status, listener.acl_type, listener.acl_id) == \
        ("running", "on", "white", acl)
    assert listener.acl_ids.acl_id == [acl]
    assert fails(client.create_load_balancer_tcplistener, models.CreateLoadBalancerTCPListenerRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=3306, backend_server_port=3306,
        bandwidth=-1)).code == "ListenerAlreadyExists"
    assert fails(client.describe_load_balancer_httplistener_attribute,
                 models.DescribeLoadBalancerHTTPListenerAttributeRequest(
                     region_id=REGION, load_balancer_id=lb, listener_port=3306)).code == "ListenerNotFound"
    client.delete_load_balancer_listener(models.DeleteLoadBalancerListenerRequest(region_id=REGION,
                                                                                  load_balancer_id=lb,
                                                                                  listener_port=3306))
    assert fails(describe, request).code == "ListenerNotFound"


def test_http_and_https_listeners_need_their_settings(slb):
    client = slb.client()
    lb = _create(client).load_balancer_id
    create_http = client.create_load_balancer_httplistener
    base = dict(region_id=REGION, load_balancer_id=lb, backend_server_port=8080, bandwidth=-1)
    assert fails(create_http, models.CreateLoadBalancerHTTPListenerRequest(**base, listener_port=80)).code == \
        "MissingParameter"
    create_http(models.CreateLoadBalancerHTTPListenerRequest(**base, listener_port=80, sticky_session="off",
                                                             health_check="off"))
    create_https = client.create_load_balancer_httpslistener
    assert fails(create_https, models.CreateLoadBalancerHTTPSListenerRequest(
        **base, listener_port=443, sticky_session="off", health_check="off")).code == "MissingParameter"
    create_https(models.CreateLoadBalancerHTTPSListenerRequest(**base, listener_port=443, sticky_session="off",
                                                               health_check="off", server_certificate_id="cert-1"))
    https = client.describe_load_balancer_httpslistener_attribute(
        models.DescribeLoadBalancerHTTPSListenerAttributeRequest(region_id=REGION, load_balancer_id=lb,
                                                                 listener_port=443)).body
    assert https.server_certificate_id == "cert-1" and https.sticky_session == "off"
    client.set_load_balancer_httplistener_attribute(models.SetLoadBalancerHTTPListenerAttributeRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=80, description="web"))
    http = client.describe_load_balancer_httplistener_attribute(models.DescribeLoadBalancerHTTPListenerAttributeRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=80)).body
    assert (http.description, http.backend_server_port, http.status) == ("web", 8080, "stopped")
    acl = create_acl(client, "office")
    client.set_load_balancer_httpslistener_attribute(models.SetLoadBalancerHTTPSListenerAttributeRequest(
        region_id=REGION, load_balancer_id=lb, listener_port=443, acl_status="on", acl_type="black", acl_id=acl))
    https = client.describe_load_balancer_httpslistener_attribute(
        models.DescribeLoadBalancerHTTPSListenerAttributeRequest(region_id=REGION, load_balancer_id=lb,
                                                                 listener_port=443)).body
    assert (https.acl_status, https.acl_type, https.acl_id) == ("on", "black", acl)
    for call, request in ((client.start_load_balancer_listener, models.StartLoadBalancerListenerRequest),
                          (client.stop_load_balancer_listener, models.StopLoadBalancerListenerRequest)):
        call(request(region_id=REGION, load_balancer_id=lb, listener_port=443))
    listeners = client.describe_load_balancer_listeners(models.DescribeLoadBalancerListenersRequest(
        region_id=REGION, load_balancer_id=[lb], listener_protocol="https")).body.listeners
    assert [(item.listener_port, item.status, item.acl_ids) for item in listeners] == [(443, "stopped", [acl])]
    ports = _attribute(client, lb).listener_ports_and_protocol.listener_port_and_protocol
    assert [(p.listener_port, p.listener_protocol) for p in ports] == [(80, "http"), (443, "https")]


def test_describe_listeners_pages_with_next_token(slb):
    client = slb.client()
    lbs = [_create(client).load_balancer_id for _ in range(2)]
    for lb in lbs:
        for port in range(8000, 8013):
            client.create_load_balancer_tcplistener(models.CreateLoadBalancerTCPListenerRequest(
                region_id=REGION, load_balancer_id=lb, listener_port=port, backend_server_port=port, bandwidth=-1))
    seen, token = [], None
    while True:
        body = client.describe_load_balancer_listeners(models.DescribeLoadBalancerListenersRequest(
            region_id=REGION, load_balancer_id=lbs, max_results=10, next_token=token)).body
        assert body.total_count == 26 and body.max_results == 10
        seen += [(item.load_balancer_id, item.listener_port) for item in body.listeners]
        token = body.next_token
        if not token:
            break
    assert seen == [(lb, port) for lb in lbs for port in range(8000, 8013)]
    one = client.describe_load_balancer_listeners(models.DescribeLoadBalancerListenersRequest(
        region_id=REGION, load_balancer_id=[lbs[1]], listener_port=8005)).body
    assert [(i.load_balancer_id, i.listener_port, i.listener_protocol) for i in one.listeners] == \
        [(lbs[1], 8005, "tcp")]
