#pragma once
/// @file
/// Products: the typed columns an event-processing run computes on (issue 15, ARTUS's
/// "products"). The input file's branches are the first products; producers add more. A Schema
/// names them all (ids are stable: products are only appended); a Batch holds one pipeline's
/// columns for a block of consecutive events.
///
/// Layout decisions (docs/events.md):
/// - A product is an io::Column over the batch's events (flat scalar or jagged: offsets +
///   content, the Arrow/awkward layout) — no per-event objects.
/// - Filters do not compact columns: a Batch carries the increasing list of rows (events of the
///   batch) that passed the filters so far. Producers compute values for those rows only; the
///   other rows of their output hold 0 (flat) or nothing (jagged: equal offsets). Every product of
///   a batch therefore has the same length, so pipelines can share a product by pointer. (A flat
///   float64 product computed on few rows may be stored for those rows only, CompactColumn:
///   Batch::get gives it as a column of the batch's length all the same.)
/// - A shift's pipeline shares the nominal's column of every product that neither depends on a
///   shifted product nor comes after a filter that does (the rows are an implicit input). A step
///   that the shift runs again computes only the rows where what it reads differs from the
///   nominal's (row-level sharing, Plan::row_sharing), so a shifted column — the nominal's
///   shared whole, or a copy of it with the recomputed rows replaced — may hold the nominal's
///   values in rows the shift dropped: steps read the selected rows only.

#include "hepkit/io/Column.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepkit::expr {
class GatherCache;
struct ColumnView;
} // namespace hepkit::expr

namespace hepkit::events {

using ProductId = std::uint32_t;

/// What a product is: name, element type, and whether it is jagged (one array per event).
struct ProductInfo {
    std::string name;
    io::ColumnType type = io::ColumnType::Float64;
    bool jagged = false;
};

/// "float32", "array of float32": for messages and the dependency graph.
std::string describe(const ProductInfo& info);

/// The products of a run, in the order they were declared.
class Schema {
  public:
    /// Declares a product; `origin` says who makes it ("branch of the input",
    /// "producer good_muons (run.yaml:12)"). Throws hepkit::InputError naming both origins when
    /// the name is already taken, and std::invalid_argument for an empty name or a String column.
    ProductId add(ProductInfo info, std::string origin);
    std::optional<ProductId> find(std::string_view name) const;
    /// find() or an InputError: "`who` needs product `name`, which is not ..." listing the
    /// closest known names.
    ProductId require(std::string_view name, std::string_view who) const;
    const ProductInfo& info(ProductId id) const { return infos_[id]; }
    const std::string& origin(ProductId id) const { return origins_[id]; }
    std::size_t size() const { return infos_.size(); }

  private:
    std::vector<ProductInfo> infos_;
    std::vector<std::string> origins_;
};

/// Whether a column's offsets are usable: none for a flat column; for a jagged one the first ≥ 0,
/// none decreasing, the last within its values (one vectorised pass).
bool offsets_valid(const io::Column& column);

/// A flat float64 product known at some rows of its batch only, 0 in every other event: what an
/// expression producer computes after selective filters, stored for its rows (Batch::put_compact)
/// so that the next steps read it in order instead of gathering it from scattered rows of a
/// column of the batch's length.
struct CompactColumn {
    std::vector<double> values;      ///< values[k] belongs to event rows[k]
    std::vector<std::uint32_t> rows; ///< increasing, each below the batch's size
    /// The column of the batch's length, once Batch::get made it (shared by the batch's copies
    /// that share these values; one thread at a time, as every use of a batch). Left empty.
    mutable std::shared_ptr<const io::Column> column;
};

/// One pipeline's view of a block of consecutive events: the products made so far (shared with
/// other pipelines where they are equal) and the rows that passed the filters so far.
class Batch {
  public:
    /// A batch of `events` events whose first is entry `first_entry` of the input (chain).
    Batch(const Schema& schema, std::int64_t first_entry, std::size_t events);

    const Schema& schema() const { return *schema_; }
    std::int64_t first_entry() const { return first_entry_; }
    /// Events in the batch (rows 0 … size()−1), whether selected or not.
    std::size_t size() const { return events_; }
    /// The selected rows, increasing.
    std::span<const std::uint32_t> rows() const {
        return all_ ? std::span<const std::uint32_t>(*all_) : std::span<const std::uint32_t>(rows_);
    }

    bool has(ProductId id) const {
        return (id < columns_.size() && columns_[id] != nullptr) ||
               (id < compact_.size() && compact_[id] != nullptr);
    }
    /// The product's column; throws std::logic_error naming it when it was not made. A compact
    /// product (put_compact) is made a column of the batch's length here, on its first get().
    const io::Column& get(ProductId id) const;
    /// The shared column (for a pipeline that shares it).
    std::shared_ptr<const io::Column> share(ProductId id) const;
    /// The product's compact form, when it was put so (put_compact), else null.
    const CompactColumn* compact(ProductId id) const {
        return id < compact_.size() ? compact_[id].get() : nullptr;
    }
    /// Sets `view` to the product's compact form (expr::ColumnView::at_rows) and returns true
    /// when it has one: an expression reads it there without the column of the batch's length.
    bool compact_view(ProductId id, expr::ColumnView& view) const;
    /// A flat product's values at the selected rows, in their order (value k belongs to rows()[k]),
    /// for C++ steps that read a product per selected row: a compact product is read at its rows
    /// (as it is where they are the selected ones, else merged into `scratch`, 0 where it has no
    /// value) without a column of the batch's length; any other is gathered from its column into
    /// `scratch`. std::logic_error where T is not the product's type or the product is jagged.
    template <class T>
    std::span<const T> at_rows(ProductId id, std::vector<T>& scratch) const {
        const auto selected = rows();
        if constexpr (std::is_same_v<T, double>)
            if (const CompactColumn* c = compact(id))
                return compact_at_rows(*c, scratch);
        const io::Column& column = get(id);
        if (column.jagged())
            throw std::logic_error("Batch::at_rows: product '" + schema_->info(id).name + "' is jagged");
        const auto values = column.as<T>();
        scratch.resize(selected.size());
        for (std::size_t k = 0; k < selected.size(); ++k)
            scratch[k] = values[selected[k]];
        return scratch;
    }
    /// What identifies the product's values (its compact form or its column), held: equal for
    /// batches that share the product, unequal once it is put again.
    std::shared_ptr<const void> identity(ProductId id) const;
    /// Sets a flat float64 product by its values at some rows (0 in the others): the next steps
    /// read it there directly; get() makes the column of the batch's length when one asks for
    /// it. std::invalid_argument naming the product where its schema entry is not flat float64
    /// or the rows are not increasing and within the batch.
    void put_compact(ProductId id, std::shared_ptr<const CompactColumn> column);
    /// Sets a product. The column must have size() entries and the schema's type and shape
    /// (std::invalid_argument otherwise, naming the product).
    void put(ProductId id, io::Column column);
    void put_shared(ProductId id, std::shared_ptr<const io::Column> column);
    /// Product `from` of `other` (which may be this batch) as product `to`, shared, with what
    /// check_offsets found out about it.
    void share_from(const Batch& other, ProductId from, ProductId to);
    /// Checks a jagged product's offsets once (the first ≥ 0, none decreasing, the last within
    /// its values) and remembers it; throws std::invalid_argument naming the product where they
    /// are not (a plugin's bad column). Flat products pass. Expression steps read the columns
    /// with the check done (expr::ColumnView::offsets_checked), not once per step. It remembers
    /// the result in the batch: like every use of a Batch, one thread at a time (the runner gives
    /// each batch to one thread).
    void check_offsets(ProductId id) const;
    /// Records a jagged product's offsets as checked without a pass over them: for columns valid
    /// by construction (slices of an input column whose offsets were checked whole).
    void offsets_known_valid(ProductId id) const { offsets_ok_.at(id) = 1; }

    /// What a step keeps between its runs over this block of events — the nominal's run and each
    /// shift's share it, through the copies of the batch (expression steps keep their costly
    /// subexpressions for the shifts, expr::KeptValues): the object of type T that `owner` (the
    /// step) keeps, made on first use; nullptr when the run keeps nothing (a run without shifts).
    /// One type per owner. Like every use of a Batch, one thread at a time.
    template <class T>
    T* memo(const void* owner) const {
        std::shared_ptr<void>* slot = memos_ ? memos_->slot(owner) : nullptr;
        if (!slot)
            return nullptr;
        if (!*slot)
            *slot = std::make_shared<T>();
        return static_cast<T*>(slot->get());
    }
    /// From now on this batch and its copies keep memos for `owners` (the runner: the steps that a
    /// shift runs again); memo() of any other owner is nullptr.
    void keep_memos(const std::vector<const void*>& owners);

    /// Keeps only the selected rows whose pass flag is set: pass[k] belongs to rows()[k].
    void narrow(std::span<const std::uint8_t> pass);
    void set_rows(std::vector<std::uint32_t> rows) {
        rows_ = std::move(rows);
        all_.reset();
        forget_gathers();
    }
    /// Exchanges the selected rows with `rows` (increasing): a step computed on some rows only, and
    /// the batch's rows back after it, without copying the batch's list.
    void swap_rows(std::vector<std::uint32_t>& rows) {
        own_rows();
        rows_.swap(rows);
        forget_gathers();
    }

    /// The input columns that expression steps gathered at the selected rows, kept for the next
    /// steps over the same rows (expr::GatherCache: after a selective filter each step would gather
    /// the same collections at the same scattered rows again). Forgotten whenever the rows change
    /// or a product is replaced; a copy of the batch starts without. Like every use of a Batch,
    /// one thread at a time.
    expr::GatherCache& gathers() const;

  private:
    void forget_gathers();
    // Not copied: a copy's columns may be replaced independently of the original's.
    struct Gathers {
        std::unique_ptr<expr::GatherCache> cache;
        Gathers();
        Gathers(const Gathers&);
        Gathers(Gathers&&) noexcept;
        Gathers& operator=(const Gathers&);
        Gathers& operator=(Gathers&&) noexcept;
        ~Gathers();
    };
    struct Memos {
        std::vector<std::pair<const void*, std::shared_ptr<void>>> slots;
        std::shared_ptr<void>* slot(const void* owner);
    };
    const Schema* schema_;
    std::int64_t first_entry_;
    std::size_t events_;
    std::vector<std::uint32_t> rows_; ///< the selected rows, unless all_ holds them
    /// Every row, as a new batch selects them: shared by its copies (a run's variants start as
    /// copies of the batch read) until one narrows them — not a list of the batch's length (64 KiB
    /// at 16 384 events) copied per variant.
    std::shared_ptr<std::vector<std::uint32_t>> all_;
    void own_rows(); ///< rows_ made the list (all_'s, moved where this batch alone holds it)
    std::span<const double> compact_at_rows(const CompactColumn& c, std::vector<double>& scratch) const;
    /// by ProductId; mutable: get() makes a compact product's column on demand
    mutable std::vector<std::shared_ptr<const io::Column>> columns_;
    std::vector<std::shared_ptr<const CompactColumn>> compact_; ///< by ProductId: put_compact's
    mutable std::vector<std::uint8_t> offsets_ok_;              ///< by ProductId: check_offsets passed
    std::shared_ptr<Memos> memos_;                              ///< shared by the batch's copies
    mutable Gathers gathers_;
};

} // namespace hepkit::events
