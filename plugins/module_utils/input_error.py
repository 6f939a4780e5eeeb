# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one error type of a bad option: ``<path>: <message>``, so a module fails naming what was wrong."""

from __future__ import annotations


class InputError(ValueError):
    """An option is invalid: ``path`` names it (``pod_networking.vswitch_ids[0]``), ``message`` says why."""

    def __init__(self, path, message):
        super().__init__("%s: %s" % (path, message))
        self.path = path
        self.message = message
