"""The AccessKey pairs the emulated account knows: fake, public, and useless anywhere but here.

A request must name one of these AccessKey IDs (its signature is checked for shape, not value). STS
keys also need their security token. Each key belongs to a *principal*: ``user`` keys are what
clients, modules and tests use; the sandbox's own controllers have keys of their own, so that the
call accounting can tell their calls apart (``slb`` for users, ``slb:<principal>`` for the others).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class AccessKey:
    key_id: str
    secret: str
    principal: str = "user"
    security_token: str | None = None  # STS keys only


USER = AccessKey("LTAI5tKubeguardSandboxUser", "kubeguard-sandbox-secret-not-a-real-key")
STS = AccessKey("STS.NKubeguardSandboxTemporary", "kubeguard-sandbox-sts-secret-not-real",
                security_token="kubeguard-sandbox-sts-token-not-real")
CCM = AccessKey("LTAI5tKubeguardSandboxCcm0", "kubeguard-sandbox-ccm-secret-not-real", principal="ccm")
ORACLE = AccessKey("LTAI5tKubeguardSandboxOrcl", "kubeguard-sandbox-oracle-secret-not-real", principal="oracle")

KEYS = {key.key_id: key for key in (USER, STS, CCM, ORACLE)}


def lookup(key_id: str) -> AccessKey | None:
    return KEYS.get(key_id)
