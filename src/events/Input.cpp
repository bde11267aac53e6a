// The Runner's inputs (Input.hpp): a TTree chain through io::TreeChain, an RNTuple chain through
// io::RNTuple, one file at a time.
#include "hepkit/events/Input.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/TreeChain.hpp"

#include <algorithm>
#include <stdexcept>

namespace hepkit::events {

namespace {

bool is_rntuple_class(const std::string& class_name) {
    return class_name == "ROOT::RNTuple" || class_name == "ROOT::Experimental::RNTuple";
}

bool holds_rntuple(const io::RootFile& file, const std::string& name) {
    return file.contains(name) && is_rntuple_class(file.key(name).class_name);
}

// `float32`, `float32[3]`, `jagged float32`: how the messages about a chain's fields name a shape.
std::string shape(const InputProduct& p) {
    std::string s = p.jagged ? "jagged " : "";
    s.append(io::column_type_name(p.type));
    if (p.width > 1)
        s.append("[").append(std::to_string(p.width)).append("]");
    return s;
}

class TreeInput final : public InputSource {
  public:
    TreeInput(const std::vector<std::string>& paths, const std::string& name) : chain_(paths, name) {
        // Strings are no products (Products.hpp); unreadable branches (objects) cannot be read.
        for (const auto& b : chain_.branches())
            if (b.readable && b.type != io::ColumnType::String)
                products_.push_back({b.name, b.type, b.jagged, b.jagged ? 1 : b.width()});
    }
    const char* kind() const override { return "TTree"; }
    std::int64_t entries() const override { return chain_.entries(); }
    std::size_t files() const override { return chain_.files(); }
    std::int64_t first_entry(std::size_t file) const override { return chain_.first_entry(file); }
    std::vector<io::EntryRange> clusters(std::size_t file) const override {
        return chain_.tree(file).clusters();
    }
    const std::vector<InputProduct>& products() const override { return products_; }
    std::vector<io::Column> read(std::size_t file, std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        return chain_.tree(file).read(names, begin, end, nullptr);
    }

  private:
    io::TreeChain chain_;
    std::vector<InputProduct> products_;
};

// The products of an RNTuple are its readable top-level fields under their own names. The NanoAOD
// importer (ROOT's RNTupleImporter) stores each collection as an untyped collection of records
// `_collectionN` and adds projected fields named as the TTree's branches (`Muon_pt`, and the
// cardinality `nMuon`): those are the products, so a configuration written for the NanoAOD TTree
// runs unchanged. The `_collectionN` records themselves are not readable as one column and are
// left out, as the TTree's object branches are.
class RNTupleInput final : public InputSource {
  public:
    RNTupleInput(const std::vector<std::string>& paths, const std::string& name, const std::string& key) {
        for (const auto& path : paths) {
            File f;
            f.file = std::make_unique<io::RootFile>(path);
            if (!holds_rntuple(*f.file, name)) {
                const bool has = f.file->contains(name);
                throw InputError(path, 0, key,
                                 "'" + name + "' " +
                                     (has ? "is a " + f.file->key(name).class_name + " here"
                                          : std::string("is missing here")) +
                                     " and an RNTuple in " + paths.front() +
                                     " (the files of a chain hold one RNTuple of the same name)");
            }
            f.ntuple = std::make_unique<io::RNTuple>(*f.file, name);
            f.first = entries_;
            entries_ += static_cast<std::int64_t>(f.ntuple->entries());
            if (files_.empty()) {
                for (const auto& field : f.ntuple->fields())
                    if (field.readable && field.column_type != io::ColumnType::String)
                        products_.push_back(
                            {field.name, field.column_type, field.jagged, field.jagged ? 1 : field.width});
            } else {
                check_fields(*f.ntuple, path, paths.front(), name);
            }
            files_.push_back(std::move(f));
        }
    }
    const char* kind() const override { return "RNTuple"; }
    std::int64_t entries() const override { return entries_; }
    std::size_t files() const override { return files_.size(); }
    std::int64_t first_entry(std::size_t file) const override { return files_.at(file).first; }
    std::vector<io::EntryRange> clusters(std::size_t file) const override {
        const io::RNTuple& n = *files_.at(file).ntuple;
        std::vector<io::EntryRange> out;
        out.reserve(n.clusters());
        for (std::size_t i = 0; i < n.clusters(); ++i) {
            const auto [first, count] = n.cluster_range(i);
            out.push_back({static_cast<std::int64_t>(first), static_cast<std::int64_t>(first + count)});
        }
        return out;
    }
    const std::vector<InputProduct>& products() const override { return products_; }
    std::vector<io::Column> read(std::size_t file, std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        const io::RNTuple& n = *files_.at(file).ntuple;
        std::vector<io::Column> out;
        out.reserve(names.size());
        for (const auto& name : names)
            out.push_back(n.read(name, static_cast<std::uint64_t>(begin), static_cast<std::uint64_t>(end)));
        return out;
    }

  private:
    struct File {
        std::unique_ptr<io::RootFile> file; // the RNTuple keeps a reference: it must not move
        std::unique_ptr<io::RNTuple> ntuple;
        std::int64_t first = 0;
    };

    // Every product of the first file must be in `n` with the same type and shape (extra fields are
    // allowed, as in a TTree chain).
    void check_fields(const io::RNTuple& n, const std::string& path, const std::string& first,
                      const std::string& name) const {
        std::vector<io::RNTupleFieldInfo> fields = n.fields();
        for (const auto& p : products_) {
            const auto it = std::find_if(fields.begin(), fields.end(),
                                         [&](const io::RNTupleFieldInfo& f) { return f.name == p.name; });
            if (it == fields.end())
                throw InputError(path, 0, "RNTuple '" + name + "'",
                                 "has no field '" + p.name + "', which " + first +
                                     " has (the files of a chain need the same fields)");
            const InputProduct here{it->name, it->column_type, it->jagged, it->jagged ? 1 : it->width};
            if (!it->readable || here.type != p.type || here.jagged != p.jagged || here.width != p.width)
                throw InputError(path, 0, "RNTuple '" + name + "' field '" + p.name + "'",
                                 "is " + (it->readable ? shape(here) : "unreadable (" + it->why_not + ")") +
                                     " here and " + shape(p) + " in " + first);
        }
    }

    std::vector<File> files_;
    std::vector<InputProduct> products_;
    std::int64_t entries_ = 0;
};

} // namespace

void to_product_shape(io::Column& c) {
    io::fixed_to_jagged(c);
}

bool holds_rntuple(const std::string& path, const std::string& name) {
    return holds_rntuple(io::RootFile(path), name);
}

std::unique_ptr<InputSource> open_input(const std::vector<std::string>& paths, const std::string& name,
                                        const std::string& key) {
    if (paths.empty())
        throw std::invalid_argument("open_input: no files");
    if (holds_rntuple(paths.front(), name))
        return std::make_unique<RNTupleInput>(paths, name, key);
    // A TTree chain: the TTree reader reports a missing tree or a key of another class, but an
    // RNTuple among the files is named as such.
    for (std::size_t f = 1; f < paths.size(); ++f)
        if (holds_rntuple(paths[f], name))
            throw InputError(paths[f], 0, key,
                             "'" + name + "' is an RNTuple here and not in " + paths.front() +
                                 " (the files of a chain hold one TTree, or one RNTuple, of the same name)");
    return std::make_unique<TreeInput>(paths, name);
}

} // namespace hepkit::events
