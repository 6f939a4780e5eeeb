# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of modules whose Kubernetes connection is their nested ``kubernetes`` option.

``module_defaults`` for a group reach a module only through its top-level options, and a module that
also talks to AWS cannot take kubernetes.core's options at the top level: both APIs have a
``validate_certs``. So such a module is not in ``group/kubeguard.netsec.k8s``; this action applies that
group's connection defaults (templated, as Ansible does) under the task's own ``kubernetes`` values,
then runs the module as the normal action would.
"""

from __future__ import annotations

from typing import Optional

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.kubeguard.netsec.plugins.module_utils.kube.connection import connection_spec

GROUP = "group/kubeguard.netsec.k8s"
OPTION = "kubernetes"


def connection_keys() -> frozenset:
    """The names (and aliases) of the nested connection options."""
    spec = connection_spec()
    names = set(spec)
    for option in spec.values():
        names.update(option.get("aliases") or ())
    return frozenset(names)


class NestedKubernetesAction(ActionBase):
    """Runs the module with ``group/kubeguard.netsec.k8s`` defaults folded into its ``kubernetes`` option."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp: Optional[str] = None, task_vars: Optional[dict] = None) -> dict:
        result = super().run(tmp, task_vars)
        del tmp  # no effect any more, as in the normal action
        args = dict(self._task.args)
        defaults = self._group_defaults()
        if defaults:
            args[OPTION] = dict(defaults, **(args.get(OPTION) or {}))
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def _group_defaults(self) -> dict:
        """The group's connection options. As in Ansible, the innermost ``module_defaults`` (task, block, play)
        that names the group gives all of them: its dict replaces the outer ones, it is not merged into them."""
        merged: dict = {}
        for entry in self._task.module_defaults or []:
            merged.update(entry)
        keys = connection_keys()
        found = {name: value for name, value in (merged.get(GROUP) or {}).items() if name in keys}
        return self._templar.template(found) if found else {}
