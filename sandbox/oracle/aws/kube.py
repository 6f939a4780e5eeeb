"""The Kubernetes side of finding a load balancer: the address the controller wrote in an object's status.

A person asks ``kubectl get ingress`` (or ``get service``) for the ADDRESS column, then looks that DNS name
up in the console. The AWS Load Balancer Controller writes it to ``status.loadBalancer.ingress[*].hostname``
of the Ingress (every member of an IngressGroup gets the group's ALB) or of the ``type: LoadBalancer``
Service (its NLB). Read over plain HTTP from the cluster's API emulator, no credentials.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 10.0  # seconds, per read
PATHS = {"ingress": "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}",
         "service": "/api/v1/namespaces/{ns}/services/{name}"}
KINDS = {"ingress": "Ingress", "service": "Service"}
GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"


def read(kube_endpoint: str, kind: str, namespace: str, name: str) -> dict:
    """The object as the API returns it; ValueError when it does not exist, RuntimeError when unreadable."""
    path = PATHS[kind].format(ns=urllib.parse.quote(namespace, safe=""), name=urllib.parse.quote(name, safe=""))
    url = kube_endpoint.rstrip("/") + path
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise ValueError(f"no {KINDS[kind]} {namespace}/{name} at {kube_endpoint}") from exc
        raise RuntimeError(f"reading {KINDS[kind]} {namespace}/{name} at {kube_endpoint}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"reading {KINDS[kind]} {namespace}/{name} at {kube_endpoint}: "
                           f"{getattr(exc, 'reason', exc)}") from exc


def status_hostnames(obj: dict, kind: str) -> list[str]:
    """The hostnames of ``status.loadBalancer.ingress``; ValueError when the controller wrote none yet."""
    entries = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    hostnames = [entry["hostname"] for entry in entries if entry.get("hostname")]
    if not hostnames:
        meta = obj.get("metadata") or {}
        raise ValueError(f"no load balancer address in the status of {KINDS[kind]} "
                         f"{meta.get('namespace')}/{meta.get('name')} (status.loadBalancer.ingress has no hostname: "
                         f"the controller has not provisioned its load balancer, or failed to)")
    return hostnames


def ingress_group(obj: dict) -> str | None:
    """The explicit IngressGroup an Ingress joins (``group.name`` annotation), if any."""
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(GROUP_ANNOTATION)
