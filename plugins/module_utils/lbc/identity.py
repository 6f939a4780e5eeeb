# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Is the Kubernetes cluster read the named EKS cluster? Its nodes must be the cluster's instances.

Ports read from another cluster's Services (a wrong context) would open the wrong ports and, under
``replaced``, revoke the right ones. Every EKS node's ``spec.providerID`` is ``aws:///<zone>/<instance id>``;
at least one of them must be a running instance tagged for the named cluster, or the run stops before
any write.
"""

from __future__ import annotations

import re
from typing import Dict
from typing import List

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

_PROVIDER_ID = re.compile(r"^aws:///[^/]*/(?P<instance>i-[0-9a-f]+)$")


def node_instances(nodes: List[dict]) -> Dict[str, str]:
    """{node name: EC2 instance id} of the nodes whose providerID names an instance."""
    found = {}
    for node in nodes:
        match = _PROVIDER_ID.match(((node.get("spec") or {}).get("providerID")) or "")
        if match:
            found[(node.get("metadata") or {}).get("name")] = match.group("instance")
    return found


def check_cluster(cluster: str, instance_ids: List[str], nodes: List[dict], where: str) -> None:
    """InputError (naming the ``kubernetes`` option) unless a node of the cluster read is one of ``instance_ids``."""
    instances = node_instances(nodes)
    if set(instances.values()) & set(instance_ids):
        return
    seen = ", ".join(f"{name}={instance}" for name, instance in sorted(instances.items())) or "no EC2 node"
    raise InputError(
        "kubernetes",
        f"the Kubernetes cluster read ({where}) is not EKS cluster {cluster}: its nodes "
        f"({seen}) are not the cluster's running instances "
        f"({', '.join(sorted(instance_ids)) or 'none'}); check kubernetes.context. "
        "Nothing was changed",
    )
