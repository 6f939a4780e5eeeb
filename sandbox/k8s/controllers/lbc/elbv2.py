"""The controller's ELBv2 reads and writes, over HTTP with its own key (accounted as ``elbv2:lbc``).

Load balancers and target groups are found by their tracking tags (``elbv2.k8s.aws/cluster`` and the stack's
``<prefix>/stack`` and ``<prefix>/resource``), never by name, as the controller finds them.
"""

from __future__ import annotations

import boto3
from botocore.config import Config

from sandbox import config

TAG_BATCH = 20  # DescribeTags takes at most 20 resource ARNs


def client(aws_url: str):
    session = boto3.session.Session(aws_access_key_id=config.LBC_ACCESS_KEY_ID,
                                    aws_secret_access_key=config.AWS_SECRET_ACCESS_KEY, region_name=config.AWS_REGION)
    return session.client("elbv2", endpoint_url=aws_url, config=Config(retries={"max_attempts": 2},
                                                                        connect_timeout=5, read_timeout=30))


def tagged(elbv2, items: list[dict], arn_key: str, cluster: str) -> list[tuple[dict, dict]]:
    """``[(item, tags)]`` of the items tagged ``elbv2.k8s.aws/cluster=<cluster>``."""
    found = []
    for start in range(0, len(items), TAG_BATCH):
        batch = {item[arn_key]: item for item in items[start:start + TAG_BATCH]}
        for described in elbv2.describe_tags(ResourceArns=list(batch))["TagDescriptions"]:
            tags = {t["Key"]: t["Value"] for t in described.get("Tags") or []}
            if tags.get("elbv2.k8s.aws/cluster") == cluster:
                found.append((batch[described["ResourceArn"]], tags))
    return found


def load_balancers(elbv2, cluster: str) -> list[tuple[dict, dict]]:
    return tagged(elbv2, elbv2.describe_load_balancers()["LoadBalancers"], "LoadBalancerArn", cluster)


def target_groups(elbv2, cluster: str) -> list[tuple[dict, dict]]:
    return tagged(elbv2, elbv2.describe_target_groups()["TargetGroups"], "TargetGroupArn", cluster)


def targets(elbv2, arn: str) -> set[tuple[str, int]]:
    health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    return {(item["Target"]["Id"], item["Target"]["Port"]) for item in health}


def tag_list(tags: dict[str, str]) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def forward(arn: str | None) -> list[dict]:
    """A listener or rule action: forward to the target group, or the controller's fixed 404 without one."""
    if arn:
        return [{"Type": "forward", "TargetGroupArn": arn}]
    return [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}]


def action_target(actions: list[dict]) -> str | None:
    return next((a.get("TargetGroupArn") for a in actions or [] if a.get("Type") == "forward"), None)


CONFIG_KEYS = {"host-header": "HostHeaderConfig", "path-pattern": "PathPatternConfig"}


def conditions_of(rule: dict) -> list[dict]:
    """A rule's conditions in the form the controller writes them (``HostHeaderConfig``/``PathPatternConfig``)."""
    found = []
    for condition in rule.get("Conditions") or []:
        key = CONFIG_KEYS.get(condition["Field"])
        values = list((condition.get(key) or {}).get("Values") or condition.get("Values") or [])
        found.append({"Field": condition["Field"], key: {"Values": values}} if key else condition)
    return found
