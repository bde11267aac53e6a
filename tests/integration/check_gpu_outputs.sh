#!/usr/bin/env bash
# usage: check_gpu_outputs.sh HEPKIT OUTDIR SCENARIO: runs the GPU example with every output and
# checks the GPU columns of the trace, the per-policy summary and the per-GPU time series.
set -eu
hk="$1"; out="$2"; scenario="$3"
rm -f "$out/gpu-trace.csv" "$out/gpu-summary.json" "$out/gpu-ts.csv"
"$hk" sim "$scenario" -o "$out/gpu-trace.csv" --summary-json "$out/gpu-summary.json" \
      --timeseries "$out/gpu-ts.csv" --timeseries-interval 60
head -1 "$out/gpu-trace.csv" | grep -q 'status, gpu_device, gpu_policy, gpu_time, gpu_memory, energy$'
rows=$(($(wc -l < "$out/gpu-trace.csv") - 1))
[ "$rows" = 232 ] || { echo "trace has $rows rows, expected 232"; exit 1; }
# 168 GPU jobs: a device, the policy, a positive GPU time and energy
gpu=$(awk -F', ' 'NR>1 && $20 ~ /^gpu0[12]\/gpu[0-3]$/ && $21 ~ /^mps:4/ && $22 > 0 && $24 > 0' "$out/gpu-trace.csv" | wc -l)
[ "$gpu" = 168 ] || { echo "$gpu GPU rows with device, policy, GPU time and energy, expected 168"; exit 1; }
grep -q '"jobs_per_gpu_hour"' "$out/gpu-summary.json"
grep -q '"joules_per_job"' "$out/gpu-summary.json"
grep -q '"host_energy_J"' "$out/gpu-summary.json"
for kind in gpu_utilisation gpu_power; do
  n=$(grep -c ",$kind,gpu0[12]/gpu[0-3]," "$out/gpu-ts.csv")
  [ "$n" -ge 8 ] || { echo "only $n $kind samples"; exit 1; }
done
awk -F, '$2 == "gpu_power" && ($4 < 70 || $4 > 700) {print "power out of range: " $0; bad=1} END {exit bad}' "$out/gpu-ts.csv"
echo "GPU outputs ok"
