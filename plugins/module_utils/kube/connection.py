# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kubernetes connections: kubernetes.core's options and client, plus bounded requests and clear errors.

- The options are kubernetes.core's own ``AUTH_ARG_SPEC`` (kubeconfig, context, host, api_key,
  certificates, proxy, no_proxy, proxy_headers, impersonation ...) plus ``request_timeout``,
  resolved as kubernetes.core resolves them (option, else its ``K8S_AUTH_*`` variable).
- :class:`KubeBackend` names where it talks to before connecting (the kubeconfig and context, or
  the host), refuses a kubeconfig path that does not exist or a context it does not hold with an
  InputError naming the option, connects lazily through ``get_api_client`` and bounds every request.
- ``describe`` turns the errors of kubernetes.core, the kubernetes client and urllib3 into one line.

Bounded requests: kubernetes.core passes no timeout and the kubernetes client waits for ever by
default (discovery included), and urllib3 retries idempotent requests on a read timeout. So every
request this process makes gets ``(connect, read)`` timeouts from ``request_timeout`` unless the
caller gave its own, and read timeouts are not retried: a silent API server fails one request
within ``request_timeout`` seconds.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import int_in_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import api_message
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import http_line

REQUEST_TIMEOUT = 30
MAX_REQUEST_TIMEOUT = 600
CONNECT_TIMEOUT = 10
CONNECTION_KEYS = tuple(AUTH_ARG_SPEC) + ("request_timeout",)
_DEFAULT_KUBECONFIG = "~/.kube/config"


def connection_spec() -> Dict[str, dict]:
    """kubernetes.core's authentication options and ``request_timeout``, for an argument_spec."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec["request_timeout"] = {"type": "int", "default": REQUEST_TIMEOUT}
    return spec


def connection_options(params: Dict[str, Any]) -> Dict[str, Any]:
    """The connection options out of a module's params (top level, or a nested ``kubernetes`` dict)."""
    return {key: params.get(key) for key in CONNECTION_KEYS}


def resolved_auth(options: Dict[str, Any]) -> Dict[str, Any]:
    """The authentication settings as kubernetes.core resolves them: each option, else its K8S_AUTH_*
    variable, under the kubernetes client's names (``host``, ``api_key``, ``cert_file`` ...)."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import _create_auth_spec

    return _create_auth_spec(None, **{k: v for k, v in options.items() if k in AUTH_ARG_SPEC and v is not None})


def _kubeconfig_paths(text: str) -> List[str]:
    return [os.path.expanduser(path) for path in text.split(os.pathsep) if path]


def shown_path(text: str) -> str:
    """A kubeconfig path for messages, as ``'<file>' in <directory>``.

    kubernetes.core marks ``kubeconfig`` no_log (it may hold a whole kubeconfig), so Ansible masks the
    option's value wherever it appears; the file and directory, shown apart, stay readable.
    """
    shown = []
    for path in text.split(os.pathsep):
        directory, name = os.path.split(os.path.expanduser(path))
        shown.append(f"'{name}' in {directory or '.'}")
    return " and ".join(shown)


@dataclass(frozen=True)
class Kubeconfigs:
    """What the kubeconfig files say: each context's API server, and the current context."""

    servers: Dict[str, Optional[str]]
    current: Optional[str]


def read_kubeconfigs(paths: List[str]) -> Optional[Kubeconfigs]:
    """The contexts of the kubeconfig files (the first file wins, as the kubernetes client merges them), or None
    when one cannot be read as a kubeconfig (the client will then say why)."""
    import yaml  # pylint: disable=import-outside-toplevel  # PyYAML ships with ansible-core

    servers: Dict[str, Optional[str]] = {}
    current = None
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                document = yaml.safe_load(handle) or {}
        except (OSError, yaml.YAMLError):
            return None
        if not isinstance(document, dict):
            return None
        clusters = {
            c.get("name"): (c.get("cluster") or {}).get("server")
            for c in document.get("clusters") or []
            if isinstance(c, dict)
        }
        for context in document.get("contexts") or []:
            if isinstance(context, dict) and context.get("name") and context["name"] not in servers:
                servers[context["name"]] = clusters.get((context.get("context") or {}).get("cluster"))
        current = current or document.get("current-context")
    return Kubeconfigs(servers, current)


class KubeBackend:
    """One Kubernetes connection of a run: where it goes, its client (connected on first use), its calls."""

    def __init__(self, options: Dict[str, Any], option_prefix: str = "") -> None:
        self.options = dict(options)
        self.prefix = option_prefix
        timeout = self.options.get("request_timeout")
        self.request_timeout = int_in_range(
            REQUEST_TIMEOUT if timeout is None else timeout,
            f"{option_prefix}request_timeout",
            1,
            MAX_REQUEST_TIMEOUT,
            "seconds",
        )
        self.calls = CallCounter()
        self._client = None
        self._host: Optional[str] = None
        self.kubeconfig, self.context = self._target(resolved_auth(self.options))

    def _target(self, auth: Dict[str, Any]) -> Tuple[Optional[str], Optional[str]]:
        """(kubeconfig path text or None, context or None); checks that both exist before any connection."""
        if auth.get("host") and (
            auth.get("api_key")
            or (auth.get("username") and auth.get("password"))
            or (auth.get("cert_file") and auth.get("key_file"))
        ):
            self._host = auth["host"]  # kubernetes.core loads no kubeconfig then
            return None, None
        kubeconfig, context = auth.get("kubeconfig"), auth.get("context")
        if isinstance(kubeconfig, dict):
            return "<inline kubeconfig>", context
        if kubeconfig is None and context is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            return "<in-cluster service account>", None
        path = kubeconfig or os.environ.get("KUBECONFIG") or _DEFAULT_KUBECONFIG
        paths = [p for p in _kubeconfig_paths(path) if os.path.isfile(p)]
        if not paths:
            source = "the kubeconfig option" if kubeconfig else "KUBECONFIG or ~/.kube/config"
            raise InputError(
                f"{self.prefix}kubeconfig",
                f"{shown_path(path)} does not exist or is not a file ({source}); give the path of a kubeconfig file",
            )
        return path, self._check_context(path, paths, context)

    def _check_context(self, path: str, paths: List[str], context: Optional[str]) -> Optional[str]:
        found = read_kubeconfigs(paths)
        if found is None:
            return context
        if context and context not in found.servers:
            known = ", ".join(sorted(found.servers)) or "none"
            raise InputError(
                f"{self.prefix}context",
                f"{context!r} is not a context of kubeconfig {shown_path(path)} (its contexts: {known})",
            )
        context = context or found.current
        self._host = found.servers.get(context)
        return context

    @property
    def where(self) -> str:
        parts = [f"Kubernetes API {self._host}"] if self._host else []
        if self.kubeconfig:
            source = self.kubeconfig if self.kubeconfig.startswith("<") else f"kubeconfig {shown_path(self.kubeconfig)}"
            parts.append(f"context {self.context or '<current>'} of {source}")
        return ", ".join(parts) or "Kubernetes"

    def client(self) -> Any:
        """kubernetes.core's K8SClient, connected on first use (discovery may make requests)."""
        if self._client is None:
            from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

            bound_requests(self.request_timeout)
            options = {k: v for k, v in self.options.items() if k in AUTH_ARG_SPEC and v is not None}
            self._client = get_api_client(**options)
            self._host = self._client.configuration.host
        return self._client

    def describe(self, exc: BaseException) -> Optional[str]:
        return describe(exc, self.request_timeout)


def bound_requests(timeout: int) -> None:
    """Give every request of the kubernetes client in this process ``(connect, read)`` timeouts and no
    retry of read timeouts (see the module docstring); calling it again only changes the timeout."""
    import urllib3  # pylint: disable=import-outside-toplevel
    from kubernetes.client import rest  # pylint: disable=import-outside-toplevel

    cls = rest.RESTClientObject
    bounds = (min(CONNECT_TIMEOUT, timeout), timeout)
    cls.kubeguard_bounds = bounds
    if getattr(cls, "kubeguard_unbounded", None):
        return
    cls.kubeguard_unbounded = (cls.__init__, cls.request)
    original_init, original_request = cls.kubeguard_unbounded

    def __init__(self, configuration: Any, *args: Any, **kwargs: Any) -> None:
        if configuration.retries is None:
            configuration.retries = urllib3.Retry(total=3, connect=3, read=0, status=0, other=0)
        original_init(self, configuration, *args, **kwargs)

    def request(self, method: str, url: str, *args: Any, _request_timeout: Any = None, **kwargs: Any) -> Any:
        timeout_given = _request_timeout or type(self).kubeguard_bounds
        return original_request(self, method, url, *args, _request_timeout=timeout_given, **kwargs)

    cls.__init__ = __init__
    cls.request = request


def describe(exc: BaseException, timeout: Optional[int] = None) -> Optional[str]:
    """One line for an error of kubernetes.core, the kubernetes client or urllib3 (None for others)."""
    module = type(exc).__module__ or ""
    if module.startswith("urllib3"):
        return _describe_urllib3(exc, timeout)
    if module.startswith("kubernetes") and getattr(exc, "status", None) is not None:
        # ApiException, or one of the dynamic client's errors (whose text carries their traceback)
        message, line = api_message(exc), http_line(exc)
        return message if message.startswith(line) else f"{line}: {message}"
    if module.startswith(("kubernetes", "ansible_collections.kubernetes")):
        return f"{exc}"  # the boundary cuts any traceback off
    return None


def _describe_urllib3(exc: BaseException, timeout: Optional[int]) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException) and reason is not exc:
        return _describe_urllib3(reason, timeout)
    name = type(exc).__name__
    seconds = f" of {timeout}s" if timeout else ""
    if name == "ReadTimeoutError":
        return f"no answer within the request timeout{seconds} (request_timeout)"
    if name == "ConnectTimeoutError":
        return f"no connection within the connect timeout (request_timeout{seconds})"
    if name == "NewConnectionError":
        cause = str(exc).rpartition("] ")[2] or str(exc)
        return f"cannot connect to the API server: {cause}"
    if name == "SSLError":
        return f"TLS error: {exc}"
    return f"{name}: {exc}"
