#!/usr/bin/env bash
# usage: generate_and_run.sh HEPKIT DIR: generates the tiny WLCG preset twice with the same seed
# (files must be identical) and once with another seed (must differ), then runs it: every job
# must end done.
set -eu
hk="$1"; dir="$2"
rm -rf "$dir" "$dir-again" "$dir-other"
"$hk" generate wlcg -o "$dir" --scale tiny --seed 3
"$hk" -q generate wlcg -o "$dir-again" --scale tiny --seed 3
"$hk" -q generate wlcg -o "$dir-other" --scale tiny --seed 4
for f in platform.xml datasets.json workloads.json; do cmp "$dir/$f" "$dir-again/$f"; done
! cmp -s "$dir/platform.xml" "$dir-other/platform.xml"
grep -q 'T0_CERN' "$dir/platform.xml"
out=$("$hk" sim "$dir/scenario.yaml" -o "$dir/trace.csv")
echo "$out"
grep -qE 'jobs +[0-9]+ done, 0 failed' <<<"$out"
echo "sites: $(grep -c '<zone id="T' "$dir/platform.xml")"
