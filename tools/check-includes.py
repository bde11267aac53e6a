#!/usr/bin/python3
"""Checks hepkit's include graph against the allowed arrows of src/dependencies.txt.

usage: tools/check-includes.py [REPO]   (default: the repository this script is in)

Scans include/, src/ and apps/ for `#include "hepkit/..."` (and <hepkit/...>, and relative
includes that reach into another module), finds the node of the including file and of the
included header (the longest node of the table their paths start with) and reports every include
that the arrows, followed transitively, do not allow:

    src/sim/data/Cache.cpp:3: includes "hepkit/sim/grid/GridSimulation.hpp": sim/data may not include sim/grid
      (sim/data may include: core, sim, sim/compute, ...; src/dependencies.txt)

Also an error: a file or header in no node of the table, a malformed table line, an arrow to a node
that is not in the table. Exit status 0 when the tree follows the table, 1 otherwise (ctest
arch.includes).

The compiler enforces the same table (cmake/HepkitViews.cmake: each module and layer compiles
against an include view holding only the headers its arrows reach; ctest arch.views.*). This
script covers what a compiler cannot see: relative includes that leave a module ("../fit/X.hpp"),
headers that no source includes, files in no node. There are no exceptions: an include that
breaks the arrows would not compile, so the table has no `except` lines (both refuse them).
"""

import os
import re
import sys

TABLE = "src/dependencies.txt"
SCANNED = ("include", "src", "apps")
SOURCE_SUFFIXES = (".hpp", ".cpp", ".h", ".cc", ".hpp.in", ".cu")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


class TableError(Exception):
    pass


def read_table(path):
    """Returns arrows: node -> set of nodes."""
    arrows = {}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            where = "%s:%d" % (path, number)
            if line.startswith("except "):
                raise TableError("%s: 'except' lines are gone: the include views let the compiler see only "
                                 "what the arrows allow, so an include that breaks them cannot be tolerated; "
                                 "fix it or draw the arrow" % where)
            parts = line.split("->")
            if len(parts) != 2 or len(parts[0].split()) != 1:
                raise TableError("%s: expected 'NODE -> NODE ...', got '%s'" % (where, line))
            node = parts[0].strip()
            if node in arrows:
                raise TableError("%s: node '%s' has a second line; give all its arrows on one" % (where, node))
            arrows[node] = set(parts[1].split())
    for node, targets in arrows.items():
        for t in sorted(targets - set(arrows)):
            raise TableError("%s: '%s -> %s': '%s' is not a node of the table" % (path, node, t, t))
    return arrows


def closure(arrows):
    """Every node -> the nodes it may include (transitively, itself included)."""
    allowed = {}
    for start in arrows:
        seen, todo = {start}, [start]
        while todo:
            for nxt in arrows[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        allowed[start] = seen
    return allowed


def node_of(path, nodes):
    """The longest node that `path` (relative to include/hepkit/, src/ or the repository for
    apps/) starts with, as whole path components; None if none."""
    best = None
    for node in nodes:
        if (path == node or path.startswith(node + "/")) and (best is None or len(node) > len(best)):
            best = node
    return best


def module_path(repo, abspath):
    """The path by which the table names a file: relative to include/hepkit/ or src/ (so a
    header and its implementation share a node), or to the repository for apps/."""
    rel = os.path.relpath(abspath, repo)
    for prefix in ("include/hepkit/", "src/"):
        if rel.startswith(prefix):
            return rel[len(prefix):]
    return rel


def scanned_files(repo):
    for top in SCANNED:
        for root, dirs, files in os.walk(os.path.join(repo, top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.join(root, name)


def included_path(repo, including, bracket, name):
    """The table path of an included hepkit header, or None for a header of another project (or
    a relative include that stays in the including file's own directory)."""
    if name.startswith("hepkit/"):
        return name[len("hepkit/"):]
    if bracket == '"' and "/" in name:
        target = os.path.normpath(os.path.join(os.path.dirname(including), name))
        rel = os.path.relpath(target, repo)
        if rel.startswith(("include/hepkit/", "src/", "apps/")):
            return module_path(repo, target)
    return None


def check(repo):
    table = os.path.join(repo, TABLE)
    arrows = read_table(table)
    allowed = closure(arrows)
    nodes = list(arrows)
    errors = []
    for path in scanned_files(repo):
        rel = os.path.relpath(path, repo)
        src = module_path(repo, path)
        src_node = node_of(src, nodes)
        if src_node is None:
            errors.append("%s: in no node of %s (add its module or layer there)" % (rel, TABLE))
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                m = INCLUDE_RE.match(text)
                if not m:
                    continue
                inc = included_path(repo, path, m.group(1), m.group(2))
                if inc is None:
                    continue
                inc_node = node_of(inc, nodes)
                shown = '%s%s%s' % (m.group(1), m.group(2), ">" if m.group(1) == "<" else '"')
                if inc_node is None:
                    errors.append("%s:%d: includes %s, which is in no node of %s" % (rel, number, shown, TABLE))
                    continue
                if inc_node not in allowed[src_node]:
                    errors.append("%s:%d: includes %s: %s may not include %s\n  (%s may include: %s; %s)" % (
                        rel, number, shown, src_node, inc_node, src_node,
                        ", ".join(sorted(allowed[src_node])), TABLE))
    return errors


def main(argv):
    repo = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    try:
        errors = check(repo)
    except (OSError, TableError) as e:
        print("check-includes: %s" % e, file=sys.stderr)
        return 1
    for e in errors:
        print(e)
    if errors:
        print("check-includes: %d include(s) against the arrows of %s" % (len(errors), TABLE))
        return 1
    print("check-includes: the includes of %s follow %s" % (", ".join(d + "/" for d in SCANNED), TABLE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
