# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How long the AWS calls of a module may take, and how to change it."""

    DOCUMENTATION = r"""
options: {}
notes:
  - Every AWS request is bounded - a connect timeout of 10 seconds, a read timeout of 20 seconds and 3
    attempts in botocore's C(standard) retry mode, which also retries connection errors and timeouts. An
    endpoint that accepts connections but never answers fails the task in about a minute, naming the
    region and the endpoint.
  - "O(aws_config) changes any of these, for example C(aws_config: {read_timeout: 60, retries:
    {total_max_attempts: 5}}); E(AWS_MAX_ATTEMPTS) and E(AWS_RETRY_MODE) are honoured."
  - Throttling and service-unavailable errors are also retried with a jittered back-off (5 times, at most
    20 seconds apart).
  - The AWS options can be set once for every AWS module of this collection with C(module_defaults) and the
    group C(group/kubeguard.netsec.aws); this collection's modules are not part of amazon.aws'
    C(group/aws).
"""
