# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The one O(state) contract shared by every module that manages a set of things."""

    # A module that supports only some states keeps this fragment and redefines
    # `state: {choices: [...]}` in its own DOCUMENTATION: when a module and a fragment
    # document the same option, the module's keys win.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - How the listed configuration is reconciled with what exists.
      - V(merged) adds or updates what is listed and never removes anything.
      - V(replaced) makes the things this collection owns (rules and entries carrying the
        C(kubeguard:<purpose>) marker, objects labelled
        C(app.kubernetes.io/managed-by=kubeguard.netsec)) equal to the list and removes owned
        extras. Things the collection did not create are never touched.
      - V(overridden) makes everything equal to the list, except what is protected. Rules
        whose description contains C(elbv2.k8s.aws/targetGroupBinding=shared) (owned by the
        AWS Load Balancer Controller), rules on controller-managed frontend groups and
        anything listed in the module's protect option are always kept.
      - V(deleted) removes what is listed; with an empty list it removes everything this
        collection owns.
      - V(gathered) is read only; the current state is returned in the C(gathered) return
        value, in the module's own input format, so it can be fed back as input.
      - V(rendered) works offline without contacting any API; the exact API payloads or
        manifests that would be sent are returned in the C(rendered) return value.
      - Changes are make-before-break (new rules and entries are added before old ones are
        removed). Every state supports check mode and returns a real C(diff) under C(--diff).
      - Not every module supports every state; the module's own documentation lists the
        choices it accepts.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered]
    default: merged
"""
