"""The AWS adapter names calls like the SDK and renders faults that botocore itself parses."""

import io

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from sandbox.proxy.adapter import READ, SERVER_ERROR, THROTTLE, WRITE, Call
from sandbox.services.aws_adapter import AwsAdapter


def auth(service):
    return ("AWS4-HMAC-SHA256 Credential=testing/20261122/us-east-1/"
            f"{service}/aws4_request, SignedHeaders=host, Signature=abc")


def environ(service, method="POST", path="/", body=b"", content_type="application/x-www-form-urlencoded",
            query="", target=None):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": content_type,
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    if service:
        env["HTTP_AUTHORIZATION"] = auth(service)
    if target:
        env["HTTP_X_AMZ_TARGET"] = target
    return env


@pytest.mark.parametrize("env, body, expected", [
    (environ("ec2"), b"Action=DescribeSecurityGroups&Version=2016-11-15",
     Call("ec2", "DescribeSecurityGroups", READ)),
    (environ("ec2"), b"Action=AuthorizeSecurityGroupIngress&GroupId=sg-1",
     Call("ec2", "AuthorizeSecurityGroupIngress", WRITE)),
    (environ("ec2", method="GET", query="Action=DescribeVpcs"), b"", Call("ec2", "DescribeVpcs", READ)),
    (environ("elasticloadbalancing"), b"Action=DescribeLoadBalancers&Version=2015-12-01",
     Call("elbv2", "DescribeLoadBalancers", READ)),
    (environ("sts"), b"Action=GetCallerIdentity", Call("sts", "GetCallerIdentity", READ)),
    (environ("cloudtrail", content_type="application/x-amz-json-1.1",
             target="com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"), b"{}",
     Call("cloudtrail", "LookupEvents", READ)),
    (environ("eks", method="GET", path="/clusters/demo-eks", content_type=""), b"",
     Call("eks", "DescribeCluster", READ)),
    (environ("eks", method="POST", path="/clusters", content_type="application/json"), b"{}",
     Call("eks", "CreateCluster", WRITE)),
    (environ("eks", method="POST", path="/clusters/demo-eks/addons", content_type="application/json"), b"{}",
     Call("eks", "POST /clusters/demo-eks/addons", WRITE)),
])
def test_classify(env, body, expected):
    assert AwsAdapter().classify(env, body) == expected


def test_moto_control_api_and_unsigned_requests_are_not_calls():
    adapter = AwsAdapter()
    assert adapter.classify(environ("ec2", path="/moto-api/reset"), b"") is None
    assert adapter.classify(environ(None), b"Action=DescribeVpcs") is None


def test_presigned_query_credential_names_the_service():
    env = environ(None, method="GET", query="Action=DescribeVpcs&X-Amz-Credential="
                  "testing%2F20261122%2Fus-east-1%2Fec2%2Faws4_request")
    assert AwsAdapter().classify(env, b"") == Call("ec2", "DescribeVpcs", READ)


BOTOCORE = botocore.session.get_session()


@pytest.mark.parametrize("call, service, operation, fault, code, status", [
    (Call("ec2", "DescribeSecurityGroups", READ), "ec2", "DescribeSecurityGroups", THROTTLE,
     "RequestLimitExceeded", 503),
    (Call("ec2", "AuthorizeSecurityGroupIngress", WRITE), "ec2", "AuthorizeSecurityGroupIngress", SERVER_ERROR,
     "InternalError", 500),
    (Call("elbv2", "DescribeLoadBalancers", READ), "elbv2", "DescribeLoadBalancers", THROTTLE, "Throttling", 400),
    (Call("cloudtrail", "LookupEvents", READ), "cloudtrail", "LookupEvents", THROTTLE, "ThrottlingException", 400),
    (Call("eks", "DescribeCluster", READ), "eks", "DescribeCluster", THROTTLE, "ThrottlingException", 429),
    (Call("eks", "DescribeCluster", READ), "eks", "DescribeCluster", SERVER_ERROR, "ServerException", 500),
])
def test_faults_parse_as_the_real_error_with_botocore(call, service, operation, fault, code, status):
    error = AwsAdapter().render_fault(fault, call)
    assert (error.code, error.status) == (code, status)
    model = BOTOCORE.get_service_model(service)
    parser = create_parser(model.metadata["protocol"])
    parsed = parser.parse({"status_code": error.status, "headers": HeadersDict(error.headers), "body": error.body},
                          model.operation_model(operation).output_shape)
    assert parsed["Error"]["Code"] == code
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status


def test_botocore_standard_retry_treats_injected_codes_as_retryable():
    from botocore.retries import standard

    checker = standard.StandardRetryConditions()
    for call, fault in ((Call("ec2", "DescribeVpcs", READ), THROTTLE), (Call("eks", "DescribeCluster", READ), THROTTLE),
                        (Call("ec2", "DescribeVpcs", READ), SERVER_ERROR)):
        error = AwsAdapter().render_fault(fault, call)
        context = standard.RetryContext(
            attempt_number=1, parsed_response={"Error": {"Code": error.code},
                                               "ResponseMetadata": {"HTTPStatusCode": error.status}},
            http_response=type("R", (), {"status_code": error.status})())
        assert checker.is_retryable(context), error.code
