// libFuzzer harness: a GPU-sharing measurement (read_gpu_bench and the derived table). The
// input holds the three files, res*.txt, per*.txt and pw*.csv, separated by lines `====`.
#include "FuzzSupport.hpp"
#include "hepkit/sim/gpu/GpuBenchReport.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string_view parts[3];
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
        const std::size_t sep = i < 2 ? in.find("\n====\n", start) : std::string_view::npos;
        parts[i] =
            in.substr(std::min(start, in.size()), sep == std::string_view::npos ? in.npos : sep - start);
        start = sep == std::string_view::npos ? in.size() : sep + 6;
    }
    const auto dir = hepkit::fuzz::scratch();
    hepkit::fuzz::write_file(dir / "res.txt", parts[0]);
    hepkit::fuzz::write_file(dir / "per.txt", parts[1]);
    hepkit::fuzz::write_file(dir / "pw.csv", parts[2]);
    hepkit::fuzz::expect_input_errors([&] {
        const auto run = hepkit::sim::read_gpu_bench((dir / "res.txt").string(), (dir / "per.txt").string(),
                                                     (dir / "pw.csv").string());
        (void)hepkit::sim::gpu_bench_table_csv(run);
    });
    return 0;
}
