"""Files the running sandbox leaves for its users in the state directory.

``env`` (shell exports), ``endpoints.json``, ``kubeconfig``, ``inventory.yml``; ``sandbox.pid`` and
``sandbox.log`` belong to the process itself, ``seed.json`` to the last seed.
"""

from __future__ import annotations

import json
import pathlib
import shlex

import yaml

from sandbox import config
from sandbox.alibaba import credentials

RUNTIME_FILES = ("env", "endpoints.json", "kubeconfig", "inventory.yml", "seed.json", "sandbox.pid")


def path(name: str) -> pathlib.Path:
    return config.state_dir() / name


def environment(ports: config.Ports) -> dict[str, str]:
    """The variables a client needs to talk to the sandbox instead of a cloud."""
    return {
        "AWS_ENDPOINT_URL": config.url(ports.aws),
        "AWS_ACCESS_KEY_ID": config.AWS_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": config.AWS_SECRET_ACCESS_KEY,
        "AWS_REGION": config.AWS_REGION,
        "AWS_DEFAULT_REGION": config.AWS_REGION,
        "ALIBABA_CLOUD_ACCESS_KEY_ID": credentials.USER.key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": credentials.USER.secret,
        "ALIBABA_CLOUD_REGION_ID": config.ALIBABA_REGION,
        "ALIBABA_CLOUD_SLB_ENDPOINT": config.url(ports.slb),
        "KUBECONFIG": str(path("kubeconfig")),
        "KUBEGUARD_SANDBOX_ADMIN_URL": config.url(ports.admin),
    }


def kubeconfig(endpoints: dict) -> dict:
    """One cluster, user and context per emulated cluster, named after it; demo-eks is the current one."""
    names = [key.split(":", 1)[1] for key in endpoints if key.startswith("k8s:")]
    return {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": n, "cluster": {"server": endpoints[f"k8s:{n}"]}} for n in names],
        "users": [{"name": f"{n}-admin", "user": {"token": config.K8S_TOKEN}} for n in names],
        "contexts": [{"name": n, "context": {"cluster": n, "user": f"{n}-admin", "namespace": "default"}}
                     for n in names],
        "current-context": config.EKS_CLUSTER if config.EKS_CLUSTER in names else (names[0] if names else ""),
    }


def inventory(ports: config.Ports) -> dict:
    host_vars = {
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    }
    group_vars = {
        "aws_endpoint_url": config.url(ports.aws),
        "aws_region": config.AWS_REGION,
        "aws_access_key": config.AWS_ACCESS_KEY_ID,
        "aws_secret_key": config.AWS_SECRET_ACCESS_KEY,
        "eks_cluster_name": config.EKS_CLUSTER,
        "alicloud_region": config.ALIBABA_REGION,
        "alicloud_slb_endpoint": config.url(ports.slb),
        "alicloud_access_key": credentials.USER.key_id,
        "alicloud_secret_key": credentials.USER.secret,
        "kubeconfig_path": str(path("kubeconfig")),
        "kubeguard_sandbox_admin_url": config.url(ports.admin),
    }
    return {"all": {"children": {"sandbox": {"hosts": {"localhost": host_vars}, "vars": group_vars}}}}


def write_all(ports: config.Ports, endpoints: dict) -> None:
    directory = config.state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    env_lines = [f"export {key}={shlex.quote(value)}" for key, value in environment(ports).items()]
    path("env").write_text("\n".join(env_lines) + "\n")
    path("endpoints.json").write_text(json.dumps({"admin": config.url(ports.admin), **endpoints}, indent=2) + "\n")
    path("kubeconfig").write_text(yaml.safe_dump(kubeconfig(endpoints), sort_keys=False))
    path("inventory.yml").write_text(yaml.safe_dump(inventory(ports), sort_keys=False))


def clear_runtime() -> None:
    for name in RUNTIME_FILES:
        path(name).unlink(missing_ok=True)


def read_json(name: str) -> dict | None:
    try:
        return json.loads(path(name).read_text())
    except FileNotFoundError:
        return None
