#!/usr/bin/env bash
# usage: run_example.sh HEPKIT JSROOT_DIR EXAMPLE_DIR CONFIG CHECK TREE INPUT.root OUTDIR [--fit]
#
# One example of `hepkit events` (examples/events/) as a test, checked against an independent
# computation (check_examples.py on the input branches as jsroot reads them, dump.mjs):
#  1. the example as a user runs it (its own batches, -j 1) on INPUT.root (given by --files-from,
#     so the configuration's relative path to the reference data does not matter); with --fit,
#     `hepkit fit` on the example's fit.yml next to that output (the fit reads the histogram JSON
#     of hepkit events directly), redone by check_examples.py with scipy;
#  2. the same configuration cut into batches of 64 entries, with -j 1 and -j 2: the outputs must be
#     byte-identical (report.json aside: it holds times; the .root files' time stamps fixed by
#     SOURCE_DATE_EPOCH), and equal the independent computation.
# CHECK is check_examples.py's EXAMPLE (dimuon-hzz, dimuon-nanoaod, ttbar); TREE the input tree.
# Skips (exit 77) without node or without jsroot in JSROOT_DIR (scripts/test installs it there).
set -u
hk="$1"; jsroot="$2"; exdir="$3"; config="$4"; check="$5"; tree="$6"; input="$7"; out="$8"
fit="${9:-}"
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../../.." && pwd)"
fail() { echo "FAIL: $*"; exit 1; }
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed (the independent check reads the ROOT file with jsroot under node)"
  exit 77
fi
if [ ! -f "$jsroot/node_modules/jsroot/modules/main.mjs" ]; then
  echo "SKIPPED: jsroot missing: $jsroot/node_modules/jsroot (scripts/test installs it: npm install --prefix $jsroot jsroot@7.11.2)"
  exit 77
fi
py=/usr/bin/python3
if ! "$py" -c 'import numpy, scipy' 2>/dev/null; then
  echo "SKIPPED: $py with numpy and scipy is needed for the independent check"
  exit 77
fi

rm -rf "$out"; mkdir -p "$out"
cp -r "$exdir" "$out/example"
echo "$input" > "$out/files.txt"

# The branches the example reads, as jsroot reads them.
# ntuple: a ROOT ntuple of the example (PIPELINE/NAME) and its branches, read back by jsroot too.
ntuple=""; ntuple_branches=""
case "$check" in
  dimuon-hzz|dimuon-nanoaod)
    ntuple="zmumu/z_candidates"; ntuple_branches="m_mumu weight GoodMuon_pt GoodMuon_eta GoodMuon_phi" ;;
esac
case "$check" in
  dimuon-hzz) branches="Muon_Px Muon_Py Muon_Pz Muon_Charge EventWeight" ;;
  dimuon-nanoaod) branches="Muon_pt Muon_eta Muon_phi Muon_charge genWeight" ;;
  ttbar) branches="Muon_pt Muon_eta Muon_phi Muon_pfRelIso04_all Electron_pt Electron_eta Electron_phi
                   Electron_cutBased Jet_pt Jet_eta Jet_phi Jet_jetId Jet_btagCSVV2 MET_pt MET_phi genWeight" ;;
  *) fail "unknown check '$check'" ;;
esac
# shellcheck disable=SC2086
node "$here/dump.mjs" "$jsroot" "$input" "$tree" "$out/dump.json" $branches || fail "jsroot could not read $input"

# 1. as a user runs it
"$hk" -q events run "$out/example/$config" --files-from "$out/files.txt" -j 1 -o "$out/example/out" \
  || fail "hepkit events run $config"
# a nominal and a shifted histogram of the first pipeline, their .root files read by jsroot
pipeline=""
for d in "$out/example/out"/*/; do pipeline="$(basename "$d")"; break; done
[ -n "$pipeline" ] || fail "no pipeline folder in $out/example/out"
nominal=""; shifted=""
for f in "$out/example/out/$pipeline"/*.root; do
  stem="$(basename "$f" .root)"
  case "$stem" in
    *__*) [ -n "$shifted" ] || shifted="$stem" ;;
    *) [ -n "$nominal" ] || nominal="$stem" ;;
  esac
done
if [ -z "$nominal" ] || [ -z "$shifted" ]; then fail "no nominal or no shifted .root histogram in $out/example/out/$pipeline"; fi
args=()
for stem in "$nominal" "$shifted"; do
  node "$src/tests/io/jsroot/read.mjs" "$out/example/out/$pipeline/$stem.root" "$jsroot" > "$out/jsroot-$stem.json" \
    || fail "jsroot could not read $pipeline/$stem.root"
  args+=(--jsroot-hist "$out/jsroot-$stem.json" "$pipeline/$stem")
done
if [ -n "$ntuple" ]; then
  mkdir -p "$out/ntuples/$(dirname "$ntuple")"
  for f in "$out/example/out/$ntuple".root "$out/example/out/$ntuple"__*.root; do
    # shellcheck disable=SC2086
    node "$here/dump.mjs" "$jsroot" "$f" Events "$out/ntuples/$(dirname "$ntuple")/$(basename "$f" .root).json" \
      $ntuple_branches || fail "jsroot could not read the ntuple $f"
  done
  args+=(--ntuple-dumps "$out/ntuples")
fi
if [ "$fit" = "--fit" ]; then
  (cd "$out/example" && "$hk" -q fit fit.yml --report-json "$out/fit.json") || fail "hepkit fit fit.yml"
  args+=(--fit "$out/fit.json")
  # the same histograms as a HistFactory workspace (infer.yaml): Asimov data, so mu = 1 and the
  # muon-scale nuisance 0 (closed form: the data are the nominal expectation)
  (cd "$out/example" && "$hk" -q infer infer.yaml --json "$out/infer.json") || fail "hepkit infer infer.yaml"
  "$py" -c 'import json, sys; p = json.load(open(sys.argv[1]))["parameters"]
assert abs(p["mu"]["value"] - 1) < 1e-3 and abs(p["muon_scale"]["value"]) < 1e-3, p["mu"]' "$out/infer.json" \
    || fail "hepkit infer infer.yaml: mu != 1 or muon_scale != 0 on Asimov data"
fi
"$py" "$here/check_examples.py" "$check" "$out/dump.json" "$out/example/out" "${args[@]}" || exit 1

# 2. small batches, 1 and 2 threads
mkdir -p "$out/batched"
cp -r "$exdir"/. "$out/batched/"
sed -i 's/^inputs:.*$/&\n  batch_entries: 64/' "$out/batched/$config"
grep -q '^  batch_entries: 64$' "$out/batched/$config" || fail "could not set batch_entries in $config"
# SOURCE_DATE_EPOCH fixes the time stamps (and the UUID drawn from them) of the .root outputs,
# which otherwise differ between two runs in different seconds (docs/events-outputs.md)
for j in 1 2; do
  SOURCE_DATE_EPOCH=1764633600 "$hk" -q events run "$out/batched/$config" --files-from "$out/files.txt" -j $j -o "$out/batched-j$j" \
    || fail "hepkit events run $config -j $j (batches of 64)"
done
batches="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["batches"])' "$out/batched-j2/report.json")"
[ "$batches" -gt 1 ] || fail "batch_entries 64 gave $batches batch(es)"
diff -r -x report.json "$out/batched-j1" "$out/batched-j2" >/dev/null \
  || fail "outputs of -j 1 and -j 2 differ: diff -r $out/batched-j1 $out/batched-j2"
"$py" "$here/check_examples.py" "$check" "$out/dump.json" "$out/batched-j2" >/dev/null \
  || { "$py" "$here/check_examples.py" "$check" "$out/dump.json" "$out/batched-j2"; exit 1; }
echo "$batches batches of 64 entries: -j 1 and -j 2 outputs identical, equal to the independent computation"
echo "all checks of events example $check passed"
