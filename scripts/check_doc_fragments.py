#!/usr/bin/env python3
# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check plugins/doc_fragments/*.py on their own.

ansible-test validates a doc fragment only through a module that uses it. This check
catches broken fragments before any module exists: every string attribute of
ModuleDocFragment must be YAML with `options` (or `attributes`), and every option needs a
description and a valid type.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import yaml

VALID_TYPES = {"str", "list", "dict", "bool", "int", "float", "path", "raw", "jsonarg", "json", "bytes", "bits"}


def check_option(where: str, name: str, spec: object, errors: list[str]) -> None:
    if not isinstance(spec, dict):
        errors.append("%s: option %s is not a mapping" % (where, name))
        return
    if not spec.get("description"):
        errors.append("%s: option %s has no description" % (where, name))
    option_type = spec.get("type", "str")
    if option_type not in VALID_TYPES:
        errors.append("%s: option %s has invalid type %r" % (where, name, option_type))
    if "choices" in spec and spec.get("default") is not None and spec["default"] not in spec["choices"]:
        errors.append("%s: option %s default %r is not one of its choices" % (where, name, spec["default"]))
    for sub_name, sub_spec in (spec.get("suboptions") or {}).items():
        check_option(where, "%s.%s" % (name, sub_name), sub_spec, errors)


def main() -> int:
    root = pathlib.Path(__file__).resolve().parent.parent
    errors: list[str] = []
    checked = 0
    for path in sorted((root / "plugins" / "doc_fragments").glob("*.py")):
        module_spec = importlib.util.spec_from_file_location("fragment_" + path.stem, path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        fragment = getattr(module, "ModuleDocFragment", None)
        if fragment is None:
            errors.append("%s: no ModuleDocFragment class" % path.name)
            continue
        for attribute in dir(fragment):
            text = getattr(fragment, attribute)
            if not attribute.isupper() or not isinstance(text, str):
                continue
            where = "%s:%s" % (path.relative_to(root), attribute)
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                errors.append("%s: invalid YAML: %s" % (where, str(exc).replace("\n", " ")))
                continue
            if not isinstance(data, dict) or not ("options" in data or "attributes" in data):
                errors.append("%s: needs an options or attributes mapping" % where)
                continue
            for name, spec in (data.get("options") or {}).items():
                check_option(where, name, spec, errors)
            checked += 1
    for error in errors:
        print("doc-fragments: ERROR: %s" % error, file=sys.stderr)
    print("doc-fragments: %d fragment(s) checked, %d error(s)" % (checked, len(errors)))
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
