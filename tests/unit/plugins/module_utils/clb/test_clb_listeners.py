from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.listeners import Listener
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.listeners import bind_call
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.listeners import to_bind
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.listeners import wanted
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError

OURS = "acl-bp1ours"
OFF = Listener("lb-bp1aaaaaa", 3306, "tcp")
BOUND = Listener("lb-bp1aaaaaa", 3307, "tcp", "on", "white", OURS)
OTHER = Listener("lb-bp1aaaaaa", 3308, "tcp", "on", "white", "acl-bp1someone")
BLACK = Listener("lb-bp1aaaaaa", 3309, "tcp", "on", "black", OURS)


def test_only_unbound_listeners_are_bound():
    assert to_bind([OFF, BOUND], OURS, overwrite=False) == [OFF]


@pytest.mark.parametrize("foreign", [OTHER, BLACK])
def test_someone_elses_access_control_is_refused_without_the_opt_in(foreign):
    with pytest.raises(PlanError, match="overwrite_listener_acl"):
        to_bind([OFF, foreign], OURS, overwrite=False)
    assert to_bind([OFF, foreign], OURS, overwrite=True) == [OFF, foreign]


def test_the_binding_call_and_the_bound_view_agree():
    action, params = bind_call(OFF, OURS)
    assert action == "SetLoadBalancerTCPListenerAttribute"
    assert params == {
        "LoadBalancerId": "lb-bp1aaaaaa",
        "ListenerPort": 3306,
        "AclStatus": "on",
        "AclType": "white",
        "AclId": OURS,
    }
    assert OFF.bound(OURS).bound_to(OURS) and not OFF.bound_to(OURS)


@pytest.mark.parametrize(
    "items, words",
    [
        ([{"load_balancer_id": "sg-123456", "port": 3306}], "is not a CLB id"),
        ([{"load_balancer_id": "lb-bp1aaaaaa", "port": 70000}], "is not a port"),
        ([{"load_balancer_id": "lb-bp1aaaaaa", "port": True}], "is not a port"),
        ([{"load_balancer_id": "lb-bp1aaaaaa", "port": 1, "protocol": "sctp"}], "is not one of"),
        ([{"load_balancer_id": "lb-bp1aaaaaa", "port": 1}, {"load_balancer_id": "lb-bp1aaaaaa", "port": 1}], "twice"),
    ],
)
def test_bad_listeners(items, words):
    with pytest.raises(InputError) as info:
        wanted(items)
    assert words in str(info.value)
