"""The built collection, as a user installs it: what must ship, what must not, and nothing empty.

Builds the tarball with ansible-galaxy from this checkout (no sandbox needed) and reads its members.
"""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
GALAXY = pathlib.Path(sys.executable).parent / "ansible-galaxy"
NEVER = ("sandbox/", "tests/", "scripts/", "benchmarks/", "extensions/", "demo/", "build/", ".venv/", ".ci/",
         "changelogs/fragments/", "docs/sandbox.md", "docs/development.md", "Makefile", "constraints.txt",
         "requirements-dev.txt", "ruff.toml", "ansible.cfg", "pytest.ini", ".gitignore", ".ansible-lint")
# third-party packages the shipped Python imports, and the requirement that provides each
PROVIDED_BY = {"botocore": "botocore", "boto3": "boto3", "kubernetes": "kubernetes", "urllib3": "kubernetes",
               "alibabacloud_slb20140515": "alibabacloud-slb20140515",
               "alibabacloud_credentials": "alibabacloud-credentials",
               # the Tea runtime and its utilities come with alibabacloud-tea-openapi
               "alibabacloud_tea_openapi": "alibabacloud-tea-openapi", "alibabacloud_tea_util": "alibabacloud-tea-openapi",
               "Tea": "alibabacloud-tea-openapi"}
WITH_ANSIBLE = ("ansible", "ansible_collections", "yaml")  # ansible-core itself, and its PyYAML


@pytest.fixture(scope="module")
def artifact(tmp_path_factory) -> dict:
    """{member name: bytes or None for a directory} of the built tarball."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([str(GALAXY), "collection", "build", "--force", "--output-path", str(out), str(REPO)],
                   check=True, capture_output=True, text=True, timeout=300)
    (tarball,) = out.glob("kubeguard-netsec-*.tar.gz")
    with tarfile.open(tarball) as archive:
        return {member.name.rstrip("/"): (archive.extractfile(member).read() if member.isfile() else None)
                for member in archive.getmembers()}


def tracked(pattern: str) -> list[str]:
    return sorted(str(path.relative_to(REPO)) for path in REPO.glob(pattern) if "__pycache__" not in path.parts)


def test_what_a_user_needs_ships(artifact):
    required = ["COPYING", "README.md", "CHANGELOG.md", "MANIFEST.json", "FILES.json", "meta/runtime.yml",
                "meta/execution-environment.yml", "requirements.txt", "bindep.txt", "changelogs/changelog.yaml",
                "docs/eks_lbc_security_groups.md", "docs/ack_fixed_pod_ip.md"]
    required += tracked("plugins/**/*.py") + tracked("roles/**/*.*")
    assert [name for name in required if artifact.get(name) is None] == []


def test_nothing_for_development_or_the_sandbox_ships(artifact):
    shipped = [name for name in artifact if name.startswith(NEVER) or name.rstrip("/") in
               {entry.rstrip("/") for entry in NEVER} or "__pycache__" in name or name.endswith(".pyc")]
    assert shipped == []


def test_no_folder_is_empty(artifact):
    files = [name for name, content in artifact.items() if content is not None]
    empty = [name for name, content in artifact.items()
             if content is None and not any(path.startswith(name + "/") for path in files)]
    assert empty == []


def test_the_license_and_the_release_notes(artifact):
    license_text = artifact["COPYING"].decode()
    assert "GNU GENERAL PUBLIC LICENSE" in license_text and "Version 3, 29 June 2007" in license_text
    version = json.loads(artifact["MANIFEST.json"])["collection_info"]["version"]
    assert f"v{version}".replace(".", "\\.") in artifact["CHANGELOG.md"].decode()
    assert version in yaml.safe_load(artifact["changelogs/changelog.yaml"])["releases"]


def _imports(source: bytes) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_execution_environment_requirements_are_exactly_what_the_plugins_import(artifact):
    imported = set().union(*(_imports(content) for name, content in artifact.items()
                             if content is not None and name.startswith("plugins/") and name.endswith(".py")))
    third_party = {name for name in imported - set(sys.stdlib_module_names) if name not in WITH_ANSIBLE}
    assert third_party <= set(PROVIDED_BY), third_party
    listed = {line.split(">=")[0].split("==")[0].strip() for line in artifact["requirements.txt"].decode().splitlines()
              if line.strip() and not line.startswith("#")}
    # boto3 is what amazon.aws' AnsibleAWSModule needs to build the clients the plugins use
    assert listed == {PROVIDED_BY[name] for name in third_party} | {"boto3"}, listed
