"""PATCH on /scale goes through the same patch rules and error mapping as any other patch."""

import pytest

from sandbox.k8s.cluster import CLUSTERS, Cluster
from sandbox.k8s.errors import ApiError


@pytest.fixture
def api():
    cluster = Cluster(CLUSTERS[0], controllers=False)
    deployments = cluster.api.registry.lookup("apps", "v1", "deployments")
    cluster.api.create(deployments, "default", {
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    return cluster.api, deployments


@pytest.mark.parametrize("content_type, body", [
    ("application/merge-patch+json", {"spec": {"replicas": 5}}),
    ("application/strategic-merge-patch+json", {"spec": {"replicas": 5}}),
    ("application/json-patch+json", [{"op": "test", "path": "/spec/replicas", "value": 2},
                                     {"op": "replace", "path": "/spec/replicas", "value": 5}]),
])
def test_each_patch_type_scales(api, content_type, body):
    server, deployments = api
    assert server.update_scale(deployments, "default", "web", body, content_type)["spec"]["replicas"] == 5


def test_a_failed_json_patch_test_is_422_not_a_server_error(api):
    server, deployments = api
    with pytest.raises(ApiError) as caught:
        server.update_scale(deployments, "default", "web", [{"op": "test", "path": "/spec/replicas", "value": 9}],
                            "application/json-patch+json")
    assert (caught.value.code, caught.value.reason) == (422, "Invalid")
    assert server.get_scale(deployments, "default", "web")["spec"]["replicas"] == 2
