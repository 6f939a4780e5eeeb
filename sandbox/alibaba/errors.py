"""SLB (2014-05-15) errors: the code, HTTP status and message the real service answers with.

Codes marked ``unverified`` in docs/sandbox.md were not found in a public source; the emulator uses
them consistently so that clients can be tested against one spelling.
"""

from __future__ import annotations


class SlbError(Exception):
    """An error answer: ``{"Code", "Message", "RequestId", "HostId", "Recommend"}`` with ``status``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def missing(name: str) -> SlbError:
    return SlbError("MissingParameter", f'The input parameter "{name}" that is mandatory for processing this '
                                        f"request is not supplied.")


def invalid(name: str, detail: str = "") -> SlbError:
    message = f'The specified parameter "{name}" is not valid.'
    return SlbError("InvalidParameter", f"{message} {detail}".strip())


def acl_not_exist(acl_id: str) -> SlbError:
    return SlbError("AclNotExist", f"The specified acl {acl_id} does not exist.")


def lb_not_exist(lb_id: str) -> SlbError:
    return SlbError("InvalidLoadBalancerId.NotFound", f"The specified LoadBalancerId {lb_id} does not exist.")


def listener_not_exist(lb_id: str, port: int) -> SlbError:
    return SlbError("ListenerNotFound", f"The specified listener {lb_id}:{port} does not exist.")


# Request-level (gateway) errors
UNKNOWN_KEY = ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")
BAD_SIGNATURE = ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards.")
MISSING_TOKEN = ("MissingSecurityToken", 400, "SecurityToken is mandatory for this action.")
TOKEN_MISMATCH = ("InvalidSecurityToken.MismatchWithAccessKey", 400,
                  "The Security Token does not match access key id.")
BAD_VERSION = ("InvalidVersion", 400, "Specified parameter Version is not valid.")
BAD_REGION = ("InvalidRegionId", 400, "The specified RegionId does not exist.")


def _code_tuple(entry: tuple[str, int, str]) -> tuple[str, str, int]:
    """(code, status, message) -> SlbError's (code, message, status)."""
    code, status, message = entry
    return code, message, status


def gateway(entry: tuple[str, int, str]) -> SlbError:
    return SlbError(*_code_tuple(entry))
