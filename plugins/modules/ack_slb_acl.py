#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ack_slb_acl
short_description: A CLB access control list as a whitelist of fixed Pod IPs, bound to the database's listeners
version_added: 0.2.0
description:
  - Manages one Alibaba Cloud Classic Load Balancer (CLB, API C(2014-05-15)) access control list,
    found by its exact O(name) (the API's name filter is fuzzy, so every page is read), created when
    missing.
  - Its entries come from O(entries) - C({cidr, comment}) items, or the C(fixed_ips) result of
    M(kubeguard.netsec.ack_fixed_pod_ip) as is, each pod IP becoming a C(/32) (C(/128)) with the
    comment C(kubeguard:<namespace>/<pod>). Entries are compared as networks, never as strings.
  - Every entry it writes has a comment starting with C(kubeguard:); O(state=replaced) and
    O(state=deleted) only remove such entries, so entries someone else added survive.
  - Changes are make-before-break - new entries are added before old ones are removed, at most 50
    per call - and the 300-entry quota is checked before any write (when adding first would pass it,
    just enough removals go first).
  - An ACL bound to a listener as a whitelist is never left empty, because an empty whitelist lets
    every source through; such a run fails before writing.
  - Binding, through one owner. O(listeners) sets the listeners' access control through the API
    (C(AclStatus=on), C(AclType=white), C(AclId)) - the way for a load balancer the Service reuses.
    Or O(service) gets the cloud-controller-manager's annotations (C(acl-status), C(acl-id),
    C(acl-type)) and the module waits until the CCM has applied them to the listeners, read back
    through the API. Binding through annotations is refused before any write when the CCM would
    ignore it (a reused load balancer without C(force-override-listeners)).
  - O(service.hostname) sets C(service.beta.kubernetes.io/alibaba-cloud-loadbalancer-hostname), so
    that kube-proxy no longer short-circuits the load-balancer IP inside the database cluster and
    in-cluster clients also go through the CLB and its whitelist.
  - A listener's access control, or a Service annotation, that someone else set is never replaced
    unless O(overwrite_listener_acl) or O(overwrite_annotations); the annotations this module sets
    are recorded in C(netsec.kubeguard.io/managed-annotations).
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  name:
    description: Name of the ACL (unique in the region; 1-80 letters, digits, Chinese characters, C(.-/_)).
    type: str
    required: true
  ip_version:
    description: Address family of the ACL and of its entries.
    type: str
    choices: [ipv4, ipv6]
    default: ipv4
  entries:
    description:
      - The wanted entries. Each item is either C({cidr, comment}) - the comment gets the C(kubeguard:)
        prefix, or is C(kubeguard:<cidr>) when omitted - or an item of the C(fixed_ips) result of
        M(kubeguard.netsec.ack_fixed_pod_ip) (C(ip), C(namespace), C(pod); other keys are ignored).
      - A CIDR with host bits set (C(10.0.0.5/24)) is refused as ambiguous; a bare address is a C(/32) or C(/128).
      - Required for O(state=replaced) and O(state=overridden); an empty list there needs O(allow_empty).
    type: list
    elements: dict
  protect:
    description: Networks never removed under O(state=overridden) (an entry inside one of them is kept).
    type: list
    elements: str
  allow_empty:
    description:
      - Allow an empty O(entries) under O(state=replaced) or O(state=overridden). An ACL bound as a whitelist
        is still never emptied.
    type: bool
    default: false
  listeners:
    description: Listeners to bind the ACL to as a whitelist, through the API.
    type: list
    elements: dict
    suboptions:
      load_balancer_id:
        description: The CLB id (C(lb-...)).
        type: str
        required: true
      port:
        description: The listener port.
        type: int
        required: true
      protocol:
        description: The listener protocol.
        type: str
        choices: [tcp, udp, http, https]
        default: tcp
  overwrite_listener_acl:
    description:
      - Replace the access control of a listener that is bound to another ACL, or to a blacklist. Its
        previous setting is in RV(listeners).
    type: bool
    default: false
  service:
    description: The database's C(type=LoadBalancer) Service, reached through O(kubernetes).
    type: dict
    suboptions:
      namespace:
        description: Namespace of the Service.
        type: str
        required: true
      name:
        description: Name of the Service.
        type: str
        required: true
      bind:
        description:
          - Bind the ACL through the Service's annotations (the cloud-controller-manager applies them to
            every listener of the Service's CLB). Defaults to V(true) without O(listeners), V(false) with them.
        type: bool
      hostname:
        description:
          - Set the C(alibaba-cloud-loadbalancer-hostname) annotation to this DNS name. The Service's
            C(status.loadBalancer.ingress) then shows the name and no IP any more (a warning says so).
        type: str
  overwrite_annotations:
    description: Replace C(acl-*) or C(hostname) annotations of the Service that someone else set.
    type: bool
    default: false
  wait:
    description: After annotating the Service, wait until the cloud-controller-manager has applied it.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the cloud-controller-manager.
    type: int
    default: 180
  entry_write_interval:
    description:
      - Seconds between two entry writes to the ACL. The CLB processes an ACL change asynchronously and
        refuses the next write to the same ACL meanwhile (C(AclEntryProcessing)); such a refusal is retried
        (O(retries)), but pausing first saves the failed calls. V(0) never pauses.
    type: float
    default: 0.5
  kubernetes:
    description:
      - How to reach the Kubernetes API of the database cluster, for O(service); the options of
        kubernetes.core (O(kubernetes.kubeconfig), O(kubernetes.context), ...).
      - C(module_defaults) for C(group/kubeguard.netsec.k8s) apply here.
    type: dict
  state:
    description:
      - V(deleted) removes the listed entries that this collection wrote (none listed - all of them); it does
        not unbind listeners nor change the Service.
      - V(gathered) returns the ACL in RV(gathered).
notes:
  - Check mode makes no write call and returns the plan, with C(diff) computed from what was read.
  - Only the official SDK packages are used. Every call is bounded and retried as O(retries) says;
    RV(api_calls) counts every attempt.
  - Secrets are never logged nor returned.
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubeguard.netsec.alicloud
  - kubeguard.netsec.k8s_connection.nested
"""

EXAMPLES = r"""
# Seed 004: the UAT database accepts only the UAT application's fixed Pod IPs, also from its own cluster.
- name: Fixed IPs for the UAT application (app cluster)
  kubeguard.netsec.ack_fixed_pod_ip:
    context: ack-app
    namespace: abc-185-7db8e
    pod_networking:
      name: podnetworking-185
      release_strategy: Never
      namespace_selector:
        match_labels:
          appname: "185"
    convert_deployment: abc-ba7b5
  register: app_ips

- name: Whitelist them on the database CLB, bind it, and send in-cluster clients through the CLB
  kubeguard.netsec.ack_slb_acl:
    region_id: cn-hangzhou
    name: abc-185-mysql-uat
    state: replaced
    entries: "{{ app_ips.fixed_ips }}"
    listeners:
      - load_balancer_id: lb-bp1abcdefghijklmnopqrs
        port: 3306
    service:
      namespace: abc-185-7db8e
      name: abc-185-mysql-svc
      hostname: abc-185-mysql-svc.uat.internal
    kubernetes:
      context: ack-db

# For a Service whose CLB the cloud-controller-manager created (no ...-loadbalancer-id annotation).
- name: A Service whose CLB the cloud-controller-manager created - bind through its annotations
  kubeguard.netsec.ack_slb_acl:
    region_id: cn-hangzhou
    name: reports-db-allow
    entries:
      - cidr: 192.168.64.0/26
        comment: reporting jobs
    service:
      namespace: reports
      name: reports-db
    kubernetes:
      context: ack-db

- name: Read the ACL back, in this module's input format
  kubeguard.netsec.ack_slb_acl:
    region_id: cn-hangzhou
    name: abc-185-mysql-uat
    state: gathered
  register: acl

- name: Credentials from an AWX credential of the collection's Alibaba Cloud type (environment), once per play
  module_defaults:
    group/kubeguard.netsec.alicloud:
      region_id: cn-hangzhou
      retries: 8
  kubeguard.netsec.ack_slb_acl:
    name: abc-185-mysql-uat
    entries: "{{ app_ips.fixed_ips }}"
"""

RETURN = r"""
acl:
  description: The ACL - C(id) (null in check mode when it does not exist yet), C(name), C(ip_version), C(exists),
    and C(bound_to), the listeners using it as the API reports them.
  returned: unless state is rendered
  type: dict
entries_before:
  description: The entries as read, C({cidr, comment}), sorted.
  returned: unless state is gathered or rendered
  type: list
  elements: dict
entries_after:
  description: The entries after the run - read back after the writes, or planned in check mode.
  returned: unless state is gathered or rendered
  type: list
  elements: dict
added:
  description: Entries added (or that would be).
  returned: unless state is gathered or rendered
  type: list
  elements: dict
removed:
  description: Entries removed (or that would be).
  returned: unless state is gathered or rendered
  type: list
  elements: dict
kept:
  description: With O(state=deleted), listed entries that were not removed because this collection did not write them.
  returned: unless state is gathered or rendered
  type: list
  elements: dict
comment_differs:
  description: Wanted entries already present under another comment (left as they are), with C(wanted) and C(current).
  returned: unless state is gathered or rendered
  type: list
  elements: dict
listeners:
  description:
    - Per listener of O(listeners), its access control as read (C(acl_status), C(acl_type), C(acl_id)) and
      whether the run binds it (C(bind)).
  returned: unless state is rendered
  type: list
  elements: dict
service:
  description:
    - The Service - C(namespace), C(name), C(load_balancer_id), C(annotations_set) (by this run) and its
      C(ingress) as read (after the cloud-controller-manager applied the change, when the run waited).
  returned: when service is given
  type: dict
gathered:
  description: With O(state=gathered), C(name), C(ip_version) and C(entries) as O(entries) takes them.
  returned: when state is gathered
  type: dict
rendered:
  description: With O(state=rendered), the calls a run on an empty account would make, C(action) and C(params).
  returned: when state is rendered
  type: list
  elements: dict
actions:
  description: The writes made, in order. After a failure part-way, exactly what was done before it.
  returned: when a write was made
  type: list
  elements: str
warnings_found:
  description: Risks found (for example the Service's ingress IP disappearing with the hostname annotation).
  returned: always
  type: list
  elements: str
api_calls:
  description: API calls made (CLB, and Kubernetes for O(service)), reads and writes, per action; on failure too.
  returned: always
  type: dict
  sample:
    reads: 3
    writes: 2
    by_operation:
      AddAccessControlListEntry: 1
      DescribeAccessControlListAttribute: 1
      DescribeAccessControlLists: 1
      DescribeLoadBalancerTCPListenerAttribute: 1
      SetLoadBalancerTCPListenerAttribute: 1
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib

from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import HAS_SDK
from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.client import SDK_REQUIREMENT
from ansible_collections.kubeguard.netsec.plugins.module_utils.alicloud.spec import alicloud_argument_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.clb.run import execute
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec


def argument_spec() -> dict:
    listener = {
        "load_balancer_id": {"type": "str", "required": True},
        "port": {"type": "int", "required": True},
        "protocol": {"type": "str", "choices": ["tcp", "udp", "http", "https"], "default": "tcp"},
    }
    service = {
        "namespace": {"type": "str", "required": True},
        "name": {"type": "str", "required": True},
        "bind": {"type": "bool"},
        "hostname": {"type": "str"},
    }
    spec = alicloud_argument_spec()
    spec.update(
        name={"type": "str", "required": True},
        ip_version={"type": "str", "choices": ["ipv4", "ipv6"], "default": "ipv4"},
        entries={"type": "list", "elements": "dict"},
        protect={"type": "list", "elements": "str"},
        allow_empty={"type": "bool", "default": False},
        listeners={"type": "list", "elements": "dict", "options": listener},
        overwrite_listener_acl={"type": "bool", "default": False},
        service={"type": "dict", "options": service},
        overwrite_annotations={"type": "bool", "default": False},
        wait={"type": "bool", "default": True},
        wait_timeout={"type": "int", "default": 180},
        entry_write_interval={"type": "float", "default": 0.5},
        kubernetes={"type": "dict", "options": connection_spec()},
        state={
            "type": "str",
            "default": "merged",
            "choices": ["merged", "replaced", "overridden", "deleted", "gathered", "rendered"],
        },
    )
    return spec


def main() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not HAS_SDK:
        module.fail_json(msg=missing_required_lib(SDK_REQUIREMENT))
    run_module(module, execute)


if __name__ == "__main__":
    main()
