#!/usr/bin/env bash
# usage: check_summary.sh HEPKIT OUTDIR
# The summary table (issue 12 §4): a run over many sites prints the 10 sites with most jobs,
# how many were left out and a total row (all rows with --all-sites); counts are singular for
# one ("1 job", "1 worker", "1 site"); a CPU-only platform's trace has no GPU or energy columns.
set -u
hk="$1"; out="$2/summary"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out"; mkdir -p "$out"
# 1 Tier-0 + 2 Tier-1 + 14 Tier-2 sites
"$hk" -q generate wlcg -o "$out/wlcg" --scale tiny --tier1 2 --tier2 14 --jobs 600 --seed 5 || fail "generate"
sites=$(grep -c '<zone id="T' "$out/wlcg/platform.xml")
table=$("$hk" sim "$out/wlcg/scenario.yaml" -o "$out/trace.csv") || fail "sim"
echo "$table"
ran=$(tail -n +2 "$out/trace.csv" | awk -F', ' '{print $12}' | sort -u | wc -l)
[ "$ran" -gt 10 ] || fail "only $ran sites ran jobs; the test needs more than 10"
rows=$(grep -cE '^  T[0-9]_' <<<"$table")
[ "$rows" = 10 ] || fail "$rows site rows, expected the top 10"
grep -q "\.\.\. $((ran - 10)) more sites (--all-sites lists every site)" <<<"$table" || fail "no '... $((ran - 10)) more sites' line"
# totals: every job of the trace in the 'all N sites' row
jobs=$(($(wc -l < "$out/trace.csv") - 1))
grep -qE "^  all $ran sites +[0-9]+ +$jobs " <<<"$table" || fail "no total row 'all $ran sites ... $jobs'"
# the rows shown are those with most jobs: the 10th has at least as many as any left out
counts=$(tail -n +2 "$out/trace.csv" | awk -F', ' '{print $12}' | sort | uniq -c | sort -rn | awk '{print $1}')
tenth=$(sed -n 10p <<<"$counts"); eleventh=$(sed -n 11p <<<"$counts")
shown_min=$(grep -E '^  T[0-9]_' <<<"$table" | awk '{print $3}' | sort -n | head -1)
[ "$shown_min" = "$tenth" ] && [ "$tenth" -ge "$eleventh" ] || fail "top 10 by jobs: smallest shown $shown_min, 10th $tenth, 11th $eleventh"
all=$("$hk" sim "$out/wlcg/scenario.yaml" --all-sites) || fail "--all-sites"
rows=$(grep -cE '^  T[0-9]_' <<<"$all")
[ "$rows" = "$ran" ] || fail "--all-sites: $rows rows, expected $ran"
# singular forms
one=$("$hk" sim -p "$(dirname "$0")/bad/grid_platform.xml" --jobs "$(dirname "$0")/one_job.csv" -o "$out/one.csv") || fail "one job"
echo "$one"
grep -q "(1 job on 1 worker in 1 site," <<<"$one" || fail "singular: $(head -1 <<<"$one")"
# a CPU grid's trace: DCSim's columns, hepkit's, no gpu_* and no energy
head -1 "$out/one.csv" | grep -q ', bytes_from_remote, status$' || fail "trace header $(head -1 "$out/one.csv")"
echo "summary ok ($ran sites, top 10 shown)"
