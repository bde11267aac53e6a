#!/usr/bin/env bash
# usage: check_grid_outputs.sh HEPKIT OUTDIR SCENARIO: runs the scenario with every output and
# checks them: trace header (DCSim's columns first) and one line per job, summary JSON keys,
# time series rows.
set -eu
hk="$1"; out="$2"; scenario="$3"
rm -f "$out/grid-trace.csv" "$out/grid-summary.json" "$out/grid-ts.csv"
"$hk" sim "$scenario" -o "$out/grid-trace.csv" --summary-json "$out/grid-summary.json" \
      --timeseries "$out/grid-ts.csv" --timeseries-interval 120
head -1 "$out/grid-trace.csv" | grep -q '^job.tag, machine.name, hitrate, job.start, job.end, job.computetime, job.flops, infiles.transfertime, infiles.size, outfiles.transfertime, outfiles.size, site,'
# no GPU and no power model on this platform: no gpu_* and no energy columns (docs/formats.md)
head -1 "$out/grid-trace.csv" | grep -q ', bytes_from_remote, status$' || { echo "trace header: $(head -1 "$out/grid-trace.csv")"; exit 1; }
jobs=$(($(wc -l < "$out/grid-trace.csv") - 1))
[ "$jobs" -gt 0 ] || { echo "empty trace"; exit 1; }
for key in makespan_s overall sites status transfer_classes cpu_efficiency cache_hit_rate utilisation; do
  grep -q "\"$key\"" "$out/grid-summary.json" || { echo "summary lacks $key"; exit 1; }
done
head -1 "$out/grid-ts.csv" | grep -qx 'time,kind,name,value'
grep -q ',busy_cores,' "$out/grid-ts.csv" && grep -q ',link_load,' "$out/grid-ts.csv" && grep -q ',cache_used,' "$out/grid-ts.csv"
echo "outputs ok: $jobs jobs"
