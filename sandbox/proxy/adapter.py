"""The contract between the generic middleware and one emulated service's wire protocol."""

from __future__ import annotations

import dataclasses
from typing import Protocol

READ = "read"
WRITE = "write"

THROTTLE = "throttle"
SERVER_ERROR = "server_error"
CONFLICT = "conflict"
FAULT_KINDS = (THROTTLE, SERVER_ERROR, CONFLICT)


@dataclasses.dataclass(frozen=True)
class Call:
    """One request as the accounting sees it."""

    service: str  # e.g. "ec2", "eks", "k8s:demo-eks", "slb"
    action: str  # e.g. "DescribeSecurityGroups", "list pods"
    kind: str  # READ or WRITE


@dataclasses.dataclass(frozen=True)
class ErrorResponse:
    """A fault rendered the way the real service would answer."""

    code: str  # the error code the client sees, e.g. "RequestLimitExceeded"
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class ServiceAdapter(Protocol):
    """What a service must tell the middleware."""

    def classify(self, environ: dict, body: bytes) -> Call | None:
        """Name the call, or return None for requests that are not API calls (health, admin)."""

    def supported_faults(self, call: Call) -> tuple[str, ...]:
        """The fault kinds this service can express for this call."""

    def render_fault(self, kind: str, call: Call) -> ErrorResponse:
        """Render fault ``kind`` in the service's own format."""
