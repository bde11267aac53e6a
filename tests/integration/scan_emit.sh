#!/usr/bin/env bash
# usage: scan_emit.sh HEPKIT OUTDIR SCAN.yaml
# Regression test for the emitted batch arrays (issue 12 §4): every array job used to write the
# same file (out/point_$1.csv inside single quotes), so merge.sh returned one row. Here a local
# loop over the array indices stands in for HTCondor and Slurm: it runs the emitted submit
# description's command for each index, then merge.sh, and checks one row per point, in order,
# equal to the in-process scan's table. Also: merge.sh refuses to merge with a point missing.
set -u
hk="$1"; out="$2"; scan="$3"
fail() { echo "FAIL: $*"; exit 1; }
"$hk" -q sim --scan "$scan" -o "$out/scan-inprocess.csv" || fail "in-process scan"
n=$(($(wc -l < "$out/scan-inprocess.csv") - 1))
[ "$n" -ge 2 ] || fail "scan has $n points"
for kind in condor slurm; do
  dir="$out/emit-$kind"
  rm -rf "$dir"
  "$hk" sim --scan "$scan" --emit "$kind" --emit-dir "$dir" || fail "$kind: --emit"
  if [ "$kind" = condor ]; then
    count=$(sed -n 's/^queue \([0-9]*\)$/\1/p' "$dir/scan.sub")
    exe=$(sed -n 's/^executable = //p' "$dir/scan.sub")
    args=$(sed -n 's/^arguments = //p' "$dir/scan.sub")
    [ "$count" = "$n" ] || fail "condor: queue $count, expected $n"
    for ((i = 0; i < count; i++)); do
      "$exe" ${args//\$(Process)/$i} || fail "condor: job $i"
    done
  else
    last=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$dir/scan.sbatch")
    [ "$last" = "$((n - 1))" ] || fail "slurm: --array=0-$last, expected 0-$((n - 1))"
    for ((i = 0; i <= last; i++)); do
      SLURM_ARRAY_TASK_ID=$i sh "$dir/scan.sbatch" || fail "slurm: task $i"
    done
  fi
  "$dir/merge.sh" || fail "$kind: merge.sh"
  rows=$(($(wc -l < "$dir/scan.csv") - 1))
  [ "$rows" = "$n" ] || fail "$kind: merge.sh gave $rows rows for $n points"
  firstcol=$(tail -n +2 "$dir/scan.csv" | cut -d, -f1 | tr '\n' ' ')
  want=$(seq 0 $((n - 1)) | tr '\n' ' ')
  [ "$firstcol" = "$want" ] || fail "$kind: points '$firstcol', expected '$want'"
  cmp "$dir/scan.csv" "$out/scan-inprocess.csv" || fail "$kind: merged table differs from the in-process scan"
  # a missing point: merge.sh names it, fails and writes nothing
  rm -f "$dir/scan.csv" "$dir/out/point_1.csv"
  if msg=$("$dir/merge.sh" 2>&1); then fail "$kind: merge.sh succeeded with a point missing"; fi
  grep -q "point_1.csv is missing" <<<"$msg" || fail "$kind: merge.sh message: $msg"
  [ ! -e "$dir/scan.csv" ] || fail "$kind: scan.csv written with a point missing"
  echo "$kind: $n array jobs, merge.sh gave $rows rows"
done
echo "scan emit ok"
