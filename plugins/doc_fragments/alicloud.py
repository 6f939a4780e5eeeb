# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Credential, region and endpoint options of the Alibaba Cloud (CLB / SLB 2014-05-15) base."""

    # Modules do not support 'env' in option docs, so the variables are named in the
    # descriptions; the module base reads them with env_fallback in the order listed.
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID.
      - If not set, the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_ID), E(ALICLOUD_ACCESS_KEY) or
        E(ALICLOUD_ACCESS_KEY_ID) are used, in that order of preference.
      - Use together with O(access_key_secret) (and O(security_token) for STS credentials).
    type: str
    aliases: [alicloud_access_key]
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret. It is never logged nor returned.
      - If not set, the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), E(ALICLOUD_SECRET_KEY)
        or E(ALICLOUD_SECRET_ACCESS_KEY) are used, in that order of preference.
    type: str
    aliases: [alicloud_secret_key]
  security_token:
    description:
      - STS security token for temporary credentials. It is never logged nor returned.
      - If not set, the environment variables E(ALIBABA_CLOUD_SECURITY_TOKEN) or
        E(ALICLOUD_SECURITY_TOKEN) are used, in that order of preference.
    type: str
    aliases: [alicloud_security_token]
  region_id:
    description:
      - Alibaba Cloud region to work in, for example V(cn-hangzhou).
      - If not set, the environment variables E(ALIBABA_CLOUD_REGION_ID), E(ALICLOUD_REGION) or
        E(ALICLOUD_REGION_ID) are used, in that order of preference.
      - Required unless one of those variables is set.
    type: str
    aliases: [alicloud_region]
  profile:
    description:
      - A profile of the Alibaba Cloud CLI configuration C(~/.aliyun/config.json), or of the credentials
        file C(~/.alibabacloud/credentials.ini) (E(ALIBABA_CLOUD_CREDENTIALS_FILE)), as the official
        credentials library resolves it. Used when no AccessKey is given.
      - If not set, the environment variables E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE) are used.
      - The ECS instance metadata service is never asked implicitly (off ECS it does not answer).
    type: str
  endpoint:
    description:
      - Endpoint of the Classic Load Balancer (CLB, API version C(2014-05-15)) service, used
        instead of the public regional endpoint derived from O(region_id).
      - Either a host name such as V(slb.cn-hangzhou.aliyuncs.com) or a full URL such as
        V(http://127.0.0.1:18702) (the scheme of a URL is honoured, which is how the local
        sandbox is reached).
      - If not set, the environment variable E(ALIBABA_CLOUD_SLB_ENDPOINT) is used. This
        variable is specific to this collection; the Alibaba Cloud SDKs do not read it.
    type: str
  connect_timeout:
    description: Seconds to wait for a connection to the endpoint, per attempt.
    type: int
    default: 10
  read_timeout:
    description: Seconds to wait for an answer, per attempt.
    type: int
    default: 20
  retries:
    description:
      - How many times an API call answered with C(Throttling*), C(ServiceUnavailable),
        C(SystemBusy), C(AclEntryProcessing) or C(OperationFailed.TokenIsProcessing) is retried,
        with jittered exponential backoff (0.5 s doubling, at most 10 s), before the module fails.
        A call that got no answer (refused, timed out) is retried at most twice.
      - V(0) disables retries.
    type: int
    default: 5
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoint.
      - Setting this to V(false) is strongly discouraged outside a local sandbox.
    type: bool
    default: true
notes:
  - Credentials and endpoints are read on the host the module runs on; these modules
    are meant to run on the controller (C(ansible_connection=local)).
  - AWX / Ansible Automation Platform custom credential types can inject the
    E(ALIBABA_CLOUD_ACCESS_KEY_ID), E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) and
    E(ALIBABA_CLOUD_REGION_ID) environment variables, so job templates need no
    credential options in the playbook.
  - Set the options once per play with C(module_defaults) and the
    C(group/kubeguard.netsec.alicloud) action group.
requirements:
  - alibabacloud-slb20140515 >= 3.0.0
  - alibabacloud-tea-openapi >= 0.3.10
  - alibabacloud-credentials >= 0.3.5
"""

    # ``kubeguard.netsec.alicloud.nested``: the same options as suboptions of an ``alicloud`` dict, for modules
    # that also take AWS options (whose ``profile`` and credential names would clash at the top level).
    NESTED = r"""
options:
  alicloud:
    description:
      - Credentials, region and endpoint of the Alibaba Cloud CLB API, with the same environment
        variables as the collection's Alibaba Cloud modules (omitted, they all come from the environment).
    type: dict
    default: {}
    suboptions:
      access_key_id:
        description:
          - Alibaba Cloud AccessKey ID.
          - If not set, the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_ID), E(ALICLOUD_ACCESS_KEY) or
            E(ALICLOUD_ACCESS_KEY_ID) are used, in that order of preference.
          - Use together with O(alicloud.access_key_secret) (and O(alicloud.security_token) for STS credentials).
        type: str
        aliases: [alicloud_access_key]
      access_key_secret:
        description:
          - Alibaba Cloud AccessKey secret. It is never logged nor returned.
          - If not set, the environment variables E(ALIBABA_CLOUD_ACCESS_KEY_SECRET), E(ALICLOUD_SECRET_KEY)
            or E(ALICLOUD_SECRET_ACCESS_KEY) are used, in that order of preference.
        type: str
        aliases: [alicloud_secret_key]
      security_token:
        description:
          - STS security token for temporary credentials. It is never logged nor returned.
          - If not set, the environment variables E(ALIBABA_CLOUD_SECURITY_TOKEN) or
            E(ALICLOUD_SECURITY_TOKEN) are used, in that order of preference.
        type: str
        aliases: [alicloud_security_token]
      region_id:
        description:
          - Alibaba Cloud region to work in, for example V(cn-hangzhou).
          - If not set, the environment variables E(ALIBABA_CLOUD_REGION_ID), E(ALICLOUD_REGION) or
            E(ALICLOUD_REGION_ID) are used, in that order of preference.
          - Required unless one of those variables is set.
        type: str
        aliases: [alicloud_region]
      profile:
        description:
          - A profile of the Alibaba Cloud CLI configuration C(~/.aliyun/config.json), or of the credentials
            file C(~/.alibabacloud/credentials.ini) (E(ALIBABA_CLOUD_CREDENTIALS_FILE)), as the official
            credentials library resolves it. Used when no AccessKey is given.
          - If not set, the environment variables E(ALIBABA_CLOUD_PROFILE) or E(ALICLOUD_PROFILE) are used.
          - The ECS instance metadata service is never asked implicitly (off ECS it does not answer).
        type: str
      endpoint:
        description:
          - Endpoint of the Classic Load Balancer (CLB, API version C(2014-05-15)) service, used
            instead of the public regional endpoint derived from O(alicloud.region_id).
          - Either a host name such as V(slb.cn-hangzhou.aliyuncs.com) or a full URL such as
            V(http://127.0.0.1:18702) (the scheme of a URL is honoured, which is how the local
            sandbox is reached).
          - If not set, the environment variable E(ALIBABA_CLOUD_SLB_ENDPOINT) is used. This
            variable is specific to this collection; the Alibaba Cloud SDKs do not read it.
        type: str
      connect_timeout:
        description: Seconds to wait for a connection to the endpoint, per attempt.
        type: int
        default: 10
      read_timeout:
        description: Seconds to wait for an answer, per attempt.
        type: int
        default: 20
      retries:
        description:
          - How many times an API call answered with C(Throttling*), C(ServiceUnavailable),
            C(SystemBusy), C(AclEntryProcessing) or C(OperationFailed.TokenIsProcessing) is retried,
            with jittered exponential backoff (0.5 s doubling, at most 10 s), before the module fails.
            A call that got no answer (refused, timed out) is retried at most twice.
          - V(0) disables retries.
        type: int
        default: 5
      validate_certs:
        description:
          - Whether to verify the TLS certificate of the endpoint.
          - Setting this to V(false) is strongly discouraged outside a local sandbox.
        type: bool
        default: true
requirements:
  - alibabacloud-slb20140515 >= 3.0.0
  - alibabacloud-tea-openapi >= 0.3.10
  - alibabacloud-credentials >= 0.3.5
"""
