# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one run boundary: every module's ``main()`` builds its module object and calls ``run_module``.

The run function gets a :class:`ModuleRun`, fills ``run.result`` as it goes and attaches every
backend it talks to (``run.attach``). Whatever happens, the module then ends with exactly one
``exit_json`` or ``fail_json``:

- ``api_calls`` holds the calls made so far, summed over the backends, on success and on failure;
  after a failure ``changed`` is true only when a write went through (``actions`` is not empty);
- the text of a :class:`KubeguardError` is the message; any other exception (botocore, urllib3,
  kubernetes, kubernetes.core, a timeout) is described by the backend that knows it, and failing
  that by its type and text; the message names where the module talked to (region and endpoint,
  API server and context), unless the error already does;
- the traceback goes to ``exception`` (shown at -vvv), never into ``msg``: nothing reaches the user
  as ``MODULE FAILURE``;
- every entry of ``warnings_found`` is also an Ansible warning.
"""

from __future__ import annotations

import traceback
from typing import Any
from typing import Callable
from typing import List
from typing import Optional

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.calls import CallCounter
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import ApiError
from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import KubeguardError

_RESERVED = ("msg", "exception", "failed")


class ModuleRun:
    """One module run: the module, the result built so far, and the backends it talks to.

    A backend has ``calls`` (a CallCounter), ``where`` (text naming its endpoint) and
    ``describe(exc)`` (a message for an exception of its client library, or None).
    """

    def __init__(self, module: Any) -> None:
        self.module = module
        self.result: dict = {"changed": False}
        self.backends: List[Any] = []

    @property
    def params(self) -> dict:
        return self.module.params

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    @property
    def diff(self) -> bool:
        return bool(getattr(self.module, "_diff", False))

    def attach(self, backend: Any) -> Any:
        self.backends.append(backend)
        return backend

    def where(self) -> str:
        return "; ".join(dict.fromkeys(backend.where for backend in self.backends if backend.where))

    def api_calls(self) -> dict:
        return CallCounter.combined(backend.calls for backend in self.backends).as_dict()

    def describe(self, exc: BaseException) -> Optional[str]:
        for backend in self.backends:
            text = backend.describe(exc)
            if text:
                return text
        return None


def without_traceback(text: str) -> str:
    """``text`` up to a traceback that some libraries append to their messages (the kubernetes dynamic client's
    errors do): tracebacks go to the result's ``exception``, never into ``msg``."""
    for marker in ("\nOriginal traceback", "Traceback (most recent call last)"):
        text = text.split(marker, 1)[0]
    return text.rstrip()


def failure_message(exc: BaseException, run: ModuleRun) -> str:
    """One line for ``msg``: what failed and, unless the error says it already, where."""
    where = run.where()
    suffix = f" ({where})" if where else ""
    text = without_traceback(str(exc))
    if isinstance(exc, ApiError):
        return text if exc.where or not where else f"{text}{suffix}"
    if isinstance(exc, KubeguardError):
        return f"{text}{suffix}"
    described = run.describe(exc)
    if described:
        return f"{without_traceback(described)}{suffix}"
    if isinstance(exc, (TimeoutError, OSError)):
        return f"{type(exc).__name__}: {text}{suffix}"
    return (
        f"unexpected {type(exc).__name__}: {text}{suffix}. This is a bug in kubeguard.netsec; the traceback is "
        "in the result's 'exception' (shown with -vvv)"
    )


def _warn(run: ModuleRun) -> None:
    # amazon.aws's AnsibleAWSModule records what its warn() is given and passes it again to exit_json/fail_json as
    # ``warnings``, which ansible-core 2.19 deprecates (a deprecation warning on every run; removed in 2.23): the
    # warnings go to the AnsibleModule it wraps, which reports them itself.
    target = getattr(run.module, "_module", None) or run.module
    for warning in run.result.get("warnings_found") or []:
        target.warn(warning)


def run_module(module: Any, work: Callable[[ModuleRun], None]) -> None:
    """Run ``work(run)`` and end the module with one exit_json or fail_json (see the module docstring)."""
    run = ModuleRun(module)
    try:
        work(run)
    except Exception as exc:  # pylint: disable=broad-exception-caught  # the boundary: every failure ends here
        run.result["api_calls"] = run.api_calls()
        run.result["changed"] = bool(run.result.get("actions"))
        _warn(run)
        fields = {key: value for key, value in run.result.items() if key not in _RESERVED}
        module.fail_json(msg=failure_message(exc, run), exception=traceback.format_exc(), **fields)
        return
    run.result["api_calls"] = run.api_calls()
    _warn(run)
    module.exit_json(**run.result)
