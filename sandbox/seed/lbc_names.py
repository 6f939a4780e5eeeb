"""Names and tags exactly as the AWS Load Balancer Controller computes them (reference B.1, B.2).

Kept here, independent of the collection's own implementation, so tests can cross-check both.
"""

from __future__ import annotations

import hashlib
import re

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def _sanitize(value: str) -> str:
    return _NON_ALNUM.sub("", value)


def _sha10(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:10]


def backend_sg_name(cluster: str) -> str:
    """``k8s-traffic-<alnum cluster, max 232>-<sha256(cluster)[:10]>``."""
    return f"k8s-traffic-{_sanitize(cluster)[:232]}-{_sha10(cluster)}"


def backend_sg_tags(cluster: str) -> dict[str, str]:
    return {"elbv2.k8s.aws/cluster": cluster, "elbv2.k8s.aws/resource": "backend-sg"}


BACKEND_SG_DESCRIPTION = "[k8s] Shared Backend SecurityGroup for LoadBalancer"
MANAGED_SG_DESCRIPTION = "[k8s] Managed SecurityGroup for LoadBalancer"
TGB_RULE_DESCRIPTION = "elbv2.k8s.aws/targetGroupBinding=shared"


def ingress_managed_sg_name(cluster: str, namespace: str, ingress: str) -> str:
    """Frontend group of an Ingress in its implicit IngressGroup: ``k8s-<ns:8>-<name:8>-<hash:10>``."""
    return f"k8s-{_sanitize(namespace)[:8]}-{_sanitize(ingress)[:8]}-{_sha10(cluster + namespace + '/' + ingress)}"


def explicit_group_sg_name(cluster: str, group: str) -> str:
    """Frontend group of an explicit IngressGroup (``group.name``): ``k8s-<group:17>-<hash:10>``."""
    return f"k8s-{_sanitize(group)[:17]}-{_sha10(cluster + group)}"


def managed_sg_tags(cluster: str, region: str, stack: str) -> dict[str, str]:
    """The tracking tags of a managed frontend group; ``stack`` is ``namespace/name`` or the group name."""
    return {
        "elbv2.k8s.aws/cluster": cluster,
        "elbv2.k8s.aws/cluster-region": region,
        "ingress.k8s.aws/stack": stack,
        "ingress.k8s.aws/resource": "ManagedLBSecurityGroup",
    }


def ingress_managed_sg_tags(cluster: str, region: str, namespace: str, ingress: str) -> dict[str, str]:
    return managed_sg_tags(cluster, region, f"{namespace}/{ingress}")


def service_managed_sg_name(cluster: str, namespace: str, name: str, uid: str) -> str:
    """Frontend group of an NLB Service: ``k8s-<ns:8>-<name:8>-<hash:10>``, hashing cluster, name, namespace, uid."""
    return f"k8s-{_sanitize(namespace)[:8]}-{_sanitize(name)[:8]}-{_sha10(cluster + name + namespace + uid)}"


def service_managed_sg_tags(cluster: str, stack: str) -> dict[str, str]:
    return {"elbv2.k8s.aws/cluster": cluster, "service.k8s.aws/stack": stack,
            "service.k8s.aws/resource": "ManagedLBSecurityGroup"}


def load_balancer_name(cluster: str, stack: str, explicit: bool, scheme: str) -> str:
    """An ALB's or NLB's name: ``k8s-<ns:8>-<name:8>-<hash:10>`` (``k8s-<group:17>-<hash:10>`` for an explicit
    IngressGroup), hashing cluster, stack id and scheme."""
    digest = _sha10(cluster + stack + scheme)
    if explicit:
        return f"k8s-{_sanitize(stack)[:17]}-{digest}"
    namespace, _, name = stack.partition("/")
    return f"k8s-{_sanitize(namespace)[:8]}-{_sanitize(name)[:8]}-{digest}"


def target_group_name(cluster: str, stack: str, namespace: str, service: str, port: str, tg_port: int,
                      target_type: str, protocol: str) -> str:
    """``k8s-<ns:8>-<service:8>-<hash:10>``, hashing what makes the target group what it is."""
    digest = _sha10(f"{cluster}{stack}{namespace}{service}{port}{tg_port}{target_type}{protocol}")
    return f"k8s-{_sanitize(namespace)[:8]}-{_sanitize(service)[:8]}-{digest}"


def load_balancer_tags(cluster: str, tag_prefix: str, stack: str, resource: str = "LoadBalancer") -> dict[str, str]:
    """The tracking tags of a load balancer (``resource`` LoadBalancer) or a target group (``ns/svc:port``);
    ``tag_prefix`` is ``ingress.k8s.aws`` or ``service.k8s.aws``."""
    return {"elbv2.k8s.aws/cluster": cluster, f"{tag_prefix}/stack": stack, f"{tag_prefix}/resource": resource}
