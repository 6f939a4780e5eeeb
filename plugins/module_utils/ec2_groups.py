# -*- coding: utf-8 -*-

# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Thin EC2 wrappers for security groups: one method per API call, retries, one error type, call counts.

Every call goes through amazon.aws' ``AWSRetry.jittered_backoff`` (throttling and 5xx are retried
there); every other EC2 error becomes :class:`Ec2Error` carrying the error code, so callers decide
what a ``InvalidPermission.Duplicate`` or ``InvalidPermission.NotFound`` means for them. The
``calls`` attribute counts the API calls made, split into reads and writes, for the module's
``api_calls`` return value.
"""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # the module reports missing boto3/botocore through AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

_READ_PREFIXES = ("Describe", "Get", "List")


class Ec2Error(Exception):
    def __init__(self, operation, code, message):
        super().__init__("%s failed: %s: %s" % (operation, code, message))
        self.operation = operation
        self.code = code


def _tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


class CallCounter:
    """Counts API calls (each page and each retried attempt is a call) by read/write and operation."""

    def __init__(self):
        self.reads = 0
        self.writes = 0
        self.by_operation = {}

    def __call__(self, model=None, **kwargs):
        name = model.name if model is not None else "Unknown"
        if name.startswith(_READ_PREFIXES):
            self.reads += 1
        else:
            self.writes += 1
        self.by_operation[name] = self.by_operation.get(name, 0) + 1

    def as_dict(self):
        return {"reads": self.reads, "writes": self.writes, "by_operation": dict(sorted(self.by_operation.items()))}


class Ec2Groups:
    def __init__(self, module):
        self.module = module
        self.retry = AWSRetry.jittered_backoff(retries=10)
        self.client = module.client("ec2", retry_decorator=self.retry)
        self.calls = CallCounter()
        self.client.client.meta.events.register("before-call.ec2", self.calls)
        self._eks = None

    def _call(self, operation, **params):
        try:
            return getattr(self.client, operation)(aws_retry=True, **params)
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            raise Ec2Error(operation, error.get("Code", "Unknown"), error.get("Message", "")) from exc

    def _paginated(self, operation, key, **params):
        try:
            return paginated_query_with_retries(self.client, operation, retry_decorator=self.retry, **params)[key]
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            raise Ec2Error(operation, error.get("Code", "Unknown"), error.get("Message", "")) from exc

    # ----------------------------------------------------------------- reads

    def describe_security_groups(self, filters=None, group_ids=None):
        params = {}
        if filters:
            params["Filters"] = [{"Name": k, "Values": list(v)} for k, v in filters.items()]
        if group_ids:
            params["GroupIds"] = list(group_ids)
        return self._paginated("describe_security_groups", "SecurityGroups", **params)

    def describe_instances(self, filters):
        reservations = self._paginated("describe_instances", "Reservations",
                                       Filters=[{"Name": k, "Values": list(v)} for k, v in filters.items()])
        return [instance for reservation in reservations for instance in reservation["Instances"]]

    def cluster_vpc(self, cluster_name):
        """The cluster's VPC from DescribeCluster (through its subnets when the answer has no vpcId)."""
        if self._eks is None:
            self._eks = self.module.client("eks", retry_decorator=self.retry)
            self._eks.client.meta.events.register("before-call.eks", self.calls)
        try:
            config = self._eks.describe_cluster(aws_retry=True, name=cluster_name)["cluster"]["resourcesVpcConfig"]
        except botocore.exceptions.ClientError as exc:
            error = exc.response.get("Error", {})
            raise Ec2Error("describe_cluster", error.get("Code", "Unknown"), error.get("Message", "")) from exc
        if config.get("vpcId"):
            return config["vpcId"]
        subnets = self.describe_subnets(config.get("subnetIds") or []) if config.get("subnetIds") else []
        return subnets[0]["VpcId"] if subnets else None

    def describe_subnets(self, subnet_ids):
        return self._paginated("describe_subnets", "Subnets", SubnetIds=list(subnet_ids))

    # ----------------------------------------------------------------- writes

    def create_security_group(self, name, description, vpc_id, tags):
        response = self._call("create_security_group", GroupName=name, Description=description, VpcId=vpc_id,
                              TagSpecifications=[{"ResourceType": "security-group", "Tags": _tag_list(tags)}])
        return response["GroupId"]

    def create_tags(self, resource_id, tags):
        self._call("create_tags", Resources=[resource_id], Tags=_tag_list(tags))

    def authorize(self, group_id, direction, ip_permissions):
        operation = "authorize_security_group_ingress" if direction == "ingress" else \
            "authorize_security_group_egress"
        self._call(operation, GroupId=group_id, IpPermissions=ip_permissions)

    def revoke(self, group_id, direction, ip_permissions):
        operation = "revoke_security_group_ingress" if direction == "ingress" else "revoke_security_group_egress"
        self._call(operation, GroupId=group_id, IpPermissions=ip_permissions)

    def update_descriptions(self, group_id, direction, ip_permissions):
        operation = "update_security_group_rule_descriptions_ingress" if direction == "ingress" else \
            "update_security_group_rule_descriptions_egress"
        self._call(operation, GroupId=group_id, IpPermissions=ip_permissions)
