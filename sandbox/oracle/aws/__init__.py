"""The AWS reachability oracle: client -> Ingress (ALB), Service (NLB), instance or pod IP, judged from EC2 and
ELBv2 state.

``reach_aws`` reads moto over HTTP with boto3 and checks, in troubleshooting order, the security groups
attached, their rules, the subnets' network ACLs and the route tables (``hops``); ``rules`` holds the
matching semantics, ``state`` the reads, ``lookup`` (with ``kube``) finds the load balancer of an Ingress or
a Service, ``balancer`` builds the legs through it and ``ends`` the ends of a leg.
"""

from __future__ import annotations

from sandbox.oracle.aws.reach import ALB, INSTANCE, NLB, reach_aws

__all__ = ["ALB", "INSTANCE", "NLB", "reach_aws"]
