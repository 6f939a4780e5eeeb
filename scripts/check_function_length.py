#!/usr/bin/env python3
# Copyright: (c) 2026, kubeguard.netsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fail when a function or method in the given trees is longer than the limit (docstring excluded).

Part of `make lint`: small functions are part of the collection's code style (CONVENTIONS), and
the formatter cannot check it. Usage: check_function_length.py [--max N] PATH...
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import sys


def body_length(node: ast.AST) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str) and len(body) > 1:
        body = body[1:]
    return node.end_lineno - body[0].lineno + 1


def too_long(path: pathlib.Path, limit: int) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = body_length(node)
            if length > limit:
                found.append(f"{path}:{node.lineno}: {node.name} is {length} lines long (at most {limit})")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=50)
    parser.add_argument("paths", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    files = sorted(f for p in args.paths for f in ([p] if p.is_file() else p.rglob("*.py")))
    problems = [problem for path in files for problem in too_long(path, args.max)]
    for problem in problems:
        print(f"function-length: {problem}", file=sys.stderr)
    print(f"function-length: {len(files)} file(s) checked, {len(problems)} function(s) over {args.max} lines")
    return 1 if problems or not files else 0


if __name__ == "__main__":
    sys.exit(main())
