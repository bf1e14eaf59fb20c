#!/usr/bin/env python3
"""Fails when a source file includes a module that its CMakeLists.txt does not declare, when
a module declares a dependency none of its files includes, or when a file includes another
module's header that is not part of that module's API.

Each src/<module>/CMakeLists.txt declares `zerospof_module(<module> API x.h y.h DEPS a b ...)`.
A file in src/<module>/ may include "<module>/..." and, for each declared dep, the headers that
dep lists in API, nothing else, so modules depend downwards only, as design.md draws them, and
only on what the other module promises; every declared dep is used, so the declaration says what
the module really rests on. Each API header opens with a comment saying what the module promises
and fits on a screen (at most 140 lines). Tests may include any header of the module they test.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
src = root / "src"
MOST_API_LINES = 140
declared, api = {}, {}
problems = []
for cmake in src.glob("*/CMakeLists.txt"):
    text = cmake.read_text()
    match = re.search(r"zerospof_module\((\w+)([^)]*)\)", text, re.S)
    if not match:
        continue
    module, arguments = match.group(1), match.group(2) + "\n"
    deps = re.search(r"DEPS\s+([\w\s]+?)(?:LIBS|API|$)", arguments, re.S)
    declared[module] = set(deps.group(1).split()) if deps else set()
    headers = re.search(r"API\s+([\w.\s]+?)(?:LIBS|DEPS|$)", arguments, re.S)
    api[module] = set(headers.group(1).split()) if headers else set()
    if not api[module]:
        problems.append(f"{cmake.relative_to(root)}: declares no API headers")
    for header in sorted(api[module]):
        path = src / module / header
        if not path.exists():
            if (src / module / (header + ".in")).exists():
                continue  # configured at build time from its template
            problems.append(f"{cmake.relative_to(root)}: API lists {header}, which does not exist")
            continue
        lines = path.read_text().splitlines()
        if not lines or not lines[0].startswith("//"):
            problems.append(f"{path.relative_to(root)}:1: an API header opens with a comment "
                            f"saying what the module promises")
        if len(lines) > MOST_API_LINES:
            problems.append(f"{path.relative_to(root)}: {len(lines)} lines; an API header fits "
                            f"on a screen ({MOST_API_LINES}): move the rest beside its code")

modules = {p.name for p in src.iterdir() if p.is_dir()}
for module, deps in declared.items():
    used = set()
    for path in sorted((src / module).rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            include = re.match(r'\s*#\s*include\s+"(\w+)/([\w.]+)"', line)
            if not include:
                continue
            target, header = include.group(1), include.group(2)
            used.add(target)
            if target in modules and target != module and target not in deps:
                problems.append(f"{path.relative_to(root)}:{number}: includes {target}/ but "
                                f"src/{module}/CMakeLists.txt does not list it in DEPS")
            elif target in api and target != module and header not in api[target]:
                problems.append(f"{path.relative_to(root)}:{number}: includes {target}/{header}, "
                                f"which is not in src/{target}/CMakeLists.txt's API: use what "
                                f"the API offers, or add it there if it is meant to be public")
    for dep in sorted(deps - used):
        problems.append(f"src/{module}/CMakeLists.txt: lists {dep} in DEPS but no file of "
                        f"src/{module}/ includes {dep}/; remove it")
for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"module dependencies ok ({len(declared)} modules)")
