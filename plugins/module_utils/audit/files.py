# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The audit's report files: one writer per format, each file replaced atomically.

``WRITERS`` maps a format name (the key under the module's ``output`` option) to a function
``(report, kinds) -> text``; a new format is one more entry there. Every path is checked before anything is
written, so a wrong path leaves no half-written set of files, and each file is written to a temporary file in
its own directory and moved over the old one: a reader (a CI upload step, a web server) never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any
from typing import Callable
from typing import Dict
from typing import Optional
from typing import Sequence

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.findings import Kind
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_html import html_report
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.report_markdown import markdown_report
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.sarif import sarif_log
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError

Writer = Callable[[Dict[str, Any], Sequence[Kind]], str]


def json_text(report: Dict[str, Any], kinds: Sequence[Kind]) -> str:
    """The report itself, as the module returns it."""
    return json.dumps(report, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def sarif_text(report: Dict[str, Any], kinds: Sequence[Kind]) -> str:
    return json.dumps(sarif_log(report, kinds), indent=2, ensure_ascii=False) + "\n"


WRITERS: Dict[str, Writer] = {"json": json_text, "sarif": sarif_text, "html": html_report, "markdown": markdown_report}


def write_report_files(
    report: Dict[str, Any], kinds: Sequence[Kind], paths: Dict[str, Optional[str]]
) -> Dict[str, str]:
    """Write one file per format in ``paths`` (a format whose path is empty is skipped); returns
    ``{format: absolute path}``. Raises ``InputError`` (``output.<format>``) before writing anything when a
    format is unknown, a directory does not exist or a path is a directory."""
    targets = {name: _target(name, path) for name, path in paths.items() if path}
    for name, path in targets.items():
        write_atomic(path, WRITERS[name](report, kinds))
    return targets


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step; an existing file keeps its mode."""
    mode = _mode(path)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".kubeguard-report-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _target(name: str, path: str) -> str:
    option = f"output.{name}"
    if name not in WRITERS:
        raise InputError(option, f"no writer for this format (known: {', '.join(sorted(WRITERS))})")
    absolute = os.path.abspath(os.path.expanduser(path))
    directory = os.path.dirname(absolute)
    if not os.path.isdir(directory):
        raise InputError(option, f"directory {directory} does not exist")
    if os.path.isdir(absolute):
        raise InputError(option, f"{absolute} is a directory; give a file name")
    return absolute


def _mode(path: str) -> int:
    """The mode the file has, or the one ``open()`` would give a new file (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
