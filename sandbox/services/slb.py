"""Alibaba Cloud's Classic Load Balancer API (SLB 2014-05-15), emulated: see sandbox.alibaba."""

from __future__ import annotations

from sandbox.alibaba.app import SlbApp
from sandbox.services.slb_adapter import SlbAdapter


def make() -> tuple[SlbApp, SlbAdapter]:
    return SlbApp(), SlbAdapter()
