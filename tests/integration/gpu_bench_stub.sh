#!/usr/bin/env bash
# usage: gpu_bench_stub.sh HEPKIT OUTDIR: runs `hepkit gpu-bench run` end to end against stub
# nvidia-smi / nvidia-cuda-mps-control programs (no GPU needed) and checks that each batch waits
# for its jobs, power samples are taken, the MPS daemon is started in a private directory and
# told to quit, and no sampler is left running.
set -eu
hk="$1"; out="$2/gpu-bench-stub"
rm -rf "$out"; mkdir -p "$out/bin"
cat > "$out/bin/nvidia-smi" <<'STUB'
#!/bin/sh
case "$*" in
  *name,compute_mode,power.limit*) echo "name, compute_mode, power.limit [W]"; echo "Stub GPU, Default, 300.00 W";;
  *compute_mode*noheader*) echo "Default";;
  *timestamp*) while :; do echo "$(date '+%Y/%m/%d %H:%M:%S.%3N'), 100.00 W, 50 %, 1500 MHz"; sleep 0.05; done;;
  *) echo "stub nvidia-smi: unexpected arguments: $*" >&2; exit 7;;
esac
STUB
cat > "$out/bin/nvidia-cuda-mps-control" <<'STUB'
#!/bin/sh
[ -n "${CUDA_MPS_PIPE_DIRECTORY:-}" ] || exit 9
{ echo "args: $*"; cat; } >> "$CUDA_MPS_PIPE_DIRECTORY/stub.log"
STUB
chmod +x "$out/bin/"*
PATH="$out/bin:$PATH" timeout 120 "$hk" gpu-bench run -o "$out/run" --command "sleep 0.3" -k 1 2 > "$out/stdout"
cat "$out/stdout"
grep -q '^MPS,0,2,' "$out/stdout"
# every batch lasted at least as long as its jobs (0.3 s)
awk '/ k=/ { split($NF, w, "="); if (w[2] < 0.3) { print "batch did not wait: " $0; bad = 1 } } END { exit bad }' "$out/run/res.txt"
[ "$(wc -l < "$out/run/per.txt")" = 6 ] || { echo "expected 6 job timings"; exit 1; }
[ "$(wc -l < "$out/run/pw.csv")" -gt 5 ] || { echo "too few power samples"; exit 1; }
log=$(cat "$out"/run/mps.*/pipe/stub.log)
grep -q 'args: -d' <<<"$log" && grep -q '^quit$' <<<"$log" || { echo "MPS daemon not started/stopped: $log"; exit 1; }
sleep 0.2
if pgrep -f "$out/bin/nvidia-smi" >/dev/null; then echo "power sampler still running"; exit 1; fi
echo "gpu-bench stub run ok"
