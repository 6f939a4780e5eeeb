"""Re-runs: ``state: replaced`` run twice, and a retry after the PodNetworking went to Fail.

- ``replaced`` must be idempotent although the CRD defaults ``spec.vSwitchSelectOptions`` to
  ``{vSwitchSelectionPolicy: ordered}``: the desired spec has to include what the server fills in, or every
  run would patch it away and the server add it back.
- a retry after a PodNetworking ``Fail`` must meet that status in the plan (nothing to create or patch, so
  no wait would see it) and write nothing; what could refuse the run is found before the first write.
"""

from __future__ import annotations

from ack_support import K8S, NS, PN, base_params
from ack_support import ack, cluster, reseeded  # noqa: F401 - fixtures

BAD_VSWITCH = "vsw-doesnotexist0000"


def test_replaced_twice_is_a_noop(reseeded, ack):
    cluster = reseeded
    params = {"context": "ack-app", "namespace": NS, "state": "replaced", "wait_sleep": 1, "wait_timeout": 60,
              "pod_networking": {"name": PN, "namespace_selector": {"match_labels": {"appname": "185"}}}}
    first, second = ack.play([{"params": params}, {"params": params}])
    assert not first.failed and first.changed, first
    assert first.calls(K8S, "write") == {"patch configmaps": 1, "delete pods": 2, "create podnetworkings": 1,
                                         "patch namespaces": 1}, first
    assert cluster.pod_networking()["status"]["status"] == "Ready"
    assert not second.failed, second
    assert second.result["plan"] == [], second
    assert second.changed is False, second
    assert second.calls(K8S, "write") == {} and second.writes == 0, second


def test_retry_after_podnetworking_fail_stops_before_writes(reseeded, ack):
    cluster = reseeded
    params = base_params(pod_networking={"name": PN, "namespace_selector": {"match_labels": {"appname": "185"}},
                                         "vswitch_ids": [BAD_VSWITCH]})
    first, retry = ack.play([{"params": params}, {"params": params}])
    assert first.failed and f"vSwitch {BAD_VSWITCH} not found" in first.msg, first
    # the retry meets the same PodNetworking, still in Fail: it must say so, and write nothing
    assert retry.failed, retry
    assert f"vSwitch {BAD_VSWITCH} not found" in retry.msg, retry
    assert cluster.statefulset() is None
    assert cluster.deployment()["spec"]["replicas"] == 2
    assert retry.calls(K8S, "write") == {}, retry
    assert cluster.service() is None
    assert "appname" not in cluster.namespace()["metadata"]["labels"]
