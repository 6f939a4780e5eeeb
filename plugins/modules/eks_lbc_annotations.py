#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_lbc_annotations
short_description: Security annotations of the AWS Load Balancer Controller on many Ingresses and Services, checked against its flags
version_added: 0.2.0
description:
  - Sets the security annotations of the AWS Load Balancer Controller on many Ingresses (IngressClass O(ingress_class),
    C(alb) by default) and NLB Services (C(type=LoadBalancer) with C(spec.loadBalancerClass=service.k8s.aws/nlb), or
    annotated C(service.beta.kubernetes.io/aws-load-balancer-type) C(external) or C(nlb-ip)) in one task, chosen by
    O(namespaces), O(names) and O(label_selector).
  - O(ingress) holds the Ingress annotations (C(alb.ingress.kubernetes.io/...)), O(service) the Service ones
    (C(service.beta.kubernetes.io/...)). A kind is handled when its option is given, both kinds when neither is.
    Each value is validated before any call - security group ids or Name tags, CIDRs (compared as networks, in any
    spelling), prefix list ids, listen ports, the controller's words - and written in one spelling; a value that
    means the same as the one there writes nothing.
  - Mode validation, against the controller's live flags (read from its Deployment) and every member of each
    IngressGroup in the cluster, selected or not - custom frontend groups with managed backend rules need
    C(--enable-backend-security-group=true); members of an IngressGroup must agree on security groups,
    manage-backend, scheme, IP address type and listen-port protocols; annotations the controller ignores (manage-backend
    without custom groups, inbound CIDRs and prefix lists with them, a Service's source-ranges annotation under
    C(spec.loadBalancerSourceRanges), IPv6 sources without dualstack) are reported; 0.0.0.0/0 or ::/0 on an internal
    load balancer is flagged; the frontend group's 60-rules quota and the 5 groups per load balancer are checked.
    A problem that concerns an annotation the task sets, wants or removes fails the run before any write, every
    problem listed; one that concerns only what was already there is a warning. O(validate_only) runs the
    validation alone.
  - Ownership - the keys it set are recorded on the object in C(netsec.kubeguard.io/managed-annotations) (the
    collection's record, a sorted JSON list, shared with its other modules). A value someone else set is never
    changed unless O(force) - then their value is recorded in C(netsec.kubeguard.io/replaced-annotations) and put
    back when this collection releases the key. A value someone else set that already means what is asked stays
    theirs (reported in C(unowned_equal)).
  - One list per kind and namespace scope, one merge patch per object that changes (carrying the resourceVersion
    read; a conflict caused by the controller's status writes is retried once after a fresh read).
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  namespaces:
    description: The namespaces to look in; omitted, every namespace (one list per kind over the cluster).
    type: list
    elements: str
  names:
    description:
      - Only the objects with these names (V(name) in any selected namespace, or V(namespace/name)). A name that
        selects nothing fails the run unless O(allow_empty).
    type: list
    elements: str
  label_selector:
    description: Only the objects whose labels match (C(match_labels), C(match_expressions)).
    type: dict
  ingress_class:
    description:
      - The IngressClass of the controller's Ingresses (C(spec.ingressClassName), or the legacy annotation
        C(kubernetes.io/ingress.class)). Ingresses of another class are never selected.
    type: str
    default: alb
  ingress:
    description:
      - The Ingress annotations wanted (prefix C(alb.ingress.kubernetes.io/)); an option left out is not managed.
      - With O(state=deleted), the options given name the annotations to release (their values are not used).
    type: dict
    suboptions:
      security_groups:
        description:
          - C(security-groups) - the ALB's frontend groups, by id (V(sg-) and 8 or 17 hex digits) or Name tag, at most
            5, in this order (the controller compares the lists of an IngressGroup's members in order). The controller
            then makes no frontend group and ignores O(ingress.inbound_cidrs) and O(ingress.security_group_prefix_lists).
        type: list
        elements: str
      manage_backend_security_group_rules:
        description:
          - C(manage-backend-security-group-rules) - with O(ingress.security_groups), whether the controller attaches the
            backend group and manages the node rules from it (needs C(--enable-backend-security-group=true)). Unset, the
            controller's C(--enable-manage-backend-security-group-rules) (false). Ignored without custom groups.
        type: bool
      inbound_cidrs:
        description:
          - C(inbound-cidrs) - who reaches the listen ports through the managed frontend group (default 0.0.0.0/0). CIDRs
            or addresses, compared as networks; host bits set are refused. IPv6 ones need O(ingress.ip_address_type=dualstack).
        type: list
        elements: str
      listen_ports:
        description:
          - >-
            C(listen-ports) - the ALB's listeners, as a list of one-key mappings (C({HTTPS: 443})) or the annotation's
            JSON (V([{"HTTP": 80}, {"HTTPS": 443}])). Protocols V(HTTP) and V(HTTPS), ports 1-65535, one protocol per
            port. Default (unset) HTTP 80, or HTTPS 443 with a certificate.
        type: raw
      target_type:
        description: C(target-type) - V(instance) (NodePorts, the node groups) or V(ip) (the pods' groups).
        type: str
        choices: [instance, ip]
      security_group_prefix_lists:
        description: C(security-group-prefix-lists) - managed prefix lists (V(pl-) ids) admitted on the listen ports.
        type: list
        elements: str
      ip_address_type:
        description: C(ip-address-type) - dualstack makes the controller open IPv6 sources too.
        type: str
        choices: [ipv4, dualstack, dualstack-without-public-ipv4]
      scheme:
        description:
          - C(scheme) - V(internal) (the default) or V(internet-facing). The controller replaces a load balancer whose
            scheme changes (new DNS name).
        type: str
        choices: [internal, internet-facing]
  service:
    description:
      - The NLB Service annotations wanted (prefix C(service.beta.kubernetes.io/)); an option left out is not managed.
      - With O(state=deleted), the options given name the annotations to release (their values are not used).
    type: dict
    suboptions:
      security_groups:
        description:
          - C(aws-load-balancer-security-groups) - the NLB's frontend groups (ids or Name tags, at most 5). The
            controller then opens no source range.
        type: list
        elements: str
      manage_backend_security_group_rules:
        description:
          - C(aws-load-balancer-manage-backend-security-group-rules) - with custom groups, whether the controller manages
            the node rules from the backend group (needs C(--enable-backend-security-group=true)); unset, the
            controller's flag.
        type: bool
      load_balancer_source_ranges:
        description:
          - C(load-balancer-source-ranges) - who reaches the NLB through its managed frontend group (default 0.0.0.0/0).
            The Service's C(spec.loadBalancerSourceRanges), when set, wins (reported). IPv6 ranges need
            O(service.ip_address_type=dualstack).
        type: list
        elements: str
      nlb_target_type:
        description: C(aws-load-balancer-nlb-target-type) - V(instance) or V(ip).
        type: str
        choices: [instance, ip]
      security_group_prefix_lists:
        description: C(aws-load-balancer-security-group-prefix-lists) - managed prefix lists (V(pl-) ids).
        type: list
        elements: str
      ip_address_type:
        description: C(aws-load-balancer-ip-address-type).
        type: str
        choices: [ipv4, dualstack]
      scheme:
        description:
          - C(aws-load-balancer-scheme) - V(internal) (the default) or V(internet-facing); a change replaces the NLB.
        type: str
        choices: [internal, internet-facing]
  controller:
    description:
      - The controller's Deployment, whose container args give the flags. Omitted, the only Deployment labelled
        C(app.kubernetes.io/name=aws-load-balancer-controller) in the cluster.
    type: dict
    suboptions:
      namespace:
        description: Its namespace.
        type: str
        required: true
      name:
        description: Its name.
        type: str
        required: true
  validate_only:
    description:
      - Read, plan and validate, write nothing (with states merged, replaced and deleted). With O(state=merged) and
        without O(ingress) and O(service), the annotations as they are are validated and every finding is an error
        (an audit).
    type: bool
    default: false
  force:
    description:
      - Change values someone else set (without it such a run fails, listing them, before any write). Their value is
        recorded and put back when this collection releases the key.
    type: bool
    default: false
  allow_empty:
    description:
      - Accept a selection that matches nothing (or a listed name that matches nothing), and O(state=replaced) with no
        annotation asked for (every annotation this collection set on the selected objects is released).
    type: bool
    default: false
  state:
    choices: [merged, replaced, deleted, gathered, rendered]
    description:
      - V(merged) sets the annotations given; V(replaced) also releases the annotations this collection set earlier
        and no longer asks for (never anyone else's); V(deleted) releases those given, or every one this collection
        set; releasing removes the key, or puts back the value it replaced.
      - V(gathered) returns the security annotations of the selected objects, also in this module's option format.
      - V(rendered) works offline and returns the merge patch a first run sends to an object of each kind, with the
        problems found in the wanted annotations alone (the controller's default flags).
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubernetes.core.k8s_auth_options
  - kubeguard.netsec.k8s_connection
notes:
  - The Name tags in O(ingress.security_groups) and O(service.security_groups) are not looked up (this module talks to
    Kubernetes only); the controller resolves them in the cluster's VPC. M(kubeguard.netsec.eks_lbc_security_groups)
    manages the groups and the node rules themselves.
  - IngressGroup agreement uses each member's value in effect, a member without the annotation counting as the
    default, which is stricter than the controller for some keys.
seealso:
  - module: kubeguard.netsec.eks_lbc_security_groups
  - name: AWS Load Balancer Controller Ingress annotations
    description: The annotations and their defaults.
    link: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
  - name: AWS Load Balancer Controller Service annotations
    description: The NLB Service annotations.
    link: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
"""

EXAMPLES = r"""
- name: Only the office network reaches the storefront and the catalog (their managed frontend groups)
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop]
    names: [storefront, catalog]
    ingress:
      inbound_cidrs: [203.0.113.0/24]

- name: The admin UIs keep their own frontend groups; the controller manages the node rules from the backend group
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop]
    names: [admin, partner-api]
    ingress:
      security_groups: [shop-alb-public, shop-alb-office]
      manage_backend_security_group_rules: true

- name: The NLB Services of the payments namespace accept only the partners' networks
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [payments]
    service:
      load_balancer_source_ranges: [198.51.100.0/24, 192.0.2.10]

- name: Check every ALB Ingress and NLB Service of the cluster against the controller's flags, writing nothing
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    validate_only: true
  register: audit

- name: The storefront - exactly these annotations of ours; those set earlier and no longer wanted are removed
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop]
    names: [storefront]
    ingress:
      inbound_cidrs: [203.0.113.0/24, 198.51.100.0/24]
    state: replaced

- name: The catalog on HTTPS only, changing the listen ports someone else set (their value is kept to put back)
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop]
    names: [catalog]
    ingress:
      listen_ports: [{HTTPS: 443}]
    force: true

- name: The security annotations in shop, ours and others', in this module's option format
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop]
    state: gathered
  register: current

- name: The patch, offline
  kubeguard.netsec.eks_lbc_annotations:
    ingress:
      inbound_cidrs: [10.0.0.0/8]
      listen_ports: '[{"HTTPS": 443}]'
      scheme: internal
    state: rendered

- name: Roll back - release every annotation this collection set in shop and payments (replaced values put back)
  kubeguard.netsec.eks_lbc_annotations:
    context: demo-eks
    namespaces: [shop, payments]
    state: deleted
"""

RETURN = r"""
objects:
  description:
    - Per selected object - C(kind), C(namespace), C(name), whether it C(changed) (or would, in check mode and with
      O(validate_only)), its managed annotations and ownership records C(before) and C(after) (after - what the API
      server answered to the patch), the annotations it C(set), C(removed) and C(restored), the foreign values it
      C(overridden) (with O(force)), those someone else set that already mean what is asked (C(unowned_equal)), the
      keys named under O(state=deleted) that are not this collection's (C(not_owned)), and the keys it C(owned) after.
  returned: with states merged, replaced and deleted, when the run is not refused
  type: list
  elements: dict
  sample:
    - kind: Ingress
      namespace: shop
      name: storefront
      changed: true
      before: {"alb.ingress.kubernetes.io/listen-ports": "[{\"HTTP\": 80}, {\"HTTPS\": 443}]"}
      after:
        alb.ingress.kubernetes.io/listen-ports: "[{\"HTTP\": 80}, {\"HTTPS\": 443}]"
        alb.ingress.kubernetes.io/inbound-cidrs: 203.0.113.0/24
        netsec.kubeguard.io/managed-annotations: "[\"alb.ingress.kubernetes.io/inbound-cidrs\"]"
      set: [alb.ingress.kubernetes.io/inbound-cidrs]
      removed: []
      restored: []
      overridden: []
      unowned_equal: []
      not_owned: []
      owned: [alb.ingress.kubernetes.io/inbound-cidrs]
summary:
  description:
    - Counts - C(selected), C(changed) and C(unchanged) objects, C(problems) found by the mode validation (C(errors)
      among them) and C(conflicts) (values someone else set); only C(selected) with O(state=gathered).
  returned: except with state rendered and on bad options
  type: dict
  sample: {selected: 4, changed: 2, unchanged: 2, problems: 0, errors: 0, conflicts: 0}
problems:
  description:
    - Every finding of the mode validation - C(kind), C(namespace), C(name), C(rule), C(severity) (C(error) or
      C(warning)) and C(message). Errors fail the run before any write; warnings are also Ansible warnings.
  returned: always
  type: list
  elements: dict
  sample:
    - kind: Ingress
      namespace: shop
      name: admin
      rule: backend-security-group-required
      severity: error
      message: custom frontend security groups with manage-backend-security-group-rules need the controller's --enable-backend-security-group=true ...
conflicts:
  description: The values someone else set that the task would change (C(annotation), C(current), C(wanted), the object).
  returned: with states merged, replaced and deleted
  type: list
  elements: dict
controller:
  description: The controller's Deployment (C(namespace), C(name)) and the C(flags) read from it.
  returned: with states merged, replaced and deleted
  type: dict
  sample:
    namespace: kube-system
    name: aws-load-balancer-controller
    flags: {cluster_name: demo-eks, enable_backend_security_group: true, enable_manage_backend_security_group_rules: false}
actions:
  description: The patches sent, in order (none in check mode or with O(validate_only)).
  returned: always
  type: list
  elements: str
  sample: ["patched Ingress shop/storefront: set inbound-cidrs"]
warnings_found:
  description: World-open CIDRs asked for, and the warnings of the mode validation (also Ansible warnings).
  returned: always
  type: list
  elements: str
gathered:
  description:
    - Per selected object - C(kind), C(namespace), C(name), its security C(annotations), the keys this collection
      C(owned), and the same values under C(ingress) or C(service) in this module's option format.
  returned: when state is gathered
  type: list
  elements: dict
rendered:
  description: Per kind asked for - C(kind), C(apiVersion) and the merge C(patch) a first run sends to an object.
  returned: when state is rendered
  type: list
  elements: dict
  sample:
    - kind: Ingress
      apiVersion: networking.k8s.io/v1
      patch:
        metadata:
          annotations:
            alb.ingress.kubernetes.io/inbound-cidrs: 10.0.0.0/8
            netsec.kubeguard.io/managed-annotations: "[\"alb.ingress.kubernetes.io/inbound-cidrs\"]"
diff:
  description: The managed annotations of each object that changes, C(before) and C(after), keyed V(Kind namespace/name).
  returned: with --diff, with states merged, replaced and deleted
  type: dict
api_calls:
  description: The Kubernetes requests this run made (C(reads), C(writes), C(by_operation)), on failure too.
  returned: always
  type: dict
"""

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations import keys
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_annotations.run import execute


def argument_spec() -> dict:
    strings = {"type": "list", "elements": "str"}
    common = {
        "security_groups": strings,
        "manage_backend_security_group_rules": {"type": "bool"},
        "security_group_prefix_lists": strings,
        "scheme": {"type": "str", "choices": list(keys.SCHEMES)},
    }
    ingress = dict(
        common,
        inbound_cidrs=strings,
        listen_ports={"type": "raw"},
        target_type={"type": "str", "choices": list(keys.TARGET_TYPES)},
        ip_address_type={"type": "str", "choices": list(keys.INGRESS_IP_TYPES)},
    )
    service = dict(
        common,
        load_balancer_source_ranges=strings,
        nlb_target_type={"type": "str", "choices": list(keys.TARGET_TYPES)},
        ip_address_type={"type": "str", "choices": list(keys.SERVICE_IP_TYPES)},
    )
    spec = connection_spec()
    spec.update(
        namespaces=strings,
        names=strings,
        label_selector={"type": "dict"},
        ingress_class={"type": "str", "default": "alb"},
        ingress={"type": "dict", "options": ingress},
        service={"type": "dict", "options": service},
        controller={
            "type": "dict",
            "options": {"namespace": {"type": "str", "required": True}, "name": {"type": "str", "required": True}},
        },
        validate_only={"type": "bool", "default": False},
        force={"type": "bool", "default": False},
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

    module = AnsibleK8SModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, execute)


if __name__ == "__main__":
    main()
