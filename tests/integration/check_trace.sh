#!/usr/bin/env bash
# usage: check_trace.sh TRACE ROWS -- COMMAND...   runs COMMAND, then checks that TRACE has the
# header id,start,end, ROWS data rows, and every end >= start >= 0.
set -eu
trace="$1"; rows="$2"; shift 3
rm -f "$trace"
"$@"
head -1 "$trace" | grep -qx 'id,start,end'
n=$(($(wc -l < "$trace") - 1))
[ "$n" = "$rows" ] || { echo "trace has $n rows, expected $rows"; exit 1; }
awk -F, 'NR>1 && !($2 >= 0 && $3 >= $2) {print "bad row: " $0; bad=1} END {exit bad}' "$trace"
echo "trace ok: $n rows"
