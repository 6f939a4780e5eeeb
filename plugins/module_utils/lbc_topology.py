# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the AWS Load Balancer Controller computes about a cluster's security groups, as pure functions.

- the shared backend group's name and tags (``getBackendSGName``: ``k8s-traffic-<alnum
  cluster, 232 max>-<sha256(cluster)[:10]>``; tags ``elbv2.k8s.aws/cluster`` and
  ``elbv2.k8s.aws/resource=backend-sg``);
- which group on a node ENI receives the node rules (``resolveEndpointSGForENI``: the only group,
  or else exactly one tagged ``kubernetes.io/cluster/<name>``, with the controller's error text);
- which ports a load balancer must reach on the nodes, from the cluster's Services and Ingresses
  (target ports and health-check ports, per target type).

No API calls here: callers pass what they read.
"""

from __future__ import annotations

import hashlib
import json
import re

BACKEND_SG_DESCRIPTION = "[k8s] Shared Backend SecurityGroup for LoadBalancer"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
ALB = "alb.ingress.kubernetes.io/"
NLB = "service.beta.kubernetes.io/aws-load-balancer-"
NLB_CLASS = "service.k8s.aws/nlb"

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


class TopologyError(Exception):
    """The cluster's groups cannot be resolved the way the controller would."""


def backend_sg_name(cluster_name):
    sanitized = _NON_ALNUM.sub("", cluster_name)[:232]
    return "k8s-traffic-%s-%s" % (sanitized, hashlib.sha256(cluster_name.encode("utf-8")).hexdigest()[:10])


def backend_sg_tags(cluster_name):
    return {"elbv2.k8s.aws/cluster": cluster_name, "elbv2.k8s.aws/resource": "backend-sg"}


def cluster_tag_key(cluster_name):
    return "kubernetes.io/cluster/%s" % cluster_name


def endpoint_group(eni_id, eni_group_ids, group_tags, cluster_name, required_tags=None):
    """The group of one ENI that gets the node rules.

    ``group_tags`` maps group id -> tags dict. One group: that group. Several: exactly one must carry
    the cluster tag key (any value) and every ``required_tags`` key=value
    (``--service-target-eni-security-group-tags``).
    """
    if len(eni_group_ids) == 1:
        return eni_group_ids[0]
    key = cluster_tag_key(cluster_name)
    required = required_tags or {}
    tagged = [g for g in eni_group_ids
              if key in group_tags.get(g, {}) and all(group_tags.get(g, {}).get(k) == v for k, v in required.items())]
    if len(tagged) != 1:
        raise TopologyError("expected exactly one securityGroup tagged with %s for eni %s, got: [%s] (clusterName: %s)"
                            % (key, eni_id, " ".join(sorted(tagged)), cluster_name))
    return tagged[0]


def _is_alb_ingress(ingress, ingress_class):
    spec = ingress.get("spec") or {}
    annotations = (ingress.get("metadata") or {}).get("annotations") or {}
    return spec.get("ingressClassName", annotations.get(INGRESS_CLASS_ANNOTATION)) == ingress_class


def _service_port(service, wanted):
    """The Service port an Ingress backend names (by number or by name)."""
    for port in (service.get("spec") or {}).get("ports") or []:
        if ("number" in wanted and port.get("port") == wanted["number"]) or \
                ("name" in wanted and port.get("name") == wanted["name"]):
            return port
    return None


def _numeric_port(value):
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _backends(ingress):
    spec = ingress.get("spec") or {}
    if spec.get("defaultBackend"):
        yield spec["defaultBackend"]
    for rule in spec.get("rules") or []:
        for path in ((rule.get("http") or {}).get("paths")) or []:
            if path.get("backend"):
                yield path["backend"]


def node_ports(services, ingresses, ingress_class="alb", default_target_type="instance"):
    """Ports the load balancers reach on the node ENIs, as the controller's restricted rules would open.

    Returns a sorted list of dicts ``{protocol, port, target_type, reason}`` with one entry per
    (protocol, port); ``reason`` names the first object that needs it (``Ingress shop/web -> Service
    shop/web:80``). Instance targets need the NodePort; IP targets need the pod's target port (numeric
    targetPorts only: a named targetPort is reported in the returned ``unresolved`` list).
    A numeric health-check port other than ``traffic-port`` is added too.
    """
    by_name = {((s.get("metadata") or {}).get("namespace"), (s.get("metadata") or {}).get("name")): s
               for s in services}
    found = {}
    unresolved = []

    def need(protocol, port, target_type, reason):
        if port is not None and (protocol, port) not in found:
            found[(protocol, port)] = {"protocol": protocol, "port": port, "target_type": target_type,
                                       "reason": reason}

    def target_port(service_port, target_type, where):
        if target_type == "instance":
            node_port = service_port.get("nodePort")
            if node_port is None:
                unresolved.append("%s: the Service port has no nodePort (type ClusterIP?)" % where)
            return node_port
        number = _numeric_port(service_port.get("targetPort", service_port.get("port")))
        if number is None:
            unresolved.append("%s: named targetPort %r needs the pods' container ports" %
                              (where, service_port.get("targetPort")))
        return number

    for ingress in ingresses:
        if not _is_alb_ingress(ingress, ingress_class):
            continue
        meta = ingress.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        namespace = meta.get("namespace")
        for backend in _backends(ingress):
            ref = backend.get("service")
            if not ref:
                continue
            service = by_name.get((namespace, ref.get("name")))
            where = "Ingress %s/%s -> Service %s/%s" % (namespace, meta.get("name"), namespace, ref.get("name"))
            if service is None:
                unresolved.append("%s: Service not found" % where)
                continue
            svc_annotations = (service.get("metadata") or {}).get("annotations") or {}
            target_type = svc_annotations.get(ALB + "target-type", annotations.get(ALB + "target-type",
                                                                                   default_target_type))
            port = _service_port(service, ref.get("port") or {})
            if port is None:
                unresolved.append("%s: port %s not found" % (where, json.dumps(ref.get("port"))))
                continue
            need("tcp", target_port(port, target_type, where), target_type, "%s:%s" % (where, port.get("port")))
            health = svc_annotations.get(ALB + "healthcheck-port", annotations.get(ALB + "healthcheck-port"))
            if health not in (None, "traffic-port"):
                need("tcp", _numeric_port(health), target_type, "%s health check" % where)

    for service in services:
        spec = service.get("spec") or {}
        meta = service.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        if spec.get("type") != "LoadBalancer":
            continue
        if spec.get("loadBalancerClass") != NLB_CLASS and annotations.get(NLB + "type") not in ("external", "nlb-ip"):
            continue
        target_type = annotations.get(NLB + "nlb-target-type",
                                      "ip" if annotations.get(NLB + "type") == "nlb-ip" else "instance")
        for port in spec.get("ports") or []:
            where = "Service %s/%s" % (meta.get("namespace"), meta.get("name"))
            number = target_port(port, target_type, where)
            protocol = (port.get("protocol") or "TCP").lower()
            need(protocol, number, target_type, "%s:%s" % (where, port.get("port")))
            if protocol == "udp":  # the health check of a UDP target group uses TCP on the traffic port
                need("tcp", number, target_type, "%s:%s health check" % (where, port.get("port")))
        health = annotations.get(NLB + "healthcheck-port")
        if health not in (None, "traffic-port"):
            need("tcp", _numeric_port(health), target_type, "Service %s/%s health check" %
                 (meta.get("namespace"), meta.get("name")))
    return sorted(found.values(), key=lambda p: (p["protocol"], p["port"])), unresolved
