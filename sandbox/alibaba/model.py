"""The emulated SLB account: regions holding ACLs and load balancers, quotas and timings, one lock.

Everything a request does happens under ``Account.lock``; ids are deterministic per account (a
fresh account hands out the same ids in the same order), so seeds and tests can be repeated.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ipaddress
import threading
import time

from sandbox.alibaba import errors

REGIONS = {"cn-hangzhou": "bp1", "cn-shanghai": "uf6", "cn-beijing": "2ze", "cn-shenzhen": "wz9",
           "ap-southeast-1": "t4n", "eu-central-1": "gw8", "us-west-1": "rj9"}
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclasses.dataclass
class Settings:
    """Quotas and timings; the admin API can change them (``PUT /settings/slb``)."""

    acls_per_region: int = 50  # the default quota slb_quota_acls_num
    entries_per_acl: int = 300
    entries_per_call: int = 50
    acl_processing_ms: int = 200  # the window after an ACL write in which another write gets AclEntryProcessing

    def update(self, changes: dict) -> None:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown SLB settings: {sorted(unknown)}")
        for name, value in changes.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer")
        for name, value in changes.items():
            setattr(self, name, value)


@dataclasses.dataclass
class Acl:
    acl_id: str
    name: str
    ip_version: str
    create_time: str
    resource_group_id: str
    tags: list[dict]
    entries: dict = dataclasses.field(default_factory=dict)  # entry as given -> comment, in insertion order
    busy_until: float = 0.0

    def network_of(self, entry: str):
        return ipaddress.ip_network(entry, strict=False)


@dataclasses.dataclass
class Listener:
    port: int
    protocol: str  # tcp | udp | http | https
    backend_port: int | None
    bandwidth: int = -1
    status: str = "running"
    acl_status: str = "off"
    acl_type: str = ""
    acl_id: str = ""
    description: str = ""
    scheduler: str = "wrr"
    vserver_group_id: str = ""
    extra: dict = dataclasses.field(default_factory=dict)  # protocol-specific settings, echoed back


@dataclasses.dataclass
class LoadBalancer:
    lb_id: str
    name: str
    region: str
    address: str
    address_type: str
    address_ip_version: str
    network_type: str
    vpc_id: str
    vswitch_id: str
    spec: str
    master_zone: str
    create_time: str
    create_stamp: int
    delete_protection: str = "off"
    modification_protection: str = "NonProtection"
    status: str = "active"
    resource_group_id: str = ""
    listeners: dict = dataclasses.field(default_factory=dict)  # port -> Listener
    backends: dict = dataclasses.field(default_factory=dict)  # ServerId -> {ServerId, Weight, Type, ServerIp}


@dataclasses.dataclass
class Region:
    acls: dict = dataclasses.field(default_factory=dict)  # id -> Acl
    load_balancers: dict = dataclasses.field(default_factory=dict)  # id -> LoadBalancer


class Account:
    """One Alibaba Cloud account's SLB resources, every region."""

    def __init__(self, clock=time.monotonic) -> None:
        self.lock = threading.RLock()
        self.settings = Settings()
        self.clock = clock
        self.regions: dict[str, Region] = {}
        self._sequence = 0
        self._addresses: set[str] = set()

    def region(self, params: dict) -> tuple[str, Region]:
        region_id = params.get("RegionId")
        if not region_id:
            raise errors.missing("RegionId")
        if region_id not in REGIONS:
            raise errors.gateway(errors.BAD_REGION)
        return region_id, self.regions.setdefault(region_id, Region())

    def new_id(self, prefix: str, region_id: str) -> str:
        self._sequence += 1
        digest = hashlib.sha256(f"{prefix}/{region_id}/{self._sequence}".encode()).digest()
        token = "".join(_ID_CHARS[b % len(_ID_CHARS)] for b in digest[:21])
        return f"{prefix}-{REGIONS[region_id]}{token}"

    def claim_address(self, address: str) -> bool:
        if address in self._addresses:
            return False
        self._addresses.add(address)
        return True

    def release_address(self, address: str) -> None:
        self._addresses.discard(address)

    @staticmethod
    def now() -> tuple[str, int]:
        stamp = datetime.datetime.now(datetime.timezone.utc)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), int(stamp.timestamp() * 1000)

    def find_acl(self, region: Region, acl_id: str | None) -> Acl:
        if not acl_id:
            raise errors.missing("AclId")
        acl = region.acls.get(acl_id)
        if acl is None:
            raise errors.acl_not_exist(acl_id)
        return acl

    def find_lb(self, region: Region, lb_id: str | None) -> LoadBalancer:
        if not lb_id:
            raise errors.missing("LoadBalancerId")
        lb = region.load_balancers.get(lb_id)
        if lb is None:
            raise errors.lb_not_exist(lb_id)
        return lb

    def listeners_using(self, region: Region, acl_id: str) -> list[tuple[LoadBalancer, Listener]]:
        """Listeners with access control on that reference this ACL."""
        return [(lb, listener) for lb in region.load_balancers.values() for listener in lb.listeners.values()
                if listener.acl_status == "on" and listener.acl_id == acl_id]
