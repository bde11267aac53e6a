#include "hepkit/io/Histogram.hpp"

#include "Cursor.hpp"
#include "StreamerInfoReader.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/RootFile.hpp"
#include "hepkit/io/StreamerInfo.hpp"

#include <cmath>
#include <fmt/format.h>
#include <regex>

namespace hepkit::io {

namespace {

enum class Kind { Hist1, Hist2, Hist3, Profile1, Profile2, Profile3, None };

Kind kind_of(std::string_view cls) {
    if (cls == "TProfile")
        return Kind::Profile1;
    if (cls == "TProfile2D")
        return Kind::Profile2;
    if (cls == "TProfile3D")
        return Kind::Profile3;
    // TH1C, TH1S, TH1I, TH1L, TH1F, TH1D and the same for TH2, TH3.
    if (cls.size() == 4 && cls.substr(0, 2) == "TH" && cls[2] >= '1' && cls[2] <= '3' &&
        std::string_view("CSILFD").find(cls[3]) != std::string_view::npos)
        return cls[2] == '1' ? Kind::Hist1 : cls[2] == '2' ? Kind::Hist2 : Kind::Hist3;
    return Kind::None;
}

[[noreturn]] void refuse(const std::string& file, std::string_view path, const std::string& message) {
    throw InputError(file, 0, std::string(path), message);
}

[[noreturn]] void not_a_histogram(const std::string& file, std::string_view path,
                                  std::string_view class_name) {
    refuse(file, path,
           fmt::format("is a {}, not a histogram (TH1/TH2/TH3 with C, S, I, L, F or D contents, TProfile, "
                       "TProfile2D, TProfile3D)",
                       class_name));
}

HistogramAxis make_axis(const ObjectRecord& r, const std::string& prefix) {
    HistogramAxis a;
    a.name = r.string(prefix + "fName");
    a.title = r.string(prefix + "fTitle");
    a.nbins = static_cast<int>(r.number(prefix + "fNbins", 1));
    a.min = r.number(prefix + "fXmin");
    a.max = r.number(prefix + "fXmax");
    a.variable_edges = r.array(prefix + "fXbins");
    return a;
}

// Labels placed by bin number (the label's fUniqueID); a number outside the axis is ignored
// rather than trusted as an index. Called once the axis's bins are known to fit the object.
void place_labels(const ObjectRecord& r, const std::string& prefix, HistogramAxis& a) {
    const auto it = r.labels.find(prefix + "fLabels");
    if (it == r.labels.end())
        return;
    const auto& bins = r.array(prefix + "fLabels.bins");
    for (std::size_t i = 0; i < it->second.size() && i < bins.size(); ++i) {
        const double b = bins[i];
        if (b < 1 || b > a.nbins)
            continue;
        if (a.labels.empty())
            a.labels.resize(static_cast<std::size_t>(a.nbins));
        a.labels[static_cast<std::size_t>(b) - 1] = it->second[i];
    }
}

} // namespace

std::vector<double> HistogramAxis::edges() const {
    std::vector<double> e;
    if (nbins < 1)
        return e;
    e.reserve(static_cast<std::size_t>(nbins) + 1);
    for (int b = 1; b <= nbins + 1; ++b)
        e.push_back(low_edge(b));
    return e;
}

double HistogramAxis::low_edge(int bin) const {
    if (!variable_edges.empty() && bin >= 1 && bin <= nbins + 1)
        return variable_edges[static_cast<std::size_t>(bin - 1)];
    // ROOT's TAxis::GetBinLowEdge for uniform bins.
    const double width = (max - min) / nbins;
    return min + (bin - 1) * width;
}

double HistogramAxis::center(int bin) const {
    return 0.5 * (low_edge(bin) + low_edge(bin + 1));
}

bool is_histogram_class(std::string_view class_name) {
    return kind_of(class_name) != Kind::None;
}

std::size_t Histogram::bin(int x, int y, int z) const {
    const auto nx = static_cast<std::size_t>(axes[0].nbins) + 2;
    const auto ny = static_cast<std::size_t>(axes[1].nbins) + 2;
    return static_cast<std::size_t>(x) +
           nx * (static_cast<std::size_t>(y) + ny * static_cast<std::size_t>(z));
}

double Histogram::value(std::size_t b) const {
    if (!is_profile)
        return contents.at(b);
    const double sum = profile.bin_entries.at(b);
    return sum == 0 ? 0.0 : contents.at(b) / sum;
}

double Histogram::effective_entries(std::size_t b) const {
    const double sum = profile.bin_entries.at(b);
    // Old files have no fBinSumw2: every weight counted as 1 (TProfile::GetBinEffectiveEntries).
    if (profile.bin_sumw2.size() != profile.bin_entries.size())
        return sum;
    const double sum2 = profile.bin_sumw2[b];
    return sum2 > 0 ? sum * sum / sum2 : 0.0;
}

double Histogram::error(std::size_t b) const {
    if (!is_profile) {
        if (!sumw2.empty())
            return std::sqrt(sumw2.at(b));
        return std::sqrt(std::abs(contents.at(b)));
    }
    // TProfile's bin error (TProfileHelper::GetBinError): from Σw·y, Σw and Σw·y² of the bin.
    const double sum = profile.bin_entries.at(b);
    if (sum == 0)
        return 0.0;
    if (profile.error_mode == 3) // "g": 1/sqrt(Σw)
        return 1.0 / std::sqrt(sum);
    const double mean = contents.at(b) / sum;
    const double sumwy2 = sumw2.empty() ? 0.0 : sumw2.at(b);
    const double spread = std::sqrt(std::abs(sumwy2 / sum - mean * mean));
    const double neff = effective_entries(b);
    if (profile.error_mode == 2) // "i": a spread of 0 means integer values, each ±1/sqrt(12)
        return spread != 0 ? spread / std::sqrt(neff) : 1.0 / std::sqrt(12 * neff);
    if (profile.error_mode == 1) // "s": the spread itself
        return spread;
    return spread / std::sqrt(neff); // "": the error on the mean
}

Histogram read_histogram(const RootFile& file, std::string_view path) {
    return read_histogram(file, path, read_streamer_infos(file));
}

Histogram read_histogram(const RootFile& file, std::string_view path, const StreamerInfos& infos) {
    const Key key = file.key(path);
    if (kind_of(key.class_name) == Kind::None)
        not_a_histogram(file.path(), path, key.class_name);
    const std::vector<std::uint8_t> payload = file.read_payload(key);
    return parse_histogram(
        payload, key.class_name, infos,
        {file.path(), std::string(path), static_cast<std::uint64_t>(key.seek_key), key.key_len});
}

Histogram parse_histogram(std::span<const std::uint8_t> payload, std::string_view class_name,
                          const StreamerInfos& infos, const ObjectOrigin& origin) {
    const std::string& file = origin.file;
    const std::string& path = origin.object;
    const Kind kind = kind_of(class_name);
    if (kind == Kind::None)
        not_a_histogram(file, path, class_name);
    Cursor cursor(payload, file, path, origin.file_offset, origin.key_len);
    ObjectRecord r;
    StreamerInfoReader(infos, cursor).read(std::string(class_name), "", r);

    Histogram h;
    h.class_name = class_name;
    h.name = r.string("fName");
    h.title = r.string("fTitle");
    h.is_profile = kind == Kind::Profile1 || kind == Kind::Profile2 || kind == Kind::Profile3;
    h.dimension = (kind == Kind::Hist1 || kind == Kind::Profile1)   ? 1
                  : (kind == Kind::Hist2 || kind == Kind::Profile2) ? 2
                                                                    : 3;
    h.axes = {make_axis(r, "fXaxis."), make_axis(r, "fYaxis."), make_axis(r, "fZaxis.")};
    h.contents = r.array("fArray");
    h.sumw2 = r.array("fSumw2");
    h.bin_stat_err_opt = static_cast<int>(r.number("fBinStatErrOpt"));

    // The layout must hold together before anyone indexes it: bins, edges and array lengths.
    std::size_t cells = 1;
    for (int d = 0; d < 3; ++d) {
        const auto& a = h.axes[static_cast<std::size_t>(d)];
        const char* axis = d == 0 ? "x" : d == 1 ? "y" : "z";
        if (a.nbins < 1 || (d >= h.dimension && a.nbins != 1))
            refuse(file, path, fmt::format("its {} axis has {} bins", axis, a.nbins));
        if (!a.variable_edges.empty() && a.variable_edges.size() != static_cast<std::size_t>(a.nbins) + 1)
            refuse(file, path,
                   fmt::format("its {} axis has {} bins but {} bin edges", axis, a.nbins,
                               a.variable_edges.size()));
        if (d < h.dimension) {
            cells *= static_cast<std::size_t>(a.nbins) + 2;
            if (cells > payload.size())
                refuse(file, path,
                       fmt::format("its axes make more cells than the object's {} bytes can hold",
                                   payload.size()));
        }
    }
    place_labels(r, "fXaxis.", h.axes[0]);
    place_labels(r, "fYaxis.", h.axes[1]);
    place_labels(r, "fZaxis.", h.axes[2]);
    if (h.contents.size() != cells)
        refuse(file, path,
               fmt::format("holds {} bin contents, its axes need {} (bins + under/overflow)",
                           h.contents.size(), cells));
    if (!h.sumw2.empty() && h.sumw2.size() != cells)
        refuse(file, path,
               fmt::format("holds {} sums of squared weights for {} bins", h.sumw2.size(), cells));

    auto& s = h.stats;
    s.entries = r.number("fEntries");
    s.tsumw = r.number("fTsumw");
    s.tsumw2 = r.number("fTsumw2");
    s.tsumwx = r.number("fTsumwx");
    s.tsumwx2 = r.number("fTsumwx2");
    if (h.dimension >= 2) {
        s.tsumwy = r.number("fTsumwy");
        s.tsumwy2 = r.number("fTsumwy2");
        s.tsumwxy = r.number("fTsumwxy");
    }
    if (h.dimension == 3) {
        s.tsumwz = r.number("fTsumwz");
        s.tsumwz2 = r.number("fTsumwz2");
        s.tsumwxz = r.number("fTsumwxz");
        s.tsumwyz = r.number("fTsumwyz");
    }
    if (h.is_profile) {
        const char* v = h.dimension == 1 ? "y" : h.dimension == 2 ? "z" : "t";
        const std::string V(1, static_cast<char>(std::toupper(static_cast<unsigned char>(*v))));
        auto& p = h.profile;
        p.bin_entries = r.array("fBinEntries");
        p.bin_sumw2 = r.array("fBinSumw2");
        p.error_mode = static_cast<int>(r.number("fErrorMode"));
        p.min = r.number("f" + V + "min");
        p.max = r.number("f" + V + "max");
        p.tsumwv = r.number(std::string("fTsumw") + v);
        p.tsumwv2 = r.number(std::string("fTsumw") + v + "2");
        if (p.bin_entries.size() != cells)
            refuse(file, path,
                   fmt::format("a profile with {} bin entries for {} bins", p.bin_entries.size(), cells));
        if (!p.bin_sumw2.empty() && p.bin_sumw2.size() != cells)
            refuse(file, path,
                   fmt::format("a profile with {} per-bin sums of squared weights for {} bins",
                               p.bin_sumw2.size(), cells));
        if (p.error_mode < 0 || p.error_mode > 3)
            refuse(file, path,
                   fmt::format("a profile with the error mode {} (allowed: 0 to 3)", p.error_mode));
    }
    return h;
}

} // namespace hepkit::io
