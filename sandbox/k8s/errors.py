"""API errors rendered as ``Status`` objects with the code, reason and wording of the real server."""

from __future__ import annotations

REASONS = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
           409: "Conflict", 410: "Expired", 415: "UnsupportedMediaType", 422: "Invalid", 429: "TooManyRequests",
           500: "InternalError"}


class ApiError(Exception):
    def __init__(self, code: int, message: str, reason: str | None = None, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details

    def status(self) -> dict:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def _details(rt, name: str | None) -> dict:
    details = {"kind": rt.plural}
    if rt.group:
        details["group"] = rt.group
    if name:
        details["name"] = name
    return details


def not_found(rt, name: str) -> ApiError:
    return ApiError(404, f'{rt.qualified} "{name}" not found', details=_details(rt, name))


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(404, f'namespaces "{namespace}" not found', details={"kind": "namespaces", "name": namespace})


def already_exists(rt, name: str) -> ApiError:
    return ApiError(409, f'{rt.qualified} "{name}" already exists', reason="AlreadyExists",
                    details=_details(rt, name))


def conflict(rt, name: str, why: str = "the object has been modified; please apply your changes to the latest "
                                      "version and try again") -> ApiError:
    return ApiError(409, f'Operation cannot be fulfilled on {rt.qualified} "{name}": {why}',
                    details=_details(rt, name))


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def method_not_allowed(message: str = "the server does not allow this method on the requested resource") -> ApiError:
    return ApiError(405, message)


def invalid(rt, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 with one cause per (field, reason, message), e.g. ("spec.selector", "FieldValueRequired", "Required value")."""
    summary = ", ".join(f"{field}: {message}" if field else message for field, _, message in causes)
    kind = rt.kind + (f".{rt.group}" if rt.group else "")
    details = _details(rt, name)
    details["kind"] = rt.kind
    details["causes"] = [{"reason": reason, "message": message, "field": field}
                         for field, reason, message in causes]
    if len(causes) > 1:
        summary = "[" + summary + "]"
    return ApiError(422, f'{kind} "{name}" is invalid: {summary}', details=details)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)
