"""The three security-group modes of the AWS Load Balancer Controller end to end on demo-eks (a plain module,
not a conftest): eks_lbc_security_groups -> its ``controller`` result -> eks_lbc_controller -> eks_lbc_annotations
in ONE play, the simulated controller reacting on its own, and the AWS reachability oracle judging the result.

- ``mode_play(mode, sg)``: the play of a mode as the seeds describe it (seed 000: auto and hybrid; seed 001:
  the backend group and the manage-backend annotation; seed 003: custom, the node rules ours from the
  load balancers' own group), with the Ingresses it covers and who may reach them;
- ``Estate``: demo-eks reseeded, read and prepared without the modules' code (boto3, the sandbox's Kubernetes
  client, the oracle), and ``play()``, which runs a play through ansible-playbook with the sandbox's call counts
  for each module task (as ``module_steps.Player`` does, its results read from the ansible.posix.json callback
  rather than dumped by a task of the play: one module run less per play).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3
import yaml
from botocore.config import Config

import module_steps
from conftest import reseed
from conftest import run_cli
from sandbox.k8s_client import KubeClient
from sandbox.oracle import reach_aws

CLUSTER = "demo-eks"
K8S = f"k8s:{CLUSTER}"
MARKER = "kubeguard:"  # in the description of every rule this collection writes
CONTROLLER_LABEL = "elbv2.k8s.aws/targetGroupBinding=shared"
OFFICE = "203.0.113.0/24"
OFFICE_CLIENT = "203.0.113.9"
OUTSIDER = "198.51.100.9"  # TEST-NET-2: allowed by nothing the modes write
FRONTEND = "kubeguard-shop-office"  # the frontend group hybrid and custom create
LISTEN_PORTS = {"storefront": (80, 443), "catalog": (80,), "admin": (443,), "partner-api": (443,)}
ALL = tuple(LISTEN_PORTS)
ALB = "alb.ingress.kubernetes.io/"
SG_KEY = ALB + "security-groups"
MANAGE_KEY = ALB + "manage-backend-security-group-rules"
# seed 003: someone gives admin's ALB its NodePort by hand, with the controller's label as the description (the
# controller parses key=value pairs; a label followed by other words would not be its label)
HAND_MADE_PORT = 31080
MODULES = {"groups": "kubeguard.netsec.eks_lbc_security_groups",
           "controller": "kubeguard.netsec.eks_lbc_controller",
           "annotations": "kubeguard.netsec.eks_lbc_annotations"}


# ---------------------------------------------------------------------------------------------- the plays


@dataclass(frozen=True)
class ModePlay:
    """A mode's play (its three module tasks, in order) and what it promises."""

    mode: str
    tasks: tuple[tuple[str, str, dict], ...]  # (register name, module, params), in play order
    covered: tuple[str, ...]  # the shop Ingresses whose clients the play decides (office only)
    # Ingresses left with the frontend groups someone else made: their allowed clients stay those groups'
    foreign_frontends: tuple[str, ...] = ()


def baseline_rules(sg: dict) -> list[dict]:
    """The node group's EKS baseline (as seeded), in the module's rule format."""
    cluster, node = sg["cluster"], sg["node"]
    return [
        {"proto": "tcp", "ports": ["443", "10250", "9443"], "group_id": [cluster]},
        {"proto": "tcp", "ports": ["53", "1025-65535"], "group_id": [node]},
        {"proto": "udp", "ports": ["53"], "group_id": [node]},
    ]


def _groups_task(mode: str, sg: dict) -> dict:
    """eks_lbc_security_groups for the mode, always ``overridden`` on the node group so that the hand-made
    world-open NodePort rule goes (the controller's labelled rules and the EKS baseline are never revoked)."""
    params = {"cluster_name": CLUSTER, "mode": mode, "state": "overridden"}
    if mode == "auto":
        # the controller makes the frontends and the node rules from its backend group; ours open the NodePorts
        # the Services need from the backend group too, and those of the ALBs with frontend groups of their own
        # (admin, partner-api: no manage-backend annotation) from those groups - the world-open rule served them
        params["node_rules"] = {"ports_from": "from_services", "namespaces": ["shop"]}
        params["kubernetes"] = {"context": CLUSTER}
        # seed 003's hand-made rule (admin's NodePort from shop-alb-office, with the controller's label) equals
        # one of ours: adopted in place, it does not vanish with the controller's next sync
        params["adopt_disowned_controller_rules"] = True
        return params
    params["frontend_security_groups"] = [{"name": FRONTEND, "listen_ports": ["80", "443"], "inbound_cidrs": [OFFICE],
                                           "rule_description": "shop ALBs from the office"}]
    if mode == "hybrid":
        # node_rules are the controller's in hybrid; the baseline makes the node group one the run manages
        params["node_security_group_rules"] = baseline_rules(sg)
    else:
        # seed 003, method 1: the NodePort range from the load balancers' group, ours
        params["node_rules"] = {"ports_from": "nodeport_range", "description": "shop ALBs to their NodePorts"}
    return params


def _controller_task() -> dict:
    return {"context": CLUSTER, "cluster_name": CLUSTER, "controller": "{{ lbc.controller }}", "wait": True,
            "wait_timeout": 60}


def _annotations_task(mode: str) -> dict:
    params = {"context": CLUSTER, "namespaces": ["shop"]}
    if mode == "auto":
        # the managed frontend groups of storefront and catalog: only the office on their listen ports
        return dict(params, names=["storefront", "catalog"], ingress={"inbound_cidrs": [OFFICE]})
    wanted = "lbc.controller.ingress_annotations"
    return dict(params, names=list(ALL), force=True,  # admin and partner-api name someone else's groups
                ingress={"security_groups": "{{ %s['%s'].split(',') }}" % (wanted, SG_KEY),
                         "manage_backend_security_group_rules": "{{ %s['%s'] | bool }}" % (wanted, MANAGE_KEY)})


def mode_play(mode: str, sg: dict) -> ModePlay:
    tasks = (("lbc", MODULES["groups"], _groups_task(mode, sg)),
             ("controller", MODULES["controller"], _controller_task()),
             ("annotations", MODULES["annotations"], _annotations_task(mode)))
    if mode == "auto":
        return ModePlay(mode, tasks, covered=("storefront", "catalog"), foreign_frontends=("admin", "partner-api"))
    return ModePlay(mode, tasks, covered=ALL)


# ---------------------------------------------------------------------------------------------- steps


class Step(module_steps.Step):
    SHOWN = ("changed", "failed", "msg", "plan", "warnings_found", "changes", "actions", "summary", "problems",
             "conflicts", "api_calls")
    SHOWN_CHARS = 6000

    @property
    def module_writes(self) -> dict:
        """Writes of the modules' own keys (EC2 and demo-eks' API server): not the controller's (ec2:lbc)."""
        return {f"{service} {action}": n for service in ("ec2", K8S) for action, n in
                self.calls(service, "write").items()}


@dataclass
class PlayRun:
    steps: dict  # register name -> Step
    seconds: float

    def __getitem__(self, name: str) -> Step:
        return self.steps[name]

    @property
    def changed(self) -> list[str]:
        return [name for name, step in self.steps.items() if step.changed]

    @property
    def failed(self) -> list[str]:
        return [name for name, step in self.steps.items() if step.failed]

    @property
    def writes(self) -> dict:
        return {name: step.module_writes for name, step in self.steps.items() if step.module_writes}


# ---------------------------------------------------------------------------------------------- estate


def atomic(ip_permissions) -> set[tuple]:
    """EC2 IpPermissions -> {(proto, from, to, source, description)}, one tuple per source."""
    out = set()
    for perm in ip_permissions or []:
        key = (perm["IpProtocol"], perm.get("FromPort"), perm.get("ToPort"))
        for kind, name in (("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6"), ("PrefixListIds", "PrefixListId"),
                           ("UserIdGroupPairs", "GroupId")):
            for item in perm.get(kind, []):
                out.add(key + (item[name], item.get("Description") or ""))
    return out


class Estate:
    """demo-eks, reseeded, read and changed by hand (boto3 and the sandbox's Kubernetes client), and the modes'
    plays run through ansible-playbook."""

    def __init__(self, sandbox_env: dict, admin, tmp_dir) -> None:
        self.env = module_steps.make_env(sandbox_env)
        self.admin = admin
        self.tmp_dir = tmp_dir
        self.ec2, self.elbv2 = (boto3.client(
            service, endpoint_url=self.env["AWS_ENDPOINT_URL"], region_name=self.env["AWS_REGION"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"mode": "standard", "max_attempts": 3})) for service in ("ec2", "elbv2"))
        self.kube_endpoint = admin.health()["endpoints"][K8S]
        self.kube = KubeClient(self.kube_endpoint)
        self.seed: dict = {}
        self.runs = 0

    # lifecycle
    def reseed(self) -> "Estate":
        self.seed = reseed(self.env, self.admin)["aws"]
        return self

    @property
    def sg(self) -> dict:
        """Seeded group ids by role: cluster, node, backend, frontend_storefront, frontend_catalog, custom_public,
        custom_office."""
        return self.seed["security_groups"]

    # the plays
    def play(self, play: ModePlay) -> PlayRun:
        """The play's module tasks in one ansible-playbook run, each followed by the sandbox's cumulative counts
        (the admin API through the url lookup, which is not counted); each step gets its own difference. The
        results are read from the ansible.posix.json callback's output (no task of the play writes them)."""
        calls_url = self.env["KUBEGUARD_SANDBOX_ADMIN_URL"] + "/calls"
        tasks, names = [], []
        for index, (register, module, params) in enumerate(play.tasks):
            names.append(register)
            tasks.append({"name": register, module: params, "register": register, "ignore_errors": True})
            tasks.append({"name": f"c{index}", "ansible.builtin.set_fact": {
                f"c{index}": "{{ lookup('ansible.builtin.url', '%s', split_lines=False) | from_json }}" % calls_url}})
        self.runs += 1
        run_dir = self.tmp_dir / f"play-{play.mode}-{self.runs}"
        (run_dir / "tmp").mkdir(parents=True)
        path = run_dir / "playbook.yml"
        path.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                                       sort_keys=False))
        env = dict(self.env, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(run_dir / "tmp"),
                   ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_PIPELINING="1", TMPDIR=str(run_dir / "tmp"),
                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
        self.admin.reset_calls()
        started = time.monotonic()
        completed = subprocess.run([module_steps.ANSIBLE_PLAYBOOK, "-c", "local", "-i", "localhost,", "-e",
                                    f"ansible_python_interpreter={sys.executable}", str(path)],
                                   env=env, cwd=run_dir, text=True, capture_output=True, timeout=300)
        seconds = time.monotonic() - started
        try:
            output = json.loads(completed.stdout)
            results = {task["task"]["name"]: task["hosts"]["localhost"] for task in output["plays"][0]["tasks"]}
            counts = [results[f"c{i}"]["ansible_facts"][f"c{i}"] for i in range(len(names))]
        except (ValueError, KeyError, IndexError) as exc:
            raise AssertionError(f"ansible-playbook ({completed.returncode}) gave no results ({exc!r}):\n"
                                 f"{completed.stdout[-6000:]}\n{completed.stderr[-3000:]}") from exc
        steps, previous = {}, {}
        for name, cumulative in zip(names, counts):
            steps[name] = Step(results[name], module_steps.counts_delta(previous, cumulative))
            previous = cumulative
        return PlayRun(steps, seconds)

    # the simulated controller
    def settle(self) -> None:
        answer = run_cli("settle", "--timeout", "60", env=self.env, check=False)
        assert answer.returncode == 0, f"the controllers did not settle: {answer.stdout} {answer.stderr}"

    def sync(self) -> dict:
        """``python -m sandbox lbc sync``: what one reconcile of the controller did on demo-eks."""
        done = json.loads(run_cli("lbc", "sync", env=self.env).stdout)[K8S]
        assert done.get("running"), done
        return done

    # EC2
    def rules(self, group_id: str) -> set[tuple]:
        group = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        return atomic(group["IpPermissions"])

    def node_rules(self) -> set[tuple]:
        return self.rules(self.sg["node"])

    def ours(self, rules: set[tuple]) -> set[tuple]:
        return {rule for rule in rules if MARKER in rule[4]}

    def group_id(self, name: str) -> str | None:
        found = self.ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [self.seed["vpc_id"]]},
                                                           {"Name": "group-name", "Values": [name]}])
        return found["SecurityGroups"][0]["GroupId"] if found["SecurityGroups"] else None

    def world_nodeport_rule(self) -> tuple:
        return next((r for r in self.node_rules() if r[:4] == ("tcp", 30000, 32767, "0.0.0.0/0")), None)

    def hand_made_rule(self) -> tuple:
        """Seed 003: admin's NodePort from its office frontend group, labelled as the controller's, by hand."""
        return ("tcp", HAND_MADE_PORT, HAND_MADE_PORT, self.sg["custom_office"], CONTROLLER_LABEL)

    def add_by_hand(self, rule: tuple) -> None:
        proto, low, high, source, description = rule
        self.ec2.authorize_security_group_ingress(GroupId=self.sg["node"], IpPermissions=[{
            "IpProtocol": proto, "FromPort": low, "ToPort": high,
            "UserIdGroupPairs": [{"GroupId": source, "Description": description}]}])

    # Kubernetes
    def annotations(self, name: str) -> dict:
        ingress = self.kube.request("GET", f"apis/networking.k8s.io/v1/namespaces/shop/ingresses/{name}")
        return ingress["metadata"].get("annotations") or {}

    def alb_groups(self, name: str) -> set[str]:
        """The security groups of the Ingress's ALB (found by the hostname in its status, as a person finds it)."""
        ingress = self.kube.request("GET", f"apis/networking.k8s.io/v1/namespaces/shop/ingresses/{name}")
        hostname = ingress["status"]["loadBalancer"]["ingress"][0]["hostname"]
        balancers = self.elbv2.describe_load_balancers()["LoadBalancers"]
        return set(next(lb for lb in balancers if lb["DNSName"] == hostname)["SecurityGroups"])

    # the oracle
    def reach(self, source: str, ingress: str, port: int):
        """The AWS oracle, as a person asks it: the Ingress's ALB found by its status hostname."""
        return reach_aws(self.env["AWS_ENDPOINT_URL"], source, f"{CLUSTER}/shop/{ingress}", port,
                         kube_endpoint=self.kube_endpoint)

    def reachability(self, questions) -> dict:
        """{(source, ingress, port): the oracle's verdict} for ``questions`` of (source, ingress, port), asked in
        parallel (the oracle only reads)."""
        questions = list(questions)
        with ThreadPoolExecutor(6) as pool:
            verdicts = list(pool.map(lambda q: self.reach(*q), questions))
        return dict(zip(questions, verdicts))
