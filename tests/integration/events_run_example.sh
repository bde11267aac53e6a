#!/usr/bin/env bash
# usage: events_run_example.sh HEPKIT PLUGIN.so HZZ.root JSROOT_STATS.json OUTDIR EXAMPLE.yaml
# example.events_plugin: the plugin example (examples/events/plugin/) as a user runs it — the
# configuration next to build/libmy_steps.so (the test's build of TransverseMass.cpp) — on
# uproot's HZZ sample, with 1 and 2 threads. Checks, against computations that are not hepkit's:
# - the `all` ntuple's sums of NMuon and MET_px equal jsroot's (the reference tree statistics);
# - every mT of the `muon` ntuple equals sqrt(2 pt met (1 - cos(phi - met_phi))) computed here by
#   python from the same row's inputs, and the histogram's counts equal numpy.histogram's of them;
# - the outputs of 1 and 2 threads are identical.
set -u
hk="$1"; plugin="$2"; hzz="$3"; stats="$4"; out="$5"; example="$6"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"; mkdir -p "$out/build"
cp "$example" "$out/transverse_mass.yaml"
cp "$plugin" "$out/build/libmy_steps.so"
echo "$hzz" > "$out/files.txt"
for j in 1 2; do
  "$hk" events run "$out/transverse_mass.yaml" --files-from "$out/files.txt" -j $j -o "$out/run-j$j" \
    || fail "hepkit events run -j $j"
done
diff -r "$out/run-j1/all" "$out/run-j2/all" >/dev/null || fail "outputs of -j 1 and -j 2 differ (all)"
diff -r "$out/run-j1/muon" "$out/run-j2/muon" >/dev/null || fail "outputs of -j 1 and -j 2 differ (muon)"
/usr/bin/python3 - "$out/run-j1" "$stats" <<'PY' || exit 1
import csv, json, math, sys
import numpy as np
run, stats = sys.argv[1], json.load(open(sys.argv[2]))["branches"]
rows = list(csv.DictReader(open(f"{run}/all/met.csv")))
assert len(rows) == 2421, len(rows)
n_muon = sum(int(r["NMuon"]) for r in rows)
met_px = math.fsum(float(r["MET_px"]) for r in rows)
assert n_muon == stats["NMuon"]["sum"], (n_muon, stats["NMuon"]["sum"])
assert abs(met_px - stats["MET_px"]["sum"]) < 1e-6 * 2421 * 100, (met_px, stats["MET_px"]["sum"])
muons = list(csv.DictReader(open(f"{run}/muon/muons.csv")))
assert len(muons) == sum(1 for r in rows if int(r["NMuon"]) >= 1), len(muons)
mts = []
for r in muons:
    pt, phi, met, met_phi = (float(r[k]) for k in ("mu_pt", "mu_phi", "met_pt", "met_phi"))
    want = math.sqrt(2 * pt * met * (1 - math.cos(phi - met_phi)))
    assert abs(float(r["mt"]) - want) <= 1e-9 * max(1.0, want), (r, want)
    mts.append(float(r["mt"]))
h = json.load(open(f"{run}/muon/mt.json"))
counts, _ = np.histogram(mts, bins=50, range=(0, 250))
assert [round(c) for c in h["counts"]] == counts.tolist(), (h["counts"], counts.tolist())
print(f"{len(rows)} events, {n_muon} muons (jsroot: {stats['NMuon']['sum']}), sum MET_px {met_px:.6f} "
      f"(jsroot: {stats['MET_px']['sum']:.6f}), {len(mts)} mT values as computed here, histogram as numpy's")
PY
echo "events plugin example ok"
