# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's inputs: every option validated, before the first API call.

``Spec.from_params`` raises ``InputError(path, message)``; the module fails once with
``<path>: <message>``. Nothing here talks to a server.
"""

from __future__ import annotations

import posixpath
import re

from ansible_collections.kubeguard.netsec.plugins.module_utils import ack_podnetworking as pn
from ansible_collections.kubeguard.netsec.plugins.module_utils.input_error import InputError

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
# the controller-revision-hash label is "<name>-<10 chars>" and a label value is at most 63 characters
MAX_STATEFULSET_NAME = 52
DEFAULT_CREDENTIAL_PATH = "/var/addon/token-config"
DEFAULT_TERWAY_SELECTOR = "app=terway-eniip"


def _name(path, value, pattern=_DNS_LABEL, limit=63, what="a DNS-1123 label"):
    if not isinstance(value, str) or len(value) > limit or not pattern.match(value):
        raise InputError(path, "%r is not a valid name (%s, at most %d characters)" % (value, what, limit))
    return value


class Spec:
    """The validated options of one run."""

    def __init__(self, params):
        self.params = params
        self.state = params.get("state") or "merged"
        self.namespace = _name("namespace", params.get("namespace"))
        eni = params.get("eni_config") or {}
        self.manage_eni_config = eni.get("manage", True) is not False
        self.credential_path = eni.get("credential_path") or DEFAULT_CREDENTIAL_PATH
        self.restart_terway = eni.get("restart_terway", True) is not False
        self.terway_selector = (eni.get("terway_pod_selector") or DEFAULT_TERWAY_SELECTOR).strip()
        self.cluster_type = params.get("cluster_type") or "managed"
        self.require_network_policy = bool(params.get("require_network_policy"))
        self.label_namespace = params.get("label_namespace", True) is not False
        self.wait_timeout = 300 if params.get("wait_timeout") is None else params["wait_timeout"]
        self.wait_sleep = 2 if params.get("wait_sleep") is None else params["wait_sleep"]
        self.deployment = params.get("convert_deployment")
        self.statefulset = params.get("statefulset_name") or self.deployment
        self.service_name = params.get("service_name") or (
            "%s-headless" % self.statefulset if self.statefulset else None)
        self.replicas = params.get("replicas")
        self.pod_management_policy = params.get("pod_management_policy") or "Parallel"
        self.pn_option = params.get("pod_networking")
        self.pn_name = (self.pn_option or {}).get("name")
        self.pn_spec = None
        self._validate()

    @classmethod
    def from_params(cls, params):
        return cls(params)

    def _validate(self):
        if not posixpath.isabs(self.credential_path) or "\n" in self.credential_path:
            raise InputError("eni_config.credential_path", "%r must be an absolute path" % self.credential_path)
        if not self.terway_selector:
            raise InputError("eni_config.terway_pod_selector", "must not be empty")
        if self.wait_timeout < 1 or self.wait_timeout > 3600:
            raise InputError("wait_timeout", "%s must be between 1 and 3600 seconds" % self.wait_timeout)
        if self.wait_sleep <= 0 or self.wait_sleep > 60:
            raise InputError("wait_sleep", "%s must be more than 0 and at most 60 seconds" % self.wait_sleep)
        if self.deployment is not None:
            _name("convert_deployment", self.deployment, limit=253, what="a DNS-1123 name")
        if self.params.get("statefulset_name") is not None or self.deployment:
            _name("statefulset_name", self.statefulset, limit=MAX_STATEFULSET_NAME,
                  what="a DNS-1123 label short enough for the controller-revision-hash label")
        if self.service_name is not None:
            _name("service_name", self.service_name, pattern=_DNS_1035, what="a DNS-1035 label")
        if self.params.get("service_name") and not self.statefulset:
            raise InputError("service_name", "only applies with convert_deployment or statefulset_name")
        if self.replicas is not None and (self.replicas < 1 or self.replicas > 1000):
            raise InputError("replicas", "%s must be between 1 and 1000" % self.replicas)
        if self.pn_option is not None and self.state in ("gathered", "deleted"):
            if not pn.is_valid_name(self.pn_name):  # these states only name the PodNetworking
                raise InputError("pod_networking.name", "%r is not a valid object name" % (self.pn_name,))
        elif self.pn_option is not None:
            self.pn_spec = pn.spec_from_option(self.pn_option)  # a PodNetworkingError is an InputError
        self._validate_for_state()

    def _validate_for_state(self):
        if self.state in ("merged", "replaced", "rendered") and self.pn_option is None:
            raise InputError("pod_networking", "is required with state %s" % self.state)
        if self.state == "deleted" and not (self.deployment or self.statefulset or self.pn_option):
            raise InputError("convert_deployment", "state deleted needs convert_deployment (the rollback), "
                                                   "statefulset_name or pod_networking")
        if self.state == "rendered" and self.deployment:
            raise InputError("convert_deployment", "state rendered works offline and cannot read the Deployment; "
                                                   "run state merged in check mode with --diff to see the "
                                                   "StatefulSet it would create")
        if self.state != "deleted" and self.replicas is not None and not self.statefulset:
            raise InputError("replicas", "only applies with convert_deployment or statefulset_name")

    def namespace_labels(self):
        """The labels the namespace needs so the PodNetworking's namespaceSelector matches it."""
        if not self.label_namespace or not self.pn_spec:
            return {}
        return dict(((self.pn_spec["selector"].get("namespaceSelector") or {}).get("matchLabels") or {}))

    def eni_conf_keys(self):
        return {"enable_eni_trunking": True, "credential_path": self.credential_path}
