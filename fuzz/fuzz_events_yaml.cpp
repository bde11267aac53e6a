// libFuzzer harness: a `hepkit events run` configuration (events::load_plan: includes, the
// built-in step types, shifts, pipelines), then the runner's preparation (inputs opened, every
// step declared against the products: all the checks made before any event is read).
//
// Inputs naming plugins are skipped: loading a shared library runs its code, which is not the
// reader's to test. Glob characters are skipped too: a pattern such as /*/*/* walks the machine's
// file system, which is slow and not deterministic.
#include "FuzzSupport.hpp"
#include "hepkit/events/Config.hpp"
#include "hepkit/events/Registry.hpp"
#include "hepkit/events/Runner.hpp"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("plugins") != std::string_view::npos || text.find_first_of("*?[") != std::string_view::npos)
        return 0;
    const std::string path = hepkit::fuzz::write_input(data, size, "events.yaml");
    hepkit::fuzz::expect_input_errors([&] {
        hepkit::events::Registry registry;
        hepkit::events::register_builtins(registry);
        hepkit::events::Plan plan = hepkit::events::load_plan(path, registry);
        hepkit::events::Runner runner(std::move(plan));
        runner.prepare();
    });
    return 0;
}
