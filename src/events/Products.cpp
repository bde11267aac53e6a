// Schema and Batch (Products.hpp): the product table of a run and one pipeline's columns of a
// block of events.
#include "hepkit/events/Products.hpp"

#include "Recycle.hpp"

#include "hepkit/core/EditDistance.hpp"
#include "hepkit/events/Step.hpp"
#include "hepkit/expr/Columns.hpp"

#include "hepkit/core/Error.hpp"

#include <algorithm>
#include <stdexcept>

namespace hepkit::events {

// StepPlace (Step.hpp) lives here: the one small function of Step.hpp, next to the other
// message helpers of the module's core.
std::string StepPlace::label() const {
    std::string s = kind;
    s.append(" ").append(name);
    if (!file.empty()) {
        s.append(" (").append(file);
        if (line > 0)
            s.append(":").append(std::to_string(line));
        s.append(")");
    }
    return s;
}

std::string describe(const ProductInfo& info) {
    std::string s = info.jagged ? "array of " : "";
    s.append(io::column_type_name(info.type));
    return s;
}

ProductId Schema::add(ProductInfo info, std::string origin) {
    if (info.name.empty())
        throw std::invalid_argument("Schema::add: a product needs a name (" + origin + ")");
    if (info.type == io::ColumnType::String)
        throw std::invalid_argument("Schema::add: product '" + info.name + "' (" + origin +
                                    ") is a string column; products are numbers");
    if (const auto old = find(info.name))
        throw InputError("", 0, info.name,
                         "product '" + info.name + "' of " + origin + " is already made by " +
                             origins_[*old] + "; give it another name");
    infos_.push_back(std::move(info));
    origins_.push_back(std::move(origin));
    return static_cast<ProductId>(infos_.size() - 1);
}

std::optional<ProductId> Schema::find(std::string_view name) const {
    for (std::size_t i = infos_.size(); i-- > 0;)
        if (infos_[i].name == name)
            return static_cast<ProductId>(i);
    return std::nullopt;
}

ProductId Schema::require(std::string_view name, std::string_view who) const {
    if (const auto id = find(name))
        return *id;
    std::vector<std::pair<std::size_t, std::string>> near;
    for (const auto& i : infos_)
        near.emplace_back(edit_distance(name, i.name), i.name);
    std::sort(near.begin(), near.end());
    std::string message = std::string(who) + " needs product '" + std::string(name) +
                          "', which is neither a branch of the input nor made by an earlier producer";
    if (!near.empty()) {
        message += " (closest: ";
        for (std::size_t k = 0; k < near.size() && k < 3; ++k)
            message.append(k ? ", " : "").append(near[k].second);
        message += ")";
    }
    throw InputError("", 0, std::string(name), message);
}

bool offsets_valid(const io::Column& c) {
    if (!c.jagged())
        return true;
    // One pass, no early exit, OR-reductions of 64-bit adds and ORs only: SSE2 vectorises them (it
    // has no 64-bit compare, so a loop of `o[i] > o[i + 1]` stayed scalar: 1.5 cycles per offset,
    // 12 % of a shifted run). `bits` ORs every offset: below 2^62 means all are in [0, 2^62), and
    // then the wrapped difference o[i+1] − o[i] has its top bit set exactly when they decrease.
    const auto* o = reinterpret_cast<const std::uint64_t*>(c.offsets.data());
    const std::size_t n = c.offsets.size();
    std::uint64_t bits = o[0], steps = 0;
    for (std::size_t i = 1; i < n; ++i) {
        bits |= o[i];
        steps |= o[i] - o[i - 1];
    }
    return (bits >> 62) == 0 && (steps >> 63) == 0 &&
           static_cast<std::uint64_t>(c.offsets.back()) <= c.size();
}

Batch::Batch(const Schema& schema, std::int64_t first_entry, std::size_t events)
    : schema_(&schema), first_entry_(first_entry), events_(events),
      all_(std::make_shared<std::vector<std::uint32_t>>(events)), columns_(schema.size()),
      compact_(schema.size()), offsets_ok_(schema.size(), 0) {
    for (std::size_t i = 0; i < events; ++i)
        (*all_)[i] = static_cast<std::uint32_t>(i);
}

void Batch::own_rows() {
    if (!all_)
        return;
    if (all_.use_count() == 1)
        rows_ = std::move(*all_);
    else
        rows_ = *all_;
    all_.reset();
}

const io::Column& Batch::get(ProductId id) const {
    if (!has(id))
        throw std::logic_error("Batch::get: product '" +
                               (id < schema_->size() ? schema_->info(id).name : std::to_string(id)) +
                               "' was not made before it is read");
    if (!columns_[id] && compact_[id]->column && compact_[id]->column->entries() == events_)
        columns_[id] = compact_[id]->column; // made for a copy of this batch that shares it
    if (!columns_[id]) {
        // A compact product asked for as a column: zeros but at its rows — recycled storage where
        // the rows are few (Recycle.hpp), as an expression producer's column would have had.
        const CompactColumn& c = *compact_[id];
        io::Column col = io::Column::make(schema_->info(id).name, io::ColumnType::Float64);
        const bool recycle = detail::worth_recycling(events_, c.rows.size());
        std::vector<double> values = recycle ? detail::take_zeros(events_) : std::vector<double>();
        if (values.size() != events_)
            values.assign(events_, 0.0);
        for (std::size_t k = 0; k < c.rows.size(); ++k)
            values[c.rows[k]] = c.values[k];
        col.mut<double>() = std::move(values);
        columns_[id] = recycle ? detail::shared_recycled(std::move(col), c.rows)
                               : std::make_shared<const io::Column>(std::move(col));
        c.column = columns_[id];
    }
    return *columns_[id];
}

std::shared_ptr<const io::Column> Batch::share(ProductId id) const {
    get(id);
    return columns_[id];
}

std::shared_ptr<const void> Batch::identity(ProductId id) const {
    if (compact(id))
        return compact_[id];
    return share(id);
}

std::span<const double> Batch::compact_at_rows(const CompactColumn& c, std::vector<double>& scratch) const {
    const auto selected = rows();
    const std::size_t m = c.rows.size();
    if (selected.size() == m &&
        (selected.data() == c.rows.data() || std::equal(c.rows.begin(), c.rows.end(), selected.begin())))
        return c.values;
    scratch.resize(selected.size());
    std::size_t j = 0; // both increasing: one merge
    for (std::size_t k = 0; k < selected.size(); ++k) {
        while (j < m && c.rows[j] < selected[k])
            ++j;
        scratch[k] = j < m && c.rows[j] == selected[k] ? c.values[j] : 0.0;
    }
    return scratch;
}

bool Batch::compact_view(ProductId id, expr::ColumnView& view) const {
    const CompactColumn* c = compact(id);
    if (!c || c->rows.empty()) // no rows: a view would read as a flat column without values
        return false;
    view = expr::ColumnView{};
    view.values = expr::ArrayView(c->values);
    view.at_rows = c->rows;
    view.offsets_checked = true;
    return true;
}

void Batch::put_compact(ProductId id, std::shared_ptr<const CompactColumn> column) {
    if (id >= schema_->size() || !column)
        throw std::invalid_argument("Batch::put_compact: no product " + std::to_string(id));
    const ProductInfo& info = schema_->info(id);
    const auto& rows = column->rows;
    bool increasing = true;
    for (std::size_t k = 1; k < rows.size(); ++k) // without a branch: the loop vectorises
        increasing &= rows[k - 1] < rows[k];
    if (info.type != io::ColumnType::Float64 || info.jagged || column->values.size() != rows.size() ||
        !increasing || (!rows.empty() && rows.back() >= events_))
        throw std::invalid_argument(
            "Batch::put_compact: product '" + info.name + "' (" + describe(info) +
            ") needs flat float64 values at increasing rows below " + std::to_string(events_) + "; got " +
            std::to_string(column->values.size()) + " values at " + std::to_string(rows.size()) + " rows");
    if (columns_.size() < schema_->size()) {
        columns_.resize(schema_->size());
        compact_.resize(schema_->size());
        offsets_ok_.resize(schema_->size(), 0);
    }
    if (compact_[id] == column)
        return; // the same values (their column, if made, stays)
    if (columns_[id] || compact_[id])
        forget_gathers(); // the replaced values may go, and others take their address
    columns_[id].reset();
    compact_[id] = std::move(column);
    offsets_ok_[id] = 1; // flat: no offsets
}

void Batch::put(ProductId id, io::Column column) {
    put_shared(id, std::make_shared<const io::Column>(std::move(column)));
}

void Batch::put_shared(ProductId id, std::shared_ptr<const io::Column> column) {
    if (id >= schema_->size() || !column)
        throw std::invalid_argument("Batch::put: no product " + std::to_string(id));
    const ProductInfo& info = schema_->info(id);
    if (column->type != info.type || column->jagged() != info.jagged || column->entries() != events_)
        throw std::invalid_argument(
            "Batch::put: product '" + info.name + "' must be " + describe(info) + " with " +
            std::to_string(events_) + " entries, got " + (column->jagged() ? "array of " : "") +
            std::string(io::column_type_name(column->type)) + " with " + std::to_string(column->entries()));
    if (columns_.size() < schema_->size()) {
        columns_.resize(schema_->size());
        compact_.resize(schema_->size());
        offsets_ok_.resize(schema_->size(), 0);
    }
    if ((columns_[id] && columns_[id] != column) || compact_[id])
        forget_gathers(); // the replaced column may go, and another take its address
    columns_[id] = std::move(column);
    compact_[id].reset();
    offsets_ok_[id] = 0;
}

void Batch::share_from(const Batch& other, ProductId from, ProductId to) {
    if (other.compact(from)) { // as it is: its column too where made already
        put_compact(to, other.compact_[from]);
        if (!columns_[to])
            columns_[to] = other.columns_[from];
        return;
    }
    const bool ok = from < other.offsets_ok_.size() && other.offsets_ok_[from] != 0;
    put_shared(to, other.share(from));
    offsets_ok_[to] = ok ? 1 : 0;
}

void Batch::check_offsets(ProductId id) const {
    const io::Column& c = get(id);
    if (!c.jagged() || offsets_ok_[id] != 0)
        return;
    if (!offsets_valid(c))
        throw std::invalid_argument("product '" + schema_->info(id).name +
                                    "': its offsets are negative, decrease or end beyond its " +
                                    std::to_string(c.size()) + " values");
    offsets_ok_[id] = 1;
}

std::shared_ptr<void>* Batch::Memos::slot(const void* owner) {
    for (auto& [key, value] : slots) // a few steps per batch
        if (key == owner)
            return &value;
    return nullptr;
}

void Batch::keep_memos(const std::vector<const void*>& owners) {
    memos_ = std::make_shared<Memos>();
    for (const void* owner : owners)
        memos_->slots.emplace_back(owner, nullptr);
}

Batch::Gathers::Gathers() = default;
Batch::Gathers::Gathers(const Gathers&) {}
Batch::Gathers::Gathers(Gathers&&) noexcept = default;
Batch::Gathers& Batch::Gathers::operator=(const Gathers&) {
    cache.reset();
    return *this;
}
Batch::Gathers& Batch::Gathers::operator=(Gathers&&) noexcept = default;
Batch::Gathers::~Gathers() = default;

expr::GatherCache& Batch::gathers() const {
    if (!gathers_.cache)
        gathers_.cache = std::make_unique<expr::GatherCache>();
    return *gathers_.cache;
}

void Batch::forget_gathers() {
    if (gathers_.cache)
        gathers_.cache->clear();
}

void Batch::narrow(std::span<const std::uint8_t> pass) {
    const auto rows = this->rows();
    if (pass.size() != rows.size())
        throw std::invalid_argument("Batch::narrow: one flag per selected row");
    forget_gathers();
    if (all_) { // the shared list stays as it is for the copies: the kept rows into a list of their own
        std::size_t n = 0;
        for (const std::uint8_t p : pass)
            n += p != 0;
        std::vector<std::uint32_t> kept(n + 1); // one beyond: written, not kept, after the last
        std::size_t j = 0;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            kept[j] = rows[k];
            j += pass[k] != 0;
        }
        kept.resize(n);
        rows_ = std::move(kept);
        all_.reset();
        return;
    }
    std::size_t kept = 0;
    for (std::size_t k = 0; k < rows_.size(); ++k) {
        rows_[kept] = rows_[k];
        kept += pass[k] != 0;
    }
    rows_.resize(kept);
}

} // namespace hepkit::events
