#!/usr/bin/env python3
"""usage: events_rntuple.py HEPKIT REFERENCE_DIR SOURCE_DIR OUTDIR

events.run_rntuple: `hepkit events run tests/integration/events_rntuple.yaml` (the dimuon example's
selection, NanoAOD product names) on RNTuple inputs, as a user runs it. Checks, against numbers
that are not hepkit's:
- DoubleMu RNTuple: the products as read (entries and sums of Muon_pt, Muon_charge, nMuon) equal
  jsroot 7.11.2's statistics of the RNTuple (tests/io/data/*.ntuple-stats.json);
- its cut flow equals the hand computation of tests/events/RNTupleInputTest.cpp (pairs of muons
  with pT > 20, |eta| < 2.4, opposite charges, 60 < m < 120: 135, 119, 98 events of 1000);
- the outputs of 1 and 2 threads are identical;
- the same configuration, unchanged, on the NanoAOD TTree and on the NanoAOD importer's RNTuple
  (--files-from): nMuon and Muon_pt sums equal uproot's (TTree) and jsroot's (RNTuple) statistics.
"""
import filecmp
import json
import math
import os
import shutil
import subprocess
import sys

hk, ref, src, out = sys.argv[1:5]
config = os.path.join(src, "tests/integration/events_rntuple.yaml")
root_files = os.path.join(ref, "root-files")
double_mu = "Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0"
ttbar_ntuple = "cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1"
ttbar_tree = "nanoAOD_2015_CMS_Open_Data_ttbar"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def run(name, file, threads):
    outdir = os.path.join(out, name)
    os.makedirs(out, exist_ok=True)
    listing = os.path.join(out, name + ".txt")
    with open(listing, "w") as f:
        f.write(os.path.join(root_files, file) + "\n")
    cmd = [hk, "-q", "events", "run", config, "--files-from", listing, "-j", str(threads), "-o", outdir]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return outdir


def load(path):
    with open(path) as f:
        return json.load(f)


def close(got, want, what):
    if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
        fail(f"{what}: {got!r}, expected {want!r}")


def check_read(outdir, stats, what):
    """The `read` pipeline's histograms against the statistics of the file's fields."""
    b = stats["branches"]
    pt = load(os.path.join(outdir, "read/muon_pt.json"))
    if pt["entries"] != b["Muon_pt"]["n"]:
        fail(f"{what}: Muon_pt entries {pt['entries']}, expected {b['Muon_pt']['n']}")
    close(pt["stats"]["sumwx"], b["Muon_pt"]["sum"], f"{what}: sum of Muon_pt")
    n = load(os.path.join(outdir, "read/n_muon.json"))
    if n["entries"] != stats["entries"]:
        fail(f"{what}: nMuon entries {n['entries']}, expected {stats['entries']}")
    close(n["stats"]["sumwx"], b["nMuon"]["sum"], f"{what}: sum of nMuon")
    q = load(os.path.join(outdir, "read/muon_charge.json"))
    close(q["stats"]["sumwx"], b["Muon_charge"]["sum"], f"{what}: sum of Muon_charge")
    flow = load(os.path.join(outdir, "read/cutflow.json"))["nominal"]
    if flow[0]["events"] != stats["entries"]:
        fail(f"{what}: cut flow 'all' {flow[0]['events']}, expected {stats['entries']}")


shutil.rmtree(out, ignore_errors=True)

# DoubleMu RNTuple, 1 and 2 threads
j1 = run("doublemu-j1", double_mu + ".root", 1)
j2 = run("doublemu-j2", double_mu + ".root", 2)
for pipeline in ("read", "zmumu"):
    d = filecmp.dircmp(os.path.join(j1, pipeline), os.path.join(j2, pipeline))
    if d.left_only or d.right_only or d.diff_files or d.funny_files:
        fail(f"outputs of -j 1 and -j 2 differ ({pipeline}): {d.diff_files or d.left_only or d.right_only}")
    # dircmp compares by os.stat signature first: compare contents explicitly
    for name in d.common_files:
        if not filecmp.cmp(os.path.join(j1, pipeline, name), os.path.join(j2, pipeline, name), shallow=False):
            fail(f"outputs of -j 1 and -j 2 differ: {pipeline}/{name}")
check_read(j1, load(os.path.join(src, "tests/io/data", double_mu + ".ntuple-stats.json")), "DoubleMu RNTuple")
flow = load(os.path.join(j1, "zmumu/cutflow.json"))["nominal"]
got = [(row["label"], row["events"]) for row in flow]
want = [("all", 1000), ("two_muons", 135), ("opposite_charge", 119), ("z_window", 98)]
if got != want:
    fail(f"DoubleMu RNTuple: cut flow {got}, expected {want}")
m = load(os.path.join(j1, "zmumu/m_mumu.json"))
if sum(m["counts"]) != 98:
    fail(f"DoubleMu RNTuple: m_mumu holds {sum(m['counts'])}, expected 98")

# the same configuration on the NanoAOD TTree and on the importer's RNTuple
tree = run("ttbar-tree", ttbar_tree + ".root", 2)
check_read(tree, load(os.path.join(root_files, "expected", ttbar_tree + ".tree-stats.json")), "NanoAOD TTree")
ntuple = run("ttbar-rntuple", ttbar_ntuple + ".root", 2)
check_read(ntuple, load(os.path.join(src, "tests/io/data", ttbar_ntuple + ".ntuple-stats.json")),
           "NanoAOD importer RNTuple")
print("events run on RNTuples ok")
