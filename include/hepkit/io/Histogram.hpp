#pragma once
/// @file
/// ROOT histograms read without ROOT: TH1, TH2, TH3 with C, S, I, L, F, D contents and the
/// profiles TProfile, TProfile2D, TProfile3D, with their axes (fixed or variable bins, titles,
/// labels), contents and sums of squared weights in ROOT's flat bin order, and the statistics sums.
///
///     hepkit::io::RootFile file("hsimple.root");
///     hepkit::io::Histogram h = hepkit::io::read_histogram(file, "hpx");
///     for (int bin = 1; bin <= h.axes[0].nbins; ++bin)
///         std::cout << h.axes[0].center(bin) << ' ' << h.value(bin) << " ± " << h.error(bin) << '\n';
///
/// The objects are read by following the file's own streamer info (StreamerInfo.hpp), so every
/// class version ROOT has written (TH1 versions 5 to 8 and later ones with the same member kinds)
/// is read; an object whose version the file does not describe is refused, naming what it does.
/// Flat bin index: bin = x + (nx+2)·(y + (ny+2)·z), with bin 0 of each axis the underflow and
/// nbins+1 the overflow (ROOT's TH1::GetBin).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepkit::io {

class RootFile;
class StreamerInfos;

/// One axis (TAxis).
struct HistogramAxis {
    std::string name;  ///< xaxis, yaxis, zaxis
    std::string title; ///< the axis title
    int nbins = 1;
    double min = 0;
    double max = 1;
    std::vector<double> variable_edges; ///< nbins+1 edges for variable bins; empty when uniform
    /// Alphanumeric bin labels: empty when the axis has none, else nbins strings (label of bin b
    /// at b−1; "" for a bin without label).
    std::vector<std::string> labels;

    /// The nbins+1 bin edges (computed for uniform bins as ROOT's TAxis does).
    std::vector<double> edges() const;
    /// Lower edge of bin (1..nbins; 0 gives the underflow's upper edge convention of ROOT: min).
    double low_edge(int bin) const;
    double center(int bin) const;
};

/// The statistics sums a histogram carries (ROOT's fTsumw...); unused ones are 0.
struct HistogramStats {
    double entries = 0;
    double tsumw = 0, tsumw2 = 0;
    double tsumwx = 0, tsumwx2 = 0;
    double tsumwy = 0, tsumwy2 = 0, tsumwxy = 0;              ///< TH2, TH3
    double tsumwz = 0, tsumwz2 = 0, tsumwxz = 0, tsumwyz = 0; ///< TH3
};

/// What a profile adds: per bin the sum of weights (entries) and of squared weights, and the sums
/// of the profiled variable (y for TProfile, z for TProfile2D, t for TProfile3D).
struct ProfileData {
    std::vector<double> bin_entries; ///< fBinEntries: sum of weights per bin
    std::vector<double> bin_sumw2;   ///< fBinSumw2: sum of squared weights per bin (may be empty)
    int error_mode = 0;              ///< 0 mean (""), 1 spread ("s"), 2 spread of integers ("i"), 3 "g"
    double min = 0, max = 0;         ///< the profiled variable's limits (fYmin/fYmax, ...) if set
    double tsumwv = 0;               ///< fTsumwy (TProfile), fTsumwz (2D), fTsumwt (3D)
    double tsumwv2 = 0;
};

struct Histogram {
    std::string class_name; ///< TH1F, TH2D, TProfile, ...
    std::string name;
    std::string title;
    int dimension = 1; ///< 1, 2 or 3
    bool is_profile = false;
    std::array<HistogramAxis, 3> axes; ///< x, y, z (the unused ones have one bin)
    /// fArray, flat in ROOT's order with under/overflow: for a profile the sum of weight·value.
    std::vector<double> contents;
    /// fSumw2 (sum of squared weights per bin; for a profile the sum of weight·value²); empty when
    /// the histogram did not store it.
    std::vector<double> sumw2;
    HistogramStats stats;
    ProfileData profile;      ///< profiles only
    int bin_stat_err_opt = 0; ///< TH1::EBinErrorOpt (0: normal); reported, errors are the normal ones

    /// Number of cells including under/overflows: (nx+2)(ny+2)(nz+2) for the used axes.
    std::size_t ncells() const { return contents.size(); }
    /// Flat bin of (x, y, z) bins (0 = underflow, n+1 = overflow), as TH1::GetBin.
    std::size_t bin(int x, int y = 0, int z = 0) const;
    /// ROOT's GetBinContent: the content, or for a profile the mean of the profiled variable.
    double value(std::size_t bin) const;
    /// ROOT's GetBinError: sqrt(sumw2) when stored, else sqrt(|content|); for profiles per the
    /// error mode (TProfile's "", "s", "i", "g" options).
    double error(std::size_t bin) const;
    /// A profile bin's effective entries: (Σw)² / Σw² (Σw when Σw² was not stored).
    double effective_entries(std::size_t bin) const;
};

/// Whether `class_name` is a histogram class this reader handles.
bool is_histogram_class(std::string_view class_name);

/// Reads the histogram at `path` ("name", "dir/name", "name;cycle"). Throws InputError naming the
/// file, the object and the byte offset when it is not a histogram, is corrupt, or its class
/// version is not described by the file's streamer info.
Histogram read_histogram(const RootFile& file, std::string_view path);
/// As above with the file's streamer infos already parsed (read_streamer_infos), for many reads.
Histogram read_histogram(const RootFile& file, std::string_view path, const StreamerInfos& infos);

/// Where an object's bytes came from, for error messages.
struct ObjectOrigin {
    std::string file;              ///< the file's path
    std::string object;            ///< the object's path in the file
    std::uint64_t file_offset = 0; ///< the key's offset (errors report offsets from it)
    std::int64_t key_len = 0;      ///< the key's header length (ROOT's object references count from it)
};
/// Reads a histogram of `class_name` from its decompressed object bytes (what read_histogram does
/// after finding the key; the fuzz harness and the hostile-input tests call it directly).
Histogram parse_histogram(std::span<const std::uint8_t> payload, std::string_view class_name,
                          const StreamerInfos& infos, const ObjectOrigin& origin);

} // namespace hepkit::io
