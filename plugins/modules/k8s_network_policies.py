#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_network_policies
short_description: Default-deny, IP whitelists mirrored from a CLB ACL, and environment isolation as NetworkPolicies
version_added: 0.2.0
description:
  - Manages the C(networking.k8s.io/v1) NetworkPolicies this collection owns in one or more namespaces of
    any cluster (EKS, ACK, or another), given by O(namespaces) or O(namespace_selector).
  - O(default_deny) isolates every pod of each namespace (C(podSelector {})) for ingress, egress or both; with
    egress denied, O(allow_dns) keeps the cluster DNS (kube-system pods C(k8s-app=kube-dns), 53 TCP and UDP)
    reachable.
  - O(allow_from_ips) turns a list of addresses into one policy with an C(ipBlock) per network. The list can be
    the C(fixed_ips) result of M(kubeguard.netsec.ack_fixed_pod_ip) or the
    O(kubeguard.netsec.ack_slb_acl#module:entries) list as is, parsed by the same code as the ACL, so that the whitelist on the
    load balancer and the policy behind it cannot diverge. Traffic through a CLB keeps the client pod's address
    on Terway (no SNAT), which is why the two must agree.
  - O(allow_from_namespaces) admits namespaces by label; O(isolate_environments) makes each namespace
    receive only from namespaces with the same environment label (O(environment_label), C(env) by default).
  - O(extra_policies) are NetworkPolicy specs of your own, checked as the API server checks them.
  - Every policy it creates is labelled C(app.kubernetes.io/managed-by=kubeguard.netsec) and
    C(netsec.kubeguard.io/purpose); O(state=replaced) and O(state=deleted) only touch such policies. A policy
    someone else made is never changed, even when it has a name this module wants (the run is refused).
  - Writes are allow-first - allowing policies, then the default-deny, then deletions - and an update carries
    the resourceVersion it read, so a concurrent change makes the run fail instead of being overwritten.
  - Warns about constructs that allow everything in what it is asked to create (a rule without peers,
    C(namespaceSelector {}), C(0.0.0.0/0) without C(except)), and when the cluster may not enforce
    NetworkPolicies at all (Terway C(disable_network_policy), or no policy engine known on EKS).
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  namespaces:
    description: The namespaces to manage (each must exist). Mutually exclusive with O(namespace_selector).
    type: list
    elements: str
  namespace_selector:
    description:
      - The namespaces to manage, by label (C(match_labels), C(match_expressions)), read when the task runs.
        A selector that selects no namespace fails the run, and so does one that selects C(kube-system),
        C(kube-public) or C(kube-node-lease) (list those in O(namespaces) to manage them on purpose).
    type: dict
  default_deny:
    description: Isolate every pod of each namespace for V(ingress), V(egress) or V(both) (policy C(kubeguard-default-deny)).
    type: str
    choices: [ingress, egress, both]
  allow_dns:
    description:
      - With egress denied, add the policy C(kubeguard-allow-dns) letting every pod reach the cluster DNS
        (pods C(k8s-app=kube-dns) in kube-system, port 53 TCP and UDP).
    type: bool
    default: true
  allow_from_ips:
    description: Whitelists of addresses; each item is one policy admitting its O(allow_from_ips[].sources).
    type: list
    elements: dict
    suboptions:
      name:
        description: The policy name (a DNS-1123 name, unique among the policies of the task).
        type: str
        required: true
      sources:
        description:
          - The addresses. Each item is a CIDR or a bare address (a C(/32) or C(/128)), a C({cidr, except}) mapping
            (a C(comment) key is ignored, so the O(kubeguard.netsec.ack_slb_acl#module:entries) list works as is), or an item of the C(fixed_ips) result of
            M(kubeguard.netsec.ack_fixed_pod_ip) (C(ip), C(namespace), C(pod)).
          - Compared as networks; a CIDR with host bits set is refused. The order does not matter.
          - An empty list is refused unless O(allow_empty) - the selected pods would then admit no address.
        type: list
        elements: raw
        required: true
      ports:
        description: The ports admitted; omitted, every port.
        type: list
        elements: dict
        suboptions:
          port:
            description: A port number, or a named port of the pods (C(mysql)). Omitted, every port of the protocol.
            type: raw
          protocol:
            description: The protocol.
            type: str
            choices: [TCP, UDP, SCTP]
            default: TCP
          end_port:
            description: The last port of a range starting at the numeric O(allow_from_ips[].ports[].port).
            type: int
      pod_selector:
        description: The pods the policy applies to (C(match_labels), C(match_expressions)); omitted, every pod.
        type: dict
  allow_from_namespaces:
    description: Admit pods of other namespaces chosen by label; each item is one policy.
    type: list
    elements: dict
    suboptions:
      name:
        description: The policy name (a DNS-1123 name, unique among the policies of the task).
        type: str
        required: true
      namespace_selector:
        description: The source namespaces by label (C(match_labels), C(match_expressions)), for example C(env=uat).
        type: dict
        required: true
      from_pod_selector:
        description: Only these pods of the source namespaces (the selectors are then ANDed in one peer).
        type: dict
      pod_selector:
        description: The pods the policy applies to; omitted, every pod.
        type: dict
      ports:
        description: The ports admitted; omitted, every port.
        type: list
        elements: dict
        suboptions:
          port:
            description: A port number, or a named port of the pods.
            type: raw
          protocol:
            description: The protocol.
            type: str
            choices: [TCP, UDP, SCTP]
            default: TCP
          end_port:
            description: The last port of a range starting at the numeric port.
            type: int
  isolate_environments:
    description:
      - Add to each namespace the policy C(kubeguard-same-environment), by which its pods receive only from
        namespaces with the same value of O(environment_label) (its own included). A namespace without that
        label fails the run before any write.
    type: bool
    default: false
  environment_label:
    description: The namespace label that names the environment.
    type: str
    default: env
  extra_policies:
    description: NetworkPolicies of your own, applied in every managed namespace.
    type: list
    elements: dict
    suboptions:
      name:
        description: The policy name (a DNS-1123 name, unique among the policies of the task).
        type: str
        required: true
      spec:
        description:
          - The NetworkPolicy C(spec), in the Kubernetes spelling (C(podSelector), C(policyTypes), C(ingress),
            C(egress)), checked as the API server checks it before any write.
        type: dict
        required: true
  allow_empty:
    description:
      - Allow O(state=replaced) with no policy asked for (every owned policy of the namespaces is deleted), and
        an empty O(allow_from_ips[].sources).
    type: bool
    default: false
  state:
    choices: [merged, replaced, deleted, gathered, rendered]
    description:
      - V(deleted) removes the policies the options name (the generated ones and the items' names); with none,
        every policy this collection owns in the namespaces.
      - V(gathered) returns every policy of the namespaces, this collection's under C(extra_policies) and the
        others under C(foreign).
      - V(rendered) needs O(namespaces) and cannot render O(isolate_environments), which depends on the
        namespaces' labels.
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubernetes.core.k8s_auth_options
  - kubeguard.netsec.k8s_connection
notes:
  - NetworkPolicies are additive - a pod isolated by one policy admits what any policy selecting it allows - so
    a foreign policy can admit more than this module's. The C(summary) of each namespace is computed from every
    policy, foreign ones included.
  - The API server stores NetworkPolicies even when nothing enforces them. On ACK the Terway key
    C(disable_network_policy) must be off (and the Terway pods restarted after a change); on EKS the VPC CNI
    needs C(enable-network-policy-controller), or another engine such as Calico or Cilium.
  - On ACK, a Service's load-balancer IP is answered by kube-proxy inside its own cluster, bypassing the CLB
    and its ACL; only the NetworkPolicies of the database's namespace stop the cluster's own pods
    (see M(kubeguard.netsec.ack_slb_acl) and its hostname option).
seealso:
  - module: kubeguard.netsec.ack_fixed_pod_ip
  - module: kubeguard.netsec.ack_slb_acl
  - name: Kubernetes NetworkPolicy
    description: The v1 API and its semantics.
    link: https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

EXAMPLES = r"""
- name: Fixed IPs for the UAT application (app cluster)
  kubeguard.netsec.ack_fixed_pod_ip:
    context: ack-app
    namespace: abc-185-7db8e
    pod_networking:
      name: podnetworking-185
      namespace_selector:
        match_labels:
          appname: "185"
    convert_deployment: abc-ba7b5
  register: app_ips

- name: Default-deny in the database namespace, and the UAT application's IPs admitted on MySQL
  kubeguard.netsec.k8s_network_policies:
    context: ack-db
    namespaces: [abc-185-7db8e]
    default_deny: both
    allow_from_ips:
      - name: mysql-from-uat-app
        sources: "{{ app_ips.fixed_ips }}"
        ports:
          - port: 3306
        pod_selector:
          match_labels:
            app: abc-185-mysql
    state: replaced

- name: Keep the UAT and prod namespaces of the application cluster apart
  kubeguard.netsec.k8s_network_policies:
    context: ack-app
    namespace_selector:
      match_expressions:
        - key: env
          operator: In
          values: [uat, prod]
    isolate_environments: true

- name: Let the monitoring namespace scrape every pod's metrics port
  kubeguard.netsec.k8s_network_policies:
    context: demo-eks
    namespaces: [shop]
    allow_from_namespaces:
      - name: allow-prometheus
        namespace_selector:
          match_labels:
            kubernetes.io/metadata.name: monitoring
        ports:
          - port: 9090

- name: A policy of your own, checked before it is sent
  kubeguard.netsec.k8s_network_policies:
    context: demo-eks
    namespaces: [shop]
    extra_policies:
      - name: storefront-from-vpc
        spec:
          podSelector:
            matchLabels:
              app: storefront
          ingress:
            - from:
                - ipBlock:
                    cidr: 10.0.0.0/16
                    except: [10.0.99.0/24]
              ports:
                - port: 8080

- name: What is there, ours and others'
  kubeguard.netsec.k8s_network_policies:
    context: ack-db
    namespaces: [abc-185-7db8e]
    state: gathered
  register: current

- name: The manifests, offline
  kubeguard.netsec.k8s_network_policies:
    namespaces: [abc-185-7db8e]
    default_deny: ingress
    allow_from_ips:
      - name: mysql-from-office
        sources: [10.9.0.0/24, 10.9.1.7]
        ports:
          - port: 3306
    state: rendered

- name: Roll back - remove every policy this collection made in the namespace
  kubeguard.netsec.k8s_network_policies:
    context: demo-eks
    namespaces: [shop]
    state: deleted
"""

RETURN = r"""
namespaces:
  description:
    - Per namespace - C(before) and C(after) (every policy, as C(name), C(owned), C(purpose) and canonical
      C(spec); C(after) from what the API server answered to each write), the names C(created), C(updated),
      C(deleted), the C(foreign) policies, and the effective C(summary).
    - C(summary.ingress) and C(summary.egress) list the C(isolated_pods), the C(open_pods) (isolated by no
      policy, so open to everything in that direction) and, under C(allowed), each rule with its C(policy), the
      C(pods) it applies to, the peers (C(from) or C(to), C(any) when a rule has none) and the C(ports).
  returned: with states merged, replaced and deleted
  type: list
  elements: dict
  sample:
    - namespace: abc-185-7db8e
      created: [mysql-from-uat-app, kubeguard-default-deny, kubeguard-allow-dns]
      updated: []
      deleted: []
      foreign: []
      summary:
        ingress:
          isolated_pods: [abc-185-mysql-0]
          open_pods: []
          allowed:
            - policy: mysql-from-uat-app
              pods: [abc-185-mysql-0]
              pod_selector: app=abc-185-mysql
              from: [192.168.64.21/32, 192.168.64.22/32]
              ports: [TCP/3306]
enforcement:
  description: Whether the cluster enforces NetworkPolicies (C(enforced) true, false or null when unknown) and the C(engine) found.
  returned: with states merged, replaced and deleted
  type: dict
  sample: {enforced: true, engine: "Terway (eni-config disable_network_policy='false': on)"}
actions:
  description: The writes done, in order (none in check mode).
  returned: unless state is gathered
  type: list
  elements: str
  sample: ["created NetworkPolicy abc-185-7db8e/mysql-from-uat-app", "created NetworkPolicy abc-185-7db8e/kubeguard-default-deny"]
warnings_found:
  description: Allow-all constructs in the requested policies, and a cluster that may not enforce policies (also Ansible warnings).
  returned: always
  type: list
  elements: str
gathered:
  description:
    - Per namespace, this collection's policies under C(extra_policies) (C(name), C(spec)), as O(extra_policies)
      takes them, and everyone else's under C(foreign).
  returned: when state is gathered
  type: list
  elements: dict
rendered:
  description: The NetworkPolicy manifests a first run would create, per listed namespace.
  returned: when state is rendered
  type: list
  elements: dict
diff:
  description: The policies this collection owns, per namespace and name, before and after (with C(--diff)).
  returned: with --diff, with states merged, replaced and deleted
  type: dict
api_calls:
  description: The Kubernetes requests this run made (C(reads), C(writes), C(by_operation)), on failure too.
  returned: always
  type: dict
"""

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.netpol.run import execute


def argument_spec() -> dict:
    port = {
        "port": {"type": "raw"},
        "protocol": {"type": "str", "choices": ["TCP", "UDP", "SCTP"], "default": "TCP"},
        "end_port": {"type": "int"},
    }
    ports = {"type": "list", "elements": "dict", "options": port}
    from_ips = {
        "name": {"type": "str", "required": True},
        "sources": {"type": "list", "elements": "raw", "required": True},
        "ports": ports,
        "pod_selector": {"type": "dict"},
    }
    from_namespaces = {
        "name": {"type": "str", "required": True},
        "namespace_selector": {"type": "dict", "required": True},
        "from_pod_selector": {"type": "dict"},
        "pod_selector": {"type": "dict"},
        "ports": ports,
    }
    extra = {"name": {"type": "str", "required": True}, "spec": {"type": "dict", "required": True}}
    spec = connection_spec()
    spec.update(
        namespaces={"type": "list", "elements": "str"},
        namespace_selector={"type": "dict"},
        default_deny={"type": "str", "choices": ["ingress", "egress", "both"]},
        allow_dns={"type": "bool", "default": True},
        allow_from_ips={"type": "list", "elements": "dict", "options": from_ips},
        allow_from_namespaces={"type": "list", "elements": "dict", "options": from_namespaces},
        isolate_environments={"type": "bool", "default": False},
        environment_label={"type": "str", "default": "env"},
        extra_policies={"type": "list", "elements": "dict", "options": extra},
        allow_empty={"type": "bool", "default": False},
        state={
            "type": "str",
            "default": "merged",
            "choices": ["merged", "replaced", "deleted", "gathered", "rendered"],
        },
    )
    return spec


def main() -> None:
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule

    module = AnsibleK8SModule(
        argument_spec=argument_spec(),
        supports_check_mode=True,
        mutually_exclusive=[("namespaces", "namespace_selector")],
        required_one_of=[("namespaces", "namespace_selector")],
    )
    run_module(module, execute)


if __name__ == "__main__":
    main()
