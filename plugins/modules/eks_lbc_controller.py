#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eks_lbc_controller
short_description: The AWS Load Balancer Controller's security-group flags, on its Deployment or in its Helm values
version_added: 0.2.0
description:
  - Manages the command-line flags of the C(aws-load-balancer-controller) Deployment that decide how the
    controller treats security groups - C(--enable-backend-security-group), C(--backend-security-group),
    C(--enable-manage-backend-security-group-rules), C(--disable-restricted-sg-rules), C(--default-target-type),
    C(--service-target-eni-security-group-tags), C(--default-tags), C(--cluster-name) - and any other flag
    through O(extra_args).
  - The Deployment is the one named by O(namespace) and O(name), or the only one labelled
    C(app.kubernetes.io/name=aws-load-balancer-controller) (several are an error that names them).
  - Only the flags given are touched, inside the controller container's C(args); every other argument keeps
    its text and place. A flag is read in both forms the controller accepts (C(--flag=value),
    C(--flag value), a bare boolean) and written as C(--flag=value) where its last occurrence was.
  - The write is one JSON patch that first tests the C(args) it read, so an edit made in between by someone
    else is detected; the module then reads again and plans once more, and fails with nothing written if it
    collides a second time.
  - Ownership. The flags it sets are recorded on the Deployment in the annotation
    C(netsec.kubeguard.io/managed-flags) with the value each had before. A flag already holding the wanted
    value is left unowned. A flag someone else set to another value is refused unless O(force=true); then
    its old value is recorded and V(deleted) gives it back. A flag of ours that someone changed since is
    refused too, unless O(force=true).
  - The controller reads its flags once at start, so a change rolls its pods; O(wait) waits for the rollout.
  - O(mode) is a shorthand for the flags each security-group mode of M(kubeguard.netsec.eks_lbc_security_groups)
    needs (V(auto) and V(hybrid) C(--enable-backend-security-group=true), V(custom) C(=false)); that module's
    C(controller) result can be passed as O(controller) instead.
  - For a controller deployed with Helm, O(helm_values_file) keeps the chart's values file in step (comments
    and order kept) and reports drift between the file and the live Deployment, since the next
    C(helm upgrade) puts the file's values back.
author:
  - kubeguard.netsec maintainers (@kubeguard)
options:
  namespace:
    description: The controller's namespace; with O(name), C(kube-system) by default. Without O(name), where to look for it.
    type: str
  name:
    description: The Deployment's name. Without it, the Deployment is found by its label.
    type: str
  cluster_name:
    description:
      - C(--cluster-name). Also a check that the kubeconfig context is the cluster meant, since a different
        value on the Deployment is refused (unless O(force=true)).
    type: str
  enable_backend_security_group:
    description: C(--enable-backend-security-group) (the controller's default is true).
    type: bool
  backend_security_group:
    description: C(--backend-security-group), a security group id the controller uses as its backend group.
    type: str
  enable_manage_backend_security_group_rules:
    description: C(--enable-manage-backend-security-group-rules), the default of the per-Ingress annotation.
    type: bool
  disable_restricted_sg_rules:
    description: C(--disable-restricted-sg-rules); true opens 0-65535 on the nodes instead of the min-max span.
    type: bool
  default_target_type:
    description: C(--default-target-type).
    type: str
    choices: [instance, ip]
  service_target_eni_security_group_tags:
    description: C(--service-target-eni-security-group-tags), tags the node group receiving rules must carry.
    type: dict
  default_tags:
    description: C(--default-tags), tags on every AWS resource the controller creates.
    type: dict
  extra_args:
    description:
      - Other flags, by name without the leading dashes (C(sync-period), C(feature-gates)); values are text,
        numbers or booleans. A named option's flag must be given by that option.
    type: dict
  mode:
    description: The flags a security-group mode needs (see the description).
    type: str
    choices: [auto, hybrid, custom]
  controller:
    description: The C(controller) result of M(kubeguard.netsec.eks_lbc_security_groups), whose C(controller_flags) are applied.
    type: dict
  force:
    description: Change flags someone else set, recording their values so V(deleted) can give them back.
    type: bool
    default: false
  allow_empty:
    description: With O(state=replaced) and no flag, give back every flag this collection set.
    type: bool
    default: false
  wait:
    description: After a change of the flags, wait until every pod runs the new ones (updated, ready and available).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the rollout (1-3600).
    type: int
    default: 300
  helm_values_file:
    description:
      - A values file of the C(eks/aws-load-balancer-controller) chart to update with the same settings (created
        when missing; comments, order and other keys kept). Flags the chart has no value for are reported in
        C(helm_values.not_expressible). C(helm_values.drift) lists where the file and the live Deployment differ.
    type: path
  update_deployment:
    description: Set to false to update only O(helm_values_file) (the Deployment is read, not written).
    type: bool
    default: true
  state:
    description:
      - V(merged) sets the flags given; V(replaced) also gives back the flags this collection set earlier and no
        longer asks for; V(deleted) gives back the flags named (their values are ignored), or all of its own;
        V(gathered) returns the Deployment's flags; V(rendered) returns the C(args) items and chart values offline.
      - Giving back means the value recorded before this collection set the flag, or removing it when it was absent.
    choices: [merged, replaced, deleted, gathered, rendered]
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubernetes.core.k8s_auth_options
  - kubeguard.netsec.k8s_connection
notes:
  - Editing a Deployment that Helm (or the EKS add-on) manages lasts until the next upgrade; keep the values
    file in step with O(helm_values_file), or set O(update_deployment=false) and let the upgrade apply it.
seealso:
  - module: kubeguard.netsec.eks_lbc_security_groups
  - name: AWS Load Balancer Controller configuration
    description: The controller's flags.
    link: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/configurations/
"""

EXAMPLES = r"""
- name: Custom frontend groups with a backend group managed by the controller (hybrid mode)
  kubeguard.netsec.eks_lbc_controller:
    context: demo-eks
    cluster_name: demo-eks
    mode: hybrid
    disable_restricted_sg_rules: false
    wait: true
    wait_timeout: 120

- name: Apply the flags eks_lbc_security_groups reported (its controller result, registered as lbc_groups)
  kubeguard.netsec.eks_lbc_controller:
    context: demo-eks
    cluster_name: demo-eks
    controller:
      controller_flags: "{{ lbc_groups.controller.controller_flags | default(['--enable-backend-security-group=true']) }}"

- name: Keep the Helm values file in step, without touching the live Deployment
  kubeguard.netsec.eks_lbc_controller:
    context: demo-eks
    enable_backend_security_group: true
    default_tags:
      team: platform
    helm_values_file: "{{ playbook_dir }}/aws-load-balancer-controller-values.yaml"
    update_deployment: false

- name: Give back every flag this collection set
  kubeguard.netsec.eks_lbc_controller:
    context: demo-eks
    state: deleted
"""

RETURN = r"""
deployment:
  description: The Deployment managed, as C(namespace/name).
  returned: unless O(state=rendered)
  type: str
  sample: kube-system/aws-load-balancer-controller
args_before:
  description: The controller container's C(args) as read.
  returned: with states merged, replaced and deleted
  type: list
  elements: str
args_after:
  description: The C(args) written (or that would be, in check mode).
  returned: with states merged, replaced and deleted
  type: list
  elements: str
  sample: [--cluster-name=demo-eks, --ingress-class=alb, --enable-backend-security-group=true]
flags:
  description: The effective flags after the run, flag name to value.
  returned: with states merged, replaced and deleted
  type: dict
changes:
  description: Each flag changed - C(flag), C(before), C(after) (null when absent) and C(why) (set, restored, removed).
  returned: with states merged, replaced and deleted
  type: list
  elements: dict
satisfied:
  description: Flags that already had the wanted value, set by someone else (left unowned).
  returned: with states merged and replaced
  type: list
  elements: str
left_alone:
  description: Flags named under O(state=deleted) that this collection did not set (not touched).
  returned: with state deleted
  type: list
  elements: str
managed:
  description: The ownership record after the run - per flag, its C(previous) value (null when absent) and the value C(set).
  returned: with states merged, replaced and deleted
  type: dict
restarts_pods:
  description: Whether the change rolls the controller's pods (its C(args) changed).
  returned: with states merged, replaced and deleted
  type: bool
replanned:
  description: Whether the Deployment changed between this run's read and its write, so it read and planned again.
  returned: with states merged, replaced and deleted, unless in check mode
  type: bool
rollout:
  description: With O(wait), the replica counts seen when the rollout completed.
  returned: when O(wait) and the pods rolled
  type: dict
helm_values:
  description: With O(helm_values_file) - C(path), C(changed), C(values) written, C(not_expressible) flags and C(drift) against the live Deployment.
  returned: when O(helm_values_file) is given
  type: dict
gathered:
  description: With O(state=gathered) - C(deployment), C(args), C(flags) and the C(managed) record.
  returned: with state gathered
  type: dict
rendered:
  description: With O(state=rendered) - C(args), the C(--flag=value) items for the flags given, and C(helm_values).
  returned: with state rendered
  type: dict
api_calls:
  description: Kubernetes API calls made, by operation, reads and writes.
  returned: always
  type: dict
"""

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.run import execute


def argument_spec() -> dict:
    spec = connection_spec()
    spec.update(
        namespace={"type": "str"},
        name={"type": "str"},
        cluster_name={"type": "str"},
        enable_backend_security_group={"type": "bool"},
        backend_security_group={"type": "str"},
        enable_manage_backend_security_group_rules={"type": "bool"},
        disable_restricted_sg_rules={"type": "bool"},
        default_target_type={"type": "str", "choices": ["instance", "ip"]},
        service_target_eni_security_group_tags={"type": "dict"},
        default_tags={"type": "dict"},
        extra_args={"type": "dict"},
        mode={"type": "str", "choices": ["auto", "hybrid", "custom"]},
        controller={"type": "dict"},
        force={"type": "bool", "default": False},
        allow_empty={"type": "bool", "default": False},
        wait={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        helm_values_file={"type": "path"},
        update_deployment={"type": "bool", "default": True},
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
        argument_spec=argument_spec(), supports_check_mode=True, mutually_exclusive=[("mode", "controller")]
    )
    run_module(module, execute)


if __name__ == "__main__":
    main()
