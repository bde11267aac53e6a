// The files of a TableSource as columns (ColumnSource.hpp): TTrees through io::Tree, RNTuples through
// io::RNTuple (the kind is the class of the key, as hepkit::events decides it), HDF5 through
// io::read_hdf5. CSV is in CsvColumns.cpp.
#include "ColumnSource.hpp"

#include "hepkit/core/Error.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/RNTuple.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace hepkit::nn::detail {

namespace {

// Entries per read of a ROOT file: a few MB per float column, so that a NanoAOD file of millions
// of events is never held whole, and large enough that a read spans many baskets.
constexpr std::int64_t root_chunk = 1 << 18;

bool is_rntuple_class(const std::string& c) {
    return c == "ROOT::RNTuple" || c == "ROOT::Experimental::RNTuple";
}
bool is_tree_class(const std::string& c) {
    return c == "TTree" || c == "TNtuple" || c == "TNtupleD" || is_rntuple_class(c);
}

class TreeSource final : public ColumnSource {
  public:
    TreeSource(std::unique_ptr<io::RootFile> file, const std::string& tree)
        : file_(std::move(file)), tree_(*file_, tree) {
        for (const auto& b : tree_.branches())
            if (b.readable && b.type != io::ColumnType::String)
                names_.push_back(b.name);
    }
    const std::string& path() const override { return file_->path(); }
    std::int64_t entries() const override { return tree_.entries(); }
    const std::vector<std::string>& names() const override { return names_; }
    std::int64_t chunk() const override { return root_chunk; }
    std::vector<io::Column> read(std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        std::vector<io::Column> out = tree_.read(names, begin, end, nullptr);
        for (auto& c : out)
            io::fixed_to_jagged(c);
        return out;
    }

  private:
    std::unique_ptr<io::RootFile> file_; // the Tree keeps a reference: it must not move
    io::Tree tree_;
    std::vector<std::string> names_;
};

// The readable top-level fields of an RNTuple; for a NanoAOD import these include the projected
// `Muon_pt` and the cardinality `nMuon`, so that expressions written for the TTree read the same.
class NtupleSource final : public ColumnSource {
  public:
    NtupleSource(std::unique_ptr<io::RootFile> file, const std::string& name)
        : file_(std::move(file)), ntuple_(*file_, name) {
        for (const auto& f : ntuple_.fields())
            if (f.readable && f.column_type != io::ColumnType::String)
                names_.push_back(f.name);
    }
    const std::string& path() const override { return file_->path(); }
    std::int64_t entries() const override { return static_cast<std::int64_t>(ntuple_.entries()); }
    const std::vector<std::string>& names() const override { return names_; }
    std::int64_t chunk() const override { return root_chunk; }
    std::vector<io::Column> read(std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        std::vector<io::Column> out;
        out.reserve(names.size());
        for (const auto& n : names) {
            out.push_back(
                ntuple_.read(n, static_cast<std::uint64_t>(begin), static_cast<std::uint64_t>(end), nullptr));
            io::fixed_to_jagged(out.back());
        }
        return out;
    }

  private:
    std::unique_ptr<io::RootFile> file_;
    io::RNTuple ntuple_;
    std::vector<std::string> names_;
};

class Hdf5Source final : public ColumnSource {
  public:
    explicit Hdf5Source(const std::string& path) : path_(path), columns_(io::read_hdf5(path)) {
        for (auto& c : columns_) {
            io::fixed_to_jagged(c);
            if (c.type != io::ColumnType::String)
                names_.push_back(c.name);
        }
    }
    const std::string& path() const override { return path_; }
    std::int64_t entries() const override {
        return columns_.empty() ? 0 : static_cast<std::int64_t>(columns_.front().entries());
    }
    const std::vector<std::string>& names() const override { return names_; }
    std::int64_t chunk() const override { return std::max<std::int64_t>(entries(), 1); }
    std::vector<io::Column> read(std::span<const std::string> names, std::int64_t begin,
                                 std::int64_t end) const override {
        std::vector<io::Column> out;
        for (const auto& n : names) {
            const auto it = std::find_if(columns_.begin(), columns_.end(),
                                         [&](const io::Column& c) { return c.name == n; });
            if (it == columns_.end())
                throw std::logic_error("nn: HDF5 column " + n + " not listed");
            if (begin != 0 || end != entries())
                throw std::logic_error("nn: an HDF5 file is read whole");
            out.push_back(*it);
        }
        return out;
    }

  private:
    std::string path_;
    std::vector<io::Column> columns_;
    std::vector<std::string> names_;
};

std::string lower_extension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

} // namespace

FileKind file_kind(const std::string& path) {
    const std::string ext = lower_extension(path);
    if (ext == ".root")
        return FileKind::Root;
    if (ext == ".csv")
        return FileKind::Csv;
    if (ext == ".h5" || ext == ".hdf5")
        return FileKind::Hdf5;
    throw InputError(path, 0, "files",
                     "unknown file type '" + ext +
                         "': allowed are .root (TTree or RNTuple), .csv, .h5, .hdf5");
}

std::string only_tree(const std::string& path) {
    io::RootFile file(path);
    std::vector<std::string> found;
    for (const auto& key : file.keys())
        if (is_tree_class(key.class_name) && std::find(found.begin(), found.end(), key.name) == found.end())
            found.push_back(key.name);
    if (found.size() == 1)
        return found.front();
    std::string list;
    for (const auto& n : found)
        list.append(list.empty() ? "" : ", ").append(n);
    throw InputError(path, 0, "tree",
                     found.empty() ? std::string("the file holds no TTree or RNTuple")
                                   : "the file holds several trees (" + list + "): name one with `tree:`");
}

std::unique_ptr<ColumnSource> open_columns(const std::string& path, const std::string& tree) {
    switch (file_kind(path)) {
    case FileKind::Csv:
        return open_csv_columns(path);
    case FileKind::Hdf5:
        return std::make_unique<Hdf5Source>(path);
    case FileKind::Root:
        break;
    }
    auto file = std::make_unique<io::RootFile>(path);
    if (file->contains(tree) && is_rntuple_class(file->key(tree).class_name))
        return std::make_unique<NtupleSource>(std::move(file), tree);
    return std::make_unique<TreeSource>(std::move(file), tree);
}

} // namespace hepkit::nn::detail
