"""The AWS backend's bounds and error descriptions (no endpoint needed)."""

import botocore.exceptions
import botocore.parsers

from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import CONNECT_TIMEOUT
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import MAX_ATTEMPTS
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import READ_TIMEOUT
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import default_config
from ansible_collections.kubeguard.netsec.plugins.module_utils.aws.client import describe


def test_every_request_is_bounded_by_default(monkeypatch):
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    config = default_config()
    assert (config.connect_timeout, config.read_timeout) == (CONNECT_TIMEOUT, READ_TIMEOUT) == (10, 20)
    assert config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}


def test_the_environment_s_retry_settings_are_honoured_and_the_module_s_aws_config_wins(monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    assert default_config().retries is None  # botocore reads both from the environment then
    merged = default_config().merge(botocore.config.Config(read_timeout=60))
    assert merged.read_timeout == 60 and merged.connect_timeout == 10


def test_errors_are_described_in_one_line():
    config = botocore.config.Config(read_timeout=20, connect_timeout=10)
    read = botocore.exceptions.ReadTimeoutError(endpoint_url="http://127.0.0.1:1/")
    assert describe(read, config).startswith("no answer within the read timeout of 20s, on every attempt")
    refused = botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")
    assert describe(refused).startswith("cannot connect, on every attempt (Could not connect")
    assert describe(botocore.exceptions.NoCredentialsError()).startswith("no AWS credentials found")
    client_error = botocore.exceptions.ClientError(
        {"Error": {"Code": "UnauthorizedOperation", "Message": "no"}}, "DescribeInstances"
    )
    assert describe(client_error) == "UnauthorizedOperation: no"
    assert describe(ValueError("not botocore")) is None
    # an answer that is no AWS API's (a bare 404 from a proxy): botocore's parser error, not a bug of ours
    unparsable = botocore.parsers.ResponseParserError("Unable to parse response (no element found), invalid XML\nb''")
    assert describe(unparsable) == (
        "the answer is not an AWS API response - is the endpoint an AWS API? (Unable to parse response "
        "(no element found), invalid XML)"
    )
