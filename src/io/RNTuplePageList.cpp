// An RNTuple page list envelope: the cluster summaries of one cluster group and, per cluster and
// column, the pages (element count, checksum bit, locator), the column's first element index and
// its compression setting.
#include "RNTupleFormat.hpp"

namespace hepkit::io::rntuple {

namespace {
constexpr std::size_t kMinSummary = 8 + 8 + 8;
constexpr std::size_t kMinColumnList = 12;
constexpr std::size_t kMinPageList = 12 + 8;
constexpr std::size_t kMinPage = 4 + 4 + 8;
} // namespace

std::vector<ClusterDesc> parse_page_list(LeReader& in, const ClusterGroup& group,
                                         std::uint64_t header_checksum, std::size_t columns) {
    const std::uint64_t recorded = in.u64();
    if (recorded != header_checksum)
        in.fail("the page list belongs to a header with xxhash3 " + std::to_string(recorded) +
                ", the header read has " + std::to_string(header_checksum));
    const auto summaries = in.list("cluster summary list", kMinSummary);
    if (summaries.items != group.clusters)
        in.fail(std::to_string(summaries.items) + " cluster summaries, the cluster group announces " +
                std::to_string(group.clusters));
    std::vector<ClusterDesc> clusters(summaries.items);
    for (auto& c : clusters) {
        const auto rec = in.record("cluster summary");
        c.first_entry = in.u64();
        const std::uint64_t word = in.u64();
        c.entries = word & ((std::uint64_t{1} << 56) - 1);
        if ((word >> 56) & 0x01)
            in.fail("cluster summary flag 0x01 (sharded cluster) is set: a feature newer than RNTuple 1.0");
        in.leave(rec, "cluster summary");
    }
    in.leave(summaries, "cluster summary list");

    const auto locations = in.list("page locations", kMinColumnList);
    if (locations.items != clusters.size())
        in.fail("page locations for " + std::to_string(locations.items) + " clusters, the summaries list " +
                std::to_string(clusters.size()));
    for (std::size_t k = 0; k < clusters.size(); ++k) {
        ClusterDesc& c = clusters[k];
        const auto cols = in.list("column list of cluster " + std::to_string(k), kMinPageList);
        if (cols.items > columns)
            in.fail("cluster " + std::to_string(k) + " lists pages of " + std::to_string(cols.items) +
                    " columns, the schema has " + std::to_string(columns));
        c.columns.resize(cols.items);
        for (std::uint32_t col = 0; col < cols.items; ++col) {
            ColumnPages& cp = c.columns[col];
            const auto pages = in.list("page list of column " + std::to_string(col), kMinPage);
            cp.present = true;
            cp.pages.resize(pages.items);
            for (PageDesc& p : cp.pages) {
                const std::int32_t n = in.i32();
                p.checksum = n < 0;
                p.elements = n < 0 ? static_cast<std::uint32_t>(-static_cast<std::int64_t>(n))
                                   : static_cast<std::uint32_t>(n);
                p.where = in.locator("page locator");
                cp.elements += p.elements;
            }
            cp.first_element = in.i64();
            cp.suppressed = cp.first_element < 0;
            if (cp.suppressed) {
                if (!cp.pages.empty())
                    in.fail("suppressed column " + std::to_string(col) + " of cluster " + std::to_string(k) +
                            " has " + std::to_string(cp.pages.size()) + " pages");
            } else {
                cp.compression = in.u32();
            }
            in.leave(pages, "page list");
        }
        in.leave(cols, "column list");
    }
    in.leave(locations, "page locations");
    return clusters;
}

} // namespace hepkit::io::rntuple
