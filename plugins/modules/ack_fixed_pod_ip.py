#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ack_fixed_pod_ip
short_description: Give an ACK workload's pods fixed IPs with Terway trunk ENIs and a PodNetworking
version_added: 0.1.0
author:
  - kubeguard maintainers (@kubeguard)
description:
  - Makes the pods of one application on an Alibaba Cloud ACK cluster keep their IP address across
    restarts, so that the address can be whitelisted on a database load balancer's ACL and in a
    NetworkPolicy (RV(fixed_ips) is shaped for that).
  - B(Preflight) (read only, also alone with O(state=gathered)) checks that the
    C(kube-system/addon.network.token) Secret exists and has not expired (ACK managed clusters),
    that Terway pods run, that the PodNetworking and PodENI CRDs are served, that
    C(terway-controlplane) has a ready replica, that C(kube-system/eni-config) holds valid JSON,
    and whether NetworkPolicy is enabled. A failed check stops the run before any write, with the
    console steps that fix it.
  - B(PodNetworking) (cluster-scoped) is created or updated first and the module waits for
    C(status.status=Ready) (C(status.message) is reported on C(Fail)), so that what the cluster itself
    validates is proven before the disruptive writes. Terway's webhook validates creates only, so every
    spec, updates included, is checked here first. Another Ready PodNetworking selecting the same pods
    is reported; when it sorts first (Terway takes the first match in list order) the run stops before
    any write.
  - B(eni-config) then gets C(enable_eni_trunking=true) and C(credential_path) in its C(eni_conf) JSON by a
    minimal text edit (no other key or formatting changes). The Terway pods are then deleted so that
    they restart with trunk ENIs, only when the config changed (or when it already asks for trunking
    but no node reports a trunk ENI yet). Trunking is never turned off.
  - The B(namespace) gets the C(match_labels) of O(pod_networking.namespace_selector). A label it already
    has with another value is refused, naming it, unless O(overwrite_namespace_labels); the old value is
    then recorded and the rollback restores it.
  - B(Conversion) (O(convert_deployment)) builds a StatefulSet from the Deployment's pod template,
    creates the headless Service it needs, waits until its pods are Ready and B(verified) to hold fixed
    IPs (annotations set by Terway's webhook and a Fixed allocation in their PodENI), and only then
    scales the Deployment to 0, recording its replica count in the annotation
    C(netsec.kubeguard.io/original-replicas). The Deployment is never deleted. The labels and annotations
    GitOps tools track objects by (Argo CD, Flux, Helm) are not copied onto the StatefulSet
    (RV(left_out_metadata)) unless O(copy_gitops_metadata).
  - A B(HorizontalPodAutoscaler) of the Deployment is found before any write - refused, or pointed at the
    StatefulSet after the scale-down (O(hpa)); B(PodDisruptionBudgets) selecting the pods are reported.
  - O(replicas) on an existing StatefulSet of this collection scales it, and the new pods' fixed IPs are
    verified and returned.
  - O(state=deleted) is the rollback - the Deployment is scaled back to its recorded replicas and
    waited for (and a retargeted HPA pointed back at it), then the StatefulSet and headless Service this
    module created are deleted, the namespace labels it added are removed (and those it replaced put
    back), and the PodNetworking is deleted if this module created it and no other pod uses it.
    eni-config is left as it is (Trunk ENI is one-way); RV(kept) lists what stays, the fixed IPs still
    reserved included. When the Deployment is gone, the rollback is refused - it would delete the only
    workload left.
  - Pods that silently got a shared-pool IP (the webhook's failure policy is C(Ignore)) are reported as
    errors, never as fixed.
  - Objects the module creates carry the label C(app.kubernetes.io/managed-by=kubeguard.netsec); keys it
    sets on objects it does not own are recorded in C(netsec.kubeguard.io/managed-labels) and
    C(netsec.kubeguard.io/managed-annotations).
options:
  namespace:
    description: The application namespace.
    type: str
    required: true
  pod_networking:
    description:
      - The PodNetworking that gives the pods their network plane. Required unless O(state) is
        V(gathered) or V(deleted).
    type: dict
    suboptions:
      name:
        description: Name of the (cluster-scoped) PodNetworking.
        type: str
        required: true
      allocation_type:
        description: V(Fixed) keeps each StatefulSet pod's IP; V(Elastic) does not.
        type: str
        choices: [Fixed, Elastic]
        default: Fixed
      release_strategy:
        description:
          - When a fixed IP is released after its pod is gone. V(Never) keeps it for ever; V(TTL) after
            O(pod_networking.release_after). Only with O(pod_networking.allocation_type=Fixed); defaults
            to V(Never) there.
        type: str
        choices: [Never, TTL]
      release_after:
        description:
          - Go duration (V(30m), V(1h30m)) after which a TTL reservation is released. Required with
            V(TTL), refused with V(Never) (Terway's webhook denies it).
        type: str
      eni_type:
        description: V(Trunk) puts pods on member ENIs of the node's trunk ENI.
        type: str
        choices: [Trunk, ENI, Default]
        default: Trunk
      namespace_selector:
        description:
          - Selects the namespaces, with C(match_labels) (a dict) and/or C(match_expressions) (a list of
            C(key), C(operator) (V(In), V(NotIn), V(Exists), V(DoesNotExist)) and C(values)).
          - Its C(match_labels) are added to O(namespace) unless O(label_namespace=false).
          - At least one of O(pod_networking.namespace_selector) and O(pod_networking.pod_selector) is
            required (without selectors a PodNetworking matches nothing); when both are set both must match.
        type: dict
      pod_selector:
        description: Selects the pods, in the same form as O(pod_networking.namespace_selector).
        type: dict
      vswitch_ids:
        description:
          - vSwitches (C(vsw-...)) the pods' IPs come from; one is picked per pod. When omitted, Terway
            takes those of eni-config on creation.
        type: list
        elements: str
      vswitch_selection_policy:
        description: How the vSwitch is picked.
        type: str
        choices: [ordered, random, most]
      security_group_ids:
        description:
          - Security groups (C(sg-...)) of the pods' ENIs, at most 10. When omitted, Terway takes those of
            eni-config on creation.
        type: list
        elements: str
  label_namespace:
    description: Add the C(match_labels) of O(pod_networking.namespace_selector) to the namespace.
    type: bool
    default: true
  overwrite_namespace_labels:
    description:
      - Change a namespace label that already has another value than O(pod_networking.namespace_selector)
        asks for. Labels like C(env) are what other PodNetworkings and NetworkPolicies select on, so without
        this the run is refused; with it the old value is recorded and restored on rollback (unless someone
        changed the label since).
    type: bool
    default: false
  hpa:
    description:
      - What to do with a HorizontalPodAutoscaler that scales the Deployment to convert - V(refuse) stops
        the run before any write; V(retarget) points it at the StatefulSet once the Deployment is scaled
        down, recording the old target, and the rollback points it back.
    type: str
    choices: [refuse, retarget]
    default: refuse
  copy_gitops_metadata:
    description:
      - Copy onto the StatefulSet the Deployment's labels and annotations by which Argo CD, Flux or Helm
        track objects (by default they are left out, RV(left_out_metadata) says which - a prune would
        delete the StatefulSet, or a sync would scale the Deployment back up).
    type: bool
    default: false
  eni_config:
    description: How C(kube-system/eni-config) is handled.
    type: dict
    suboptions:
      manage:
        description:
          - Set C(enable_eni_trunking) and C(credential_path) in C(eni_conf). With V(false) the module
            only checks that trunking is already enabled.
        type: bool
        default: true
      credential_path:
        description: Value for C(credential_path) (where ACK mounts the addon token).
        type: str
        default: /var/addon/token-config
      restart_terway:
        description: Delete the Terway pods (their DaemonSet recreates them) after eni-config changed.
        type: bool
        default: true
      terway_pod_selector:
        description: Label selector of the Terway pods in C(kube-system).
        type: str
        default: app=terway-eniip
  cluster_type:
    description:
      - V(managed) (ACK managed clusters) requires the C(addon.network.token) Secret; V(dedicated) does not.
    type: str
    choices: [managed, dedicated]
    default: managed
  require_network_policy:
    description: Fail the preflight when Terway's NetworkPolicy support is disabled.
    type: bool
    default: false
  convert_deployment:
    description: Name of the Deployment to convert into a StatefulSet.
    type: str
  statefulset_name:
    description:
      - Name of the StatefulSet (defaults to O(convert_deployment)). Without O(convert_deployment), an
        existing StatefulSet whose pods are verified and returned.
    type: str
  service_name:
    description: Name of the headless Service of the StatefulSet; created when missing.
    type: str
  replicas:
    description:
      - Replicas of the new StatefulSet (default - the Deployment's). On an existing StatefulSet this
        collection created, O(state=merged) scales it to this number and returns the fixed IPs of its pods.
        With O(state=deleted), the replicas to restore when the Deployment has no recorded count.
    type: int
  pod_management_policy:
    description:
      - The StatefulSet's C(podManagementPolicy). V(Parallel) starts pods together, as a Deployment does.
    type: str
    choices: [OrderedReady, Parallel]
    default: Parallel
  wait_timeout:
    description: Seconds to wait for each of Terway's restart, the PodNetworking, the pods, the Deployment.
    type: int
    default: 300
  wait_sleep:
    description: Seconds between two polls while waiting.
    type: int
    default: 2
  state:
    description:
      - V(merged) creates or updates what is given and never removes anything.
      - V(replaced) also makes the PodNetworking's spec exactly the given one (only a PodNetworking this
        collection created).
      - V(deleted) rolls the conversion back (see the description).
      - V(gathered) runs the preflight and returns the current state and fixed IPs.
      - V(rendered) returns the requests of a first run, offline (not with O(convert_deployment)).
    type: str
    choices: [merged, replaced, deleted, gathered, rendered]
    default: merged
extends_documentation_fragment:
  - kubeguard.netsec.state
  - kubernetes.core.k8s_auth_options
  - kubeguard.netsec.k8s_connection
notes:
  - Fixed IPs are pinned to the zone of their vSwitch; plan node capacity per zone.
  - Changing a PodNetworking or labels later does not move running pods; Terway selects at pod creation.
  - After the conversion the StatefulSet is the workload; change it, not the Deployment.
  - Fixed IPs reserved with V(Never) stay reserved in their PodENIs after a rollback; PodENIs are
    Terway's and are not deleted by this module.
seealso:
  - name: Terway trunk ENI
    description: PodNetworking, PodENI and the eni-config settings, in Terway's own documentation.
    link: https://github.com/AliyunContainerService/terway/blob/main/docs/terway-trunk.md
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Fixed IPs for the UAT application (seed 004)
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

- name: The /32 entries for the database load balancer's ACL and NetworkPolicy
  ansible.builtin.set_fact:
    uat_app_sources: "{{ app_ips.fixed_ips | map(attribute='ip') | map('regex_replace', '$', '/32') | list }}"

- name: Preflight only
  kubeguard.netsec.ack_fixed_pod_ip:
    context: ack-app
    namespace: abc-185-7db8e
    state: gathered
  register: preflight
  failed_when: not preflight.preflight.passed

# A fixed IP is pinned to its vSwitch's zone: give one vSwitch in each zone the pods may run in.
- name: Pods of one Deployment only, TTL release, own vSwitches and security group
  kubeguard.netsec.ack_fixed_pod_ip:
    context: ack-app
    namespace: abc-185-7db8e
    pod_networking:
      name: uat-app-fixed
      release_strategy: TTL
      release_after: 1h
      pod_selector:
        match_labels:
          projectkey: abc-ba7b5
      namespace_selector:
        match_labels:
          appname: "185"
      vswitch_ids: [vsw-bp1uat0pod0h000000a, vsw-bp1uat0pod0i000000b]
      security_group_ids: [sg-bp1uat0pods00000001]
    convert_deployment: abc-ba7b5
    service_name: abc-ba7b5-headless

- name: Roll the conversion back
  kubeguard.netsec.ack_fixed_pod_ip:
    context: ack-app
    namespace: abc-185-7db8e
    pod_networking:
      name: podnetworking-185
    convert_deployment: abc-ba7b5
    state: deleted
"""

RETURN = r"""
fixed_ips:
  description:
    - The verified fixed IPs, one per running pod of the StatefulSet (or, without one, per pod of the
      namespace that uses the PodNetworking), sorted by pod name.
  returned: unless state is rendered or deleted (after a failed verification too - the pods that verified)
  type: list
  elements: dict
  sample:
    - pod: abc-ba7b5-0
      namespace: abc-185-7db8e
      ip: 10.20.32.4
      zone: cn-hangzhou-h
      pod_networking: podnetworking-185
preflight:
  description:
    - Each check with C(ok), the C(message) of a failed one and what it found, and C(passed).
  returned: unless state is rendered
  type: dict
  sample:
    passed: true
    token_secret: {ok: true, message: "", expiration: "2026-11-29T10:00:00Z"}
    terway_controlplane: {ok: true, message: "", ready_replicas: 2}
plan:
  description: The writes, in order (C(action), C(kind), C(name), C(namespace), C(why), C(payload)).
  returned: with states merged, replaced and deleted
  type: list
  elements: dict
actions:
  description: The writes done (the plan's steps that ran).
  returned: when not in check mode, with states merged, replaced and deleted
  type: list
  elements: dict
gathered:
  description: The current state (namespace labels, eni-config, PodNetworking in option format, workload).
  returned: when state is gathered
  type: dict
rendered:
  description: The requests a first run would send (method, path, content type, body).
  returned: when state is rendered
  type: list
  elements: dict
dropped_fields:
  description: Deployment-only fields that the StatefulSet does not carry.
  returned: when a conversion is planned
  type: list
  elements: str
left_out_metadata:
  description: The Deployment's labels and annotations of GitOps tools not copied onto the StatefulSet.
  returned: when a conversion is planned
  type: list
  elements: str
pod_disruption_budgets:
  description: The PodDisruptionBudgets that select the pods of the converted Deployment.
  returned: when a conversion is planned
  type: list
  elements: str
kept:
  description:
    - What the rollback deliberately leaves in place - eni-config's Trunk ENI, the fixed IPs still reserved in
      PodENIs, and that the restored Deployment's pods get shared-pool IPs outside any whitelist built from
      RV(fixed_ips).
  returned: when state is deleted
  type: list
  elements: str
warnings_found:
  description: Warnings of the run (competing PodNetworkings, nodes without trunk ENI, pods without fixed IP).
  returned: unless state is rendered
  type: list
  elements: str
api_calls:
  description: The Kubernetes requests this run made (C(reads), C(writes), C(by_operation)), on failure too.
  returned: always
  type: dict
"""

from ansible_collections.kubeguard.netsec.plugins.module_utils.ack.run import execute
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.boundary import run_module
from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec


def argument_spec() -> dict:
    selector = {"type": "dict"}
    pod_networking = {
        "name": {"type": "str", "required": True},
        "allocation_type": {"type": "str", "choices": ["Fixed", "Elastic"], "default": "Fixed"},
        "release_strategy": {"type": "str", "choices": ["Never", "TTL"]},
        "release_after": {"type": "str"},
        "eni_type": {"type": "str", "choices": ["Trunk", "ENI", "Default"], "default": "Trunk"},
        "namespace_selector": selector,
        "pod_selector": selector,
        "vswitch_ids": {"type": "list", "elements": "str"},
        "vswitch_selection_policy": {"type": "str", "choices": ["ordered", "random", "most"]},
        "security_group_ids": {"type": "list", "elements": "str"},
    }
    eni_config = {
        "manage": {"type": "bool", "default": True},
        "credential_path": {"type": "str", "default": "/var/addon/token-config"},
        "restart_terway": {"type": "bool", "default": True},
        "terway_pod_selector": {"type": "str", "default": "app=terway-eniip"},
    }
    spec = connection_spec()
    spec.update(
        namespace={"type": "str", "required": True},
        pod_networking={"type": "dict", "options": pod_networking},
        label_namespace={"type": "bool", "default": True},
        eni_config={"type": "dict", "options": eni_config},
        cluster_type={"type": "str", "choices": ["managed", "dedicated"], "default": "managed"},
        require_network_policy={"type": "bool", "default": False},
        convert_deployment={"type": "str"},
        statefulset_name={"type": "str"},
        service_name={"type": "str"},
        replicas={"type": "int"},
        pod_management_policy={"type": "str", "choices": ["OrderedReady", "Parallel"], "default": "Parallel"},
        overwrite_namespace_labels={"type": "bool", "default": False},
        hpa={"type": "str", "choices": ["refuse", "retarget"], "default": "refuse"},
        copy_gitops_metadata={"type": "bool", "default": False},
        wait_timeout={"type": "int", "default": 300},
        wait_sleep={"type": "int", "default": 2},
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
