"""The AccessKey pairs the emulated account knows: fake, public, and useless anywhere but here. Their ids
are deliberately not in the shape of real Alibaba Cloud AccessKey ids (``LTAI...``), so that no scanner and
no reader takes them for leaked credentials.

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


USER = AccessKey("KUBEGUARD-SANDBOX-USER-KEY-ID", "kubeguard-sandbox-secret-not-a-real-key")
STS = AccessKey("KUBEGUARD-SANDBOX-STS-KEY-ID", "kubeguard-sandbox-sts-secret-not-real",
                security_token="kubeguard-sandbox-sts-token-not-real")
CCM = AccessKey("KUBEGUARD-SANDBOX-CCM-KEY-ID", "kubeguard-sandbox-ccm-secret-not-real", principal="ccm")
ORACLE = AccessKey("KUBEGUARD-SANDBOX-ORACLE-KEY-ID", "kubeguard-sandbox-oracle-secret-not-real", principal="oracle")

KEYS = {key.key_id: key for key in (USER, STS, CCM, ORACLE)}


def lookup(key_id: str) -> AccessKey | None:
    return KEYS.get(key_id)
