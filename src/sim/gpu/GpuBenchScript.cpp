#include "hepkit/sim/gpu/GpuBenchReport.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace hepkit::sim {
namespace {

// Single-quotes a string for the shell.
std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

std::string gpu_bench_script(const GpuBenchPlan& p) {
    if (p.ks.empty() || (p.sizes.empty() && p.command.empty()) || (!p.time_slicing && !p.mps))
        throw std::invalid_argument(
            "gpu-bench: nothing to measure (no k, no kernel size or command, or no mode)");
    for (int k : p.ks)
        if (k < 1 || k > 48)
            throw std::invalid_argument(fmt::format("gpu-bench: k = {} must be between 1 and 48", k));
    if (p.command.empty() && p.kernel.empty())
        throw std::invalid_argument("gpu-bench: no kernel program and no --command");
    std::string s =
        "#!/bin/sh\n# Written by hepkit gpu-bench. Queries the GPU, never changes its settings.\nset -u\n";
    s += fmt::format("OUT={}\nmkdir -p \"$OUT\"\n", quote(p.out_dir));
    s += fmt::format("KERNEL={}\nUSERCMD={}\n", quote(p.kernel), quote(p.command));
    s += "RES=\"$OUT/res.txt\"; PER=\"$OUT/per.txt\"; : >\"$RES\"; : >\"$PER\"\n";
    s += "command -v nvidia-smi >/dev/null || { echo 'gpu-bench: nvidia-smi not found' >&2; exit 3; }\n";
    s += "nvidia-smi --query-gpu=name,compute_mode,power.limit --format=csv >>\"$RES\" || exit 3\n";
    s += "case \"$(nvidia-smi --query-gpu=compute_mode --format=csv,noheader | head -1)\" in\n"
         "  *Prohibited*) echo 'gpu-bench: the GPU is in Prohibited compute mode' >&2; exit 3;;\nesac\n";
    s += fmt::format(
        "nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu,clocks.sm --format=csv,noheader "
        "-lms {:.0f} >\"$OUT/pw.csv\" & SAMPLER=$!\n",
        p.sample_ms);
    s += "MPSDIR=\"\"\n"
         "cleanup() {\n"
         "  if [ -n \"$MPSDIR\" ]; then echo quit | CUDA_MPS_PIPE_DIRECTORY=\"$MPSDIR/pipe\" "
         "nvidia-cuda-mps-control >/dev/null 2>&1; fi\n"
         "  kill \"$SAMPLER\" 2>/dev/null\n}\ntrap cleanup EXIT INT TERM\n";
    s += "now() { date +%H:%M:%S.%N | cut -c1-12; }\n";
    // one job: the kernel prints its loop time; a user command is timed from outside
    s += "job() {\n"
         "  if [ -n \"$USERCMD\" ]; then t0=$(date +%s.%N); sh -c \"$USERCMD\" >/dev/null 2>&1; "
         "echo \"$(date +%s.%N) $t0\" | awk '{printf \"%.3f\\n\", $1-$2}' >>\"$PER\"\n"
         "  else \"$KERNEL\" \"$1\" \"$2\" \"$3\" >>\"$PER\"; fi\n}\n";
    // the batch waits for its own jobs by pid (not for the power sampler, also a child)
    s += "batch() { # MODE K BLOCKS REPEATS LAUNCHES\n"
         "  a=$(now); t0=$(date +%s.%N); i=0; pids=\"\"\n"
         "  while [ $i -lt \"$2\" ]; do job \"$3\" \"$4\" \"$5\" & pids=\"$pids $!\"; i=$((i+1)); done\n"
         "  for p in $pids; do wait \"$p\"; done\n"
         "  echo \"$1 k=$2 B=$3 R=$4 n=$5 start=$a end=$(now) wall=$(echo \"$(date +%s.%N) $t0\" | "
         "awk '{printf \"%.2f\", $1-$2}')\" >>\"$RES\"\n}\n";
    std::string suite = "suite() {\n";
    const std::vector<GpuBenchPlan::Size> sizes =
        p.command.empty() ? p.sizes : std::vector<GpuBenchPlan::Size>{{0, 0, 0}};
    for (const auto& z : sizes)
        for (int k : p.ks)
            suite += fmt::format("  batch \"$1\" {} {} {} {}\n", k, z.blocks, z.repeats, z.launches);
    suite += "}\n";
    s += suite + "sleep 2\n";
    if (p.time_slicing)
        s += "suite TS\n";
    if (p.mps) {
        s +=
            "command -v nvidia-cuda-mps-control >/dev/null || { echo 'gpu-bench: nvidia-cuda-mps-control not "
            "found' >&2; exit 3; }\n";
        s += "MPSDIR=$(mktemp -d \"$OUT/mps.XXXXXX\"); mkdir -p \"$MPSDIR/pipe\" \"$MPSDIR/log\"\n"
             "export CUDA_MPS_PIPE_DIRECTORY=\"$MPSDIR/pipe\" CUDA_MPS_LOG_DIRECTORY=\"$MPSDIR/log\"\n"
             "nvidia-cuda-mps-control -d || exit 3\nsleep 1\nsuite MPS\n";
        if (p.command.empty()) {
            if (!p.memory_limit.empty())
                for (const char* mb : {"2048", "512"})
                    s +=
                        fmt::format("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0={} \"$KERNEL\" alloc {} >>\"$RES\"\n",
                                    p.memory_limit, mb);
            for (std::size_t i = 0; i < p.sizes.size(); ++i)
                for (int tp : p.thread_percentages)
                    if (tp < 100 || i + 1 == p.sizes.size())
                        s += fmt::format(
                            "echo \"ATP={}{} $(CUDA_MPS_ACTIVE_THREAD_PERCENTAGE={} \"$KERNEL\" {} {} {})\" "
                            ">>\"$RES\"\n",
                            tp, i + 1 == p.sizes.size() ? "" : " small", tp, p.sizes[i].blocks,
                            p.sizes[i].repeats, p.sizes[i].launches);
        }
    }
    s += "sleep 1\ncat \"$RES\"\n";
    return s;
}

} // namespace hepkit::sim
