# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The Kubernetes connection of every module: kubernetes.core's options plus a request timeout.

    ``DOCUMENTATION`` (``kubeguard.netsec.k8s_connection``) adds ``request_timeout`` next to
    ``kubernetes.core.k8s_auth_options`` for the Kubernetes modules. ``NESTED``
    (``kubeguard.netsec.k8s_connection.nested``) documents the ``kubernetes`` option of modules that
    also talk to a cloud API, whose suboptions are kubernetes.core's own.
    """

    DOCUMENTATION = r"""
options:
  request_timeout:
    description:
      - Seconds to wait for each Kubernetes API request (connection and answer), discovery included.
      - A request that gets no answer fails the task after this long, naming the API server and the
        context; reads that time out are not retried. A wait (C(wait_timeout) where the module has one)
        is bounded by its own timeout plus one request.
    type: int
    default: 30
notes:
  - The Kubernetes options can be set once for every Kubernetes module of this collection with
    C(module_defaults) and the group C(group/kubeguard.netsec.k8s).
"""

    NESTED = r"""
options:
  kubernetes:
    description:
      - Connection to the Kubernetes API of the cluster, with the options and C(K8S_AUTH_*) environment
        variables of kubernetes.core (M(kubernetes.core.k8s)).
      - C(module_defaults) for C(group/kubeguard.netsec.k8s) apply here too, under the values given in
        this option.
    type: dict
    suboptions:
      kubeconfig:
        description:
          - Path of a kubeconfig file (several joined by V(:)), or its content as a dict
            (E(K8S_AUTH_KUBECONFIG)). Defaults to E(KUBECONFIG) or C(~/.kube/config).
        type: raw
      context:
        description: Context of the kubeconfig to use (E(K8S_AUTH_CONTEXT)); its current context otherwise.
        type: str
      host:
        description: URL of the API server (E(K8S_AUTH_HOST)).
        type: str
      api_key:
        description: Bearer token for the API server (E(K8S_AUTH_API_KEY)).
        type: str
      username:
        description: User for HTTP basic authentication (E(K8S_AUTH_USERNAME)).
        type: str
      password:
        description: Password for HTTP basic authentication (E(K8S_AUTH_PASSWORD)).
        type: str
      validate_certs:
        description:
          - Verify the API server's TLS certificate (E(K8S_AUTH_VERIFY_SSL)). This applies to the Kubernetes
            API only; the module's top-level O(validate_certs) is for the cloud API.
        type: bool
        aliases: [verify_ssl]
      ca_cert:
        description: Path of the CA certificate of the API server (E(K8S_AUTH_SSL_CA_CERT)).
        type: path
        aliases: [ssl_ca_cert]
      client_cert:
        description: Path of a client certificate (E(K8S_AUTH_CERT_FILE)).
        type: path
        aliases: [cert_file]
      client_key:
        description: Path of the client certificate's key (E(K8S_AUTH_KEY_FILE)).
        type: path
        aliases: [key_file]
      proxy:
        description: URL of an HTTP proxy to the API server (E(K8S_AUTH_PROXY)).
        type: str
      no_proxy:
        description: Hosts, domains and CIDRs reached without the proxy, comma separated (E(K8S_AUTH_NO_PROXY)).
        type: str
      proxy_headers:
        description: Headers for the proxy.
        type: dict
        suboptions:
          proxy_basic_auth:
            description: V(user:password) for the proxy's basic authentication.
            type: str
          basic_auth:
            description: V(user:password) for a basic authentication header.
            type: str
          user_agent:
            description: The user agent to send.
            type: str
      persist_config:
        description: Save refreshed tokens back into the kubeconfig (E(K8S_AUTH_PERSIST_CONFIG)).
        type: bool
      impersonate_user:
        description: User to impersonate (E(K8S_AUTH_IMPERSONATE_USER)).
        type: str
      impersonate_groups:
        description: Groups to impersonate (E(K8S_AUTH_IMPERSONATE_GROUPS), comma separated).
        type: list
        elements: str
      request_timeout:
        description:
          - Seconds to wait for each Kubernetes API request (connection and answer), discovery included;
            a request that gets no answer fails the task after this long. Reads that time out are not retried.
        type: int
        default: 30
"""

    # ``kubeguard.netsec.k8s_connection.client_clusters``: netsec_audit's application clusters, each with its own
    # ``kubernetes`` connection documented with the suboptions of NESTED.
    CLIENT_CLUSTERS = r"""
options:
  client_clusters:
    description:
      - O(target=ack) - application clusters whose pods use the audited cluster's databases. Their running pods
        are judged as sources by KG-ACK-005 and their Fixed PodNetworkings by KG-ACK-004.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The cluster's name (in resources and evidence); unique, not the audited cluster's.
        type: str
        required: true
      cluster_id:
        description: Its ACK cluster id, checked as O(cluster_id) is.
        type: str
      kubernetes:
        description:
          - The connection to this cluster's Kubernetes API (required - it never falls back to the current
            context, which would judge the wrong cluster's pods), with the suboptions of O(kubernetes).
          - C(module_defaults) of C(group/kubeguard.netsec.k8s) do not apply here.
        type: dict
        required: true
        suboptions:
          kubeconfig:
            description:
              - Path of a kubeconfig file (several joined by V(:)), or its content as a dict
                (E(K8S_AUTH_KUBECONFIG)). Defaults to E(KUBECONFIG) or C(~/.kube/config).
            type: raw
          context:
            description: Context of the kubeconfig to use (E(K8S_AUTH_CONTEXT)); its current context otherwise.
            type: str
          host:
            description: URL of the API server (E(K8S_AUTH_HOST)).
            type: str
          api_key:
            description: Bearer token for the API server (E(K8S_AUTH_API_KEY)).
            type: str
          username:
            description: User for HTTP basic authentication (E(K8S_AUTH_USERNAME)).
            type: str
          password:
            description: Password for HTTP basic authentication (E(K8S_AUTH_PASSWORD)).
            type: str
          validate_certs:
            description:
              - Verify the API server's TLS certificate (E(K8S_AUTH_VERIFY_SSL)). This applies to the Kubernetes
                API only; the module's top-level O(validate_certs) is for the cloud API.
            type: bool
            aliases: [verify_ssl]
          ca_cert:
            description: Path of the CA certificate of the API server (E(K8S_AUTH_SSL_CA_CERT)).
            type: path
            aliases: [ssl_ca_cert]
          client_cert:
            description: Path of a client certificate (E(K8S_AUTH_CERT_FILE)).
            type: path
            aliases: [cert_file]
          client_key:
            description: Path of the client certificate's key (E(K8S_AUTH_KEY_FILE)).
            type: path
            aliases: [key_file]
          proxy:
            description: URL of an HTTP proxy to the API server (E(K8S_AUTH_PROXY)).
            type: str
          no_proxy:
            description: Hosts, domains and CIDRs reached without the proxy, comma separated (E(K8S_AUTH_NO_PROXY)).
            type: str
          proxy_headers:
            description: Headers for the proxy.
            type: dict
            suboptions:
              proxy_basic_auth:
                description: V(user:password) for the proxy's basic authentication.
                type: str
              basic_auth:
                description: V(user:password) for a basic authentication header.
                type: str
              user_agent:
                description: The user agent to send.
                type: str
          persist_config:
            description: Save refreshed tokens back into the kubeconfig (E(K8S_AUTH_PERSIST_CONFIG)).
            type: bool
          impersonate_user:
            description: User to impersonate (E(K8S_AUTH_IMPERSONATE_USER)).
            type: str
          impersonate_groups:
            description: Groups to impersonate (E(K8S_AUTH_IMPERSONATE_GROUPS), comma separated).
            type: list
            elements: str
          request_timeout:
            description:
              - Seconds to wait for each Kubernetes API request (connection and answer), discovery included;
                a request that gets no answer fails the task after this long. Reads that time out are not retried.
            type: int
            default: 30
"""
