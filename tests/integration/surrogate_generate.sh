#!/usr/bin/env bash
# usage: surrogate_generate.sh HEPKIT OUTDIR SPACE.yaml
# hepkit surrogate generate as a user runs it (the example space): every sample simulated and
# indexed; run again, every sample found done; a sample removed is run again alone; the features
# refreshed without simulating (--refresh-features) give the same index. Then the same
# space as HTCondor and Slurm job arrays run by a local loop over the task indices, merged by
# merge.sh: the index equals the in-process one, and merge.sh fails naming a missing sample.
set -u
hk="$1"; out="$2"; space="$3"
fail() { echo "FAIL: $*"; exit 1; }
data="$out/surrogate-data"
rm -rf "$data"
msg=$("$hk" surrogate generate "$space" -o "$data" -j 2) || fail "generate: $msg"
n=$(sed -n 's/^samples: *//p' "$space")
grep -q "$n samples simulated" <<<"$msg" || fail "first run: $msg"
rows=$(($(wc -l < "$data/index.csv") - 1))
[ "$rows" = "$n" ] || fail "index.csv has $rows rows for $n samples"
# every column named once (a reader keyed by name would take one of two)
twice=$(head -n 1 "$data/index.csv" | tr ',' '\n' | sort | uniq -d)
[ -z "$twice" ] || fail "index.csv names columns twice: $twice"
grep -q '"seed"' "$data/space.json" || fail "no space.json"
msg=$("$hk" surrogate generate "$space" -o "$data") || fail "second run: $msg"
grep -q "0 samples simulated .*, $n already done" <<<"$msg" || fail "second run: $msg"
rm "$data/scenarios/000003/observables.json"
msg=$("$hk" surrogate generate "$space" -o "$data") || fail "resume: $msg"
grep -q "1 samples simulated .*, $((n - 1)) already done" <<<"$msg" || fail "resume: $msg"
# --refresh-features: the features computed again from the stored scenarios, nothing simulated;
# the index is the same; with --index-only it is a usage error (64)
cp "$data/index.csv" "$out/surrogate-index-before.csv"
msg=$("$hk" surrogate generate "$space" -o "$data" --refresh-features) || fail "refresh: $msg"
grep -q "features of $n samples computed again (nothing simulated)" <<<"$msg" || fail "refresh: $msg"
cmp "$data/index.csv" "$out/surrogate-index-before.csv" || fail "refresh: the index changed"
"$hk" surrogate generate "$space" -o "$data" --refresh-features --index-only 2>/dev/null
[ $? -eq 64 ] || fail "refresh with --index-only: expected exit 64"
# every sample's scenario runs again with hepkit sim, giving the trace stored with it
"$hk" -q sim "$data/scenarios/000005/scenario.yaml" -o "$out/again.csv" || fail "hepkit sim on a sample"
cmp "$out/again.csv" "$data/scenarios/000005/trace.csv" || fail "sample 5's trace differs from hepkit sim's"
# The arrays on 6 samples of the same space (each task is a process: ~0.4 s of start-up), compared
# with the first 6 of the in-process index (a sample does not depend on how many there are).
small="$out/surrogate-space6.yaml"
base=$(cd "$(dirname "$space")" && pwd)/$(sed -n 's/^base: *//p' "$space")
sed -e 's/^samples: .*/samples: 6/' -e "s|^base: .*|base: $base|" "$space" > "$small"
head -n 7 "$data/index.csv" > "$out/surrogate-index6.csv"
n=6
for kind in condor slurm; do
  dir="$out/surrogate-emit-$kind"; adata="$out/surrogate-data-$kind"
  rm -rf "$dir" "$adata"
  "$hk" surrogate generate "$small" -o "$adata" --emit "$kind" --emit-dir "$dir" || fail "$kind: --emit"
  if [ "$kind" = condor ]; then
    count=$(sed -n 's/^queue \([0-9]*\)$/\1/p' "$dir/surrogate.sub")
    exe=$(sed -n 's/^executable = //p' "$dir/surrogate.sub")
    args=$(sed -n 's/^arguments = //p' "$dir/surrogate.sub")
    [ "$count" = "$n" ] || fail "condor: queue $count, expected $n"
    for ((i = 0; i < count; i++)); do "$exe" ${args//\$(Process)/$i} || fail "condor: task $i"; done
  else
    last=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$dir/surrogate.sbatch")
    [ "$last" = "$((n - 1))" ] || fail "slurm: --array=0-$last, expected 0-$((n - 1))"
    for ((i = 0; i <= last; i++)); do SLURM_ARRAY_TASK_ID=$i sh "$dir/surrogate.sbatch" || fail "slurm: task $i"; done
  fi
  [ ! -e "$adata/index.csv" ] || fail "$kind: a task wrote the index"
  "$dir/merge.sh" > /dev/null || fail "$kind: merge.sh"
  cmp "$adata/index.csv" "$out/surrogate-index6.csv" || fail "$kind: the array's index differs from the in-process one"
  rm "$adata/index.csv" "$adata/scenarios/000002/observables.json"
  if msg=$("$dir/merge.sh" 2>&1); then fail "$kind: merge.sh succeeded with a sample missing"; fi
  grep -q "1 of $n samples are not done (samples 2)" <<<"$msg" || fail "$kind: merge.sh message: $msg"
  [ ! -e "$adata/index.csv" ] || fail "$kind: index.csv written with a sample missing"
  echo "$kind: $n tasks, merge.sh wrote the same index"
done
# the other example bases and spaces (unseen platforms): every base simulates, every space generates
exdir=$(dirname "$space")
for b in "$exdir"/base*.yaml; do
  "$hk" -q sim "$b" -o "$out/surrogate-base.csv" || fail "hepkit sim $b"
done
for sp in space-platforms space-unseen space-random space-x5 space-x10 space-x20; do
  rm -rf "$out/surrogate-$sp"
  msg=$("$hk" surrogate generate "$exdir/$sp.yaml" -o "$out/surrogate-$sp" -j 2) || fail "$sp: $msg"
  want=$(sed -n 's/^samples: *//p' "$exdir/$sp.yaml")
  grep -q "$want samples simulated" <<<"$msg" || fail "$sp: $msg"
done
bases=$(cut -d, -f3 "$out/surrogate-space-platforms/index.csv" | tail -n +2 | sort -u | tr '\n' ' ')
[ "$bases" = "0 1 " ] || fail "space-platforms drew the bases '$bases', expected both"
# random platforms: every sample its own platform, hosts counts that differ
hosts=$(for d in "$out"/surrogate-space-random/scenarios/*/; do grep -c "<host \|<cluster " "$d/platform.xml"; done | sort -u | wc -l)
[ "$hosts" -ge 3 ] || fail "space-random: platforms of only $hosts kinds"
echo "surrogate generate ok"
