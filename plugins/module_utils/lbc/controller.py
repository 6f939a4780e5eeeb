# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the AWS Load Balancer Controller computes about a cluster's security groups, as pure functions.

- the shared backend group's name and tags (``getBackendSGName``: ``k8s-traffic-<alnum
  cluster, 232 max>-<sha256(cluster)[:10]>``; tags ``elbv2.k8s.aws/cluster`` and
  ``elbv2.k8s.aws/resource=backend-sg``);
- which group on a node ENI receives the node rules (``resolveEndpointSGForENI``: the only group,
  or else exactly one tagged ``kubernetes.io/cluster/<name>``, with the controller's error text);
- which labelled rules of a node group the controller does not write (``disowned``: it revokes them);
- which ports a load balancer must reach on the nodes is in ``service_ports``.

No API calls here: callers pass what they read.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import PlanError
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import DescribedRule
from ansible_collections.kubeguard.netsec.plugins.module_utils.sg.model import is_controller_owned

BACKEND_SG_DESCRIPTION = "[k8s] Shared Backend SecurityGroup for LoadBalancer"

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


class TopologyError(PlanError):
    """The cluster's groups cannot be resolved the way the controller would."""


def backend_sg_name(cluster_name: str) -> str:
    sanitized = _NON_ALNUM.sub("", cluster_name)[:232]
    return f"k8s-traffic-{sanitized}-{hashlib.sha256(cluster_name.encode('utf-8')).hexdigest()[:10]}"


def backend_sg_tags(cluster_name: str) -> Dict[str, str]:
    return {"elbv2.k8s.aws/cluster": cluster_name, "elbv2.k8s.aws/resource": "backend-sg"}


def cluster_tag_key(cluster_name: str) -> str:
    return f"kubernetes.io/cluster/{cluster_name}"


def endpoint_group(
    eni_id: str,
    eni_group_ids: Sequence[str],
    group_tags: Mapping[str, Mapping[str, Any]],
    cluster_name: str,
    required_tags: Optional[Mapping[str, Any]] = None,
) -> str:
    """The group of one ENI that gets the node rules.

    ``group_tags`` maps group id -> tags dict. One group: that group. Several: exactly one must carry
    the cluster tag key (any value) and every ``required_tags`` key=value
    (``--service-target-eni-security-group-tags``).
    """
    if len(eni_group_ids) == 1:
        return eni_group_ids[0]
    key = cluster_tag_key(cluster_name)
    required = required_tags or {}
    tagged = [
        g
        for g in eni_group_ids
        if key in group_tags.get(g, {}) and all(group_tags.get(g, {}).get(k) == v for k, v in required.items())
    ]
    if len(tagged) != 1:
        raise TopologyError(
            f"expected exactly one securityGroup tagged with {key} for eni {eni_id}, got: [{' '.join(sorted(tagged))}] "
            f"(clusterName: {cluster_name})"
        )
    return tagged[0]


def disowned(rules: Sequence[DescribedRule], controller_sources: Sequence[Optional[str]]) -> List[DescribedRule]:
    """The rules of a node group that carry the controller's label although their source is none of the groups
    the controller writes node rules from (its backend group, its managed frontend groups): seed 003's hand-made
    rules, which the controller revokes on its next reconcile."""
    sources = {source for source in controller_sources if source}
    return [
        entry for entry in rules if is_controller_owned(entry.description) and entry.rule.source.value not in sources
    ]
