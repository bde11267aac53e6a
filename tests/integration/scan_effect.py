#!/usr/bin/python3
"""usage: scan_effect.py HEPKIT SCAN.yaml OUT.csv

The showcased scan (examples/scan) must show the effects it is about (issue 12 §4: with the
worker link as the bottleneck every point had the same makespan). Runs the scan and checks, for
every pair of points that differ in one parameter only, that the makespan moves the way the
physics says: a larger cache, a higher initial hit rate and a wider WAN each make it shorter
(never longer, beyond 0.1 % of scheduling noise), and that each parameter changes it by more
than 5 % at least once. Also: the cache hit rate rises with the cache size and the hit rate.
"""
import csv
import itertools
import subprocess
import sys

hk, scan, out = sys.argv[1:4]
subprocess.run([hk, "-q", "sim", "--scan", scan, "-o", out], check=True, timeout=600)
rows = list(csv.DictReader(open(out)))
params = [c for c in rows[0] if c in ("cache_size", "hitrate", "link_bandwidth_factor")]
assert params == ["cache_size", "hitrate", "link_bandwidth_factor"], params

def size(v):
    units = {"GB": 1e9, "TB": 1e12}
    return float(v[:-2]) * units[v[-2:]] if v[-2:] in units else float(v)

value = {"cache_size": size, "hitrate": float, "link_bandwidth_factor": float}
failures = []
biggest = {p: 0.0 for p in params}
for a, b in itertools.permutations(rows, 2):
    diff = [p for p in params if a[p] != b[p]]
    if len(diff) != 1 or a["scenario"] != b["scenario"]:
        continue
    p = diff[0]
    if not value[p](a[p]) < value[p](b[p]):
        continue
    ma, mb = float(a["makespan_s"]), float(b["makespan_s"])
    biggest[p] = max(biggest[p], (ma - mb) / ma)
    if mb > ma * 1.001:
        failures.append(f"{p} {a[p]} -> {b[p]}: makespan {ma:.1f} s -> {mb:.1f} s (longer)")
    if p != "link_bandwidth_factor" and float(b["cache_hit_rate"]) + 1e-9 < float(a["cache_hit_rate"]):
        failures.append(f"{p} {a[p]} -> {b[p]}: cache hit rate {a['cache_hit_rate']} -> {b['cache_hit_rate']}")
for r in rows:
    print(f"point {r['point']}: cache {r['cache_size']:>6} hitrate {r['hitrate']:>4} wan x{r['link_bandwidth_factor']:<4}"
          f" makespan {float(r['makespan_s']):8.1f} s  cache hit rate {float(r['cache_hit_rate']):.3f}")
for p, gain in biggest.items():
    print(f"{p}: largest makespan reduction {100 * gain:.1f} %")
    if gain < 0.05:
        failures.append(f"{p}: no point pair changes the makespan by more than 5 % ({100 * gain:.2f} %)")
if failures:
    print("FAILED:\n" + "\n".join(failures))
    sys.exit(1)
print("scan shows its effects")
