#pragma once
// `nn_score`: a network's score as a product of `hepkit events` (issue 16: "also inside hepkit
// events as a producer"). It lives in the program, not in hepkit::events or hepkit::nn: events
// may not depend on nn nor nn on events (src/dependencies.txt), and the program links both.
//
//     producers:
//       - name: dnn
//         type: nn_score
//         model: model.pt              # relative to the configuration file
//         inputs: [MET_pt, lead_pt]    # flat numeric products, the model's inputs in order
//                                      # (default: the model's input names)
//         node: 0                      # the output column (class) taken (default 0)
//         output: dnn_score            # the product made (default: the step's name), float32

#include "hepkit/events/Registry.hpp"

namespace hepkit::app {

/// Adds the `nn_score` producer type to `registry`.
void register_nn_steps(events::Registry& registry);

} // namespace hepkit::app
