# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the credentials of an Alibaba Cloud module come from, in this order, never printed:

1. ``access_key_id`` + ``access_key_secret`` (+ ``security_token``), from the options or, through
   their fallbacks, ``ALIBABA_CLOUD_*`` / ``ALICLOUD_*`` environment variables;
2. ``profile``: a profile of the Alibaba Cloud CLI's ``~/.aliyun/config.json`` or of
   ``~/.alibabacloud/credentials.ini`` (``ALIBABA_CLOUD_CREDENTIALS_FILE``), resolved by the official
   credentials library;
3. nothing else: the library's default chain would also ask the ECS metadata service, which does not
   answer off ECS and would hold the run, so it is never used implicitly.
"""

from __future__ import annotations

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

NO_CREDENTIALS = (
    "no Alibaba Cloud credentials: give access_key_id and access_key_secret (or a profile), or set "
    "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (in AWX, attach a credential of the "
    "collection's Alibaba Cloud credential type)"
)


def _profile_credential(name: str):
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.exceptions import CredentialException
    from alibabacloud_credentials.provider import CLIProfileCredentialsProvider
    from alibabacloud_credentials.provider import ProfileCredentialsProvider

    problems = []
    for provider in (CLIProfileCredentialsProvider(profile_name=name), ProfileCredentialsProvider(profile_name=name)):
        try:
            provider.get_credentials()
        except CredentialException as exc:
            problems.append(str(exc))
            continue
        return CredentialClient(provider=provider)
    raise InputError("profile", f"no usable profile {name!r}: {'; '.join(problems)}")


def resolve(params: dict) -> dict:
    """Keyword arguments for the SDK's ``Config``: a static key pair, or a ``credential`` client."""
    key_id, secret = params.get("access_key_id"), params.get("access_key_secret")
    if key_id or secret:
        if not (key_id and secret):
            missing = "access_key_secret" if key_id else "access_key_id"
            raise InputError(missing, "give both access_key_id and access_key_secret, or neither")
        return {
            "access_key_id": key_id,
            "access_key_secret": secret,
            "security_token": params.get("security_token") or None,
        }
    if params.get("profile"):
        return {"credential": _profile_credential(params["profile"])}
    raise InputError("access_key_id", NO_CREDENTIALS)
