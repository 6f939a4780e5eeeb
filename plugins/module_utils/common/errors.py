# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one error hierarchy: every failure a module reports on purpose is one of these.

``KubeguardError``
    ``InputError``      an option, or what the cluster says about it, is wrong; names the option path
    ``ApiError``        a call to a backend failed; names the call and the endpoint it went to
    ``PlanError``       no safe plan exists (inconsistent arguments, a quota, a race lost twice)
    ``OperationError``  the run cannot go on after reads or writes (a resource failed, a wait ran out)
        ``WaitTimeout``

The run boundary (``common.boundary``) reports these with their own text; anything else that
escapes a module is described there, never shown as a traceback in ``msg``.
"""

from __future__ import annotations

from typing import Optional


class KubeguardError(Exception):
    """The root of every error this collection raises on purpose."""


class InputError(KubeguardError, ValueError):
    """An option is invalid: ``path`` names it (``pod_networking.vswitch_ids[0]``), ``message`` says why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class ApiError(KubeguardError):
    """A backend call failed. ``code`` is the service's error code, ``status`` the HTTP status, when known;
    ``where`` names the endpoint (region, API server, context)."""

    def __init__(
        self,
        operation: str,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        where: Optional[str] = None,
    ) -> None:
        prefix = f"{code}: " if code else ""
        suffix = f" ({where})" if where else ""
        super().__init__(f"{operation} failed: {prefix}{message}{suffix}")
        self.operation = operation
        self.message = message
        self.code = code
        self.status = status
        self.where = where


class PlanError(KubeguardError):
    """A plan cannot be made safely (conflicting or inconsistent arguments)."""


class OperationError(KubeguardError):
    """The run cannot go on; the message says what happened and what to do."""


class WaitTimeout(OperationError):
    """A bounded wait ran out before its condition held."""
