#!/usr/bin/env bash
# usage: check_root_dump.sh HEPKIT HZZ_FILE OUTDIR
# Dumps entries 0:20 of HZZ's NJet, Jet_Px and MET_px to CSV and checks the layout: a header of
# the three names, 20 rows, each Jet_Px cell holding NJet ';'-separated values; then to HDF5
# (when h5dump is installed) that Jet_Px is a group with values and offsets.
set -eu
hk="$1"; file="$2"; out="$3"
csv="$out/root-dump.csv"
"$hk" root dump "$file" --tree events --branches 'NJet,Jet_Px,MET_px' --entries 0:20 -o "$csv"
head -1 "$csv" | grep -qx 'NJet,Jet_Px,MET_px' || { echo "header: $(head -1 "$csv")"; exit 1; }
rows=$(($(wc -l <"$csv") - 1))
[ "$rows" = 20 ] || { echo "$rows rows, expected 20"; exit 1; }
/usr/bin/python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for i, r in enumerate(rows):
    values = [v for v in r["Jet_Px"].split(";") if v != ""]
    if len(values) != int(r["NJet"]):
        sys.exit(f"row {i}: {len(values)} Jet_Px values for NJet={r['NJet']}")
    float(r["MET_px"])
print("csv ok")
PY
h5="$out/root-dump.h5"
"$hk" root dump "$file" --tree events --branches 'Jet_*' --entries 100:200 -o "$h5"
if command -v h5dump >/dev/null; then
  h5dump -n "$h5" | grep -q '/Jet_Px/offsets' || { echo "no /Jet_Px/offsets in $h5"; exit 1; }
fi
echo "dump ok"
