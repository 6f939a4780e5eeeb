"""The three security-group modes end to end on demo-eks, each on a freshly reseeded sandbox, in ONE play:
eks_lbc_security_groups -> its ``controller`` result -> eks_lbc_controller (``wait``) -> eks_lbc_annotations, with
the simulated AWS Load Balancer Controller reacting to every change on its own.

Each mode starts from the estate as seed 003 finds it: the hand-made world-open NodePort rule, and a node rule
made by hand with the controller's label (admin's NodePort 31080 from its office frontend group). Then:

1. the play converges: a second run changes nothing and writes nothing (the modules' EC2 and Kubernetes writes);
2. after ``sandbox settle``, ``sandbox lbc sync`` authorizes and revokes nothing (nothing of ours either), and
   none of our rules was revoked since the first run;
3. the AWS oracle: every Ingress the mode covers is reachable on its listen ports from the office (203.0.113.9)
   and from no other address (198.51.100.9) nor on another port;
4. seed 003: eks_lbc_security_groups warns about the labelled hand-made rule, the world-open rule is gone, the
   labelled hand-made rule is gone (revoked by the controller, or - in auto, where it equals a rule of ours and
   ``adopt_disowned_controller_rules`` is set - re-described as ours in place), none of ours was revoked,
   admin's NodePort is served by a rule of ours or the controller's from a group of its ALB, and the hand-made
   rule does not come back with another sync.
"""

from __future__ import annotations

import pytest

from lbc_e2e_support import (
    ALB, ALL, CONTROLLER_LABEL, FRONTEND, HAND_MADE_PORT, LISTEN_PORTS, MANAGE_KEY, MARKER, OFFICE, OFFICE_CLIENT,
    OUTSIDER, SG_KEY, Estate, PlayRun, mode_play,
)

OTHER_PORTS = {"catalog": 443, "admin": 80}  # a listener elsewhere in the estate, not on these ALBs


class NotConverged(AssertionError):
    """The second run of the play changed something: the mode did not converge in one run."""


@pytest.fixture(scope="module")
def estate(sandbox_env, admin, tmp_path_factory) -> Estate:
    return Estate(sandbox_env, admin, tmp_path_factory.mktemp("lbc-e2e"))


def _converged(second: PlayRun) -> str | None:
    """Why the second run is not a no-op (what each changed task did), or None."""
    if not second.changed and not second.writes:
        return None
    done = {}
    for name in second.changed:
        result = second[name].result
        done[name] = {group: {k: v for k, v in plan.items() if k in ("authorize", "revoke", "update_descriptions")}
                      for group, plan in (result.get("plan") or {}).items() if plan.get("changed")} or (
            result.get("changes") or result.get("actions"))
    return f"the second run changed {second.changed} (writes {second.writes}): {done}"


def _check_first_run(estate: Estate, play, first: PlayRun) -> None:
    assert not first.failed, first.steps
    assert first.changed == ["lbc", "controller", "annotations"], first.steps
    groups, controller, annotations = first["lbc"].result, first["controller"].result, first["annotations"].result
    node = estate.sg["node"]
    # seed 003 found: the world-open NodePort rule and the hand-made rule with the controller's label
    warnings = "\n".join(groups["warnings_found"])
    assert f"{node}: ingress tcp 30000-32767 from 0.0.0.0/0 is open to the internet" in warnings, warnings
    assert (f"{node}: ingress tcp {HAND_MADE_PORT} from {estate.sg['custom_office']} carries the controller label "
            f"{CONTROLLER_LABEL}") in warnings and "will revoke it on its next reconcile" in warnings, warnings
    # the world-open rule goes (overridden), the hand-made labelled one is never ours to revoke
    revoked = groups["plan"][node]["revoke"]["ingress"]
    assert [(r["ports"], r.get("cidr_ip")) for r in revoked] == [(["30000-32767"], ["0.0.0.0/0"])], revoked
    assert estate.world_nodeport_rule() is None
    # the controller result fed eks_lbc_controller, which rolled the pods before the annotations were written
    flags = groups["controller"]["controller_flags"]
    assert [f"--{c['flag']}={c['after']}" for c in controller["changes"]] == flags, controller
    assert controller["restarts_pods"] and controller["rollout"], controller
    if play.mode == "auto":
        assert flags == ["--enable-backend-security-group=true"]
        assert {(o["name"], tuple(o["set"])) for o in annotations["objects"]} == {
            ("storefront", (ALB + "inbound-cidrs",)), ("catalog", (ALB + "inbound-cidrs",))}, annotations
        assert all(estate.annotations(n)[ALB + "inbound-cidrs"] == OFFICE for n in play.covered)
        return
    frontend = estate.group_id(FRONTEND)
    assert groups["created"][FRONTEND]["group_id"] == frontend
    hybrid = play.mode == "hybrid"
    assert flags == [f"--enable-backend-security-group={'true' if hybrid else 'false'}"]
    assert annotations["summary"]["changed"] == 4 and annotations["problems"] == [], annotations
    overridden = {o["name"]: o["overridden"] for o in annotations["objects"] if o["overridden"]}
    assert set(overridden) == {"admin", "partner-api"}, annotations  # someone else's groups, recorded to put back
    for name in ALL:
        stored = estate.annotations(name)
        assert stored[SG_KEY] == frontend and stored[MANAGE_KEY] == ("true" if hybrid else "false"), stored


def _check_seed_003(estate: Estate, play, ours_after_first: set, hand_made: tuple) -> None:
    node_rules = estate.node_rules()
    assert hand_made not in node_rules, "the controller kept a hand-made rule with its label"
    assert estate.ours(node_rules) == ours_after_first, "a rule of ours was revoked or changed"
    # admin's NodePort is served by a rule of ours or of the controller's, from a group its ALB carries
    admin_groups = estate.alb_groups("admin")
    serving = {r for r in node_rules if r[0] == "tcp" and r[1] <= HAND_MADE_PORT <= r[2] and r[3] in admin_groups
               and (MARKER in r[4] or r[4] == CONTROLLER_LABEL)}
    assert serving, (admin_groups, sorted(node_rules, key=str))
    if play.mode == "hybrid":  # the controller, from its backend group
        assert {r[4] for r in serving} == {CONTROLLER_LABEL} and {r[3] for r in serving} == {estate.sg["backend"]}
    else:  # ours
        assert all(MARKER in r[4] for r in serving), serving


@pytest.mark.parametrize("mode", ["auto", "hybrid", "custom"])
def test_mode_converges_with_the_controller_and_the_oracle_agrees(estate: Estate, mode: str):
    estate.reseed()
    play = mode_play(mode, estate.sg)
    hand_made = estate.hand_made_rule()
    estate.add_by_hand(hand_made)  # seed 003: the estate as the team left it

    first = estate.play(play)
    _check_first_run(estate, play, first)
    estate.settle()
    ours_after_first = estate.ours(estate.node_rules())

    # 1. a second run changes nothing (checked last, so that the rest is still shown when it does)
    second = estate.play(play)
    assert not second.failed, second.steps
    not_converged = _converged(second)
    if not_converged:
        ours_after_first = estate.ours(estate.node_rules())  # what the second run added is ours too

    # 2. the controller has nothing left to do, and revoked nothing of ours
    estate.settle()
    ours_before_sync = estate.ours(estate.node_rules())
    done = estate.sync()
    assert estate.ours(estate.node_rules()) == ours_before_sync, done  # nothing of ours revoked or rewritten
    assert (done["authorized"], done["revoked"], done["created"], done["deleted"], done["errors"]) == (
        [], [], [], [], []), done
    assert not done["load_balancers"], done

    # 3. the office reaches every covered Ingress on its listen ports; nobody else, and no other port
    office = [(OFFICE_CLIENT, name, port) for name in ALL for port in LISTEN_PORTS[name]]
    outsider = [(OUTSIDER, name, port) for name in ALL for port in LISTEN_PORTS[name]]
    other = [(OFFICE_CLIENT, name, port) for name, port in OTHER_PORTS.items()]
    verdicts = estate.reachability(office + outsider + other)
    shown = "\n".join(v.trace() for v in verdicts.values())
    assert [q for q in office if not verdicts[q].reachable] == [], shown
    assert [q for q in other if verdicts[q].reachable] == [], shown
    # the seeded network ACL of private-b still cuts the api targets there off on 32050: storefront is reachable
    # because the api target group keeps its target in private-a
    storefront = verdicts[(OFFICE_CLIENT, "storefront", 80)]
    assert any(h.where == "network ACL" and h.what.startswith("BLOCKED") and "32050" in h.what
               for h in storefront.hops), storefront.trace()
    reached_by_outsider = {q[1] for q in outsider if verdicts[q].reachable}
    # auto leaves admin and partner-api their own frontend groups (shop-alb-public: 443 from anywhere): the
    # clients those groups allow are someone else's decision, and they still get through once the world-open
    # NodePort rule is gone (the module opens their NodePorts from those groups)
    assert reached_by_outsider == set(play.foreign_frontends), shown

    # 4. seed 003: found (first run), fixed, and it does not come back after another sync
    _check_seed_003(estate, play, ours_after_first, hand_made)
    again = estate.sync()
    assert (again["authorized"], again["revoked"]) == ([], []), again
    assert hand_made not in estate.node_rules()
    assert estate.reach(OFFICE_CLIENT, "admin", 443).reachable

    if not_converged:
        raise NotConverged(not_converged)
