"""The reachability oracle: would a connection from a pod reach a Service, and along which path.

It reads the emulated clusters and the CLB emulator over HTTP, as an outside observer, and never
uses the collection's code. ``reach`` answers pod -> load-balancer Service (seed 004), ``reach_pod`` pod ->
pod, both with the NetworkPolicies of the clusters where their engine enforces them, ``reach_aws`` a client
-> ALB Ingress, instance or pod IP on AWS (security groups, network ACLs, routes); every answer
names each hop and the rule that decided, so a failed assertion reads like a trace.
"""

from __future__ import annotations

from sandbox.oracle.aws import reach_aws
from sandbox.oracle.pod_to_pod import reach_pod
from sandbox.oracle.pod_to_service import reach
from sandbox.oracle.verdict import Hop, Verdict

__all__ = ["Hop", "Verdict", "reach", "reach_aws", "reach_pod"]
