// The consumers' results (Consumers.hpp): merged in batch order, written next to the stem. A file
// of its own: `hepkit events merge` and tests use the results without the expression evaluator.

#include "hepkit/core/Error.hpp"
#include "hepkit/events/Consumers.hpp"
#include "hepkit/io/ColumnFile.hpp"
#include "hepkit/io/Tree.hpp"

#include <cstdlib>

namespace hepkit::events {

void HistogramResult::merge(Result&& later) {
    auto& other = dynamic_cast<HistogramResult&>(later);
    hist_.add(other.hist_);
}

void HistogramResult::write(const std::filesystem::path& stem) const {
    Hist h = hist_;
    h.set_name(stem.filename().string());
    auto with = [&](const char* ext) {
        auto p = stem;
        p += ext;
        return p.string();
    };
    // the ROOT file first: if it fails, no JSON claims an output that is not there
    h.write_root(with(".root"));
    h.write_json(with(".json"));
}

void NtupleResult::merge(Result&& later) {
    auto& other = dynamic_cast<NtupleResult&>(later);
    for (std::size_t k = 0; k < columns_.size(); ++k)
        io::append_column(columns_[k], std::move(other.columns_[k]));
}

void NtupleResult::write(const std::filesystem::path& stem) const {
    auto path = stem;
    path += format_ == NtupleFormat::Root ? ".root" : format_ == NtupleFormat::Hdf5 ? ".h5" : ".csv";
    if (format_ != NtupleFormat::Root) {
        io::write_columns(path.string(), columns_);
        return;
    }
    io::WriterOptions options;
    io::RootWriter out(path.string(), options);
    try {
        out.write_tree(tree_, columns_);
    } catch (const std::invalid_argument& e) {
        throw OutputError(path.string(), 0, tree_, e.what());
    }
    out.close();
}

} // namespace hepkit::events
