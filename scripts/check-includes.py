#!/usr/bin/env python3
"""Fails when a source file includes a module that its CMakeLists.txt does not declare, or when
a module declares a dependency none of its files includes.

Each src/<module>/CMakeLists.txt declares `zerospof_module(<module> DEPS a b ...)`. A file in
src/<module>/ may include "<module>/..." and "<dep>/..." for each declared dep, nothing else, so
modules depend downwards only, as design.md draws them; and every declared dep is used, so the
declaration says what the module really rests on.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
src = root / "src"
declared = {}
for cmake in src.glob("*/CMakeLists.txt"):
    text = cmake.read_text()
    match = re.search(r"zerospof_module\((\w+)([^)]*)\)", text, re.S)
    if not match:
        continue
    deps = re.search(r"DEPS\s+([\w\s]+?)(?:LIBS|$)", match.group(2) + "\n", re.S)
    declared[match.group(1)] = set(deps.group(1).split()) if deps else set()

modules = {p.name for p in src.iterdir() if p.is_dir()}
problems = []
for module, deps in declared.items():
    used = set()
    for path in sorted((src / module).rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            include = re.match(r'\s*#\s*include\s+"(\w+)/', line)
            if not include:
                continue
            target = include.group(1)
            used.add(target)
            if target in modules and target != module and target not in deps:
                problems.append(f"{path.relative_to(root)}:{number}: includes {target}/ but "
                                f"src/{module}/CMakeLists.txt does not list it in DEPS")
    for dep in sorted(deps - used):
        problems.append(f"src/{module}/CMakeLists.txt: lists {dep} in DEPS but no file of "
                        f"src/{module}/ includes {dep}/; remove it")
for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"module dependencies ok ({len(declared)} modules)")
