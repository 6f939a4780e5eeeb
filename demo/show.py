"""What `make demo` shows between its steps, read from the sandbox (not from the collection's code).

    python demo/show.py audit <reports dir>     the audit's verdict per cluster, from its JSON reports
    python demo/show.py oracle                  the reachability oracle's answers to the demo's questions
    python demo/show.py incident                seed 003: a hand-made rule with the controller's label, then
                                                one sync of the simulated controller, which revokes it
    python demo/show.py calls [--writes-only]   the API calls since the last reset, per service (read/write);
                                                the simulated controllers' own calls shown apart
    python demo/show.py reset-calls

The sandbox's state directory comes from KUBEGUARD_SANDBOX_STATE_DIR (scripts/demo.sh sets it).
"""

from __future__ import annotations

import json
import pathlib
import sys

import boto3

from sandbox import config
from sandbox.client import AdminClient
from sandbox.client import is_client_service
from sandbox.k8s_client import KubeClient
from sandbox.oracle import reach, reach_aws

CONTROLLER_LABEL = "elbv2.k8s.aws/targetGroupBinding=shared"
ADMIN_NODE_PORT = 31080  # admin's NodePort (seed 003)
DB = "ack-db/abc-185-7db8e/abc-185-mysql-svc"
STRANGER = "10.0.97.10"  # a host of the VPC that carries none of the cluster's groups
OFFICE, INTERNET = "203.0.113.7", "198.51.100.9"


def _state() -> tuple[dict, dict]:
    seed = json.loads((config.state_dir() / "seed.json").read_text())
    return AdminClient(config.url(config.base_port())).health()["endpoints"], seed


def _first_pod(endpoints: dict, cluster: str, namespace: str) -> str:
    pods = KubeClient(endpoints[f"k8s:{cluster}"]).request("GET", f"api/v1/namespaces/{namespace}/pods")["items"]
    running = sorted(p["metadata"]["name"] for p in pods if (p.get("status") or {}).get("phase") == "Running")
    return f"{cluster}/{namespace}/{running[0]}"


def oracle() -> None:
    endpoints, seed = _state()
    worker = seed["aws"]["instances"][0]
    kube = endpoints["k8s:demo-eks"]
    questions = [
        (f"a VPC host outside the cluster's groups -> a worker's NodePort 30080",
         lambda: reach_aws(endpoints["aws"], STRANGER, worker, 30080)),
        ("the internet -> the shop's storefront ALB :80",
         lambda: reach_aws(endpoints["aws"], INTERNET, "demo-eks/shop/storefront", 80, kube_endpoint=kube)),
        ("the office -> the shop's admin ALB :443",
         lambda: reach_aws(endpoints["aws"], OFFICE, "demo-eks/shop/admin", 443, kube_endpoint=kube)),
        ("a prod pod (ack-app) -> the UAT database",
         lambda: reach(endpoints, _first_pod(endpoints, "ack-app", "abc-185-prod"), DB, 3306)),
        ("a UAT application pod (ack-app) -> the UAT database",
         lambda: reach(endpoints, _first_pod(endpoints, "ack-app", "abc-185-7db8e"), DB, 3306)),
        ("the DBA tools pod (ack-db, same cluster) -> the UAT database",
         lambda: reach(endpoints, _first_pod(endpoints, "ack-db", "dba-tools"), DB, 3306)),
    ]
    for text, ask in questions:
        verdict = ask()
        print(f"  {'REACHABLE  ' if verdict.reachable else 'blocked    '} {text}")
        print(f"              decided by: {verdict.decided_by}")


def _node_rules(ec2, node_group: str) -> list[dict]:
    group = ec2.describe_security_groups(GroupIds=[node_group])["SecurityGroups"][0]
    return group["IpPermissions"]


def _has_hand_made(ec2, seed: dict) -> bool:
    for permission in _node_rules(ec2, seed["aws"]["security_groups"]["node"]):
        if permission.get("FromPort") == ADMIN_NODE_PORT:
            return any(pair.get("GroupId") == seed["aws"]["security_groups"]["custom_office"]
                       for pair in permission.get("UserIdGroupPairs", []))
    return False


def incident() -> None:
    endpoints, seed = _state()
    ec2 = boto3.client("ec2", endpoint_url=endpoints["aws"], region_name=config.AWS_REGION,
                       aws_access_key_id=config.AWS_ACCESS_KEY_ID, aws_secret_access_key=config.AWS_SECRET_ACCESS_KEY)
    groups = seed["aws"]["security_groups"]
    print(f"  someone opens admin's NodePort {ADMIN_NODE_PORT} on the node group ({groups['node']}) from the office "
          f"ALB group ({groups['custom_office']}) by hand, describing it '{CONTROLLER_LABEL}' as the blog post shows")
    ec2.authorize_security_group_ingress(GroupId=groups["node"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": ADMIN_NODE_PORT, "ToPort": ADMIN_NODE_PORT,
        "UserIdGroupPairs": [{"GroupId": groups["custom_office"], "Description": CONTROLLER_LABEL}]}])
    print(f"  the hand-made rule is there: {_has_hand_made(ec2, seed)}")
    AdminClient(config.url(config.base_port())).lbc_sync()
    print("  one reconcile of the AWS Load Balancer Controller later ...")
    present = _has_hand_made(ec2, seed)
    print(f"  the hand-made rule is there: {present}"
          + ("" if present else "  <- revoked: the controller owns every rule carrying its label (seed 003's incident)"))


def audit(reports: str) -> None:
    for path in sorted(pathlib.Path(reports).glob("*.json")):
        report = json.loads(path.read_text())
        counts = report["counts"]
        shown = ", ".join(f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low") if counts[s])
        print(f"  {report['target']['cluster']} ({report['profile']}): {shown or 'no finding'}")
        seen = []
        for finding in report["findings"]:
            if finding["severity"] in ("critical", "high") and finding["id"] not in seen:
                seen.append(finding["id"])
                print(f"      {finding['severity'].upper():8} {finding['id']:10} {finding['title']}")


def calls(writes_only: bool) -> None:
    services = AdminClient(config.url(config.base_port())).calls()["services"]
    mine = {name: entry for name, entry in services.items() if is_client_service(name)}
    others = {name: entry for name, entry in services.items() if name not in mine}
    total = sum(entry["writes"] for entry in mine.values())
    if writes_only:
        print(f"  write calls by the playbook: {total}"
              + ("".join(f"; {name} {entry['writes']}" for name, entry in sorted(mine.items()) if entry["writes"])))
        return
    for name, entry in sorted(mine.items()):
        print(f"  {name:14} {entry['reads']:4} reads  {entry['writes']:3} writes")
    background = ", ".join(f"{name} {entry['reads']}r/{entry['writes']}w" for name, entry in sorted(others.items()))
    print(f"  (the sandbox's simulated controllers, on their own: {background or 'nothing'})")


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else ""
    if verb == "oracle":
        oracle()
    elif verb == "incident":
        incident()
    elif verb == "audit" and len(argv) == 2:
        audit(argv[1])
    elif verb == "calls":
        calls("--writes-only" in argv)
    elif verb == "reset-calls":
        AdminClient(config.url(config.base_port())).reset_calls()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
