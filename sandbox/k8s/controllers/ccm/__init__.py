"""A simulated Alibaba Cloud cloud-controller-manager (its CLB service controller) on the ACK clusters.

What it does, after kubernetes/cloud-provider-alibaba-cloud (divergences in docs/sandbox.md):

- a ``type: LoadBalancer`` Service gets a CLB: the one named by the ``id`` annotation (reused: the CCM
  never deletes it, and touches its listeners only with ``force-override-listeners: "true"``), or one
  it creates (named ``a<uid>``, deleted with the Service);
- listeners it manages: one per Service port (``protocol-port`` for http/https), created then started,
  with ``AclStatus``/``AclType``/``AclId`` from the ``acl-status``/``acl-type``/``acl-id`` annotations;
  listeners are synced only when the Service's hash (annotations, ports) changed, so an ACL bound through
  the API is not fought over unless the annotations change;
- backends: the ready endpoint pods' addresses as ``eni`` backends (Terway, no SNAT);
- ``status.loadBalancer.ingress``: the CLB address, or only ``hostname`` when the ``hostname``
  annotation is set (so kube-proxy has no IP to short-circuit);
- Events on the Service: ``EnsuredLoadBalancer``, ``SyncLoadBalancerFailed``, ``SkipSyncListeners``.
"""

from __future__ import annotations

from sandbox.k8s.controllers.ccm.controller import CloudControllerManager


def install(cluster) -> CloudControllerManager:
    ccm = CloudControllerManager(cluster, cluster.slb_url)
    cluster.ccm = ccm
    cluster.api.controllers.append(ccm)
    return ccm
