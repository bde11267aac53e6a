#!/usr/bin/env python3
"""`hepkit events hist` and `hepkit events merge` on the reference ROOT files, against numbers
hepkit did not compute: the per-branch counts and sums of the reference folder's tree-stats files
(made with uproot, root-files/expected/*.tree-stats.json).

usage: check_events_hist.py HEPKIT REFERENCE_DIR OUTDIR     (prints "events hist outputs ok")
"""
import json
import math
import os
import shutil
import subprocess
import sys

hk, ref, out = sys.argv[1], sys.argv[2], os.path.join(sys.argv[3], "events-hist")
files = os.path.join(ref, "root-files")
hzz = os.path.join(files, "uproot-HZZ.root")
nano = os.path.join(files, "nanoAOD_2015_CMS_Open_Data_ttbar.root")
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)


def hist(name, *args, files=(hzz,), tree="events"):
    path = os.path.join(out, name)
    subprocess.run([hk, "-q", "events", "hist", *files, "--tree", tree, *args, "--json", path], check=True)
    with open(path) as f:
        return json.load(f)


def stats(stem):
    with open(os.path.join(files, "expected", stem + ".tree-stats.json")) as f:
        return json.load(f)["branches"]


def close(a, b, what):
    if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
        sys.exit(f"{what}: {a} != {b}")


# A jagged branch filled with itself as the weight, in one bin covering all its values: the bin's
# content is the branch's sum over all elements, its entries the number of elements.
s = stats("uproot-HZZ")
for branch in ("Muon_Px", "Jet_E", "NMuon"):
    lo, hi = s[branch]["min"], s[branch]["max"]
    h = hist(branch + ".json", "--expr", branch, "--weight", branch, "--bins", f"1,{lo - 1},{hi + 1}")
    close(h["counts"][0], s[branch]["sum"], branch + " sum")
    if h["entries"] != s[branch]["n"] or h["underflow"] != 0 or h["overflow"] != 0:
        sys.exit(f"{branch}: entries {h['entries']}, expected {s[branch]['n']}")

# 2D: x = Muon_Px per muon, y = NMuon per event (broadcast over the event's muons), weight Muon_Px,
# one cell covering everything: the cell holds Muon_Px's sum, the entries its count
lo, hi = s["Muon_Px"]["min"], s["Muon_Px"]["max"]
h2 = hist("px_nmu.json", "--expr", "Muon_Px", "--y", "NMuon", "--weight", "Muon_Px", "--bins", f"1,{lo - 1},{hi + 1}",
          "--y-bins", "1,0,10")
close(h2["counts"][0][0], s["Muon_Px"]["sum"], "2D cell sum")
if h2["dimension"] != 2 or h2["entries"] != s["Muon_Px"]["n"] or len(h2["counts_flow"]) != 3:
    sys.exit(f"2D histogram: {h2['dimension']}, {h2['entries']} entries")

# NanoAOD, tree Events: Jet_pt's sum and count; a jagged cut splits the elements into two parts
# whose contents add up to the whole (|eta| < 2.4 and its complement)
n = stats("nanoAOD_2015_CMS_Open_Data_ttbar")
whole = hist("jet.json", "--expr", "Jet_pt", "--weight", "Jet_pt", "--bins", "1,0,100000", files=(nano,),
             tree="Events")
close(whole["counts"][0], n["Jet_pt"]["sum"], "Jet_pt sum")
if whole["entries"] != n["Jet_pt"]["n"]:
    sys.exit(f"Jet_pt entries {whole['entries']}, expected {n['Jet_pt']['n']}")
central = hist("central.json", "--expr", "Jet_pt", "--weight", "Jet_pt", "--cut", "abs(Jet_eta) < 2.4",
               "--bins", "1,0,100000", files=(nano,), tree="Events")
forward = hist("forward.json", "--expr", "Jet_pt", "--weight", "Jet_pt", "--cut", "abs(Jet_eta) >= 2.4",
               "--bins", "1,0,100000", files=(nano,), tree="Events")
close(central["counts"][0] + forward["counts"][0], whole["counts"][0], "central + forward jets")
if central["entries"] + forward["entries"] != whole["entries"] or forward["entries"] == 0:
    sys.exit("the jagged cut does not split the jets")

# Same output whatever the thread count, over a chain of two files.
args = ["--expr", "sqrt(Muon_Px**2 + Muon_Py**2)", "--cut", "NMuon >= 2", "--weight", "EventWeight",
        "--bins", "20,0,100"]
one = hist("j1.json", *args, "-j", "1", files=(hzz, hzz))
three = hist("j3.json", *args, "-j", "3", files=(hzz, hzz))
one.pop("name"), three.pop("name")  # named after the output file
if one != three:
    sys.exit("-j 1 and -j 3 differ")

# Regression (each round of clusters started from the running total, so totals grew beyond the
# events): six files on one thread are two rounds of clusters; the entries are six times one file's.
six = hist("six.json", "--expr", "Muon_Px", "--bins", "1,-1000,1000", "-j", "1", files=(hzz,) * 6)
if six["entries"] != 6 * s["Muon_Px"]["n"]:
    sys.exit(f"six files: {six['entries']} entries, expected {6 * s['Muon_Px']['n']}")

# merge: the histograms of the two files, merged, equal the chain's (entries, bins, sumw2)
for part in ("a", "b"):
    os.makedirs(os.path.join(out, part))
    hist(os.path.join(part, "pt.json"), *args)
merged = os.path.join(out, "merged")
subprocess.run([hk, "-q", "events", "merge", os.path.join(out, "a"), os.path.join(out, "b"), "-o", merged],
               check=True)
with open(os.path.join(merged, "pt.json")) as f:
    m = json.load(f)
for key in ("counts", "sumw2", "underflow", "overflow", "entries", "edges"):
    if m[key] != one[key]:
        sys.exit(f"merged {key} {m[key]} differ from the chain's {one[key]}")

# hepkit fit takes the histogram as it is (dataset: {file: ...}), kafe2's default normal density
with open(os.path.join(out, "fit.yml"), "w") as f:
    f.write("type: histogram\ndataset:\n  file: px.json\n")
hist("px.json", "--expr", "Muon_Px", "--bins", "40,-60,60")
fit = subprocess.run([hk, "fit", os.path.join(out, "fit.yml")], capture_output=True, text=True)
if fit.returncode not in (0, 3) or "histogram fit" not in fit.stdout:
    sys.exit(f"hepkit fit of the histogram: exit {fit.returncode}\n{fit.stdout}{fit.stderr}")

print("events hist outputs ok")
