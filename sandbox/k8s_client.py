"""A small Kubernetes REST client for the sandbox's own clients (the seed, the reachability oracle):
JSON in, JSON out, ``Status`` errors raised as RuntimeError. It talks HTTP like any client would.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from sandbox import config

_PLURALS = {  # kind -> (api prefix, plural, namespaced)
    "Namespace": ("api/v1", "namespaces", False),
    "ServiceAccount": ("api/v1", "serviceaccounts", True),
    "ConfigMap": ("api/v1", "configmaps", True),
    "Secret": ("api/v1", "secrets", True),
    "Service": ("api/v1", "services", True),
    "Deployment": ("apis/apps/v1", "deployments", True),
    "StatefulSet": ("apis/apps/v1", "statefulsets", True),
    "DaemonSet": ("apis/apps/v1", "daemonsets", True),
    "Ingress": ("apis/networking.k8s.io/v1", "ingresses", True),
    "IngressClass": ("apis/networking.k8s.io/v1", "ingressclasses", False),
    "NetworkPolicy": ("apis/networking.k8s.io/v1", "networkpolicies", True),
    "CustomResourceDefinition": ("apis/apiextensions.k8s.io/v1", "customresourcedefinitions", False),
}


class KubeClient:
    """Just enough of a REST client: JSON in, JSON out, ``Status`` errors raised as RuntimeError."""

    def __init__(self, server: str, token: str = config.K8S_TOKEN) -> None:
        self.server = server.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: dict | None = None, content_type: str = "application/json",
                query: dict | None = None) -> dict:
        url = f"{self.server}/{path.lstrip('/')}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json", "Content-Type": content_type,
            "User-Agent": "kubeguard-sandbox-seed"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("message", "")
            except ValueError:
                message = ""
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} {message}".rstrip()) from exc

    @staticmethod
    def path_of(obj: dict, name: str | None = None) -> str:
        prefix, plural, namespaced = _PLURALS[obj["kind"]]
        path = prefix
        if namespaced:
            path += f"/namespaces/{obj['metadata'].get('namespace', 'default')}"
        path += f"/{plural}"
        return path + (f"/{name}" if name else "")

    def create(self, obj: dict) -> dict:
        return self.request("POST", self.path_of(obj), obj, query={"fieldManager": "kubeguard-seed"})

    def exists(self, kind: str, name: str, namespace: str = "") -> bool:
        obj = {"kind": kind, "metadata": {"name": name, "namespace": namespace}}
        try:
            self.request("GET", self.path_of(obj, name))
            return True
        except RuntimeError as exc:
            if "HTTP 404" in str(exc):
                return False
            raise
