"""Bad input fails with a clear message naming the option, and zero writes; secrets never reach the output."""

from __future__ import annotations

import pytest
from slb_acl_support import AclPlayer, Clb, estate, params, player  # noqa: F401 - fixtures

import module_steps
from sandbox.alibaba import credentials

CASES = [
    ({"entries": [{"cidr": "10.0.0.5/24"}]}, "host bits set: did you mean 10.0.0.0/24 or 10.0.0.5/32"),
    ({"entries": [{"cidr": "300.1.1.1"}]}, "entries[0].cidr"),
    ({"entries": [{"cidr": "2001:db8::1"}]}, "the ACL is ipv4"),
    ({"entries": [{"cidr": "10.0.0.1", "comment": "a"}, {"cidr": "10.0.0.1/32", "comment": "b"}]}, "listed twice"),
    ({"entries": [{"cidr": "10.0.0.1", "comment": "x" * 100}]}, "longer than 100"),
    ({"entries": [{"cidr": "10.0.0.1", "port": 3306}]}, "unknown keys ['port']"),
    ({"entries": [{"ip": "10.0.0.1", "namespace": "abc"}]}, "needs ip, namespace and pod"),
    ({"listeners": [{"load_balancer_id": "sg-0123456789", "port": 3306}]}, "is not a CLB id"),
    ({"listeners": [{"load_balancer_id": "lb-bp1abcdefgh", "port": 0}]}, "is not a port"),
    ({"service": {"namespace": "abc-185-7db8e", "name": "abc-185-mysql-svc", "bind": True}}, "pick one owner"),
    ({"service": {"namespace": "abc-185-7db8e", "name": "abc-185-mysql-svc", "hostname": "Bad_Name"}},
     "is not a DNS name"),
    ({"state": "replaced", "entries": []}, "allow_empty"),
    ({"state": "deleted", "entries": [{"cidr": "10.0.0.1"}]}, "deleted removes entries only"),
    ({"name": "1 bad name"}, "is not a CLB ACL name"),
    ({"access_key_id": credentials.USER.key_id, "access_key_secret": ""}, "give both"),
    ({"region_id": "xx-nowhere-1"}, "InvalidRegionId"),
    ({"wait_timeout": 0}, "wait_timeout"),
    ({"entry_write_interval": -1}, "entry_write_interval"),
]


def test_bad_input_is_refused_with_zero_writes(player: AclPlayer, estate: Clb):
    steps = player.play([{"params": params(estate, **dict({"entries": [{"cidr": "10.0.0.1"}]}, **case))}
                         for case, _ in CASES])
    for (case, words), step in zip(CASES, steps):
        assert step.failed and words in step.msg, (case, step)
        assert step.writes == 0 and "Traceback" not in step.msg and "MODULE FAILURE" not in step.msg, (case, step)
    assert estate.acl("abc-185-mysql-uat") is None


def test_unknown_credentials_name_the_action_region_and_code(player: AclPlayer, estate: Clb):
    step = player.run(params(estate, entries=[{"cidr": "10.0.0.1"}], access_key_id="KUBEGUARD-SANDBOX-UNKNOWN-KEY-ID",
                             access_key_secret="wrong"))
    assert step.failed and step.writes == 0, step
    for words in ("DescribeAccessControlLists", "InvalidAccessKeyId.NotFound", "cn-hangzhou", "endpoint http://"):
        assert words in step.msg, step


@pytest.mark.parametrize("verbosity", ["-vvv"])
def test_the_secret_and_the_token_never_reach_the_output(player: AclPlayer, estate: Clb, verbosity: str):
    secret, token = credentials.STS.secret, credentials.STS.security_token
    task = {"name": "with STS credentials", player.MODULE: params(
        estate, entries=[{"cidr": "10.0.0.1"}], access_key_id=credentials.STS.key_id,
        access_key_secret=secret, security_token=token), "register": "r"}
    run_dir = player.tmp_dir / "verbose"
    run_dir.mkdir(exist_ok=True)
    env = dict(player.env, ANSIBLE_NOCOLOR="1")
    played = module_steps.play_and_output([task], "{'r': r}", run_dir, env, flags=(verbosity, "--diff"))
    assert played.results["r"]["changed"] and not played.results["r"].get("failed"), played.results
    for text in (played.stdout, played.stderr, str(played.results)):
        assert secret not in text and token not in text
