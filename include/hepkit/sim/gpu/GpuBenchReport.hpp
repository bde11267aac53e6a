#pragma once
/// @file
/// Reads the output of a GPU-sharing measurement (`hepkit gpu-bench`, or the script of
/// ../shared/reference/gpu-sharing-h100/cmd.sh that it generalises) and derives the table of
/// jobs per second and joules per job. The format, per run directory:
///  - `res*.txt`: a `nvidia-smi` header (name, compute_mode, power.limit), then one line per batch
///    `<MODE> k=<k> B=<blocks> R=<repeats> n=<launches> start=HH:MM:SS.mmm end=HH:MM:SS.mmm wall=<s>`,
///    then free-form lines such as `ATP=<p> <s>`, `ATP=<p> small <s>`, `alloc <MB>MB: <cuda message>`;
///  - `per*.txt`: the timed loop of every process, one number per line, batch after batch;
///  - `pw*.csv`: `nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu,clocks.sm` samples.
/// Parsing needs no GPU and is tested on the reference files.

#include <string>
#include <vector>

namespace hepkit::sim {

struct GpuBenchBatch {
    std::string mode; ///< TS (time-slicing) or MPS
    int k = 0;        ///< processes started together
    long blocks = 0, repeats = 0, launches = 0;
    double start = 0, end = 0; ///< s since midnight
    double wall = 0;           ///< s
    std::vector<double> loops; ///< each process's timed loop, s
    double mean_power = 0;     ///< W over [start, end] from the samples (0 if none)
    double energy = 0;         ///< J = mean power x (end - start)
    double jobs_per_second() const { return wall > 0 ? k / wall : 0; }
    double joules_per_job() const { return k > 0 ? energy / k : 0; }
};

struct GpuBenchRun {
    std::string card, compute_mode;
    double power_limit = 0; ///< W
    std::vector<GpuBenchBatch> batches;
    struct ThreadPercentage {
        double percent;
        bool small;
        double seconds;
    };
    std::vector<ThreadPercentage> thread_percentage;
    struct Allocation {
        double megabytes;
        std::string result; ///< CUDA's message, e.g. "no error" or "out of memory"
    };
    std::vector<Allocation> allocations;
    double idle_power = 0; ///< W: mean of the samples before the first batch
};

/// Reads `res`, `per` and `pw` files (paths); throws InputError naming file and line.
GpuBenchRun read_gpu_bench(const std::string& res, const std::string& per, const std::string& pw);
/// Finds res*.txt, per*.txt, pw*.csv in `dir` (the first of each in name order) and reads them.
GpuBenchRun read_gpu_bench_dir(const std::string& dir);
/// The derived table as CSV: mode,blocks,k,wall_s,jobs_per_s,mean_power_W,joules_per_job,mean_loop_s.
std::string gpu_bench_table_csv(const GpuBenchRun& run);

} // namespace hepkit::sim

namespace hepkit::sim {

/// What `hepkit gpu-bench run` measures.
struct GpuBenchPlan {
    std::string out_dir; ///< where res.txt, per.txt, pw.csv go
    std::string kernel;  ///< path of hepkit-gpu-kernel (unused with `command`)
    std::string command; ///< a user command run as each job instead of the kernel
    std::vector<int> ks = {1, 2, 4, 8};
    /// Kernel sizes: blocks, repeats, launches (defaults: the reference's small and large job).
    struct Size {
        long blocks, repeats, launches;
    };
    std::vector<Size> sizes = {{16, 20000, 50000}, {1056, 2000, 120000}};
    bool time_slicing = true, mps = true;
    std::vector<int> thread_percentages = {100, 50, 25}; ///< MPS runs of one process per size
    std::string memory_limit = "1G";                     ///< MPS pinned-memory check ("" = skip)
    double sample_ms = 200;                              ///< nvidia-smi sampling period
};

/// The POSIX shell script that performs the measurement. It only queries the card
/// (nvidia-smi --query-gpu) and starts its own MPS control daemon with private pipe and log
/// directories under out_dir, stopped by a trap on every exit; it never changes clocks, power
/// limits, compute mode or MIG layout. Throws std::invalid_argument on an empty plan.
std::string gpu_bench_script(const GpuBenchPlan& plan);

} // namespace hepkit::sim
