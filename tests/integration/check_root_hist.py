#!/usr/bin/python3
"""`hepkit root hist --json` on the reference files against jsroot's values (expected/*.hists.json,
an independent reader): class, title, binning, entries, statistics sums, the sum and the first
bins of the flat bin array; bin errors as ROOT defines them without sumw2 (sqrt of the content).

usage: check_root_hist.py HEPKIT REFERENCE_DIR OUT_DIR
"""
import json
import math
import subprocess
import sys

hepkit, ref, out = sys.argv[1:4]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


for root_name in ("uproot-hepdata-example", "uproot-histograms"):
    with open(f"{ref}/root-files/expected/{root_name}.hists.json", encoding="utf-8") as f:
        expected = json.load(f)["objects"]
    for name, want in expected.items():
        target = f"{out}/root-hist-{root_name}-{name}.json"
        run = subprocess.run([hepkit, "root", "hist", f"{ref}/root-files/{root_name}.root", name, "--json", target],
                             capture_output=True, text=True, timeout=60)
        check(run.returncode == 0, f"{name}: exit {run.returncode}: {run.stderr}")
        if run.returncode != 0:
            continue
        with open(target, encoding="utf-8") as f:
            got = json.load(f)
        where = f"{root_name}:{name}"
        check(got["class"] == want["class"], f"{where}: class {got['class']}")
        check(got["title"] == want["title"], f"{where}: title {got['title']}")
        x = got["axes"][0]
        check(x["nbins"] == want["nbinsx"], f"{where}: nbinsx {x['nbins']}")
        check(x["min"] == want["xmin"] and x["max"] == want["xmax"], f"{where}: x range")
        check(len(x["edges"]) == x["nbins"] + 1 and math.isclose(x["edges"][-1], want["xmax"]), f"{where}: edges")
        nbinsy = got["axes"][1]["nbins"] if got["dimension"] >= 2 else 1
        check(nbinsy == want["nbinsy"], f"{where}: nbinsy {nbinsy}")
        check(got["entries"] == want["entries"], f"{where}: entries {got['entries']}")
        check(got["stats"]["tsumw"] == want["tsumw"], f"{where}: tsumw")
        check(math.isclose(got["stats"]["tsumwx"], want["tsumwx"], rel_tol=1e-12), f"{where}: tsumwx")
        # jsroot's bins are ROOT's fArray: for a profile the sums of weight·y, not the means.
        raw = got["profile_data"]["sumwv"] if got["profile"] else got["contents"]
        check(len(raw) == want["n_array"], f"{where}: {len(raw)} cells")
        check(math.isclose(sum(raw), want["sum_all_bins"], rel_tol=1e-9), f"{where}: sum of bins {sum(raw)}")
        check(raw[: len(want["first_bins"])] == want["first_bins"], f"{where}: first bins {raw[:6]}")
        check(len(got["errors"]) == len(got["contents"]), f"{where}: errors length")
        if not got["profile"] and want["sumw2_len"] == 0:
            check(got["sumw2"] is None, f"{where}: sumw2 should be null")
            check(all(math.isclose(e, math.sqrt(abs(c)), rel_tol=1e-15) for e, c in zip(got["errors"], got["contents"])),
                  f"{where}: errors are not sqrt(content)")
        if got["profile"]:
            pd = got["profile_data"]
            means = [s / n if n else 0.0 for s, n in zip(pd["sumwv"], pd["bin_entries"])]
            check(all(math.isclose(m, c, rel_tol=1e-15, abs_tol=0) for m, c in zip(means, got["contents"])),
                  f"{where}: profile contents are not the means")
            check(pd["error_mode"] == "", f"{where}: error mode {pd['error_mode']!r}")

for f in failures:
    print("FAIL:", f)
print("root hist outputs ok" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
