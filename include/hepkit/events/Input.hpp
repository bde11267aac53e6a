#pragma once
/// @file
/// The inputs of an events run (the Runner) and of `hepkit events hist`: a chain of ROOT files that each hold
/// the same TTree or the same RNTuple, seen as one global entry range with its batch boundaries (the files'
/// clusters), the products it offers and a read of some of them over entries of one file. `inputs.tree` names
/// either kind; the kind is the class of the key in the first file (ROOT::RNTuple: an RNTuple,
/// anything else goes to the TTree reader, whose errors name what it found), and every file of a
/// chain must be of that kind (docs/events-config.md, "RNTuple inputs").

#include "hepkit/io/Column.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hepkit::events {

/// One column the input offers as a product: a TTree branch or an RNTuple top-level field.
struct InputProduct {
    std::string name;
    io::ColumnType type = io::ColumnType::Float64;
    bool jagged = false;
    std::size_t width = 1; ///< values per entry of a fixed-size array (a jagged product of `width`)
};

class InputSource {
  public:
    virtual ~InputSource() = default;
    /// "TTree" or "RNTuple", for messages.
    virtual const char* kind() const = 0;
    /// Sum of the files' entries.
    virtual std::int64_t entries() const = 0;
    virtual std::size_t files() const = 0;
    /// Global entry number of the file's first entry.
    virtual std::int64_t first_entry(std::size_t file) const = 0;
    /// The file's clusters, entries of the file, covering [0, its entries).
    virtual std::vector<io::EntryRange> clusters(std::size_t file) const = 0;
    /// The columns that can be products, in the order of the first file (strings and unreadable
    /// branches or fields are left out: products are numeric).
    virtual const std::vector<InputProduct>& products() const = 0;
    /// Entries [begin, end) of file `file` of the named products, serially (the runner's threads
    /// work on different batches). Safe to call from several threads at once.
    virtual std::vector<io::Column> read(std::size_t file, std::span<const std::string> names,
                                         std::int64_t begin, std::int64_t end) const = 0;
};

/// A column as a product: a fixed-size array column (`x[3]`, width 3) becomes a jagged one of
/// `width` values per entry (products are flat or jagged); other columns are left as they are.
void to_product_shape(io::Column& column);

/// Whether the key `name` of the ROOT file `path` holds an RNTuple (ROOT::RNTuple, or the
/// pre-release ROOT::Experimental::RNTuple, which the reader then refuses by name). False when the
/// file has no such key: the TTree reader reports that.
bool holds_rntuple(const std::string& path, const std::string& name);

/// Opens `name` in each of `paths` (at least one) as a TTree chain or an RNTuple chain. Throws
/// InputError naming the file when a file holds the other kind, lacks the tree or RNTuple, or lacks
/// a product of the first file or has it with another type.
/// `key` names the setting in messages (a configuration's `inputs.tree`, a command's `--tree`).
std::unique_ptr<InputSource> open_input(const std::vector<std::string>& paths, const std::string& name,
                                        const std::string& key = "inputs.tree");

} // namespace hepkit::events
