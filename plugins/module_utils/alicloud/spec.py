# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of every Alibaba Cloud module (doc fragment ``kubeguard.netsec.alicloud``).

Each option falls back to the environment: the official SDKs' ``ALIBABA_CLOUD_*`` names first, then
the ``ALICLOUD_*`` names of alibaba.alicloud and the Terraform provider.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

ENV = {
    "access_key_id": ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ALICLOUD_ACCESS_KEY_ID"),
    "access_key_secret": ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECRET_ACCESS_KEY"),
    "security_token": ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
    "profile": ("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
    "region_id": ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALICLOUD_REGION_ID"),
    "endpoint": ("ALIBABA_CLOUD_SLB_ENDPOINT",),
}


def alicloud_argument_spec() -> dict:
    """Credentials, region, endpoint and bounds; the secret and the token are never logged."""

    def env(name: str) -> tuple:
        return (env_fallback, list(ENV[name]))

    return {
        "access_key_id": {
            "type": "str",
            "aliases": ["alicloud_access_key"],
            "no_log": False,
            "fallback": env("access_key_id"),
        },
        "access_key_secret": {
            "type": "str",
            "aliases": ["alicloud_secret_key"],
            "no_log": True,
            "fallback": env("access_key_secret"),
        },
        "security_token": {
            "type": "str",
            "aliases": ["alicloud_security_token"],
            "no_log": True,
            "fallback": env("security_token"),
        },
        "profile": {"type": "str", "fallback": env("profile")},
        "region_id": {"type": "str", "aliases": ["alicloud_region"], "fallback": env("region_id")},
        "endpoint": {"type": "str", "fallback": env("endpoint")},
        "connect_timeout": {"type": "int", "default": 10},
        "read_timeout": {"type": "int", "default": 20},
        "retries": {"type": "int", "default": 5},
        "validate_certs": {"type": "bool", "default": True},
    }
