# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""netsec_audit: group/kubeguard.netsec.k8s defaults reach its ``kubernetes`` option."""

from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.plugin_utils.nested_kubernetes import NestedKubernetesAction


class ActionModule(NestedKubernetesAction):
    """See plugin_utils/nested_kubernetes.py."""
