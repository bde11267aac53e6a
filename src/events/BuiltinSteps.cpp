// register_builtins (Registry.hpp): every step type hepkit ships, in one call for the command
// line and for programs that read configurations. Each family registers its own types next to
// its code (ExpressionsRegister.cpp, the library, the consumers).
#include "hepkit/events/Registry.hpp"

namespace hepkit::events {

void register_builtins(Registry& registry) {
    register_expression_steps(registry);
    register_library(registry);
    register_consumers(registry);
}

} // namespace hepkit::events
