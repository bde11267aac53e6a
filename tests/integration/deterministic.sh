#!/usr/bin/env bash
# usage: deterministic.sh HEPKIT OUTDIR ARGS...  runs `HEPKIT sim ARGS -o` twice; the traces
# must be byte-identical. Each run gets its own folder under OUTDIR: tests run in parallel and
# two of them writing OUTDIR/det1.csv at once made each other fail.
set -eu
hk="$1"; out="$2"; shift 2
dir="$(mktemp -d "$out/det.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
"$hk" -q sim "$@" -o "$dir/det1.csv"
"$hk" -q sim "$@" -o "$dir/det2.csv"
cmp "$dir/det1.csv" "$dir/det2.csv"
echo "identical: $(wc -l < "$dir/det1.csv") lines"
