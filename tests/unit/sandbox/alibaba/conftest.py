"""The CLB emulator for the SLB API tests: one server for the session, a fresh account, call ledger and
fault plan for each test (``slb``), with no write window unless the test sets one."""

from __future__ import annotations

import pytest
from slb_support import Served


@pytest.fixture(scope="session")
def slb_server():
    server = Served()
    yield server
    server.stop()


@pytest.fixture
def slb(slb_server):
    slb_server.app.reset()
    slb_server.app.account.settings.acl_processing_ms = 0
    slb_server.ledger.reset()
    slb_server.faults.clear()
    return slb_server
