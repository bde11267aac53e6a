#!/usr/bin/python3
"""usage: check_root_stats.py HEPKIT ROOT_FILE TREE EXPECTED_JSON OUT_JSON [--threads N]

Runs `hepkit root stats` and compares its JSON with the jsroot-made expectation: same file, tree,
entries and branch names (plus those jsroot listed as unreadable); n, min and max equal, integer sums equal as integers, other sums within
1e-9 relative. Prints "stats ok" on success."""
import json
import math
import subprocess
import sys

hepkit, root_file, tree, expected_path, out = sys.argv[1:6]
extra = sys.argv[6:]
subprocess.run([hepkit, "root", "stats", root_file, "--tree", tree, "--json", out] + extra, check=True)
got = json.load(open(out))
want = json.load(open(expected_path))
errors = []
for key in ("file", "tree", "entries"):
    if got[key] != want[key]:
        errors.append(f"{key}: {got[key]!r} != {want[key]!r}")
# hepkit also reads branches jsroot listed as unreadable (int8 arrays): those may be extra.
ours_only = set(got["branches"]) - set(want["branches"]) - set(want.get("unreadable", []))
theirs_only = set(want["branches"]) - set(got["branches"])
if ours_only or theirs_only:
    errors.append(f"branches differ: only ours {sorted(ours_only)[:5]}, only expected {sorted(theirs_only)[:5]}")
for name, w in want["branches"].items():
    g = got["branches"].get(name)
    if g is None:
        continue
    if g["n"] != w["n"]:
        errors.append(f"{name}: n {g['n']} != {w['n']}")
    for k in ("min", "max"):
        if w[k] is None:
            continue
        if g[k] != w[k]:
            errors.append(f"{name}: {k} {g[k]!r} != {w[k]!r}")
    if w["sum"] is None:
        if g["sum"] is not None:
            errors.append(f"{name}: sum {g['sum']!r}, expected null (not finite)")
    elif isinstance(w["sum"], int) and isinstance(g["sum"], int):
        if g["sum"] != w["sum"]:
            errors.append(f"{name}: integer sum {g['sum']} != {w['sum']}")
    elif abs(g["sum"] - w["sum"]) > 1e-9 * max(1.0, abs(w["sum"])):
        errors.append(f"{name}: sum {g['sum']!r} != {w['sum']!r}")
for e in errors[:20]:
    print(e)
if errors:
    print(f"{len(errors)} differences")
    sys.exit(1)
print(f"stats ok: {len(want['branches'])} branches")
