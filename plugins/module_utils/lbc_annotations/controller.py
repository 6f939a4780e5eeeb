# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The live flags of the AWS Load Balancer Controller, read from its Deployment (``lbc.flags``).

The Deployment is the one named by the ``controller`` option (one get), or the only one labelled
``app.kubernetes.io/name=aws-load-balancer-controller`` in the cluster (one list over every namespace).
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Dict
from typing import Optional
from typing import Tuple

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.client import Kube
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags

KIND, API_VERSION = "Deployment", "apps/v1"


def _deployment(kube: Kube, named: Optional[Tuple[str, str]]) -> Dict[str, Any]:
    if named is not None:
        found = kube.get(KIND, API_VERSION, named[1], named[0])
        if found is None:
            raise InputError("controller", f"no Deployment {named[0]}/{named[1]} in the cluster")
        return found
    listed = kube.list(KIND, API_VERSION, None, label_selector=flags.LABEL_SELECTOR)
    try:
        return dict(flags.choose_deployment(listed, "the cluster"))  # the run boundary says which cluster
    except PlanError as exc:
        text = str(exc).replace("the namespace and name options", "the controller option (namespace, name)")
        raise PlanError(text) from None


def read(
    kube: Kube, named: Optional[Tuple[str, str]], required: bool = True
) -> Tuple[Optional[flags.ControllerFlags], Dict[str, Any]]:
    """The controller's effective flags and, for the result, where they were read and what they are. Not
    ``required`` (a rollback), a controller that cannot be found gives no flags and the reason instead."""
    try:
        deployment = _deployment(kube, named)
    except (PlanError, InputError) as exc:
        if required:
            raise
        return None, {"flags": None, "not_found": str(exc)}
    found = flags.from_deployment(deployment)
    metadata = deployment.get("metadata") or {}
    shown = {"namespace": metadata.get("namespace"), "name": metadata.get("name"), "flags": dataclasses.asdict(found)}
    return found, shown
