// TH1D and TH2D: filling (ROOT's statistics conventions) and serialisation as ROOT 6 writes them
// (TH1 v8 with TAxis v10; the member lists in WriterStreamers.cpp).

#include "WriterSink.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hepkit::io {

HistAxis HistAxis::fixed(int nbins, double min, double max, std::string title) {
    HistAxis a;
    a.nbins = nbins;
    a.min = min;
    a.max = max;
    a.title = std::move(title);
    a.check("axis");
    return a;
}

HistAxis HistAxis::variable(std::vector<double> edges, std::string title) {
    HistAxis a;
    if (edges.size() < 2)
        throw std::invalid_argument("axis: variable binning needs at least 2 edges, got " +
                                    std::to_string(edges.size()));
    a.nbins = static_cast<int>(edges.size() - 1);
    a.min = edges.front();
    a.max = edges.back();
    a.edges = std::move(edges);
    a.title = std::move(title);
    a.check("axis");
    return a;
}

void HistAxis::check(std::string_view what) const {
    std::string w(what);
    if (nbins < 1)
        throw std::invalid_argument(w + ": nbins = " + std::to_string(nbins) + ", must be >= 1");
    if (!(min < max) || !std::isfinite(min) || !std::isfinite(max))
        throw std::invalid_argument(w + ": range [" + std::to_string(min) + ", " + std::to_string(max) +
                                    "] must be finite with min < max");
    if (!edges.empty()) {
        if (edges.size() != static_cast<std::size_t>(nbins) + 1)
            throw std::invalid_argument(w + ": " + std::to_string(edges.size()) + " edges for " +
                                        std::to_string(nbins) + " bins (need nbins+1)");
        for (std::size_t i = 1; i < edges.size(); ++i)
            if (!(edges[i - 1] < edges[i]) || !std::isfinite(edges[i]))
                throw std::invalid_argument(w + ": edges must increase strictly; edge " + std::to_string(i) +
                                            " = " + std::to_string(edges[i]) + " after " +
                                            std::to_string(edges[i - 1]));
        if (edges.front() != min || edges.back() != max)
            throw std::invalid_argument(w + ": min/max differ from the first/last edge");
    }
}

int HistAxis::find_bin(double x) const {
    if (std::isnan(x))
        return nbins + 1;
    if (x < min)
        return 0;
    if (x >= max)
        return nbins + 1;
    if (edges.empty()) {
        const int b = 1 + static_cast<int>(nbins * (x - min) / (max - min));
        return std::min(b, nbins);
    }
    // The first edge above x; bins are [edge_{i-1}, edge_i).
    const auto it = std::upper_bound(edges.begin(), edges.end(), x);
    return static_cast<int>(it - edges.begin());
}

Hist1D::Hist1D(std::string n, std::string t, HistAxis ax)
    : name(std::move(n)), title(std::move(t)), x(std::move(ax)) {
    x.check("Hist1D " + name + " x axis");
    contents.assign(static_cast<std::size_t>(x.nbins) + 2, 0.0);
    sumw2.assign(contents.size(), 0.0);
}

void Hist1D::fill(double xv, double w) {
    const int b = x.find_bin(xv);
    contents.at(static_cast<std::size_t>(b)) += w;
    if (!sumw2.empty())
        sumw2.at(static_cast<std::size_t>(b)) += w * w;
    entries += 1;
    // ROOT's statistics leave out under- and overflows.
    if (b == 0 || b == x.nbins + 1)
        return;
    tsumw += w;
    tsumw2 += w * w;
    tsumwx += w * xv;
    tsumwx2 += w * xv * xv;
}

Hist2D::Hist2D(std::string n, std::string t, HistAxis ax, HistAxis ay)
    : name(std::move(n)), title(std::move(t)), x(std::move(ax)), y(std::move(ay)) {
    x.check("Hist2D " + name + " x axis");
    y.check("Hist2D " + name + " y axis");
    contents.assign((static_cast<std::size_t>(x.nbins) + 2) * (static_cast<std::size_t>(y.nbins) + 2), 0.0);
    sumw2.assign(contents.size(), 0.0);
}

void Hist2D::fill(double xv, double yv, double w) {
    const int bx = x.find_bin(xv), by = y.find_bin(yv);
    const std::size_t cell = static_cast<std::size_t>(bx) + (static_cast<std::size_t>(x.nbins) + 2) * by;
    contents.at(cell) += w;
    if (!sumw2.empty())
        sumw2.at(cell) += w * w;
    entries += 1;
    if (bx == 0 || bx == x.nbins + 1 || by == 0 || by == y.nbins + 1)
        return;
    tsumw += w;
    tsumw2 += w * w;
    tsumwx += w * xv;
    tsumwx2 += w * xv * xv;
    tsumwy += w * yv;
    tsumwy2 += w * yv * yv;
    tsumwxy += w * xv * yv;
}

namespace detail {

namespace {

void tarrayd(WBuffer& b, const std::vector<double>& v) {
    b.i32(static_cast<std::int32_t>(v.size()));
    for (const double x : v)
        b.f64(x);
}

// TAxis with ROOT's default attributes (TAttAxis: 510 divisions, font 42, sizes 0.035).
void axis(WBuffer& b, std::string_view name, const HistAxis& a) {
    const auto f = b.begin_frame(10);
    b.tnamed(name, a.title);
    const auto att = b.begin_frame(4);
    b.i32(510);
    b.i16(1);
    b.i16(1);
    b.i16(42);
    b.f32(0.005F);
    b.f32(0.035F);
    b.f32(0.03F);
    b.f32(1.0F);
    b.f32(0.035F);
    b.i16(1);
    b.i16(42);
    b.end_frame(att);
    b.i32(a.nbins);
    b.f64(a.min);
    b.f64(a.max);
    tarrayd(b, a.edges);
    b.i32(0); // fFirst
    b.i32(0); // fLast
    b.u16(0); // fBits2
    b.u8(0);  // fTimeDisplay
    b.tstring("");
    b.null_pointer(); // fLabels
    b.null_pointer(); // fModLabs
    b.end_frame(f);
}

struct Stats {
    double entries, tsumw, tsumw2, tsumwx, tsumwx2;
};

// TH1's members (v8), the part every histogram class shares.
void th1(WBuffer& b, std::string_view name, std::string_view title, const HistAxis& x, const HistAxis& y,
         const HistAxis& z, std::size_t ncells, const Stats& s, const std::vector<double>& sumw2) {
    const auto f = b.begin_frame(8);
    b.tnamed(name, title);
    const auto line = b.begin_frame(2);
    b.i16(602);
    b.i16(1);
    b.i16(1);
    b.end_frame(line);
    const auto fill = b.begin_frame(2);
    b.i16(0);
    b.i16(1001);
    b.end_frame(fill);
    const auto marker = b.begin_frame(2);
    b.i16(1);
    b.i16(1);
    b.f32(1.0F);
    b.end_frame(marker);
    b.i32(static_cast<std::int32_t>(ncells));
    axis(b, "xaxis", x);
    axis(b, "yaxis", y);
    axis(b, "zaxis", z);
    b.i16(0);    // fBarOffset
    b.i16(1000); // fBarWidth
    b.f64(s.entries);
    b.f64(s.tsumw);
    b.f64(s.tsumw2);
    b.f64(s.tsumwx);
    b.f64(s.tsumwx2);
    b.f64(-1111);   // fMaximum: not set
    b.f64(-1111);   // fMinimum
    b.f64(0);       // fNormFactor
    tarrayd(b, {}); // fContour
    tarrayd(b, sumw2);
    b.tstring(""); // fOption
    // fFunctions ("->": always present, streamed in place): an empty TList.
    const auto list = b.begin_frame(5);
    b.tobject();
    b.tstring("");
    b.i32(0);
    b.end_frame(list);
    b.i32(0); // fBufferSize
    b.u8(0);  // fBuffer: null
    b.i32(0); // fBinStatErrOpt: kNormal
    b.i32(2); // fStatOverflows: kNeutral
    b.end_frame(f);
}

void check_sizes(std::string_view what, const std::string& name, std::size_t ncells,
                 const std::vector<double>& contents, const std::vector<double>& sumw2) {
    if (contents.size() != ncells)
        throw std::invalid_argument(std::string(what) + " " + name + ": " + std::to_string(contents.size()) +
                                    " contents, the axes need " + std::to_string(ncells) +
                                    " (bins + under/overflow)");
    if (!sumw2.empty() && sumw2.size() != ncells)
        throw std::invalid_argument(std::string(what) + " " + name + ": " + std::to_string(sumw2.size()) +
                                    " sumw2 values, need " + std::to_string(ncells) + " or none");
}

} // namespace

void serialize_th1d(WBuffer& b, const Hist1D& h) {
    h.x.check("Hist1D " + h.name + " x axis");
    const std::size_t ncells = static_cast<std::size_t>(h.x.nbins) + 2;
    check_sizes("Hist1D", h.name, ncells, h.contents, h.sumw2);
    HistAxis y = HistAxis::fixed(1, 0, 1, h.y_title);
    const auto f = b.begin_frame(3);
    th1(b, h.name, h.title, h.x, y, HistAxis::fixed(1, 0, 1), ncells,
        {h.entries, h.tsumw, h.tsumw2, h.tsumwx, h.tsumwx2}, h.sumw2);
    tarrayd(b, h.contents);
    b.end_frame(f);
}

void serialize_th2d(WBuffer& b, const Hist2D& h) {
    h.x.check("Hist2D " + h.name + " x axis");
    h.y.check("Hist2D " + h.name + " y axis");
    const std::size_t ncells =
        (static_cast<std::size_t>(h.x.nbins) + 2) * (static_cast<std::size_t>(h.y.nbins) + 2);
    check_sizes("Hist2D", h.name, ncells, h.contents, h.sumw2);
    const auto f = b.begin_frame(4);
    const auto th2 = b.begin_frame(5);
    th1(b, h.name, h.title, h.x, h.y, HistAxis::fixed(1, 0, 1, h.z_title), ncells,
        {h.entries, h.tsumw, h.tsumw2, h.tsumwx, h.tsumwx2}, h.sumw2);
    b.f64(1); // fScalefactor
    b.f64(h.tsumwy);
    b.f64(h.tsumwy2);
    b.f64(h.tsumwxy);
    b.end_frame(th2);
    tarrayd(b, h.contents);
    b.end_frame(f);
}

} // namespace detail
} // namespace hepkit::io
