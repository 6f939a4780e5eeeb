"""The execution environment definition (execution-environment/): `ansible-builder create` renders its build
context from this checkout's collection tarball, and `ansible-builder introspect` finds the collection's Python
and system requirements in the installed collection, as a build for AWX/AAP would (no container runtime needed).
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
EE = REPO / "execution-environment"


def _run(*args: str, cwd: pathlib.Path = REPO) -> str:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def test_ansible_builder_creates_the_build_context_and_finds_the_requirements(tmp_path):
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    tarball_name = f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    collections = REPO / "build" / "ee" / "collections"
    collections.mkdir(parents=True, exist_ok=True)
    _run(BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", collections, REPO)
    assert (collections / tarball_name).is_file()
    wanted = yaml.safe_load((EE / "requirements.yml").read_text())["collections"]
    assert wanted[0]["name"].endswith("/" + tarball_name) and wanted[0]["type"] == "file"  # the one just built

    context = tmp_path / "context"
    _run(BIN / "ansible-builder", "create", "--file", EE / "execution-environment.yml", "--context", context,
         "--output-filename", "Containerfile")
    containerfile = (context / "Containerfile").read_text()
    assert "COPY _build/collections /tmp/kubeguard-collections" in containerfile
    assert "ansible-galaxy" in containerfile and "ansible-core==2.19.14" in containerfile
    assert (context / "_build" / "collections" / tarball_name).is_file()
    assert yaml.safe_load((context / "_build" / "requirements.yml").read_text()) == {"collections": wanted}

    installed = tmp_path / "installed"
    _run(BIN / "ansible-galaxy", "collection", "install", "--force", "--no-deps", "--offline", "-p", installed,
         collections / tarball_name)
    found = yaml.safe_load(_run(BIN / "ansible-builder", "introspect", installed))
    python = " ".join(found["python"])
    for requirement in ("boto3", "botocore", "kubernetes", "alibabacloud-slb20140515", "alibabacloud-credentials",
                        "alibabacloud-tea-openapi"):
        assert requirement in python, (requirement, found["python"])
    assert any(line.startswith("gcc") for line in found["system"]), found["system"]
