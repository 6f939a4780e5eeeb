# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ack_fixed_pod_ip's inputs: every option validated, before the first API call.

``Spec.from_params`` raises ``InputError(path, message)``; the module fails once with
``<path>: <message>``. Nothing here talks to a server.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack import podnetworking
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.validation import int_in_range
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import check_name
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.names import is_subdomain

# the controller-revision-hash label is "<name>-<10 chars>" and a label value is at most 63 characters
MAX_STATEFULSET_NAME = 52
DEFAULT_CREDENTIAL_PATH = "/var/addon/token-config"
DEFAULT_TERWAY_SELECTOR = "app=terway-eniip"


def _default(params: Dict[str, Any], key: str, default: Any) -> Any:
    return default if params.get(key) is None else params[key]


@dataclass(frozen=True)
class Spec:
    """The validated options of one run."""

    state: str
    namespace: str
    manage_eni_config: bool
    credential_path: str
    restart_terway: bool
    terway_selector: str
    cluster_type: str
    require_network_policy: bool
    label_namespace: bool
    wait_timeout: int
    wait_sleep: int
    deployment: Optional[str]
    statefulset: Optional[str]
    service_name: Optional[str]
    replicas: Optional[int]
    pod_management_policy: str
    pn_option: Optional[Dict[str, Any]]
    pn_name: Optional[str]
    pn_spec: Optional[Dict[str, Any]]
    overwrite_namespace_labels: bool = False
    hpa: str = "refuse"
    copy_gitops_metadata: bool = False

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "Spec":
        eni = params.get("eni_config") or {}
        deployment = params.get("convert_deployment")
        statefulset = params.get("statefulset_name") or deployment
        pn_option = params.get("pod_networking")
        spec = cls(
            state=params.get("state") or "merged",
            namespace=check_name("namespace", params.get("namespace")),
            manage_eni_config=eni.get("manage", True) is not False,
            credential_path=eni.get("credential_path") or DEFAULT_CREDENTIAL_PATH,
            restart_terway=eni.get("restart_terway", True) is not False,
            terway_selector=(eni.get("terway_pod_selector") or DEFAULT_TERWAY_SELECTOR).strip(),
            cluster_type=params.get("cluster_type") or "managed",
            require_network_policy=bool(params.get("require_network_policy")),
            label_namespace=params.get("label_namespace", True) is not False,
            wait_timeout=_default(params, "wait_timeout", 300),
            wait_sleep=_default(params, "wait_sleep", 2),
            deployment=deployment,
            statefulset=statefulset,
            service_name=params.get("service_name") or (f"{statefulset}-headless" if statefulset else None),
            replicas=params.get("replicas"),
            pod_management_policy=params.get("pod_management_policy") or "Parallel",
            pn_option=pn_option,
            pn_name=(pn_option or {}).get("name"),
            pn_spec=None,
            overwrite_namespace_labels=bool(params.get("overwrite_namespace_labels")),
            hpa=params.get("hpa") or "refuse",
            copy_gitops_metadata=bool(params.get("copy_gitops_metadata")),
        )
        spec.validate(params)
        if pn_option is not None and spec.state not in ("gathered", "deleted"):
            # a PodNetworkingError is an InputError; gathered and deleted only name the PodNetworking
            spec = replace(spec, pn_spec=podnetworking.spec_from_option(pn_option))
        spec.validate_for_state()
        return spec

    def validate(self, params: Dict[str, Any]) -> None:
        if not posixpath.isabs(self.credential_path) or "\n" in self.credential_path:
            raise InputError("eni_config.credential_path", f"{self.credential_path!r} must be an absolute path")
        if not self.terway_selector:
            raise InputError("eni_config.terway_pod_selector", "must not be empty")
        int_in_range(self.wait_timeout, "wait_timeout", 1, 3600, "seconds")
        if self.wait_sleep <= 0 or self.wait_sleep > 60:
            raise InputError("wait_sleep", f"{self.wait_sleep} must be more than 0 and at most 60 seconds")
        if self.deployment is not None:
            check_name("convert_deployment", self.deployment, form="subdomain", limit=253)
        if params.get("statefulset_name") is not None or self.deployment:
            check_name(
                "statefulset_name",
                self.statefulset,
                limit=MAX_STATEFULSET_NAME,
                what="a DNS-1123 label short enough for the controller-revision-hash label",
            )
        if self.service_name is not None:
            check_name("service_name", self.service_name, form="dns1035")
        if params.get("service_name") and not self.statefulset:
            raise InputError("service_name", "only applies with convert_deployment or statefulset_name")
        int_in_range(self.replicas, "replicas", 1, 1000)
        if self.pn_option is not None and self.state in ("gathered", "deleted"):
            if not is_subdomain(self.pn_name):
                raise InputError("pod_networking.name", f"{self.pn_name!r} is not a valid object name")

    def validate_for_state(self) -> None:
        if self.state in ("merged", "replaced", "rendered") and self.pn_option is None:
            raise InputError("pod_networking", f"is required with state {self.state}")
        if self.state == "deleted" and not (self.deployment or self.statefulset or self.pn_option):
            raise InputError(
                "convert_deployment",
                "state deleted needs convert_deployment (the rollback), statefulset_name or pod_networking",
            )
        if self.state == "rendered" and self.deployment:
            raise InputError(
                "convert_deployment",
                "state rendered works offline and cannot read the Deployment; "
                "run state merged in check mode with --diff to see the "
                "StatefulSet it would create",
            )
        if self.state != "deleted" and self.replicas is not None and not self.statefulset:
            raise InputError("replicas", "only applies with convert_deployment or statefulset_name")

    def namespace_labels(self) -> Dict[str, str]:
        """The labels the namespace needs so the PodNetworking's namespaceSelector matches it."""
        if not self.label_namespace or not self.pn_spec:
            return {}
        return dict((self.pn_spec["selector"].get("namespaceSelector") or {}).get("matchLabels") or {})

    def eni_conf_keys(self) -> Dict[str, Any]:
        return {"enable_eni_trunking": True, "credential_path": self.credential_path}
