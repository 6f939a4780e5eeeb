"""Shared helpers for the eks_lbc_security_groups integration tests: the module through ansible-playbook.

Deliberately *not* a ``conftest.py`` (a second, non-package conftest.py would shadow
tests/integration/conftest.py in ``sys.modules``). Test modules do ``from lbc_support import ...``.

- ``estate`` (fixture, module scope): the seeded demo-eks estate. The first module that uses it
  resets the sandbox and seeds it (~10 s); later modules reuse that seed when it is still there
  (nobody reset the sandbox in between) and only put the security groups back as seeded.
  Tests that change groups call ``estate.restore()`` (a few boto3 calls) instead of re-seeding.
- ``lbc`` (fixture): a :class:`Lbc` whose ``run(...)``/``play(...)`` run the module through
  ``ansible-playbook`` and return, per step, the registered result and the sandbox's call counts
  for exactly that step (the playbook resets the sandbox counter through the admin API after each
  module task, and keeps what the reset returns).
"""

from __future__ import annotations

import json
import os
import pathlib
import uuid

import boto3
import pytest
from botocore.config import Config

import module_steps
from conftest import run_cli

REPO = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = module_steps.VENV_BIN
MODULE = "kubeguard.netsec.eks_lbc_security_groups"
CLUSTER = "demo-eks"
CONTROLLER_LABEL = "elbv2.k8s.aws/targetGroupBinding=shared"
MARKER = "kubeguard:lbc"
PUBLIC_NODEPORT_DESCRIPTION = "temp: open nodeports for ALB debugging (ops ticket 4411)"
# the NodePorts of the seeded shop Services that the four ALB Ingresses reach (target-type instance): the
# storefront and catalog ALBs are served by the backend group; admin and partner-api have frontend groups of
# their own (shop-alb-public, shop-alb-office) and no manage-backend-security-group-rules, so their ports
# are reached from those groups
SERVICE_NODE_PORTS = (30080, 30180, 30443, 32050)
OWN_FRONTEND_PORTS = (31080, 31443)
EC2 = "ec2"
K8S = "k8s:demo-eks"

__all__ = ["CLUSTER", "CONTROLLER_LABEL", "EC2", "Estate", "K8S", "Lbc", "MARKER", "MODULE",
           "OWN_FRONTEND_PORTS", "PUBLIC_NODEPORT_DESCRIPTION", "SERVICE_NODE_PORTS", "Step", "atomic", "baseline_rules", "estate",
           "lbc", "lbc_module", "make_lbc", "plan_lists", "rule_set"]


# ---------------------------------------------------------------------------------------------- rules


def atomic(ip_permissions) -> set[tuple]:
    """EC2 IpPermissions -> {(proto, from, to, source, description)}, one tuple per source."""
    out = set()
    for perm in ip_permissions or []:
        key = (perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"))
        for item in perm.get("IpRanges", []):
            out.add(key + (item["CidrIp"], item.get("Description")))
        for item in perm.get("Ipv6Ranges", []):
            out.add(key + (item["CidrIpv6"], item.get("Description")))
        for item in perm.get("PrefixListIds", []):
            out.add(key + (item["PrefixListId"], item.get("Description")))
        for item in perm.get("UserIdGroupPairs", []):
            out.add(key + (item["GroupId"], item.get("Description")))
    return out


def rule_set(ip_permissions) -> set[tuple]:
    """Like :func:`atomic` without descriptions: the rules' identities as EC2 sees them."""
    return set(r[:4] for r in atomic(ip_permissions))


def _permission(rule: tuple, with_description: bool) -> dict:
    proto, low, high, source, description = rule
    perm = {"IpProtocol": proto}
    if low is not None:
        perm.update(FromPort=low, ToPort=high)
    extra = {"Description": description} if with_description and description else {}
    if source.startswith("sg-"):
        perm["UserIdGroupPairs"] = [dict(GroupId=source, **extra)]
    elif source.startswith("pl-"):
        perm["PrefixListIds"] = [dict(PrefixListId=source, **extra)]
    elif ":" in source:
        perm["Ipv6Ranges"] = [dict(CidrIpv6=source, **extra)]
    else:
        perm["IpRanges"] = [dict(CidrIp=source, **extra)]
    return perm


def plan_lists(result: dict) -> dict:
    """A run's plan reduced to what is compared between check mode and the real run."""
    return dict((group_id, {k: p[k] for k in ("authorize", "revoke", "update_descriptions", "protected_kept")})
                for group_id, p in (result.get("plan") or {}).items())


def baseline_rules(ids: dict) -> list[dict]:
    """The node group's seeded baseline in the module's rule format (node_security_group_rules)."""
    cluster, node = ids["cluster"], ids["node"]
    return [
        {"proto": "tcp", "ports": ["443"], "group_id": [cluster], "description": "Cluster API to node groups"},
        {"proto": "tcp", "ports": ["10250"], "group_id": [cluster], "description": "Cluster API to node kubelets"},
        {"proto": "tcp", "ports": ["9443"], "group_id": [cluster], "description": "Cluster API to node 9443/tcp webhook"},
        {"proto": "tcp", "ports": ["53"], "group_id": [node], "description": "Node to node CoreDNS"},
        {"proto": "udp", "ports": ["53"], "group_id": [node], "description": "Node to node CoreDNS UDP"},
        {"proto": "tcp", "ports": ["1025-65535"], "group_id": [node],
         "description": "Node to node ingress on ephemeral ports"},
    ]


# ---------------------------------------------------------------------------------------------- estate


class Estate:
    """The seeded estate: ids from seed.json, a boto3 EC2 client, and restore() to the seeded groups."""

    def __init__(self, env: dict, admin) -> None:
        self.env = env
        self.admin = admin
        self.ec2 = boto3.client("ec2", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                                config=Config(retries={"mode": "standard", "max_attempts": 3}))
        self.seed: dict = {}
        self.snapshot: dict[str, set] = {}
        self.egress_snapshot: dict[str, set] = {}

    # ids
    @property
    def vpc_id(self) -> str:
        return self.seed["vpc_id"]

    @property
    def sg(self) -> dict:
        """Seeded group ids by role: cluster, node, backend, frontend_storefront, frontend_catalog,
        custom_public, custom_office."""
        return self.seed["security_groups"]

    def _seed_file(self) -> pathlib.Path:
        return pathlib.Path(self.env["KUBEGUARD_SANDBOX_STATE_DIR"]) / "seed.json"

    def still_seeded(self) -> bool:
        if not self.seed:
            return False
        vpcs = self.ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{CLUSTER}-vpc"]}])["Vpcs"]
        return [v["VpcId"] for v in vpcs] == [self.vpc_id]

    def ensure(self) -> "Estate":
        """Seeded and as seeded: reuse a seed still in place, else reset and seed (and snapshot)."""
        self.admin.clear_faults()
        if self.still_seeded():
            self.restore()
        else:
            self.admin.reset()
            run_cli("seed", env=self.env)
            self.seed = json.loads(self._seed_file().read_text())["aws"]
            self.snapshot = dict((g["GroupId"], atomic(g["IpPermissions"])) for g in self.groups())
            self.egress_snapshot = dict((g["GroupId"], atomic(g["IpPermissionsEgress"])) for g in self.groups())
        self.admin.reset_calls()
        return self

    def groups(self) -> list[dict]:
        return self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}])[
            "SecurityGroups"]

    def group(self, group_id: str) -> dict:
        return self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    def rules(self, group_id: str) -> set[tuple]:
        """The group's inbound rules as (proto, from, to, source, description)."""
        return atomic(self.group(group_id)["IpPermissions"])

    def group_by_name(self, name: str) -> dict | None:
        found = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]},
                                                           {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
        return found[0] if found else None

    def authorize(self, group_id: str, *rules: tuple) -> None:
        self.ec2.authorize_security_group_ingress(GroupId=group_id,
                                                  IpPermissions=[_permission(r, True) for r in rules])

    def revoke(self, group_id: str, *rules: tuple) -> None:
        """Revoke (proto, from, to, source, description) rules; the description is sent too, because moto
        only matches a group-sourced rule when the description is the same (real EC2 ignores it)."""
        self.ec2.revoke_security_group_ingress(GroupId=group_id,
                                               IpPermissions=[_permission(r, True) for r in rules])

    def controller_rule(self) -> tuple:
        return ("tcp", 30080, 32050, self.sg["backend"], CONTROLLER_LABEL)

    def public_nodeport_rule(self, description: str = PUBLIC_NODEPORT_DESCRIPTION) -> tuple:
        return ("tcp", 30000, 32767, "0.0.0.0/0", description)

    def restore(self) -> None:
        """Put the seeded groups' rules back as seeded and delete the groups the tests created."""
        current = self.groups()
        for group in current:
            if group["GroupId"] not in self.snapshot:
                continue
            for direction, key, snapshot in (("ingress", "IpPermissions", self.snapshot),
                                             ("egress", "IpPermissionsEgress", self.egress_snapshot)):
                have, want = atomic(group[key]), snapshot[group["GroupId"]]
                extra, missing = sorted(have - want, key=str), sorted(want - have, key=str)
                if extra:
                    getattr(self.ec2, f"revoke_security_group_{direction}")(
                        GroupId=group["GroupId"], IpPermissions=[_permission(r, True) for r in extra])
                if missing:
                    getattr(self.ec2, f"authorize_security_group_{direction}")(
                        GroupId=group["GroupId"], IpPermissions=[_permission(r, True) for r in missing])
        for group in current:
            if group["GroupId"] not in self.snapshot and group["GroupName"] != "default":
                self.ec2.delete_security_group(GroupId=group["GroupId"])
        self.admin.reset_calls()


@pytest.fixture(scope="module")
def estate(sandbox_env, admin) -> Estate:
    """The seeded estate, restored to the seed before and after the module's tests."""
    shared = _ESTATES.setdefault(sandbox_env["KUBEGUARD_SANDBOX_STATE_DIR"], Estate(sandbox_env, admin))
    shared.ensure()
    yield shared
    if shared.still_seeded():
        shared.restore()


_ESTATES: dict[str, Estate] = {}


# ---------------------------------------------------------------------------------------------- runs


class Step(module_steps.Step):
    """A run of eks_lbc_security_groups."""

    SHOWN = ("changed", "failed", "msg", "plan", "created", "warnings_found", "api_calls")


class Lbc:
    """Runs eks_lbc_security_groups through ansible-playbook against the session sandbox."""

    def __init__(self, env: dict, admin, tmp_dir: pathlib.Path) -> None:
        self.env = env
        self.admin = admin
        self.tmp_dir = tmp_dir
        # one TMPDIR for every run of a test: kubernetes.core keeps its discovery cache there, so a test's
        # first from_services run pays the discovery requests and its later runs read the cache, as
        # repeated runs on one controller do
        self.module_tmp = tmp_dir / "module-tmp"
        self.module_tmp.mkdir(exist_ok=True)

    def play(self, steps: list[dict], flags: tuple[str, ...] = (), timeout: float = 240) -> list[Step]:
        """Run the steps in one play; each is ``{"params": {...}, "check": bool, "diff": bool}``.

        After each module task the play resets the sandbox counter through the admin API; what the
        reset returns is that task's counts (the counter is also reset before the play starts).
        """
        run_dir = self.tmp_dir / f"play-{uuid.uuid4().hex[:8]}"
        (run_dir / "tmp").mkdir(parents=True)
        tasks = []
        for index, step in enumerate(steps):
            tasks.append(module_steps.module_task(MODULE, index, step))
            tasks.append({"name": f"counts {index}", "ansible.builtin.uri": {
                "url": self.env["KUBEGUARD_SANDBOX_ADMIN_URL"] + "/calls/reset", "method": "POST",
                "return_content": True}, "register": f"c{index}", "check_mode": False})
        mapping = "{" + ", ".join(f"'r{i}': r{i}, 'c{i}': c{i}.json" for i in range(len(steps))) + "}"
        env = dict(self.env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(run_dir / "tmp"),
                   ANSIBLE_RETRY_FILES_ENABLED="0", TMPDIR=str(self.module_tmp))
        self.admin.reset_calls()
        results = module_steps.run_play(tasks, mapping, run_dir, env, flags=flags, timeout=timeout)
        return [Step(results[f"r{i}"], results[f"c{i}"]) for i in range(len(steps))]

    def run(self, params: dict, check: bool = False, diff: bool = False, flags: tuple[str, ...] = ()) -> Step:
        return self.play([{"params": params, "check": check, "diff": diff}], flags=flags)[0]


def make_lbc(sandbox_env: dict, admin, tmp_dir: pathlib.Path) -> Lbc:
    env = dict(sandbox_env)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
    # the module reads Services and Ingresses through kubernetes.core: the sandbox's kubeconfig, context demo-eks
    env["K8S_AUTH_KUBECONFIG"] = env["KUBECONFIG"]
    env["K8S_AUTH_CONTEXT"] = CLUSTER
    for name in ("K8S_AUTH_HOST", "K8S_AUTH_API_KEY"):
        env.pop(name, None)
    return Lbc(env, admin, tmp_dir)


@pytest.fixture
def lbc(sandbox_env, admin, tmp_path) -> Lbc:
    return make_lbc(sandbox_env, admin, tmp_path)


@pytest.fixture(scope="module")
def lbc_module(sandbox_env, admin, tmp_path_factory) -> Lbc:
    return make_lbc(sandbox_env, admin, tmp_path_factory.mktemp("lbc"))
