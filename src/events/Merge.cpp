// Merging output folders of `hepkit events run` jobs (Merge.hpp).

#include "hepkit/events/Merge.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/events/Histogram.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/RootWriter.hpp"
#include "hepkit/io/Tree.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

namespace hepkit::events {

namespace fs = std::filesystem;

// ---- documents of numbers (cut flows, reports) ------------------------------------------------

namespace {

nlohmann::json add_at(const nlohmann::json& a, const nlohmann::json& b, const std::string& file,
                      const std::string& key, bool lenient) {
    auto differ = [&](const std::string& what) -> nlohmann::json {
        if (lenient)
            return a;
        throw InputError(file, 0, key, what);
    };
    if (a.is_number() && b.is_number()) {
        if (a.is_number_integer() && b.is_number_integer())
            return a.get<std::int64_t>() + b.get<std::int64_t>();
        return a.get<double>() + b.get<double>();
    }
    if (a.is_object() && b.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : a.items()) {
            const std::string sub = key.empty() ? k : key + "." + k;
            if (!b.contains(k)) {
                if (lenient) {
                    out[k] = v;
                    continue;
                }
                throw InputError(file, 0, sub, "present in the first folder only");
            }
            out[k] = add_at(v, b[k], file, sub, lenient);
        }
        for (const auto& [k, v] : b.items())
            if (!a.contains(k) && !lenient)
                throw InputError(file, 0, key.empty() ? k : key + "." + k, "missing in the first folder");
        return out;
    }
    if (a.is_array() && b.is_array()) {
        if (a.size() != b.size())
            return differ(fmt::format("{} elements here, {} in the first folder", b.size(), a.size()));
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t k = 0; k < a.size(); ++k)
            out.push_back(add_at(a[k], b[k], file, fmt::format("{}[{}]", key, k), lenient));
        return out;
    }
    if (a == b)
        return a;
    return differ(fmt::format("{} here, {} in the first folder", config::show(b), config::show(a)));
}

bool is_histogram(const nlohmann::json& doc) {
    return doc.is_object() && doc.contains("counts") && (doc.contains("edges") || doc.contains("x_edges"));
}

std::string show_path(const fs::path& dir, const fs::path& rel) {
    return (dir / rel).string();
}

// The temporary folder of the result: renamed onto the output at the end, removed otherwise.
struct TempDir {
    fs::path path;
    bool keep = false;
    ~TempDir() {
        if (!keep) {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    }
};

} // namespace

nlohmann::json add_json(const nlohmann::json& a, const nlohmann::json& b, const std::string& file,
                        bool lenient) {
    return add_at(a, b, file, "", lenient);
}

// ---- CSV and ROOT trees -----------------------------------------------------------------------

void concatenate_csv(const std::vector<fs::path>& inputs, const fs::path& output) {
    AtomicFile out(output);
    std::string header;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        std::ifstream in(inputs[k], std::ios::binary);
        if (!in)
            throw InputError(inputs[k].string(), 0, "", "cannot be read");
        std::string first;
        std::getline(in, first);
        if (k == 0) {
            header = first;
            out.stream() << first << '\n';
        } else if (first != header) {
            throw InputError(
                inputs[k].string(), 1, "",
                fmt::format("header '{}' differs from '{}' in {}: the ntuples have other columns", first,
                            header, inputs[0].string()));
        }
        // the rows byte for byte (fields written in the shortest exact form by the ntuple)
        out.stream() << in.rdbuf();
        if (in.bad())
            throw InputError(inputs[k].string(), 0, "", "read error");
    }
    out.commit();
}

std::int64_t concatenate_trees(const std::vector<fs::path>& inputs, const fs::path& output) {
    if (inputs.empty())
        throw std::invalid_argument("concatenate_trees: no inputs");
    std::vector<std::string> trees;
    {
        io::RootFile first(inputs[0].string());
        for (const auto& key : first.keys())
            if ((key.class_name == "TTree" || key.class_name == "TNtuple" || key.class_name == "TNtupleD") &&
                std::find(trees.begin(), trees.end(), key.name) == trees.end())
                trees.push_back(key.name);
    }
    if (trees.empty())
        throw InputError(inputs[0].string(), 0, "",
                         "holds no tree and no histogram JSON goes with it: nothing to merge");
    io::WriterOptions options;
    io::RootWriter out(output.string(), options);
    std::int64_t rows = 0;
    for (const auto& name : trees) {
        io::TreeWriter* writer = nullptr;
        std::vector<std::string> branches;
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            io::RootFile file(inputs[k].string());
            if (!file.contains(name))
                throw InputError(inputs[k].string(), 0, name,
                                 fmt::format("no tree '{}' (present in {})", name, inputs[0].string()));
            io::Tree tree(file, name);
            std::vector<std::string> here;
            for (const auto& b : tree.branches()) {
                if (b.depth != 0)
                    continue;
                if (!b.readable || b.type == io::ColumnType::String)
                    throw InputError(
                        inputs[k].string(), 0, name + "/" + b.name,
                        fmt::format("branch of type {} cannot be concatenated exactly by hepkit{}",
                                    b.type_name, b.readable ? "" : " (" + b.unreadable_reason + ")"));
                here.push_back(b.name);
            }
            if (k == 0) {
                branches = here;
                writer = &out.tree(name);
            } else if (here != branches) {
                throw InputError(inputs[k].string(), 0, name,
                                 fmt::format("branches [{}] differ from [{}] in {}", fmt::join(here, ", "),
                                             fmt::join(branches, ", "), inputs[0].string()));
            }
            // (an empty tree of the first folder still gives the branches their types)
            if (tree.entries() == 0 && k != 0)
                continue;
            auto columns = tree.read(branches, 0, tree.entries());
            try {
                writer->append(columns);
            } catch (const std::invalid_argument& e) {
                throw InputError(inputs[k].string(), 0, name, e.what());
            }
            rows += tree.entries();
        }
    }
    out.close();
    return rows;
}

// ---- HDF5 ntuples -----------------------------------------------------------------------------

namespace {

std::string describe(const io::Column& c) {
    std::string d(io::column_type_name(c.type));
    if (c.jagged())
        d.append(" jagged");
    else if (c.width > 1)
        d.append(fmt::format("[{}]", c.width));
    return d;
}

// The HDF5 ntuples' columns concatenated in the order of `inputs` (io::read_hdf5: each column's
// type is its dataset's, so the values are copied bit for bit) and written as one ntuple of the
// same layout. Returns the rows written. InputError naming the file that differs from the first
// (other column names, order, types or layouts) and the first file.
std::int64_t concatenate_hdf5(const std::vector<fs::path>& inputs, const fs::path& output) {
    std::vector<io::Column> merged = io::read_hdf5(inputs.at(0).string());
    std::vector<std::string> names;
    for (const auto& c : merged)
        names.push_back(c.name);
    for (std::size_t k = 1; k < inputs.size(); ++k) {
        std::vector<io::Column> more = io::read_hdf5(inputs[k].string());
        std::vector<std::string> here;
        for (const auto& c : more)
            here.push_back(c.name);
        if (here != names)
            throw InputError(
                inputs[k].string(), 0, "",
                fmt::format("columns [{}] differ from [{}] in {}: the ntuples have other columns",
                            fmt::join(here, ", "), fmt::join(names, ", "), inputs[0].string()));
        for (std::size_t j = 0; j < more.size(); ++j) {
            const auto& a = merged[j];
            const auto& b = more[j];
            if (a.type != b.type || a.jagged() != b.jagged() || (!a.jagged() && a.width != b.width))
                throw InputError(inputs[k].string(), 0, b.name,
                                 fmt::format("column of type {} here, {} in {}", describe(b), describe(a),
                                             inputs[0].string()));
            io::append_column(merged[j], std::move(more[j]));
        }
    }
    io::write_hdf5(output.string(), merged);
    return static_cast<std::int64_t>(merged.front().entries());
}

} // namespace

// ---- folders ----------------------------------------------------------------------------------

MergeSummary merge_outputs(const std::vector<fs::path>& inputs, const fs::path& output) {
    if (inputs.empty())
        throw UsageError("OUTDIR", "give at least one output folder to merge");
    if (fs::exists(output))
        throw UsageError("-o", fmt::format("'{}' exists: the merged folder must be new", output.string()));
    for (const auto& in : inputs)
        if (!fs::is_directory(in))
            throw UsageError("OUTDIR", fmt::format("'{}' is not a folder", in.string()));

    // every file of every folder, by relative path; each folder must have the same set
    std::vector<std::set<fs::path>> files(inputs.size());
    for (std::size_t k = 0; k < inputs.size(); ++k)
        for (const auto& e : fs::recursive_directory_iterator(inputs[k]))
            if (e.is_regular_file())
                files[k].insert(fs::relative(e.path(), inputs[k]));
    for (std::size_t k = 1; k < inputs.size(); ++k) {
        for (const auto& f : files[0])
            if (!files[k].count(f))
                throw InputError(show_path(inputs[k], f), 0, "",
                                 fmt::format("missing (present in {})", inputs[0].string()));
        for (const auto& f : files[k])
            if (!files[0].count(f))
                throw InputError(show_path(inputs[k], f), 0, "",
                                 fmt::format("not in {}: the folders come from different configurations",
                                             inputs[0].string()));
    }

    TempDir tmp{output.parent_path() / (output.filename().string() + ".tmp." + std::to_string(::getpid()))};
    std::error_code ec;
    fs::remove_all(tmp.path, ec);
    if (!fs::create_directories(tmp.path, ec) || ec)
        throw OutputError(tmp.path.string(), 0, "", "cannot create the folder: " + ec.message());

    auto all = [&](const fs::path& rel) {
        std::vector<fs::path> v;
        for (const auto& in : inputs)
            v.push_back(in / rel);
        return v;
    };
    MergeSummary summary;
    std::set<fs::path> histogram_stems; // NAME of NAME.json histograms: their NAME.root is rewritten
    for (const auto& rel : files[0])
        if (rel.extension() == ".json") {
            const auto doc = config::load_json_file((inputs[0] / rel).string());
            if (is_histogram(doc))
                histogram_stems.insert(fs::path(rel).replace_extension());
        }

    for (const auto& rel : files[0]) {
        const fs::path target = tmp.path / rel;
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            throw OutputError(target.parent_path().string(), 0, "",
                              "cannot create the folder: " + ec.message());
        const auto paths = all(rel);
        const auto ext = rel.extension().string();
        const auto stem = fs::path(rel).replace_extension();
        if (ext == ".json" && histogram_stems.count(stem)) {
            Hist sum = Hist::read_json(paths[0].string());
            for (std::size_t k = 1; k < paths.size(); ++k) {
                const Hist h = Hist::read_json(paths[k].string());
                try {
                    sum.add(h);
                } catch (const std::invalid_argument& e) {
                    throw InputError(paths[k].string(), 0, h.name(), e.what());
                }
            }
            sum.write_json(target.string());
            if (files[0].count(fs::path(stem).concat(".root"))) {
                // the TH1D/TH2D of the merged numbers, named as the job wrote it
                auto root_target = target;
                root_target.replace_extension(".root");
                sum.write_root(root_target.string());
            }
            ++summary.histograms;
        } else if (ext == ".root" && histogram_stems.count(stem)) {
            continue; // written with its JSON
        } else if (ext == ".json") {
            const bool cutflow = rel.filename() == "cutflow.json";
            nlohmann::json sum = config::load_json_file(paths[0].string());
            for (std::size_t k = 1; k < paths.size(); ++k)
                sum = add_json(sum, config::load_json_file(paths[k].string()), paths[k].string(), !cutflow);
            // the run report's rate: the merged events over the summed job times (job-seconds), not
            // the sum of the jobs' rates
            if (rel == "report.json" && sum.is_object() && sum.contains("events_per_second") &&
                sum.contains("events") && sum.contains("wall_seconds") && sum["events"].is_number() &&
                sum["wall_seconds"].is_number()) {
                const double t = sum["wall_seconds"].get<double>();
                sum["events_per_second"] = t > 0 ? sum["events"].get<double>() / t : 0.0;
            }
            write_json_file(target, sum, 1);
            ++(cutflow ? summary.cutflows : summary.other_json);
        } else if (ext == ".root") {
            summary.rows += concatenate_trees(paths, target);
            ++summary.ntuples;
        } else if (ext == ".csv") {
            concatenate_csv(paths, target);
            ++summary.ntuples;
        } else if (ext == ".h5" || ext == ".hdf5") {
            summary.rows += concatenate_hdf5(paths, target);
            ++summary.ntuples;
        } else {
            throw InputError(
                paths[0].string(), 0, "",
                "not an output of hepkit events (histogram .json/.root, cutflow.json, report.json, "
                "ntuple .root/.csv/.h5): nothing to merge it with");
        }
    }
    for (const auto& rel : files[0])
        summary.files.push_back(rel.string());
    std::sort(summary.files.begin(), summary.files.end());

    fs::rename(tmp.path, output, ec);
    if (ec)
        throw OutputError(output.string(), 0, "",
                          "cannot move the merged folder into place: " + ec.message());
    tmp.keep = true;
    return summary;
}

} // namespace hepkit::events
