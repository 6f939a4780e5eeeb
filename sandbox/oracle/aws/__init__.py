"""The AWS reachability oracle: client -> ALB Ingress, instance or pod IP, judged from EC2 and ELBv2 state.

``reach_aws`` reads moto over HTTP with boto3 and checks, in troubleshooting order, the security groups
attached, their rules, the subnets' network ACLs and the route tables (``hops``); ``rules`` holds the
matching semantics and ``state`` the reads.
"""

from __future__ import annotations

from sandbox.oracle.aws.reach import ALB, INSTANCE, reach_aws

__all__ = ["ALB", "INSTANCE", "reach_aws"]
