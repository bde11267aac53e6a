// Weighted histograms (Histogram.hpp): axes, fills, adding, JSON and ROOT output.

#include "hepkit/events/Histogram.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/ConfigReader.hpp"
#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hepkit::events {

// ---- Axis -----------------------------------------------------------------------------------

Axis Axis::regular(int n, double lo, double hi, std::string title) {
    if (n < 1 || n > max_bins)
        throw std::invalid_argument(fmt::format("{} bins: must be between 1 and 10^7", n));
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo))
        throw std::invalid_argument(fmt::format("range [{}, {}): must be finite with low < high", lo, hi));
    Axis a;
    a.regular_ = true;
    a.title_ = std::move(title);
    // numpy.linspace and ROOT's TAxis: lo + k·step, the last edge exactly hi
    const double step = (hi - lo) / n;
    a.edges_.resize(static_cast<std::size_t>(n) + 1);
    for (int k = 0; k < n; ++k)
        a.edges_[static_cast<std::size_t>(k)] = lo + k * step;
    a.edges_.back() = hi;
    // bins narrower than the doubles around lo can tell apart would have equal edges
    for (int k = 1; k <= n; ++k)
        if (!(a.edges_[static_cast<std::size_t>(k) - 1] < a.edges_[static_cast<std::size_t>(k)]))
            throw std::invalid_argument(fmt::format(
                "{} bins in [{}, {}): edges {} and {} are equal in double precision (bins too narrow)", n, lo,
                hi, k - 1, k));
    a.inv_width_ = n / (hi - lo);
    return a;
}

Axis Axis::variable(std::vector<double> edges, std::string title) {
    if (edges.size() < 2)
        throw std::invalid_argument(
            fmt::format("{} edge(s): a variable axis needs at least two", edges.size()));
    if (edges.size() > static_cast<std::size_t>(max_bins) + 1)
        throw std::invalid_argument(fmt::format("{} edges: at most 10^7 bins", edges.size()));
    for (std::size_t k = 0; k < edges.size(); ++k) {
        if (!std::isfinite(edges[k]))
            throw std::invalid_argument(fmt::format("edge {} is {}: edges must be finite", k, edges[k]));
        if (k > 0 && !(edges[k - 1] < edges[k]))
            throw std::invalid_argument(fmt::format("edges {} and {} ({}, {}): edges must increase strictly",
                                                    k - 1, k, edges[k - 1], edges[k]));
    }
    Axis a;
    a.regular_ = false;
    a.edges_ = std::move(edges);
    a.title_ = std::move(title);
    return a;
}

int Axis::variable_index(double x) const {
    if (x < edges_.front())
        return -1;
    if (!(x < edges_.back())) // at or above the last edge, or NaN
        return size();
    // first edge > x, minus one: the bin [edge_k, edge_k+1) holding x
    const auto it = std::upper_bound(edges_.begin(), edges_.end(), x);
    return static_cast<int>(it - edges_.begin()) - 1;
}

std::string Axis::describe() const {
    if (regular_)
        return fmt::format("{} bins in [{}, {})", size(), lo(), hi());
    if (edges_.size() <= 12)
        return fmt::format("{} variable bins [{}]", size(), fmt::join(edges_, ", "));
    return fmt::format("{} variable bins [{}, {}, ..., {}]", size(), edges_[0], edges_[1], edges_.back());
}

io::HistAxis Axis::to_root() const {
    return regular_ ? io::HistAxis::fixed(size(), lo(), hi(), title_)
                    : io::HistAxis::variable(edges_, title_);
}

// ---- Hist -----------------------------------------------------------------------------------

Hist::Hist(std::string name, Axis x) : name_(std::move(name)), x_(std::move(x)) {
    sumw_.assign(static_cast<std::size_t>(x_.size()) + 2, 0.0);
    sumw2_ = sumw_;
}

Hist::Hist(std::string name, Axis x, Axis y) : name_(std::move(name)), x_(std::move(x)), y_(std::move(y)) {
    if (cells(x_, y_) > static_cast<std::size_t>(Axis::max_bins))
        throw std::invalid_argument(
            fmt::format("{} × {} bins with flows: at most 10^7 cells", x_.size(), y_.size()));
    has_y_ = true;
    sumw_.assign(static_cast<std::size_t>(x_.size() + 2) * static_cast<std::size_t>(y_.size() + 2), 0.0);
    sumw2_ = sumw_;
}

const Axis& Hist::y() const {
    if (!has_y_)
        throw std::logic_error("histogram " + name_ + " has no y axis");
    return y_;
}

void Hist::fill(double x, double w) {
    if (has_y_)
        throw std::invalid_argument("histogram " + name_ + " is 2D: fill needs x and y");
    const int i = x_.index(x);
    const std::size_t c = cell(i);
    sumw_[c] += w;
    sumw2_[c] += w * w;
    entries_ += 1;
    if (i >= 0 && i < x_.size()) { // ROOT: statistics of the fills in range only
        stats_.sumw += w;
        stats_.sumw2 += w * w;
        stats_.sumwx += w * x;
        stats_.sumwx2 += w * x * x;
    }
}

void Hist::fill(double x, double y, double w) {
    if (!has_y_)
        throw std::invalid_argument("histogram " + name_ + " is 1D: fill takes x only");
    const int i = x_.index(x), j = y_.index(y);
    const std::size_t c = cell(i, j);
    sumw_[c] += w;
    sumw2_[c] += w * w;
    entries_ += 1;
    if (i >= 0 && i < x_.size() && j >= 0 && j < y_.size()) {
        stats_.sumw += w;
        stats_.sumw2 += w * w;
        stats_.sumwx += w * x;
        stats_.sumwx2 += w * x * x;
        stats_.sumwy += w * y;
        stats_.sumwy2 += w * y * y;
        stats_.sumwxy += w * x * y;
    }
}

namespace {
void check_weights(std::size_t values, std::size_t weights, const std::string& name) {
    if (weights > 1 && weights != values)
        throw std::invalid_argument(
            fmt::format("histogram {}: {} weights for {} values (give none, one, or one per value)", name,
                        weights, values));
}
double weight_at(std::span<const double> w, std::size_t k) {
    return w.empty() ? 1.0 : w.size() == 1 ? w[0] : w[k];
}
} // namespace

void Hist::fill(std::span<const double> x, std::span<const double> w) {
    check_weights(x.size(), w.size(), name_);
    for (std::size_t k = 0; k < x.size(); ++k)
        fill(x[k], weight_at(w, k));
}

void Hist::fill(std::span<const double> x, std::span<const double> y, std::span<const double> w) {
    if (x.size() != y.size())
        throw std::invalid_argument(
            fmt::format("histogram {}: {} x values, {} y values", name_, x.size(), y.size()));
    check_weights(x.size(), w.size(), name_);
    for (std::size_t k = 0; k < x.size(); ++k)
        fill(x[k], y[k], weight_at(w, k));
}

void Hist::fill_jagged(std::span<const double> x, std::span<const std::int64_t> offsets,
                       std::span<const double> event_w) {
    if (offsets.empty())
        throw std::invalid_argument("histogram " + name_ + ": a jagged fill needs events+1 offsets");
    const std::size_t events = offsets.size() - 1;
    if (!event_w.empty() && event_w.size() != events)
        throw std::invalid_argument(
            fmt::format("histogram {}: {} event weights for {} events", name_, event_w.size(), events));
    if (offsets.front() < 0 || static_cast<std::size_t>(offsets.back()) > x.size())
        throw std::invalid_argument(
            fmt::format("histogram {}: offsets beyond the {} values", name_, x.size()));
    for (std::size_t e = 0; e < events; ++e) {
        if (offsets[e + 1] < offsets[e])
            throw std::invalid_argument(fmt::format("histogram {}: offsets decrease at event {}", name_, e));
        const double w = event_w.empty() ? 1.0 : event_w[e];
        for (auto k = offsets[e]; k < offsets[e + 1]; ++k)
            fill(x[static_cast<std::size_t>(k)], w);
    }
}

void Hist::add(const Hist& other) {
    auto refuse = [&](const std::string& what) {
        throw std::invalid_argument(fmt::format("histogram {}: cannot add {}: {}", name_, other.name_, what));
    };
    if (rank() != other.rank())
        refuse(fmt::format("{}D and {}D", rank(), other.rank()));
    if (!x_.same_binning(other.x_))
        refuse(fmt::format("x binning {} differs from {}", other.x_.describe(), x_.describe()));
    if (has_y_ && !y_.same_binning(other.y_))
        refuse(fmt::format("y binning {} differs from {}", other.y_.describe(), y_.describe()));
    for (std::size_t c = 0; c < sumw_.size(); ++c) {
        sumw_[c] += other.sumw_[c];
        sumw2_[c] += other.sumw2_[c];
    }
    entries_ += other.entries_;
    stats_.sumw += other.stats_.sumw;
    stats_.sumw2 += other.stats_.sumw2;
    stats_.sumwx += other.stats_.sumwx;
    stats_.sumwx2 += other.stats_.sumwx2;
    stats_.sumwy += other.stats_.sumwy;
    stats_.sumwy2 += other.stats_.sumwy2;
    stats_.sumwxy += other.stats_.sumwxy;
}

BinSum Hist::at(int ix) const {
    if (has_y_)
        throw std::invalid_argument("histogram " + name_ + " is 2D: at() needs ix and iy");
    if (ix < -1 || ix > x_.size())
        throw std::out_of_range(fmt::format("histogram {}: bin {} outside -1 … {}", name_, ix, x_.size()));
    return {sumw_[cell(ix)], sumw2_[cell(ix)]};
}

BinSum Hist::at(int ix, int iy) const {
    if (!has_y_)
        throw std::invalid_argument("histogram " + name_ + " is 1D: at() takes ix only");
    if (ix < -1 || ix > x_.size() || iy < -1 || iy > y_.size())
        throw std::out_of_range(fmt::format("histogram {}: cell ({}, {}) outside -1 … ({}, {})", name_, ix,
                                            iy, x_.size(), y_.size()));
    return {sumw_[cell(ix, iy)], sumw2_[cell(ix, iy)]};
}

double Hist::sum(bool flow) const {
    double s = 0;
    const int nx = x_.size(), ny = has_y_ ? y_.size() : 0;
    if (!has_y_) {
        for (int i = flow ? -1 : 0; i < (flow ? nx + 1 : nx); ++i)
            s += sumw_[cell(i)];
        return s;
    }
    for (int j = flow ? -1 : 0; j < (flow ? ny + 1 : ny); ++j)
        for (int i = flow ? -1 : 0; i < (flow ? nx + 1 : nx); ++i)
            s += sumw_[cell(i, j)];
    return s;
}

bool Hist::operator==(const Hist& o) const {
    const auto same_stats = [](const Stats& a, const Stats& b) {
        return a.sumw == b.sumw && a.sumw2 == b.sumw2 && a.sumwx == b.sumwx && a.sumwx2 == b.sumwx2 &&
               a.sumwy == b.sumwy && a.sumwy2 == b.sumwy2 && a.sumwxy == b.sumwxy;
    };
    return name_ == o.name_ && rank() == o.rank() && x_.same_binning(o.x_) &&
           (!has_y_ || y_.same_binning(o.y_)) && sumw_ == o.sumw_ && sumw2_ == o.sumw2_ &&
           entries_ == o.entries_ && same_stats(stats_, o.stats_);
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

// JSON has no NaN or infinity (nlohmann writes null): a NaN or infinite weight makes such sums,
// so they are written as the strings "nan", "inf", "-inf" and read back.
nlohmann::json number(double v) {
    if (std::isfinite(v))
        return v;
    return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}
nlohmann::json numbers(const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v)
        a.push_back(number(x));
    return a;
}

struct Reader {
    const std::string& file;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const {
        throw InputError(file, 0, key, message);
    }
    double to_double(const nlohmann::json& j, const std::string& key) const {
        if (j.is_number())
            return j.get<double>();
        if (j.is_string()) {
            const auto s = j.get<std::string>();
            if (s == "nan")
                return std::numeric_limits<double>::quiet_NaN();
            if (s == "inf")
                return std::numeric_limits<double>::infinity();
            if (s == "-inf")
                return -std::numeric_limits<double>::infinity();
        }
        fail(key, fmt::format("{}: expected a number (or \"nan\", \"inf\", \"-inf\")", config::show(j)));
    }
    const nlohmann::json& member(const nlohmann::json& doc, const std::string& key) const {
        if (!doc.contains(key))
            fail(key, "missing: a histogram needs it (docs/events-outputs.md)");
        return doc.at(key);
    }
    double scalar(const nlohmann::json& doc, const std::string& key, double fallback) const {
        return doc.contains(key) ? to_double(doc.at(key), key) : fallback;
    }
    std::vector<double> array(const nlohmann::json& j, const std::string& key, std::size_t expected) const {
        if (!j.is_array())
            fail(key, fmt::format("{}: expected an array of numbers", config::show(j)));
        if (expected != 0 && j.size() != expected)
            fail(key, fmt::format("{} values, expected {}", j.size(), expected));
        std::vector<double> v;
        v.reserve(j.size());
        for (std::size_t k = 0; k < j.size(); ++k)
            v.push_back(to_double(j[k], fmt::format("{}[{}]", key, k)));
        return v;
    }
    Axis axis(const nlohmann::json& doc, const std::string& key) const {
        auto edges = array(member(doc, key), key, 0);
        try {
            // edges that a regular axis would write are read back as a regular axis, so a merged
            // or re-read histogram keeps its binning kind (and adds to a regular one)
            if (edges.size() >= 2 && std::isfinite(edges.front()) && std::isfinite(edges.back()) &&
                edges.front() < edges.back()) {
                Axis r = Axis::regular(static_cast<int>(edges.size() - 1), edges.front(), edges.back());
                if (r.edges() == edges)
                    return r;
            }
            return Axis::variable(std::move(edges));
        } catch (const std::invalid_argument& e) {
            fail(key, e.what());
        }
    }
    void check_sumw2(const std::vector<double>& v, const std::string& key) const {
        for (std::size_t k = 0; k < v.size(); ++k)
            if (v[k] < 0)
                fail(fmt::format("{}[{}]", key, k),
                     fmt::format("{}: a sum of squared weights is >= 0", v[k]));
    }
};

} // namespace

nlohmann::json Hist::to_json() const {
    nlohmann::json j;
    j["name"] = name_;
    if (!title_.empty())
        j["title"] = title_;
    nlohmann::json stats{{"sumw", number(stats_.sumw)},
                         {"sumw2", number(stats_.sumw2)},
                         {"sumwx", number(stats_.sumwx)},
                         {"sumwx2", number(stats_.sumwx2)}};
    if (!has_y_) {
        const auto n = static_cast<std::size_t>(x_.size());
        j["edges"] = numbers(x_.edges());
        j["counts"] =
            numbers(std::vector<double>(sumw_.begin() + 1, sumw_.begin() + 1 + static_cast<long>(n)));
        j["sumw2"] =
            numbers(std::vector<double>(sumw2_.begin() + 1, sumw2_.begin() + 1 + static_cast<long>(n)));
        j["underflow"] = number(sumw_.front());
        j["overflow"] = number(sumw_.back());
        j["underflow_sumw2"] = number(sumw2_.front());
        j["overflow_sumw2"] = number(sumw2_.back());
        if (!x_.title().empty())
            j["x_title"] = x_.title();
    } else {
        stats["sumwy"] = number(stats_.sumwy);
        stats["sumwy2"] = number(stats_.sumwy2);
        stats["sumwxy"] = number(stats_.sumwxy);
        j["dimension"] = 2;
        j["x_edges"] = numbers(x_.edges());
        j["y_edges"] = numbers(y_.edges());
        if (!x_.title().empty())
            j["x_title"] = x_.title();
        if (!y_.title().empty())
            j["y_title"] = y_.title();
        // counts[ix][iy] as numpy.histogram2d's H; *_flow[ix+1][iy+1] as boost's values(flow=True)
        auto grid = [&](const std::vector<double>& v, bool flow) {
            nlohmann::json rows = nlohmann::json::array();
            const int lo = flow ? -1 : 0, nx = x_.size() + (flow ? 1 : 0), ny = y_.size() + (flow ? 1 : 0);
            for (int ix = lo; ix < nx; ++ix) {
                nlohmann::json row = nlohmann::json::array();
                for (int iy = lo; iy < ny; ++iy)
                    row.push_back(number(v[cell(ix, iy)]));
                rows.push_back(std::move(row));
            }
            return rows;
        };
        j["counts"] = grid(sumw_, false);
        j["sumw2"] = grid(sumw2_, false);
        j["counts_flow"] = grid(sumw_, true);
        j["sumw2_flow"] = grid(sumw2_, true);
    }
    // a count: written as an integer (it is one unless histograms were scaled)
    if (entries_ >= 0 && entries_ < 9007199254740992.0 && entries_ == std::floor(entries_))
        j["entries"] = static_cast<std::int64_t>(entries_);
    else
        j["entries"] = number(entries_);
    j["stats"] = std::move(stats);
    return j;
}

Hist Hist::from_json(const nlohmann::json& doc, const std::string& file) {
    const Reader r{file};
    if (!doc.is_object())
        r.fail("", "a histogram is a JSON object with edges, counts, sumw2, ... (docs/events-outputs.md)");
    std::string name;
    if (doc.contains("name")) {
        if (!doc["name"].is_string())
            r.fail("name", fmt::format("{}: expected a string", config::show(doc["name"])));
        name = doc["name"].get<std::string>();
    }
    int dimension = 1;
    if (doc.contains("dimension")) {
        const double d = r.to_double(doc["dimension"], "dimension");
        if (d != 1 && d != 2)
            r.fail("dimension", fmt::format("{}: must be 1 or 2", d));
        dimension = static_cast<int>(d);
    }
    auto title_of = [&](const char* key) {
        return doc.contains(key) && doc[key].is_string() ? doc[key].get<std::string>() : std::string();
    };
    Hist h = dimension == 1 ? Hist(name, r.axis(doc, "edges"))
                            : Hist(name, r.axis(doc, "x_edges"), r.axis(doc, "y_edges"));
    h.x_.set_title(title_of("x_title"));
    if (dimension == 2)
        h.y_.set_title(title_of("y_title"));
    h.title_ = title_of("title");
    const auto nx = static_cast<std::size_t>(h.x_.size());
    if (dimension == 1) {
        const auto counts = r.array(r.member(doc, "counts"), "counts", nx);
        // sumw2 absent: unweighted fills (sumw2 = sumw), as ROOT takes a histogram without Sumw2
        const auto sumw2 = doc.contains("sumw2") ? r.array(doc["sumw2"], "sumw2", nx) : counts;
        r.check_sumw2(sumw2, "sumw2");
        std::copy(counts.begin(), counts.end(), h.sumw_.begin() + 1);
        std::copy(sumw2.begin(), sumw2.end(), h.sumw2_.begin() + 1);
        h.sumw_.front() = r.scalar(doc, "underflow", 0);
        h.sumw_.back() = r.scalar(doc, "overflow", 0);
        h.sumw2_.front() = r.scalar(doc, "underflow_sumw2", h.sumw_.front());
        h.sumw2_.back() = r.scalar(doc, "overflow_sumw2", h.sumw_.back());
        r.check_sumw2({h.sumw2_.front(), h.sumw2_.back()}, "underflow_sumw2/overflow_sumw2");
    } else {
        const auto ny = static_cast<std::size_t>(h.y_.size());
        auto read_grid = [&](const std::string& key, std::size_t rows, std::size_t cols) {
            const auto& g = r.member(doc, key);
            if (!g.is_array() || g.size() != rows)
                r.fail(key, fmt::format("expected {} rows of {} values", rows, cols));
            std::vector<std::vector<double>> out;
            for (std::size_t i = 0; i < rows; ++i)
                out.push_back(r.array(g[i], fmt::format("{}[{}]", key, i), cols));
            return out;
        };
        const bool flow = doc.contains("counts_flow");
        const std::size_t rows = flow ? nx + 2 : nx, cols = flow ? ny + 2 : ny;
        const auto counts = read_grid(flow ? "counts_flow" : "counts", rows, cols);
        const auto sumw2 = doc.contains(flow ? "sumw2_flow" : "sumw2")
                               ? read_grid(flow ? "sumw2_flow" : "sumw2", rows, cols)
                               : counts;
        const int off = flow ? -1 : 0;
        for (std::size_t i = 0; i < rows; ++i) {
            r.check_sumw2(sumw2[i], fmt::format("{}[{}]", flow ? "sumw2_flow" : "sumw2", i));
            for (std::size_t k = 0; k < cols; ++k) {
                const std::size_t c = h.cell(static_cast<int>(i) + off, static_cast<int>(k) + off);
                h.sumw_[c] = counts[i][k];
                h.sumw2_[c] = sumw2[i][k];
            }
        }
    }
    h.entries_ = doc.contains("entries") ? r.to_double(doc["entries"], "entries") : h.sum(true);
    if (!(h.entries_ >= 0))
        r.fail("entries", fmt::format("{}: must be >= 0", h.entries_));
    if (doc.contains("stats")) {
        const auto& s = doc["stats"];
        if (!s.is_object())
            r.fail("stats", "expected an object of sums (sumw, sumw2, sumwx, sumwx2, ...)");
        auto get = [&](const char* k) {
            return s.contains(k) ? r.to_double(s[k], std::string("stats.") + k) : 0.0;
        };
        h.stats_ = {get("sumw"),  get("sumw2"),  get("sumwx"), get("sumwx2"),
                    get("sumwy"), get("sumwy2"), get("sumwxy")};
    } else {
        h.stats_.sumw = h.sum(false); // without the values, the in-range weights are all that is known
    }
    return h;
}

Hist Hist::read_json(const std::string& path) {
    return from_json(config::load_json_file(path), path);
}

void Hist::write_json(const std::string& path) const {
    write_json_file(path, to_json(), 1);
}

// ---- ROOT -----------------------------------------------------------------------------------

io::Hist1D Hist::to_root_1d() const {
    if (has_y_)
        throw std::logic_error("histogram " + name_ + " is 2D, not a TH1D");
    io::Hist1D h(name_, title_, x_.to_root());
    h.contents = sumw_;
    h.sumw2 = sumw2_;
    h.entries = entries_;
    h.tsumw = stats_.sumw;
    h.tsumw2 = stats_.sumw2;
    h.tsumwx = stats_.sumwx;
    h.tsumwx2 = stats_.sumwx2;
    return h;
}

io::Hist2D Hist::to_root_2d() const {
    if (!has_y_)
        throw std::logic_error("histogram " + name_ + " is 1D, not a TH2D");
    io::Hist2D h(name_, title_, x_.to_root(), y_.to_root());
    h.contents = sumw_;
    h.sumw2 = sumw2_;
    h.entries = entries_;
    h.tsumw = stats_.sumw;
    h.tsumw2 = stats_.sumw2;
    h.tsumwx = stats_.sumwx;
    h.tsumwx2 = stats_.sumwx2;
    h.tsumwy = stats_.sumwy;
    h.tsumwy2 = stats_.sumwy2;
    h.tsumwxy = stats_.sumwxy;
    return h;
}

void Hist::write_root(const std::string& path) const {
    io::WriterOptions options;
    io::RootWriter out(path, options);
    try {
        if (has_y_)
            out.write(to_root_2d());
        else
            out.write(to_root_1d());
    } catch (const std::invalid_argument& e) {
        throw OutputError(path, 0, name_, e.what());
    }
    out.close();
}

} // namespace hepkit::events
