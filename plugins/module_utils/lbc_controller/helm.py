# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""eks_lbc_controller's Helm side: the chart's values file kept in step with the flags, and its drift.

The file is read and rewritten as text (``lbc.helm_values``), so comments, order and every other key stay;
a missing file is created. In check mode nothing is written. Under ``deleted`` the file is not edited (the
chart's default of a value is not known here): only the drift is reported.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import flags as lbc_flags
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc import helm_values


def rendered(spec: Any) -> Dict[str, Any]:
    """Offline: the ``--flag=value`` items of the flags given, and the chart values they are."""
    values, not_expressible = helm_values.to_values(dict(spec.wanted))
    return {
        "args": [f"--{flag}={value}" for flag, value in sorted(spec.wanted.items())],
        "helm_values": values,
        "not_expressible": not_expressible,
    }


def _read(path: str) -> Optional[str]:
    if not helm_values.HAS_YAML:
        raise InputError(
            "helm_values_file", "needs the Python library PyYAML where the module runs (pip install PyYAML)"
        )
    if not os.path.exists(path):
        return None
    if not os.path.isfile(path):
        raise InputError("helm_values_file", f"{path} is not a file")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _write(path: str, text: str) -> None:
    """Atomically: a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError("helm_values_file", f"directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".kubeguard-values-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def report_drift(run: Any, spec: Any, live_args: List[str]) -> None:
    if not spec.helm_values_file:
        return
    text = _read(spec.helm_values_file)
    file_values = helm_values.read_values(text or "")
    run.result["helm_values"] = {
        "path": spec.helm_values_file,
        "changed": False,
        "drift": helm_values.drift(file_values, lbc_flags.values(live_args)),
    }


def apply(run: Any, spec: Any, live_args: List[str], flag_plan: Any) -> None:
    """Update the file with the flags given (not under ``deleted``), then report its drift from ``live_args``."""
    if not spec.helm_values_file:
        return
    before = _read(spec.helm_values_file)
    values, not_expressible = helm_values.to_values(dict(spec.wanted))
    after = before or ""
    if spec.state in ("merged", "replaced"):
        after = helm_values.update_text(before or "", values)
    changed = after != (before or "") or (before is None and spec.state in ("merged", "replaced"))
    if changed and not run.check_mode:
        _write(spec.helm_values_file, after)
    run.result["helm_values"] = {
        "path": spec.helm_values_file,
        "changed": changed,
        "values": values,
        "not_expressible": not_expressible,
        "drift": helm_values.drift(helm_values.read_values(after), lbc_flags.values(live_args)),
    }
    run.result["changed"] = bool(run.result.get("changed")) or changed
    if run.diff and changed:
        diff = run.result.setdefault("diff", {"before": {}, "after": {}})
        diff["before"]["helm_values_file"] = before or ""
        diff["after"]["helm_values_file"] = after
