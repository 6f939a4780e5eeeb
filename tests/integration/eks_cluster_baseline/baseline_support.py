"""Shared helpers for the eks_cluster_security_groups integration tests (a plain module, not a conftest).

- ``estate`` (fixture, module scope): the seeded demo-eks estate of the eks_lbc suites (``lbc_support``),
  restored to the seed - inbound and outbound rules - before and after each test module;
- ``baseline`` (fixture): a ``module_steps.Player`` of eks_cluster_security_groups;
- ``reach``: the AWS reachability oracle (the sandbox's, never the collection's code) for one question;
- ``rules_of``: a group's rules as EC2 holds them, per direction.
"""

from __future__ import annotations

import pytest

import module_steps

module_steps.use_suites("eks_lbc", "boundary")  # the shared demo-eks estate; one failing run and its checks

from boundary_support import run_task  # noqa: E402
from lbc_support import CONTROLLER_LABEL, Estate, atomic, estate  # noqa: E402,F401  (estate: a fixture)
from sandbox.oracle.aws import reach_aws  # noqa: E402

MODULE = "kubeguard.netsec.eks_cluster_security_groups"
CLUSTER = "demo-eks"
MARKER = "kubeguard:eks-cluster-baseline"
IN_VPC_STRANGER = "10.0.97.10"  # a host in public-a, in the VPC but in no group of the cluster
__all__ = ["CLUSTER", "CONTROLLER_LABEL", "Estate", "IN_VPC_STRANGER", "MARKER", "MODULE", "Baseline", "atomic",
           "baseline", "control_plane_address", "estate", "reach", "rules_of", "run_task", "world_ssh"]


class Baseline(module_steps.Player):
    MODULE = MODULE


@pytest.fixture
def baseline(sandbox_env, admin, tmp_path) -> Baseline:
    return Baseline(module_steps.make_env(sandbox_env), admin, tmp_path)


def rules_of(estate: Estate, group_id: str) -> dict[str, set]:
    group = estate.group(group_id)
    return {"ingress": atomic(group["IpPermissions"]), "egress": atomic(group["IpPermissionsEgress"])}


def reach(estate: Estate, source: str, target: str, port: int, protocol: str = "tcp") -> bool:
    return reach_aws(estate.env["AWS_ENDPOINT_URL"], source, target, port, protocol).reachable


def control_plane_address(estate: Estate) -> str:
    eni = estate.ec2.describe_network_interfaces(NetworkInterfaceIds=[estate.seed["control_plane_enis"][0]])
    return eni["NetworkInterfaces"][0]["PrivateIpAddress"]


def world_ssh(estate: Estate) -> None:
    """The hand-made rules someone added on call: SSH and RDP from anywhere on the node group."""
    estate.authorize(estate.sg["node"], ("tcp", 22, 22, "0.0.0.0/0", "on-call ssh"),
                     ("tcp", 3389, 3389, "0.0.0.0/0", "windows debugging"))
