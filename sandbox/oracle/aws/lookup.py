"""Which load balancer serves an Ingress (its ALB) or a ``type: LoadBalancer`` Service (its NLB).

Two ways, and the trace says which was taken:

- through the Kubernetes object, as a person does (``kubectl get ingress`` ADDRESS, then the console): the
  hostname in ``status.loadBalancer.ingress`` is the load balancer's DNSName. This is the only way to find
  the ALB of an Ingress in an explicit IngressGroup by the Ingress's own name, since the controller tags that
  ALB with the group name, not the Ingress's;
- without a Kubernetes endpoint, by the controller's tags: ``elbv2.k8s.aws/cluster=CLUSTER`` and
  ``ingress.k8s.aws/stack=NS/NAME`` (ALB) or ``service.k8s.aws/stack=NS/NAME`` (NLB).
"""

from __future__ import annotations

import dataclasses

from sandbox.oracle.aws import kube
from sandbox.oracle.aws.state import AwsState

STACK_KEYS = {"ingress": "ingress.k8s.aws/stack", "service": "service.k8s.aws/stack"}


@dataclasses.dataclass(frozen=True)
class Found:
    """The load balancer, its tags, and how it was found (for the trace)."""

    lb: dict
    tags: dict[str, str]
    how: str

    @property
    def stack_key(self) -> str:
        """The tag naming its stack: the Service's for an NLB, the Ingress (group)'s for an ALB."""
        return STACK_KEYS["service" if self.lb.get("Type") == "network" else "ingress"]


def find(state: AwsState, ref: str, kind: str, kube_endpoint: str | None) -> Found:
    """The load balancer of ``ref`` (CLUSTER/NS/NAME), an Ingress or a Service (``kind``)."""
    if kind not in STACK_KEYS:
        raise ValueError(f"target_kind must be one of {', '.join(STACK_KEYS)}, not {kind!r}")
    cluster, namespace, name = ref.split("/")
    if kube_endpoint:
        return _by_status(state, kube_endpoint, kind, namespace, name)
    key = STACK_KEYS[kind]
    lb, tags = state.load_balancer_tagged(cluster, key, f"{namespace}/{name}")
    return Found(lb, tags, f"{lb['LoadBalancerName']} found by its tags elbv2.k8s.aws/cluster={cluster}, "
                           f"{key}={namespace}/{name}")


def _by_status(state: AwsState, kube_endpoint: str, kind: str, namespace: str, name: str) -> Found:
    obj = kube.read(kube_endpoint, kind, namespace, name)
    what = f"{kube.KINDS[kind]} {namespace}/{name}"
    hostnames = kube.status_hostnames(obj, kind)
    group = kube.ingress_group(obj) if kind == "ingress" else None
    for hostname in hostnames:
        lb = state.load_balancer_by_dns(hostname)
        if lb is not None:
            how = (f"{lb['LoadBalancerName']} found by the status of {what}: status.loadBalancer.ingress hostname "
                   f"{hostname} is its DNSName" + (f" (IngressGroup {group})" if group else ""))
            return Found(lb, state.load_balancer_tags(lb["LoadBalancerArn"]), how)
    raise ValueError(f"no load balancer has the DNS name {', '.join(hostnames)} written in the status of {what}")
