"""Unit-test settings shared by every suite under tests/unit.

Hypothesis: CI runs on a shared, loaded 2-core machine, where a strategy can take seconds to build one
example. The ``kubeguard`` profile keeps every test's own example count (its power) but drops what
depends on the machine's speed: the per-example deadline and the ``too_slow`` health check. Another
profile can be chosen with HYPOTHESIS_PROFILE (``default`` is Hypothesis' own).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck
from hypothesis import settings

settings.register_profile("kubeguard", deadline=None, suppress_health_check=(HealthCheck.too_slow,), print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kubeguard"))
