import hashlib

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import controller


def test_backend_name_matches_the_controller_formula_and_the_sandbox_seed():
    from sandbox.seed import lbc_names  # an independent implementation of the same formula

    for cluster in ("demo-eks", "my.cluster_01", "x" * 300):
        assert controller.backend_sg_name(cluster) == lbc_names.backend_sg_name(cluster)
    assert (
        controller.backend_sg_name("demo-eks") == "k8s-traffic-demoeks-" + hashlib.sha256(b"demo-eks").hexdigest()[:10]
    )
    assert len(controller.backend_sg_name("x" * 300)) == len("k8s-traffic--") + 232 + 10


def test_endpoint_group_single_group_wins_regardless_of_tags():
    assert controller.endpoint_group("eni-1", ["sg-a"], {}, "c") == "sg-a"


def test_endpoint_group_picks_the_one_cluster_tagged_group():
    tags = {"sg-a": {"kubernetes.io/cluster/c": "owned"}, "sg-b": {}}
    assert controller.endpoint_group("eni-1", ["sg-b", "sg-a"], tags, "c") == "sg-a"


@pytest.mark.parametrize(
    "tags, expected_ids",
    [
        ({"sg-a": {}, "sg-b": {}}, ""),
        ({"sg-a": {"kubernetes.io/cluster/c": "owned"}, "sg-b": {"kubernetes.io/cluster/c": "shared"}}, "sg-a sg-b"),
    ],
)
def test_endpoint_group_reproduces_the_controller_error(tags, expected_ids):
    with pytest.raises(controller.TopologyError) as caught:
        controller.endpoint_group("eni-1", ["sg-a", "sg-b"], tags, "c")
    assert str(caught.value) == (
        "expected exactly one securityGroup tagged with kubernetes.io/cluster/c for eni "
        f"eni-1, got: [{expected_ids}] (clusterName: c)"
    )


def test_endpoint_group_honours_required_tags():
    tags = {"sg-a": {"kubernetes.io/cluster/c": "owned", "role": "node"}, "sg-b": {"kubernetes.io/cluster/c": "owned"}}
    assert controller.endpoint_group("eni-1", ["sg-a", "sg-b"], tags, "c", {"role": "node"}) == "sg-a"
