"""The moto correction: rules match on identity, not on the description of their source."""

from moto.ec2.models.security_groups import SecurityGroupRule

from sandbox.services import aws_fidelity


def rule(description=None, group="sg-1", ports=(80, 80)):
    source = {"GroupId": group, "UserId": "123456789012"}
    if description:
        source["Description"] = description
    return SecurityGroupRule(None, "tcp", "sg-target", str(ports[0]), str(ports[1]), None, source, None)


def test_descriptions_do_not_matter_but_identity_does():
    aws_fidelity.apply()
    assert rule("kubeguard:lbc") == rule()
    assert rule("a") == rule("b")
    assert rule(group="sg-2") != rule()
    assert rule(ports=(80, 81)) != rule()
