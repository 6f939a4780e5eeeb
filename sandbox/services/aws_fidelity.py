"""Corrections that make moto's EC2 behave like EC2 where our modules depend on it.

Each patch is listed in docs/sandbox.md ("Known differences ... corrected by the sandbox").
"""

from __future__ import annotations

from moto.ec2.models import security_groups


def _identity(reference: dict | None, key: str):
    """A group source without its description (EC2 ignores it when matching rules)."""
    return (reference or {}).get(key)


def _rule_eq(self, other) -> bool:
    """EC2 matches a rule on protocol, ports and one source; the description is not part of it."""
    if self.ip_protocol != other.ip_protocol:
        return False
    for key in ("CidrIp", "CidrIpv6"):
        if key in self.ip_range and self.ip_range.get(key) != other.ip_range.get(key):
            return False
    if _identity(self.source_group, "GroupId") != _identity(other.source_group, "GroupId"):
        return False
    if self.prefix_list_id != other.prefix_list_id:  # moto stores the bare id here
        return False
    if self.ip_protocol != "-1" and (self.from_port, self.to_port) != (other.from_port, other.to_port):
        return False
    return True


def apply() -> None:
    """Match security-group rules on identity (moto 5 also compares source descriptions)."""
    security_groups.SecurityGroupRule.__eq__ = _rule_eq
