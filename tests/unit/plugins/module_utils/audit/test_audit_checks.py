"""The audit's security-group and EKS checks on hand-built VPC views: each kind found where it is, and not
where the estate is right."""

import pytest

from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_eks
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_sg
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.catalog import CATALOG
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.checks_sg import VpcView
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.profiles import PROFILES
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.spec import AuditSpec
from ansible_collections.kubeguard.netsec.plugins.module_utils.audit.verdict import judge

NODE, CLUSTER, WEB, SPARE, BACKEND = (f"sg-0000000000000{n}" for n in ("a001", "c001", "f001", "e001", "b001"))
WORLD = {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
ALL_OUT = [{"IpProtocol": "-1", **WORLD}]


def perm(protocol, low=None, high=None, description=None, cidr=None, group=None, ipv6=None):
    item = {}
    if description:
        item["Description"] = description
    if cidr:
        source = {"IpRanges": [dict(item, CidrIp=cidr)]}
    elif ipv6:
        source = {"Ipv6Ranges": [dict(item, CidrIpv6=ipv6)]}
    else:
        source = {"UserIdGroupPairs": [dict(item, GroupId=group)]}
    result = {"IpProtocol": protocol, **source}
    if low is not None:
        result.update(FromPort=low, ToPort=high)
    return result


def group(group_id, name, ingress=(), egress=ALL_OUT, tags=None):
    return {
        "GroupId": group_id,
        "GroupName": name,
        "VpcId": "vpc-1",
        "IpPermissions": list(ingress),
        "IpPermissionsEgress": list(egress),
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }


def view(*groups, enis=None, lbs=()):
    return VpcView(
        {g["GroupId"]: g for g in groups},
        enis
        if enis is not None
        else [{"NetworkInterfaceId": "eni-1", "Groups": [{"GroupId": g["GroupId"]} for g in groups]}],
        cluster_group_id=CLUSTER,
        node_group_ids=(NODE,),
        lb_group_ids=tuple(lbs),
    )


def kinds(found):
    return sorted(f.kind for f in found)


def test_the_world_on_admin_high_risk_kubelet_and_node_ports_in_any_spelling():
    node = group(
        NODE,
        "node",
        [
            perm("tcp", 22, 22, "ssh", cidr="0.0.0.0/0"),
            perm("6", 3000, 3400, "range covering rdp and mysql", ipv6="::/0"),
            perm("tcp", 10250, 10250, "kubelet", cidr="0.0.0.0/0"),
            perm("tcp", 30000, 32767, "nodeports", cidr="0.0.0.0/0"),
        ],
    )
    found = checks_sg.world_open(view(node))
    assert kinds(found) == ["KG-SG-001", "KG-SG-001", "KG-SG-003", "KG-SG-004", "KG-SG-005"]
    rdp = next(f for f in found if f.details.get("service") == "RDP")
    assert "3000-3400 from ::/0" in rdp.evidence and rdp.resource == f"{NODE} (node)"
    risky = next(f for f in found if f.kind == "KG-SG-003")
    assert risky.details["ports"] == [3000, 3306]


def test_every_port_is_one_finding_and_private_or_group_sources_none():
    node = group(
        NODE,
        "node",
        [perm("-1", cidr="0.0.0.0/0"), perm("tcp", 22, 22, cidr="10.0.0.0/8"), perm("tcp", 0, 65535, group=CLUSTER)],
    )
    assert kinds(checks_sg.world_open(view(node))) == ["KG-SG-002"]
    web = group(WEB, "web", [perm("tcp", 443, 443, cidr="0.0.0.0/0"), perm("tcp", 30000, 32767, cidr="0.0.0.0/0")])
    assert checks_sg.world_open(view(web)) == []  # 443 to the world is a web frontend; NodePorts only on nodes


def test_open_egress_only_on_the_clusters_groups():
    found = checks_sg.open_egress(
        view(
            group(NODE, "node"),
            group(WEB, "web"),
            group(CLUSTER, "cluster", egress=[perm("tcp", 443, 443, group=NODE)]),
        )
    )
    assert [f.resource for f in found] == [f"{NODE} (node)"]


def test_default_group_unused_groups_and_descriptions():
    default = group(SPARE, "default", [perm("-1", group=SPARE)])
    spare = group("sg-0000000000000e002", "spare")
    referenced = group(BACKEND, "backend")
    node = group(NODE, "node", [perm("tcp", 80, 80, group=BACKEND), perm("tcp", 53, 53, "dns", group=NODE)])
    cluster = group(CLUSTER, "cluster", [perm("-1", group=CLUSTER)])
    vpc = view(
        default,
        spare,
        referenced,
        node,
        cluster,
        enis=[
            {"NetworkInterfaceId": "eni-1", "Groups": [{"GroupId": NODE}]},
            {"NetworkInterfaceId": "eni-2", "Groups": [{"GroupId": CLUSTER}]},
        ],
        lbs=[],
    )
    assert [f.resource for f in checks_sg.default_group_open(vpc)] == [f"{SPARE} (default)"]
    assert [f.resource for f in checks_sg.unused_groups(vpc)] == ["sg-0000000000000e002 (spare)"]
    undescribed = checks_sg.undescribed_rules(vpc)  # EKS' self rule and the default egress are not counted
    assert [f.evidence for f in undescribed] == [f"ingress tcp 80 from {BACKEND}"]


def test_quota_headroom_per_group_family_and_interface():
    many = [perm("tcp", 1000 + i, 1000 + i, "x", cidr=f"10.0.{i}.0/24") for i in range(50)]
    node = group(NODE, "node", many)
    found = checks_sg.quota_headroom(view(node), share=0.8)
    assert [f.evidence for f in found] == ["50 ingress ipv4 rules of 60"]
    assert checks_sg.quota_headroom(view(node), share=0.9) == []
    tight = checks_sg.quota_headroom(view(node), share=0.8, per_eni=60)
    assert [f.resource for f in tight][-1] == "eni-1"


def test_cluster_tag_and_disowned_controller_rules():
    managed = group(WEB, "k8s-shop-front", tags={"ingress.k8s.aws/resource": "ManagedLBSecurityGroup"})
    backend = group(
        BACKEND, "k8s-traffic", tags={"elbv2.k8s.aws/cluster": "demo-eks", "elbv2.k8s.aws/resource": "backend-sg"}
    )
    label = "elbv2.k8s.aws/targetGroupBinding=shared"
    node = group(
        NODE,
        "node",
        [
            perm("tcp", 30080, 32050, label, group=BACKEND),
            perm("tcp", 80, 80, label, group=WEB),
            perm("tcp", 31080, 31080, label, cidr="203.0.113.0/24"),
        ],
    )
    found = checks_eks.disowned_controller_rules(view(managed, backend, node), "demo-eks")
    assert [f.evidence for f in found] == [f"ingress tcp 31080 from 203.0.113.0/24 ({label})"]
    enis = [
        {
            "instance_id": "i-1",
            "eni_id": "eni-1",
            "groups": [NODE, CLUSTER],
            "tagged": [NODE, CLUSTER],
            "problem": "2 groups carry kubernetes.io/cluster/demo-eks",
        },
        {"instance_id": "i-2", "eni_id": "eni-2", "groups": [NODE], "tagged": [NODE], "problem": None},
    ]
    assert [f.resource for f in checks_eks.cluster_tag(view(node), enis)] == ["i-1 (eni-1)"]


def test_the_profile_judges_severity_errors_and_skips():
    findings = checks_sg.open_egress(view(group(NODE, "node"))) + checks_sg.undescribed_rules(
        view(group(NODE, "node", [perm("tcp", 80, 80, group=BACKEND)]))
    )
    base = {"target": "eks", "cluster_name": "demo-eks", "fail_on": "never", "skip": []}
    prod = judge(AuditSpec.from_params(dict(base, environment="prod")), findings)
    assert [(f["id"], f["severity"], f["error"]) for f in prod] == [
        ("KG-SG-006", "high", True),
        ("KG-SG-009", "low", False),
    ]
    dev = judge(AuditSpec.from_params(dict(base, environment="dev", skip=["KG-SG-006"])), findings)
    assert [(f["id"], f["severity"], f["error"]) for f in dev] == [("KG-SG-009", "info", False)]
    assert prod[0]["crosswalk"] == {"checkov": "CKV_AWS_382"} and prod[0]["remediation"]
    with pytest.raises(Exception, match="skip\\[0\\]: 'KG-XX-1' is no finding id"):
        AuditSpec.from_params(dict(base, environment="prod", skip=["KG-XX-1"]))


def test_the_catalog_is_consistent():
    assert all(kind.id.startswith(("KG-SG-", "KG-LBC-", "KG-K8S-", "KG-ACK-")) for kind in CATALOG.values())
    assert all(set(kind.seen_by) <= {"prowler", "checkov", "kubescape", "securityhub"} for kind in CATALOG.values())
    assert set(PROFILES) == {"dev", "uat", "stage", "prod"}


def test_the_docs_table_lists_every_kind_as_the_catalog_has_it():
    import pathlib

    docs = (pathlib.Path(__file__).resolve().parents[5] / "docs" / "netsec_audit.md").read_text()
    rows = {line.split(" | ")[0].strip("| "): line for line in docs.splitlines() if line.startswith("| KG-")}
    assert sorted(rows) == sorted(CATALOG)
    for kind in CATALOG.values():
        cells = [cell.strip() for cell in rows[kind.id].strip("|").split("|")]
        assert cells[1] == kind.title and cells[2] == kind.severity
        seen = [
            tool for tool, cell in zip(("prowler", "checkov", "kubescape", "securityhub"), cells[4:]) if cell == "yes"
        ]
        assert tuple(seen) == tuple(t for t in ("prowler", "checkov", "kubescape", "securityhub") if t in kind.seen_by)


def test_controller_rules_broader_than_the_backend_served_ports():
    from ansible_collections.kubeguard.netsec.plugins.module_utils.audit import checks_lbc

    label = "elbv2.k8s.aws/targetGroupBinding=shared"
    node = group(
        NODE, "node", [perm("tcp", 30080, 30090, label, group=BACKEND), perm("tcp", 31000, 31000, label, group=BACKEND)]
    )
    services = [
        {
            "metadata": {"namespace": "shop", "name": "web"},
            "spec": {
                "type": "NodePort",
                "ports": [
                    {"port": 80, "nodePort": 30080},
                    {"port": 81, "nodePort": 30090},
                    {"port": 82, "nodePort": 31000},
                ],
            },
        }
    ]
    ingresses = [
        {
            "metadata": {"namespace": "shop", "name": "web"},
            "spec": {
                "ingressClassName": "alb",
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": p,
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": n}}},
                                }
                                for p, n in (("/", 80), ("/b", 81), ("/c", 82))
                            ]
                        }
                    }
                ],
            },
        }
    ]
    found = checks_lbc.broad_node_rules(view(node), services, ingresses, "alb")
    assert [f.evidence.split(": ", 1)[1] for f in found] == ["11 ports open, 2 used (30080, 30090)"]
