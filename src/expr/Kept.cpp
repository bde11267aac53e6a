// Costly subexpressions kept from one columnar evaluation for the next (Columns.hpp, KeptValues;
// the rules in ColumnEvaluator.cpp, Columnar::kept).
#include "Kept.hpp"

#include <algorithm>

namespace hepkit::expr {

KeptValues::KeptValues() : impl_(std::make_unique<Impl>()) {}
KeptValues::~KeptValues() = default;
KeptValues::KeptValues(KeptValues&&) noexcept = default;
KeptValues& KeptValues::operator=(KeptValues&&) noexcept = default;
std::size_t KeptValues::size() const {
    return impl_ ? impl_->entries.size() : 0;
}

GatherCache::GatherCache() : impl_(std::make_unique<Impl>()) {}
GatherCache::~GatherCache() = default;
GatherCache::GatherCache(GatherCache&&) noexcept = default;
GatherCache& GatherCache::operator=(GatherCache&&) noexcept = default;
void GatherCache::clear() {
    if (impl_)
        impl_->entries.clear();
}
std::size_t GatherCache::size() const {
    return impl_ ? impl_->entries.size() : 0;
}

void KeptValues::Impl::start(std::uint64_t e) {
    expr = e;
    entries.clear();
}

const KeptValues::Impl::Entry* KeptValues::Impl::find(int node) const {
    for (const Entry& e : entries)
        if (e.node == node)
            return &e;
    return nullptr;
}

void KeptValues::Impl::keep(int node, const columns::RowSet& rows, const columns::Col& c) {
    if (c.uniform() || c.elem != Type::real || find(node))
        return;
    Entry e;
    e.node = node;
    e.rows.assign(rows.idx(), rows.idx() + rows.size());
    e.jagged = c.jagged();
    const double* x = c.as<double>();
    if (e.jagged) {
        e.off.resize(rows.size() + 1);
        for (std::size_t k = 0; k <= rows.size(); ++k)
            e.off[k] = c.off[k] - c.off[0];
    }
    e.values.reserve(c.size() + 1); // never a null data() for the views of from_kept
    e.values.assign(x, x + c.size());
    entries.push_back(std::move(e));
}

namespace columns {

Col from_kept(const KeptValues::Impl::Entry& e, const RowSet& rows,
              const std::function<Col(const RowSet&)>& compute) {
    const std::size_t n = rows.size();
    // at[k]: the kept position of rows[k], or -1 (both lists increasing: one merge pass)
    std::vector<std::int64_t> at(n);
    std::vector<std::uint32_t> missing;
    std::size_t j = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t r = rows[k];
        while (j < e.rows.size() && e.rows[j] < r)
            ++j;
        const bool hit = j < e.rows.size() && e.rows[j] == r;
        at[k] = hit ? static_cast<std::int64_t>(j) : -1;
        if (!hit)
            missing.push_back(r);
    }
    Col out;
    out.elem = Type::real;
    out.rows = n;
    out.shape = e.jagged ? Shape::jagged : Shape::flat;
    if (missing.empty() && n == e.rows.size()) { // the kept rows exactly: a view
        out.data = e.values.data();
        out.off = e.jagged ? e.off.data() : nullptr;
        return out;
    }
    const std::size_t fresh_rows = missing.size();
    Col fresh;
    if (fresh_rows > 0)
        fresh = convert(compute(RowSet(std::move(missing))), Type::real);
    const double* fx = fresh_rows > 0 ? fresh.as<double>() : nullptr;
    // Rows kept one after the other (a shift's rows are mostly the recording's) have their values
    // one after the other too: copied as one run (a loop per row over its few values cost ~0.6 ns
    // per event of the Z→μμ benchmark's muon scale).
    auto run_end = [&](std::size_t k) {
        std::size_t end = k + 1;
        while (end < n && at[end] == at[end - 1] + 1)
            ++end;
        return end;
    };
    if (!e.jagged) {
        const bool fu = fresh.uniform();
        double* o = allocate<double>(out, n);
        std::size_t m = 0;
        for (std::size_t k = 0; k < n;) {
            if (at[k] < 0) {
                o[k++] = fx[fu ? 0 : m++];
                continue;
            }
            const std::size_t end = run_end(k);
            std::copy_n(e.values.data() + at[k], end - k, o + k);
            k = end;
        }
        return out;
    }
    // Jagged: a subtree of an array type is jagged over any rows.
    std::int64_t* off = allocate_offsets(out, n);
    off[0] = 0;
    std::size_t m = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const std::int64_t len =
            at[k] >= 0 ? e.off[static_cast<std::size_t>(at[k]) + 1] - e.off[static_cast<std::size_t>(at[k])]
                       : fresh.length(m++);
        off[k + 1] = off[k] + len;
    }
    double* o = allocate<double>(out, static_cast<std::size_t>(off[n]));
    m = 0;
    for (std::size_t k = 0; k < n;) {
        if (at[k] < 0) {
            const double* from = fx + (fresh.off[m] - fresh.off[0]);
            ++m;
            // a plain loop: rows hold a few values, a memcpy call per row costs more
            for (std::int64_t i = 0; i < off[k + 1] - off[k]; ++i)
                o[off[k] + i] = from[i];
            ++k;
            continue;
        }
        const std::size_t end = run_end(k);
        const std::int64_t* eo = e.off.data();
        std::copy(e.values.data() + eo[at[k]], e.values.data() + eo[at[end - 1] + 1], o + off[k]);
        k = end;
    }
    return out;
}

} // namespace columns
} // namespace hepkit::expr
