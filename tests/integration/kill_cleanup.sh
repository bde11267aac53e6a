#!/usr/bin/env bash
# usage: kill_cleanup.sh HEPKIT OUTDIR
# Regression test (issue 12 §4): a run killed by SIGTERM, SIGINT or SIGHUP left its
# OUT.tmp.<pid> files behind. Starts a long grid run writing a trace, a summary and a time
# series, waits until the temporary files exist, sends the signal, and checks that the process
# died of that signal (exit status 128 + N), and that neither the outputs nor a temporary file
# remain.
set -u
set -m # job control: background jobs keep SIGINT's default action (a plain script ignores it)
hk="$1"; out="$2/kill"
rm -rf "$out"; mkdir -p "$out"
fail() { echo "FAIL: $*"; ls -la "$out"; exit 1; }
for sig in TERM INT HUP; do
  rm -f "$out"/*
  # the built-in scenario 2000 times over: 720 000 jobs, far longer than this test waits
  "$hk" -q sim -d 2000 -o "$out/trace.csv" --summary-json "$out/summary.json" \
    --timeseries "$out/ts.csv" 2>"$out/stderr.txt" &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    ls "$out"/trace.csv.tmp.* >/dev/null 2>&1 && break
    sleep 0.1
  done
  ls "$out"/trace.csv.tmp.* >/dev/null 2>&1 || fail "$sig: no temporary trace appeared"
  sleep 0.5
  kill -0 "$pid" 2>/dev/null || fail "$sig: the run ended before the signal (make it longer)"
  kill -s "$sig" "$pid"
  wait "$pid"; code=$?
  want=$((128 + $(kill -l "$sig")))
  [ "$code" = "$want" ] || fail "$sig: exit status $code, expected $want (killed by SIG$sig)"
  left=$(ls "$out" | grep -v '^stderr.txt$')
  [ -z "$left" ] || fail "$sig: left behind: $left"
  echo "SIG$sig: exit status $code, no output and no temporary file left"
done
echo "kill cleanup ok"
