#!/usr/bin/env bash
# usage: deterministic.sh HEPKIT OUTDIR ARGS...  runs `HEPKIT sim ARGS -o` twice; the traces
# must be byte-identical.
set -eu
hk="$1"; out="$2"; shift 2
"$hk" -q sim "$@" -o "$out/det1.csv"
"$hk" -q sim "$@" -o "$out/det2.csv"
cmp "$out/det1.csv" "$out/det2.csv"
echo "identical: $(wc -l < "$out/det1.csv") lines"
