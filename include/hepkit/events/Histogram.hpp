#pragma once
/// @file
/// Weighted histograms of `hepkit events` (issue 15): one or two axes, regular or variable bins,
/// a sum of weights and a sum of squared weights per bin, under- and overflow bins, an entry
/// count. The semantics are boost-histogram's (its `axis::regular`, `axis::variable` and
/// `storage::weight`, https://www.boost.org/doc/libs/release/libs/histogram/):
///
/// - a bin is half-open, [lower, upper): a value on an inner edge belongs to the bin above it, a
///   value equal to the last edge goes to the overflow bin (numpy.histogram instead closes its last
///   bin, [lower, upper]: the one place where numpy and this histogram differ);
/// - values below the first edge go to the underflow bin, values at or above the last edge and NaN
///   go to the overflow bin (boost-histogram: "NaN is sorted into the overflow bin"; ROOT's
///   TAxis::FindBin does the same: !(x < xmax));
/// - a regular axis's edges are lo + k·(hi − lo)/n with the last one exactly hi (numpy.linspace,
///   ROOT's TAxis), and a value is placed by those written edges — the index computed by
///   multiplication is corrected by comparing with them (as numpy.histogram does), so the bins
///   are exactly the intervals the JSON lists, with no rounding disagreement at an edge;
/// - each fill adds w to sumw and w² to sumw2 of its bin (boost's weighted_sum; ROOT's
///   TH1::Sumw2) and counts one entry whatever its bin (ROOT's fEntries).
///
/// Where ROOT differs: ROOT keeps the statistics sums (Σw, Σw², Σwx, Σwx², ...) over the fills
/// inside the axis range only; they are kept here too (Stats) so that the written TH1D/TH2D shows
/// ROOT's mean and RMS of the filled values, not of bin centres.
///
/// Bin indices follow boost-histogram: −1 is the underflow, 0 … n−1 the bins, n the overflow.
/// The storage is flat with the flow bins, in ROOT's order (0 underflow, n+1 overflow; 2D: cell
/// (ix, iy) at ix + (nx+2)·iy), so that the conversion to io::Hist1D/Hist2D is a copy.
///
/// JSON (docs/events-outputs.md): 1D `{"name", "edges", "counts", "sumw2", "underflow",
/// "overflow", "underflow_sumw2", "overflow_sumw2", "entries", "stats"}` — the schema
/// plus the flow bins' sumw2 and ROOT's statistics sums, so that merging files is exact; 2D
/// `{"name", "dimension": 2, "x_edges", "y_edges", "counts", "sumw2", "counts_flow", "sumw2_flow",
/// "entries", "stats"}` with counts[ix][iy] as numpy.histogram2d's H and the *_flow arrays
/// (nx+2)×(ny+2) as boost-histogram's values(flow=True).

#include "hepkit/io/RootWriter.hpp"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

namespace hepkit::events {

/// One axis: regular (n bins from lo to hi) or variable (increasing edges).
class Axis {
  public:
    /// n equal bins on [lo, hi). Throws std::invalid_argument when n < 1 or n > 10^8, lo or hi is
    /// not finite, or lo >= hi.
    static Axis regular(int n, double lo, double hi, std::string title = "");
    /// Bins between consecutive edges (at least two, finite, strictly increasing; else
    /// std::invalid_argument naming the first bad one).
    static Axis variable(std::vector<double> edges, std::string title = "");

    bool is_regular() const { return regular_; }
    int size() const { return static_cast<int>(edges_.size()) - 1; }
    const std::vector<double>& edges() const { return edges_; }
    double lo() const { return edges_.front(); }
    double hi() const { return edges_.back(); }
    const std::string& title() const { return title_; }
    void set_title(std::string title) { title_ = std::move(title); }

    /// The bin of x: −1 underflow, 0 … size()−1, size() overflow (also for NaN).
    /// Hot: called once per filled value (measure before changing).
    int index(double x) const {
        if (regular_) {
            if (!(x >= edges_.front())) // below, or NaN: NaN goes to the overflow
                return x < edges_.front() ? -1 : size();
            if (!(x < edges_.back()))
                return size();
            int i = static_cast<int>((x - edges_.front()) * inv_width_);
            if (i > size() - 1)
                i = size() - 1;
            // the written edges decide (numpy.histogram's correction of the computed index): x is
            // in [lo, hi), so one step stays inside 0 … size()−1
            if (x < edges_[static_cast<std::size_t>(i)])
                --i;
            else if (x >= edges_[static_cast<std::size_t>(i) + 1])
                ++i;
            return i;
        }
        return variable_index(x);
    }
    /// Same binning (regular or not, same edges; titles are not compared).
    bool same_binning(const Axis& other) const {
        return regular_ == other.regular_ && edges_ == other.edges_;
    }
    /// "40 bins in [0, 200)" or "5 variable bins [0, 10, 20, 50, 100, 200]": for messages.
    std::string describe() const;
    /// The io axis (fixed or variable) for ROOT output.
    io::HistAxis to_root() const;

  private:
    int variable_index(double x) const;
    bool regular_ = true;
    double inv_width_ = 1;
    std::vector<double> edges_;
    std::string title_;
};

/// ROOT's statistics sums over the fills inside the axis range (TH1::GetStats).
struct Stats {
    double sumw = 0, sumw2 = 0, sumwx = 0, sumwx2 = 0;
    double sumwy = 0, sumwy2 = 0, sumwxy = 0; ///< 2D only
};

/// A bin's accumulators (boost-histogram's accumulators::weighted_sum: value and variance).
struct BinSum {
    double sumw = 0;
    double sumw2 = 0;
};

class Hist {
  public:
    /// A 1D histogram. `name` names it in outputs (the TH1D's name, the JSON's "name").
    Hist(std::string name, Axis x);
    /// A 2D histogram.
    Hist(std::string name, Axis x, Axis y);

    const std::string& name() const { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }
    const std::string& title() const { return title_; }
    void set_title(std::string title) { title_ = std::move(title); }
    int rank() const { return has_y_ ? 2 : 1; }
    const Axis& x() const { return x_; }
    /// The y axis; std::logic_error for a 1D histogram.
    const Axis& y() const;

    /// Fills one value with weight w.
    void fill(double x, double w = 1);
    void fill(double x, double y, double w);
    /// Fills every value of `x`; `w` empty (weight 1), one weight per value, or one weight for all.
    /// std::invalid_argument for other sizes (and for a 2D histogram).
    void fill(std::span<const double> x, std::span<const double> w);
    /// 2D: x and y of the same length; w as above.
    void fill(std::span<const double> x, std::span<const double> y, std::span<const double> w);
    /// A jagged column: event e's values are x[offsets[e], offsets[e+1]), each filled with the
    /// event's weight event_w[e] (empty: 1) — one weight per event broadcast over its elements.
    void fill_jagged(std::span<const double> x, std::span<const std::int64_t> offsets,
                     std::span<const double> event_w);

    /// Adds another histogram's bins, entries and statistics. std::invalid_argument, naming both
    /// binnings, when the rank or an axis's binning differs.
    void add(const Hist& other);

    /// Bin (ix) or cell (ix, iy), indices −1 … n (boost-histogram's flow convention).
    BinSum at(int ix) const;
    BinSum at(int ix, int iy) const;
    /// Flat storage with flow bins in ROOT's order (see the file comment).
    const std::vector<double>& sumw() const { return sumw_; }
    const std::vector<double>& sumw2() const { return sumw2_; }
    /// Number of fills (all bins, NaN included), ROOT's fEntries.
    double entries() const { return entries_; }
    const Stats& stats() const { return stats_; }
    /// Sum of weights over all bins, flow bins included.
    double sum(bool flow = true) const;

    bool operator==(const Hist& other) const;

    /// The JSON document (see the file comment; docs/events-outputs.md).
    nlohmann::json to_json() const;
    /// Reads to_json()'s document. Throws hepkit::InputError naming `file` and the key for a missing
    /// or bad member (arrays of the wrong length, edges not increasing, negative sumw2).
    static Hist from_json(const nlohmann::json& doc, const std::string& file);
    /// Reads a JSON file written by write_json (or by `hepkit events hist`).
    static Hist read_json(const std::string& path);
    /// Writes to_json() atomically (hepkit::OutputError naming the path).
    void write_json(const std::string& path) const;

    /// ROOT's TH1D / TH2D (std::logic_error for the other rank).
    io::Hist1D to_root_1d() const;
    io::Hist2D to_root_2d() const;
    /// Writes the TH1D or TH2D named name() into a new ROOT file at `path` (atomic).
    void write_root(const std::string& path) const;

  private:
    std::size_t cell(int ix) const { return static_cast<std::size_t>(ix + 1); }
    std::size_t cell(int ix, int iy) const {
        return static_cast<std::size_t>(ix + 1) +
               static_cast<std::size_t>(x_.size() + 2) * static_cast<std::size_t>(iy + 1);
    }

    std::string name_;
    std::string title_;
    Axis x_;
    Axis y_;
    bool has_y_ = false;
    std::vector<double> sumw_, sumw2_;
    double entries_ = 0;
    Stats stats_;
};

} // namespace hepkit::events
