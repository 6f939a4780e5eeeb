"""Errors raised by the patch functions.

``PatchError(reason, message)`` -- ``reason`` is the metav1 StatusReason the server must answer with:

* ``"BadRequest"`` (400): the patch document itself is malformed (not a list of operation objects,
  an operation without ``op``/``path``/``value``/``from``, a bad JSON pointer, an unknown SMP
  directive, ...).
* ``"Invalid"`` (422): a well-formed JSON patch that cannot be applied to this object -- a failed
  ``test``, a ``remove``/``replace`` of a missing path, an index out of range. The apiserver answers
  these with ``NewGenericServerResponse(422, ...)``: message "the server rejected our request due
  to an error in our request", the json-patch detail (e.g. ``testing value /metadata/labels/a
  failed: test failed``) as a status cause. Here ``message`` carries both, ``detail`` the detail
  alone, and ``to_status()`` builds the metav1.Status body.
* ``"UnsupportedMediaType"`` (415): strategic merge patch on a kind without Go structs (custom
  resources), with the apiserver's message.

``ApplyConflict`` -- server-side apply conflicts, 409 Conflict; ``str()`` is the apiserver's
message (``Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1:
.spec.replicas``).
"""

from __future__ import annotations

import json


_INVALID_PREFIX = "the server rejected our request due to an error in our request"


class PatchError(Exception):
    """A patch the apiserver refuses; ``code`` is the HTTP status for ``reason``."""

    CODES = {"BadRequest": 400, "Invalid": 422, "UnsupportedMediaType": 415}

    def __init__(self, reason: str, message: str, *, detail: str | None = None):
        if reason not in self.CODES:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail
        self.code = self.CODES[reason]

    @classmethod
    def bad_request(cls, message: str) -> "PatchError":
        return cls("BadRequest", message)

    @classmethod
    def invalid(cls, detail: str) -> "PatchError":
        """The apiserver's 422 for a patch that cannot be applied (detail = json-patch error)."""
        return cls("Invalid", f"{_INVALID_PREFIX}: {detail}", detail=detail)

    def to_status(self) -> dict:
        status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": self.message, "reason": self.reason, "code": self.code}
        if self.detail:
            status["details"] = {"causes": [{"reason": "UnexpectedServerResponse", "message": self.detail}]}
        return status


class ApplyConflict(Exception):
    """Server-side apply conflicts (409 Conflict).

    ``conflicts`` is a list of ``(manager, field_path)`` pairs, e.g.
    ``("kubectl-client-side-apply", ".spec.replicas")``; ``str()``/``message`` is the apiserver's text.
    """

    code = 409
    reason = "Conflict"

    def __init__(self, conflicts: list[tuple[str, str]], labels: list[str] | None = None):
        self.conflicts = list(conflicts)
        # labels: how the apiserver prints each conflict's manager ('"m" using apps/v1').
        self.labels = labels or [json.dumps(m) for m, _ in self.conflicts]
        self.message = self._message()
        super().__init__(self.message)

    def _message(self) -> str:
        items = list(zip(self.labels, (p for _, p in self.conflicts)))
        if len(items) == 1:
            return f"Apply failed with 1 conflict: conflict with {items[0][0]}: {items[0][1]}"
        by_manager: dict[str, list[str]] = {}
        for label, path in items:
            by_manager.setdefault(label, []).append(path)
        lines = []
        for label in sorted(by_manager):
            lines.append(f"conflicts with {label}:")
            lines.extend(f"- {p}" for p in by_manager[label])
        return f"Apply failed with {len(items)} conflicts: " + "\n".join(lines)

    def to_status(self) -> dict:
        causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {label}", "field": path}
                  for label, (_, path) in zip(self.labels, self.conflicts)]
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": "Conflict", "details": {"causes": causes}, "code": 409}
