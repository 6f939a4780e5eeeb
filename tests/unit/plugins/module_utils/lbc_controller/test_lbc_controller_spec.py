"""eks_lbc_controller's options: each bad input named by its option path, the shorthands agreeing."""

from __future__ import annotations

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.common.errors import InputError
from ansible_collections.kubeguard.netsec.plugins.module_utils.lbc_controller.spec import build


def test_named_options_mode_and_extra_args_become_flags():
    spec = build(
        {
            "cluster_name": "demo-eks",
            "mode": "custom",
            "default_tags": {"team": "a", "env": "prod"},
            "extra_args": {"--sync-period": "1h", "feature-gates": "NLBSecurityGroup=true"},
        }
    )
    assert dict(spec.wanted) == {
        "cluster-name": "demo-eks",
        "enable-backend-security-group": "false",
        "default-tags": "env=prod,team=a",
        "sync-period": "1h",
        "feature-gates": "NLBSecurityGroup=true",
    }


def test_the_security_groups_modules_controller_result_is_accepted():
    spec = build(
        {
            "controller": {
                "controller_flags": [
                    "--enable-backend-security-group=true",
                    "--backend-security-group=sg-0123456789abcdef0",
                ]
            }
        }
    )
    assert spec.wanted["backend-security-group"] == "sg-0123456789abcdef0"


@pytest.mark.parametrize(
    "params, path",
    [
        ({"cluster_name": "demo eks"}, "cluster_name"),
        ({"backend_security_group": "sg-xyz"}, "backend_security_group"),
        ({"default_tags": {"a,b": "c"}}, "default_tags.a,b"),
        ({"default_tags": {}}, "default_tags"),
        ({"extra_args": {"Bad_Flag": "1"}}, "extra_args.Bad_Flag"),
        ({"extra_args": {"cluster-name": "x"}}, "extra_args.cluster-name"),
        ({"extra_args": {"sync-period": None}}, "extra_args.sync-period"),
        ({"mode": "custom", "enable_backend_security_group": True}, "mode"),
        ({"controller": {"controller_flags": "--x"}}, "controller"),
        ({"state": "merged"}, "state"),
        ({"state": "replaced"}, "state"),
        ({"mode": "auto", "wait_timeout": 0}, "wait_timeout"),
        ({"mode": "auto", "update_deployment": False}, "update_deployment"),
    ],
)
def test_bad_input_names_its_option(params, path):
    with pytest.raises(InputError) as error:
        build(params)
    assert error.value.path == path
