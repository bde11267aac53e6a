#pragma once
/// @file
/// Writing ROOT files without ROOT: histograms (TH1D, TH2D) and flat or jagged TTrees of basic
/// types, that ROOT, uproot and jsroot open.
///
///     hepkit::io::RootWriter out("result.root", {.compression = {hepkit::io::Codec::Zstd, 5}});
///     hepkit::io::Hist1D h("mass", "dimuon mass", hepkit::io::HistAxis::fixed(100, 0, 200, "m [GeV]"));
///     for (double m : masses) h.fill(m);
///     out.write(h);
///     out.write_tree("Events", columns);   // io::Column: flat, fixed-size arrays, jagged
///     out.close();                          // the file appears whole here, or not at all
///
/// The file is written to a temporary name next to the target and renamed onto it in close();
/// a writer destroyed without close() (an exception, an early return) removes the temporary file,
/// so an error never leaves a half-written output. Jagged columns become NanoAOD-style branches:
/// a counter branch `nMuon` (int32) and C-array branches `Muon_pt[nMuon]` sharing it; columns
/// `Prefix_*` share the counter `nPrefix` (their offsets must agree), a jagged column without an
/// underscore gets the counter `n<name>`. A flat integer column already named like the counter
/// (read from a NanoAOD file) is used as the counter when it holds the same counts.

#include "hepkit/io/Column.hpp"
#include "hepkit/io/Compression.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

/// A histogram axis: `nbins` bins from `min` to `max`, equal width unless `edges` (nbins+1
/// increasing values) gives them.
struct HistAxis {
    int nbins = 1;
    double min = 0;
    double max = 1;
    std::vector<double> edges; ///< empty: fixed binning
    std::string title;

    static HistAxis fixed(int nbins, double min, double max, std::string title = "");
    static HistAxis variable(std::vector<double> edges, std::string title = "");
    /// ROOT's bin number of x: 0 underflow, 1..nbins, nbins+1 overflow (NaN: overflow, as ROOT).
    int find_bin(double x) const;
    /// Throws std::invalid_argument when nbins < 1, min >= max or the edges are not increasing.
    void check(std::string_view what) const;
};

/// A TH1D: contents and sums of squared weights per bin in ROOT's order (0 underflow, nbins+1
/// overflow), the number of entries and the statistics sums over the filled values that lie in
/// the axis range (ROOT's convention: under/overflows count in the entries, not in the sums).
struct Hist1D {
    std::string name;
    std::string title;
    HistAxis x;
    std::string y_title;
    std::vector<double> contents; ///< nbins+2
    std::vector<double> sumw2;    ///< nbins+2, or empty (ROOT then takes the errors as sqrt(content))
    double entries = 0;
    double tsumw = 0, tsumw2 = 0, tsumwx = 0, tsumwx2 = 0;

    Hist1D() = default;
    Hist1D(std::string name, std::string title, HistAxis x);
    /// Adds weight w at x (and w² to sumw2, which fill keeps), as TH1::Fill does.
    void fill(double x, double w = 1);
};

/// A TH2D: cells in ROOT's order, cell (ix, iy) at ix + (nx+2)·iy, with the 2D statistics sums.
struct Hist2D {
    std::string name;
    std::string title;
    HistAxis x;
    HistAxis y;
    std::string z_title;
    std::vector<double> contents; ///< (nx+2)·(ny+2)
    std::vector<double> sumw2;    ///< same size, or empty
    double entries = 0;
    double tsumw = 0, tsumw2 = 0, tsumwx = 0, tsumwx2 = 0, tsumwy = 0, tsumwy2 = 0, tsumwxy = 0;

    Hist2D() = default;
    Hist2D(std::string name, std::string title, HistAxis x, HistAxis y);
    void fill(double x, double y, double w = 1);
};

/// How a file is written.
struct WriterOptions {
    /// Codec and level of every object and basket (ROOT's default: zlib 1; ROOT ≥ 6.30: ZSTD 5).
    CompressionSetting compression{Codec::Zlib, 1};
    /// The file's title (TFile title).
    std::string title;
    /// The key time stamps (Unix seconds); 0: the environment's SOURCE_DATE_EPOCH when set, else
    /// now. Set either for byte-identical outputs.
    std::int64_t timestamp = 0;
};

/// How a tree is cut into baskets and clusters.
struct TreeOptions {
    std::string title;
    /// Uncompressed bytes of one basket (a branch's block of entries; at least one entry).
    std::size_t basket_size = 32000;
    /// Entries per cluster (all branches' baskets end at cluster boundaries); 0: each call to
    /// TreeWriter::append is one cluster.
    std::size_t cluster_entries = 0;
};

class RootWriter;

/// A tree being written: each append() writes its entries as baskets at once (memory stays
/// bounded by one call's columns), the TTree object is written when the RootWriter closes.
class TreeWriter {
  public:
    /// Appends entries: the same columns (names, types, shapes) at every call. Throws
    /// std::invalid_argument for columns of different lengths, names ROOT cannot hold, string
    /// columns, or columns that do not match the first call's.
    void append(std::span<const Column> columns);
    std::int64_t entries() const;

    ~TreeWriter();
    TreeWriter(const TreeWriter&) = delete;
    TreeWriter& operator=(const TreeWriter&) = delete;
    struct Impl;

  private:
    friend class RootWriter;
    explicit TreeWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

class RootWriter {
  public:
    /// Creates the temporary file next to `path`; throws hepkit::OutputError when it cannot.
    explicit RootWriter(std::string path, WriterOptions options = {});
    /// Without close(): removes the temporary file (nothing appears at `path`).
    ~RootWriter();
    RootWriter(const RootWriter&) = delete;
    RootWriter& operator=(const RootWriter&) = delete;

    /// Writes a histogram now (key `name`, cycle 1). Throws std::invalid_argument for a bad name,
    /// a name already written, bad axes or arrays of the wrong size.
    void write(const Hist1D& hist);
    void write(const Hist2D& hist);

    /// Starts a tree `name`; the returned writer lives until close().
    TreeWriter& tree(std::string name, TreeOptions options = {});
    /// tree(name, options).append(columns).
    void write_tree(std::string name, std::span<const Column> columns, TreeOptions options = {});

    /// Writes the trees' metadata, the streamer info, the keys list, the free segments and the
    /// header, and renames the file into place. Throws hepkit::OutputError on a write error (the
    /// temporary file is removed). Calling it twice is an error (std::logic_error).
    void close();

    const std::string& path() const;
    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace hepkit::io
