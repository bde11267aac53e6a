#!/usr/bin/env bash
# usage: events_run_emit.sh HEPKIT OUTDIR CONFIG FILE...
# hepkit events run --emit: a local loop over the array indices stands in for HTCondor and Slurm
# (as scan_emit.sh does for scans): it runs the command of the emitted submit description for
# each index, then merge.sh, and checks that the merged outputs equal one run over all the files
# (histograms, cut flows and ntuples); 5 files at 2 per job make 3 jobs, the last with one file.
# merge.sh must refuse to merge while a job has not finished.
set -u
hk="$1"; out="$2"; config="$3"; shift 3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
printf '%s\n' "$@" > "$out/files.txt"
n_files=$#
jobs=$(( (n_files + 1) / 2 ))
"$hk" -q events run "$config" --files-from "$out/files.txt" -o "$out/single" || fail "the single run"
compare() { # the merged outputs against the single run's
  /usr/bin/python3 - "$out/single" "$1" <<'PY' || fail "$1 differs from the single run"
import csv, json, os, sys
a, b = sys.argv[1], sys.argv[2]
for pipeline in sorted(os.listdir(a)):
    if not os.path.isdir(os.path.join(a, pipeline)):
        continue
    for name in sorted(os.listdir(os.path.join(a, pipeline))):
        pa, pb = os.path.join(a, pipeline, name), os.path.join(b, pipeline, name)
        assert os.path.exists(pb), f"{pb} is missing"
        if name.endswith(".json"):
            ja, jb = json.load(open(pa)), json.load(open(pb))
            assert ja == jb, f"{name}: {ja} != {jb}"
        elif name.endswith(".csv"):
            assert list(csv.reader(open(pa))) == list(csv.reader(open(pb))), f"{name} differs"
print(f"{b}: equal to the single run")
PY
}
for kind in condor slurm; do
  dir="$out/emit-$kind"
  "$hk" events run "$config" --files-from "$out/files.txt" --emit "$kind" --files-per-job 2 -o "$dir" \
    || fail "$kind: --emit"
  if [ "$kind" = condor ]; then
    count=$(sed -n 's/^queue \([0-9]*\)$/\1/p' "$dir/events.sub")
    exe=$(sed -n 's/^executable = //p' "$dir/events.sub")
    args=$(sed -n 's/^arguments = //p' "$dir/events.sub")
    [ "$count" = "$jobs" ] || fail "condor: queue $count, expected $jobs"
    for ((i = 0; i < count; i++)); do "$exe" ${args//\$(Process)/$i} || fail "condor: job $i"; done
  else
    last=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$dir/events.sbatch")
    [ "$last" = "$((jobs - 1))" ] || fail "slurm: --array=0-$last, expected 0-$((jobs - 1))"
    for ((i = 0; i <= last; i++)); do SLURM_ARRAY_TASK_ID=$i sh "$dir/events.sbatch" || fail "slurm: task $i"; done
  fi
  [ "$(grep -vc '^#' "$dir/files/job-$((jobs - 1)).txt")" = 1 ] || fail "$kind: the last job has not 1 file"
  "$dir/merge.sh" || fail "$kind: merge.sh"
  compare "$dir/merged"
  # an unfinished job: merge.sh names it and merges nothing
  rm -rf "$dir/merged" "$dir/job-1/report.json"
  if msg=$("$dir/merge.sh" 2>&1); then fail "$kind: merge.sh merged with job 1 unfinished"; fi
  grep -q "job 1 has not finished" <<<"$msg" || fail "$kind: merge.sh said: $msg"
  [ ! -e "$dir/merged" ] || fail "$kind: merged/ written with a job unfinished"
  echo "$kind: $jobs array jobs, merged outputs equal the single run's"
done
echo "events emit ok"
