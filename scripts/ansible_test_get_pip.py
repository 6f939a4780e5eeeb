#!/usr/bin/env python3
# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the ``get-pip.py`` script that ansible-test downloads.

When ansible-test creates a virtual environment (``ansible-test sanity``, ``--venv``)
it bootstraps pip by fetching ``get-pip-<version>.py`` from ci-files.testing.ansible.com,
caching it as ``~/.ansible/test/cache/get_pip_<version with _>.py`` and running it as
``__main__`` with get-pip arguments, for example::

    python get_pip_24_2.py --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel

That host is not reachable from our machines. ``scripts/ansible-test-bootstrap.sh`` puts
this file at the cache path instead. It gives the same result as get-pip:

1. pip is made available from the interpreter's own ``ensurepip`` (the wheel bundled
   with Python; no download), without installing anything else;
2. ``pip install`` runs with every argument that is not a get-pip flag, so the exact
   pip version ansible-test asks for is installed from the configured index;
3. like get-pip, ``pip``, ``setuptools`` and ``wheel`` are added implicitly unless they
   are named already or excluded with ``--no-pip`` / ``--no-setuptools`` /
   ``--no-wheel`` (or the ``PIP_NO_SETUPTOOLS`` / ``PIP_NO_WHEEL`` variables);
   setuptools is never added on Python 3.12 or later, as in get-pip.

The system CA bundle is honoured: ``PIP_CERT`` and ``SSL_CERT_FILE`` are set from
``/etc/ssl/certs/ca-certificates.crt`` (or certifi) when they are not set already.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
import tempfile

SYSTEM_CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/ssl/cert.pem",  # macOS, some BSDs
)

# pip install options that consume the following argument as their value.
OPTIONS_WITH_VALUE = {
    "-c", "--constraint", "-r", "--requirement", "-e", "--editable", "-t", "--target",
    "--platform", "--python-version", "--implementation", "--abi", "--root", "--prefix",
    "--src", "--upgrade-strategy", "-C", "--config-settings", "--global-option",
    "--no-binary", "--only-binary", "--progress-bar", "--root-user-action", "--report",
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--proxy", "--retries",
    "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
    "--cache-dir", "--log", "--python", "--use-feature", "--use-deprecated", "--keyring-provider",
    "--group",
}

GET_PIP_FLAGS = ("--no-pip", "--no-setuptools", "--no-wheel")

NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def log(message: str) -> None:
    print("kubeguard get-pip: %s" % message, file=sys.stderr)
    sys.stderr.flush()


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def ensure_ca_bundle(env: dict[str, str]) -> None:
    """Point pip and OpenSSL at the system CA bundle unless the caller chose one."""
    bundle = None
    for candidate in SYSTEM_CA_BUNDLES:
        if os.path.isfile(candidate):
            bundle = candidate
            break
    if bundle is None:
        try:
            import certifi  # pylint: disable=import-outside-toplevel

            bundle = certifi.where()
        except ImportError:
            return
    env.setdefault("PIP_CERT", bundle)
    env.setdefault("SSL_CERT_FILE", bundle)


def split_arguments(argv: list[str]) -> tuple[list[str], set[str], set[str]]:
    """Return (pip install arguments, get-pip flags given, requirement names given)."""
    pip_args: list[str] = []
    flags: set[str] = set()
    names: set[str] = set()
    expect_value = False
    for arg in argv:
        if expect_value:
            pip_args.append(arg)
            expect_value = False
            continue
        if arg in GET_PIP_FLAGS:
            flags.add(arg)
            continue
        pip_args.append(arg)
        if arg.startswith("-"):
            if "=" not in arg and arg in OPTIONS_WITH_VALUE:
                expect_value = True
            continue
        match = NAME_RE.match(arg)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return pip_args, flags, names


def implicit_packages(flags: set[str], names: set[str], env: dict[str, str]) -> list[str]:
    """The packages get-pip would add on its own."""
    packages = []
    if "pip" not in names and "--no-pip" not in flags:
        packages.append("pip")
    if (
        sys.version_info < (3, 12)
        and "setuptools" not in names
        and "--no-setuptools" not in flags
        and not truthy(env.get("PIP_NO_SETUPTOOLS"))
    ):
        packages.append("setuptools")
    if "wheel" not in names and "--no-wheel" not in flags and not truthy(env.get("PIP_NO_WHEEL")):
        packages.append("wheel")
    return packages


def bundled_pip_wheel() -> str | None:
    """Path of the pip wheel that ships with this interpreter's ensurepip, if any."""
    try:
        import ensurepip  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    candidates = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))
    # Debian/Ubuntu patch ensurepip to use the wheels in /usr/share/python-wheels.
    candidates += sorted(glob.glob("/usr/share/python-wheels/pip-*.whl"))
    return candidates[-1] if candidates else None


def pip_command() -> tuple[list[str], str | None]:
    """A command prefix that runs pip, and a temporary file to remove afterwards (or None).

    The bundled wheel is run directly (``python pip.whl/pip ...``), which is what get-pip
    itself does with its embedded copy: nothing but the requested packages ends up in the
    environment. If there is no bundled wheel, ``python -m ensurepip`` installs pip (and,
    on Python < 3.12, setuptools, which main() removes again when it was not wanted).
    """
    wheel = bundled_pip_wheel()
    if wheel:
        log("running pip from the ensurepip bundle %s" % os.path.basename(wheel))
        return [sys.executable, os.path.join(wheel, "pip")], None
    log("no bundled pip wheel found, running python -m ensurepip")
    return [sys.executable, "-m", "pip"], "ensurepip"


def installed(name: str, env: dict[str, str]) -> bool:
    code = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(%r) else 1)" % name
    return subprocess.call([sys.executable, "-c", code], env=env) == 0


def main(argv: list[str]) -> int:
    env = os.environ.copy()
    ensure_ca_bundle(env)

    pip_args, flags, names = split_arguments(argv)
    extra = implicit_packages(flags, names, env)
    command, mode = pip_command()

    had_setuptools = installed("setuptools", env)
    if mode == "ensurepip":
        result = subprocess.call([sys.executable, "-m", "ensurepip", "--default-pip"], env=env)
        if result != 0:
            log("python -m ensurepip failed with exit code %d" % result)
            return result

    install = command + ["install"] + pip_args + extra
    log("installing: %s" % " ".join(arg for arg in pip_args + extra if not arg.startswith("-")))
    # pip must not load a copy of itself from the current directory.
    with tempfile.TemporaryDirectory(prefix="kubeguard-get-pip-") as workdir:
        result = subprocess.call(install, env=env, cwd=workdir)
    if result != 0:
        return result

    keep_setuptools = "setuptools" in names or "setuptools" in extra or had_setuptools
    if mode == "ensurepip" and not keep_setuptools and installed("setuptools", env):
        result = subprocess.call(
            [sys.executable, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check", "setuptools"],
            env=env,
        )
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
