// libFuzzer harness: a ROOT file for the histogram reader. The streamer-info record is parsed
// (parse_streamer_infos: TList, TStreamerInfo, every TStreamerElement kind, object references),
// then every histogram key read with read_histogram against those infos (and, when they are
// corrupt, against none), and its cells and errors evaluated. InputError is the only allowed
// outcome.
#include "FuzzRootKeys.hpp"
#include "hepkit/io/Histogram.hpp"
#include "hepkit/io/StreamerInfo.hpp"

#include <string>

namespace {

// A histogram's payload up to this length is read (its cells are allocated in proportion).
constexpr std::int32_t kMaxObjectLength = 64 << 20;

void use(const hepkit::io::Histogram& h) {
    double sum = 0;
    for (std::size_t i = 0; i < h.ncells() && i < 100000; ++i)
        sum += h.value(i) + h.error(i) + (h.is_profile ? h.effective_entries(i) : 0.0);
    for (const auto& axis : h.axes)
        if (axis.nbins <= 1000000) // edges() of a uniform axis allocates nbins+1, legal for any nbins
            (void)axis.edges();
    (void)sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = hepkit::fuzz::write_input(data, size, "input.root");
    hepkit::fuzz::expect_input_errors([&] {
        const hepkit::io::RootFile f(path);
        hepkit::io::StreamerInfos infos;
        hepkit::fuzz::expect_input_errors([&] {
            infos = hepkit::io::read_streamer_infos(f);
            for (const auto& info : infos.all())
                (void)infos.describe(info.class_name);
        });
        for (const auto& o : hepkit::fuzz::root_objects(f)) {
            if (!hepkit::io::is_histogram_class(o.key.class_name) || o.key.obj_len > kMaxObjectLength)
                continue;
            hepkit::fuzz::expect_input_errors([&] { use(hepkit::io::read_histogram(f, o.path, infos)); });
        }
    });
    return 0;
}
