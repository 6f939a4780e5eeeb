from __future__ import annotations

import json

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import INGRESS_KIND
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.keys import REPLACED_RECORD
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.plan import plan_object

ALB = "alb.ingress.kubernetes.io/"
CIDRS, PORTS, SCHEME = ALB + "inbound-cidrs", ALB + "listen-ports", ALB + "scheme"
HEALTH = ALB + "healthcheck-path"  # not managed by this module


def _ingress(annotations: dict, rv: str = "7") -> dict:
    return {"metadata": {"namespace": "shop", "name": "web", "resourceVersion": rv, "annotations": annotations}}


def _plan(annotations: dict, desired: dict, state: str = "merged", force: bool = False):
    return plan_object(INGRESS_KIND, _ingress(annotations), desired, state, force)


def _record(*keys: str) -> str:
    return json.dumps(sorted(keys), separators=(",", ":"))


def test_merged_sets_a_missing_key_and_records_it_in_one_patch():
    plan = _plan({HEALTH: "/healthz"}, {CIDRS: "203.0.113.0/24"})
    assert plan.patch == {
        "metadata": {"resourceVersion": "7", "annotations": {CIDRS: "203.0.113.0/24", RECORD: _record(CIDRS)}}
    }
    assert plan.set_keys == [CIDRS] and plan.owned(plan.after) == [CIDRS]
    again = _plan(plan.after, {CIDRS: "203.0.113.0/24"})
    assert again.patch == {} and again.set_keys == []


def test_a_respelt_value_of_ours_writes_nothing():
    plan = _plan({CIDRS: "203.0.113.0/24 ,10.0.0.0/8", RECORD: _record(CIDRS)}, {CIDRS: "10.0.0.0/8, 203.0.113.0/24"})
    assert plan.patch == {}


def test_a_changed_value_of_ours_is_updated():
    plan = _plan({CIDRS: "10.0.0.0/8", RECORD: _record(CIDRS)}, {CIDRS: "203.0.113.0/24"})
    assert plan.changes == {CIDRS: "203.0.113.0/24"}


def test_an_equal_value_someone_else_set_stays_theirs():
    plan = _plan({PORTS: '[{"HTTPS":443}]'}, {PORTS: '[{"HTTPS": 443}]'})
    assert plan.patch == {} and plan.unowned_equal == [PORTS] and plan.owned(plan.after) == []


def test_a_different_value_someone_else_set_is_a_conflict_and_nothing_changes():
    plan = _plan({PORTS: '[{"HTTP": 80}]'}, {PORTS: '[{"HTTPS": 443}]', CIDRS: "10.0.0.0/8"})
    assert plan.conflicts == [{"annotation": PORTS, "current": '[{"HTTP": 80}]', "wanted": '[{"HTTPS": 443}]'}]
    assert PORTS not in plan.changes  # the rest is planned, but the run refuses any plan with a conflict


def test_force_changes_it_and_records_their_value_then_releasing_puts_it_back():
    forced = _plan({PORTS: '[{"HTTP": 80}]'}, {PORTS: '[{"HTTPS": 443}]'}, force=True)
    assert forced.overridden == [PORTS] and forced.after[PORTS] == '[{"HTTPS": 443}]'
    assert json.loads(forced.after[REPLACED_RECORD]) == {PORTS: ['[{"HTTP": 80}]', '[{"HTTPS": 443}]']}
    released = _plan(forced.after, {}, state="deleted")
    assert released.restored == [PORTS] and released.after.get(PORTS) == '[{"HTTP": 80}]'
    assert RECORD not in released.after and REPLACED_RECORD not in released.after


def test_a_forced_value_changed_since_by_someone_else_is_left_to_them():
    forced = _plan({PORTS: '[{"HTTP": 80}]'}, {PORTS: '[{"HTTPS": 443}]'}, force=True).after
    forced[PORTS] = '[{"HTTPS": 8443}]'
    released = _plan(forced, {}, state="deleted")
    assert released.after[PORTS] == '[{"HTTPS": 8443}]' and not released.restored and not released.removed
    assert RECORD not in released.after


def test_replaced_releases_only_our_keys_no_longer_wanted():
    current = {CIDRS: "10.0.0.0/8", SCHEME: "internal", PORTS: '[{"HTTP": 80}]', RECORD: _record(CIDRS, SCHEME)}
    plan = _plan(current, {CIDRS: "10.0.0.0/8"}, state="replaced")
    assert plan.removed == [SCHEME] and plan.changes == {SCHEME: None, RECORD: _record(CIDRS)}
    assert PORTS in plan.after  # someone else's, not ours: never removed


def test_merged_never_releases():
    plan = _plan({CIDRS: "10.0.0.0/8", SCHEME: "internal", RECORD: _record(CIDRS, SCHEME)}, {CIDRS: "10.0.0.0/8"})
    assert plan.patch == {}


def test_deleted_releases_the_listed_keys_of_ours_and_reports_the_others():
    current = {CIDRS: "10.0.0.0/8", SCHEME: "internal", PORTS: '[{"HTTP": 80}]', RECORD: _record(CIDRS, SCHEME)}
    plan = _plan(current, {CIDRS: "", PORTS: ""}, state="deleted")
    assert plan.removed == [CIDRS] and plan.not_owned == [PORTS]
    assert plan.changes == {CIDRS: None, RECORD: _record(SCHEME)}
    everything = _plan(current, {}, state="deleted")
    assert everything.removed == [CIDRS, SCHEME] and everything.changes[RECORD] is None


def test_keys_another_module_recorded_are_kept_in_the_shared_record():
    other = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-acl-id"
    plan = _plan({other: "acl-1", RECORD: _record(other)}, {CIDRS: "10.0.0.0/8"})
    assert json.loads(plan.after[RECORD]) == sorted([other, CIDRS])
    assert _plan(plan.after, {}, state="deleted").after[RECORD] == _record(other)


def test_a_comma_separated_record_is_read_and_not_rewritten_for_its_spelling():
    current = {CIDRS: "10.0.0.0/8", SCHEME: "internal", RECORD: f"{SCHEME}, {CIDRS}"}
    assert _plan(current, {CIDRS: "10.0.0.0/8", SCHEME: "internal"}).patch == {}
    assert _plan(current, {CIDRS: "10.0.0.0/8"}, state="replaced").removed == [SCHEME]
