#pragma once
// TreeWriter's state (internal to hepkit::io): the branch layout fixed by the first append,
// where every basket went, the cluster sizes; RootWriter asks it to write the TTree at close.

#include "WriterSink.hpp"

#include "hepkit/io/RootWriter.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hepkit::io {

struct TreeWriter::Impl {
    /// One branch with its one leaf.
    struct Branch {
        std::string name;
        ColumnType type = ColumnType::Float32;
        std::size_t width = 1; ///< fixed-size array length
        bool jagged = false;
        int counter = -1; ///< jagged: index of the counter branch
        bool is_counter = false;
        int column = -1;  ///< index of the column in append()'s input; −1: a generated counter
        int counted = -1; ///< generated counter: the jagged column whose offsets give the counts
        std::int64_t max_count = 0;
        std::vector<std::int32_t> basket_bytes;
        std::vector<std::int64_t> basket_entry;
        std::vector<std::int64_t> basket_seek;
        std::int64_t tot_bytes = 0;
        std::int64_t zip_bytes = 0;
        char leaf_identity = 0; ///< its address names the leaf object in references
    };

    detail::Sink* sink = nullptr;
    std::string name;
    TreeOptions options;
    std::vector<Branch> branches;
    std::vector<std::string> column_names; ///< the first append's columns, in order
    std::vector<std::int64_t> clusters;    ///< entries per cluster
    std::int64_t entries = 0;
    bool has_schema = false;

    void set_schema(std::span<const Column> columns);
    void check_columns(std::span<const Column> columns) const;
    void write_cluster(std::span<const Column> columns, std::size_t first, std::size_t n);
    /// The TTree object (at close).
    void write_tree();
};

} // namespace hepkit::io
