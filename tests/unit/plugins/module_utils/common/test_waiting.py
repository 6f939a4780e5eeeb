"""Bounded waiting: the deadline, the last detail on timeout, an injectable clock."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import OperationError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import WaitTimeout
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.waiting import Waiter


def fake_clock():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    return now, sleep, lambda: now[0]


def test_the_waiter_returns_the_detail_once_done_and_reports_the_last_detail_on_timeout():
    now, sleep, clock = fake_clock()
    waiter = Waiter(timeout=3, interval=1, sleep=sleep, clock=clock)
    answers = iter([(False, "0 of 2 pods Ready"), (True, "done")])
    assert waiter.until(lambda: next(answers), "pods") == "done"
    with pytest.raises(WaitTimeout, match=r"timed out after 3s waiting for pods: 1 of 2 pods Ready"):
        waiter.until(lambda: (False, "1 of 2 pods Ready"), "pods")
    assert 3 <= now[0] <= 5


def test_the_last_sleep_never_overshoots_the_deadline():
    now, sleep, clock = fake_clock()
    slept = []

    def recording_sleep(seconds):
        slept.append(seconds)
        sleep(seconds)

    with pytest.raises(WaitTimeout):
        Waiter(timeout=2.5, interval=1, sleep=recording_sleep, clock=clock).until(lambda: (False, ""), "x")
    assert slept == [1, 1, 0.5] and now[0] == 2.5


def test_a_probe_can_stop_the_wait_early_and_a_timeout_is_an_operation_error():
    def probe():
        raise OperationError("PodNetworking failed")

    with pytest.raises(OperationError, match="PodNetworking failed"):
        Waiter(timeout=60, interval=1).until(probe, "x")
    assert issubclass(WaitTimeout, OperationError)
