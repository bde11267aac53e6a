#pragma once
// Which names the writer accepts (internal to hepkit::io).

#include <string>
#include <string_view>

namespace hepkit::io::detail {

/// A key (histogram, tree) name: 1–1000 printable ASCII characters without '/' or ';' (they
/// separate directories and cycles in ROOT paths). Throws std::invalid_argument naming `what`.
void check_key_name(std::string_view name, std::string_view what);
/// A branch name: [A-Za-z_][A-Za-z0-9_.]*, at most 1000 characters — what ROOT's leaf lists
/// ("name[n]/F") and TTree::Draw expressions can refer to.
void check_branch_name(std::string_view name);

} // namespace hepkit::io::detail
