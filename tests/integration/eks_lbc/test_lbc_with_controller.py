"""The module and the simulated AWS Load Balancer Controller on the same node group, without a fight: the
controller revokes none of the module's rules and the module rewrites none of the controller's; a rule made by
hand with the controller's label disappears on the next sync (seed 003). The controller's EC2 calls are
accounted apart (ec2:lbc)."""

from __future__ import annotations

import json

from lbc_support import CONTROLLER_LABEL, MARKER
from lbc_support import estate, lbc  # noqa: F401 - fixtures

from conftest import run_cli

OFFICE = "203.0.113.0/24"


def _sync(estate) -> dict:
    return json.loads(run_cli("lbc", "sync", env=estate.env).stdout)["k8s:demo-eks"]


def test_module_rules_survive_the_controller_and_the_controller_rule_survives_the_module(estate, lbc):
    node = estate.sg["node"]
    params = dict(cluster_name="demo-eks", mode="custom", state="replaced",
                  frontend_security_groups=[{"name": "kubeguard-office", "listen_ports": ["443"],
                                             "inbound_cidrs": [OFFICE]}],
                  node_rules={"ports_from": "ports", "ports": ["31080", "31443"]})
    first = lbc.run(params)
    assert not first.failed and first.changed, first
    ours = {r for r in estate.rules(node) if r[4] == MARKER}
    assert {r[1:3] for r in ours} == {(31080, 31080), (31443, 31443)}
    estate.admin.reset_calls()
    done = _sync(estate)
    assert done["running"] and done["revoked"] == [] and done["authorized"] == [], done
    counts = estate.admin.calls()["services"]
    assert counts["ec2:lbc"]["writes"] == 0 and "ec2" not in counts  # its calls are its own
    assert {r for r in estate.rules(node) if r[4] == MARKER} == ours, "the controller revoked a module rule"
    again = lbc.run(params)
    assert not again.changed and again.writes == 0, again
    assert estate.controller_rule() in estate.rules(node)
    estate.restore()


def _office_reaches_admin(estate) -> bool:
    """The AWS oracle, as a person would ask it: the office -> Ingress shop/admin (its ALB) on 443."""
    answer = run_cli("reach", "--from-cidr", "203.0.113.9", "--to-ingress", "demo-eks/shop/admin", "--port", "443",
                     env=estate.env, check=False)
    assert answer.returncode in (0, 3), answer.stderr
    return answer.returncode == 0


def test_seed_003_a_hand_made_rule_with_the_controllers_label_is_revoked_on_the_next_sync(estate):
    node, office = estate.sg["node"], estate.sg["custom_office"]
    hand_made = ("tcp", 31080, 31080, office, CONTROLLER_LABEL)  # admin's NodePort from its own frontend group
    unlabelled = ("tcp", 31443, 31443, office, "partner-api from the office ALB (ops ticket 4470)")
    estate.revoke(node, estate.public_nodeport_rule())  # the hardening of the day closed the world-open range
    estate.authorize(node, hand_made, unlabelled)
    assert _office_reaches_admin(estate)
    done = _sync(estate)
    assert not _office_reaches_admin(estate)  # the incident: admin's ALB no longer reaches its NodePort
    rules = estate.rules(node)
    assert hand_made not in rules and unlabelled in rules, done
    assert [group for group, _rule in done["revoked"]] == [node]
    trail = [c for c in estate.admin.call_log() if c["service"] == "ec2:lbc" and c["kind"] == "write"]
    assert [c["action"] for c in trail] == ["RevokeSecurityGroupIngress"]  # what CloudTrail showed in seed 003
    estate.restore()
