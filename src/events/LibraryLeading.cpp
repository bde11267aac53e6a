// leading (Library.hpp): the k-th object's fields as per-event scalars.
#include "LibrarySupport.hpp"

#include <cmath>
#include <limits>

namespace hepkit::events {

namespace {

// Whether `fallback` is a value of T (a uint8 field cannot hold −0.5 or 300, a float32 one 1e300).
template <class T>
bool representable(double fallback) {
    if constexpr (std::is_floating_point_v<T>) {
        // Beyond float's range the conversion is undefined behaviour, not infinity.
        return std::isinf(fallback) ||
               std::abs(fallback) <= static_cast<double>(std::numeric_limits<T>::max());
    } else {
        return std::floor(fallback) == fallback &&
               fallback >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
               fallback <= static_cast<double>(std::numeric_limits<T>::max());
    }
}

// The sort key: NaN ranks below every number, so that the order is a strict weak one.
inline double key(double v) {
    return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
}

// Index within [0, n) of the object of rank k by decreasing v (ties: stored order), or −1.
template <class T>
std::int32_t kth_largest(const T* v, std::int64_t n, int k) {
    if (k >= n)
        return -1;
    if (k == 0) {
        std::int64_t best = 0;
        for (std::int64_t i = 1; i < n; ++i)
            if (key(static_cast<double>(v[i])) > key(static_cast<double>(v[best])))
                best = i;
        return static_cast<std::int32_t>(best);
    }
    // Object i has rank k when exactly k objects come before it: larger, or equal and stored
    // earlier. Quadratic in the (small) number of objects, and needs no scratch memory.
    for (std::int64_t i = 0; i < n; ++i) {
        const double vi = key(static_cast<double>(v[i]));
        int before = 0;
        for (std::int64_t j = 0; j < n; ++j) {
            const double vj = key(static_cast<double>(v[j]));
            before += (vj > vi) || (vj == vi && j < i);
        }
        if (before == k)
            return static_cast<std::int32_t>(i);
    }
    return -1; // not reached: ranks are a permutation
}

} // namespace

Leading::Leading(StepPlace place, Config config) : Producer(std::move(place)), config_(std::move(config)) {
    if (config_.collection.empty())
        lib::fail(this->place(), "collection", "needs a collection (the prefix of its products, e.g. Jet)");
    config_.output = lib::output_or_name(this->place(), config_.output);
    lib::check_fields(this->place(), "fields", config_.fields);
    if (config_.rank < 0)
        lib::fail(this->place(), "rank",
                  std::string("rank ")
                      .append(std::to_string(config_.rank))
                      .append(" must be >= 0 (0: the leading object)"));
    if (std::isnan(config_.fallback))
        lib::fail(this->place(), "default", "the default must be a number");
}

Leading::Config Leading::parse(const StepConfig& config) {
    lib::check_keys(config, {"collection", "output", "fields", "rank", "sort_by", "default", "valid"});
    const config::YamlView& y = config.yaml;
    Config c;
    c.collection = y.at("collection").as_string();
    c.output = lib::read_string(y, "output");
    c.fields = lib::read_names(y, "fields");
    if (y.has("rank")) {
        const long long r = y.at("rank").as_int();
        if (r < 0 || r > 1000000)
            y.at("rank").fail(
                std::string("rank ").append(std::to_string(r)).append(" must be in [0, 1000000]"));
        c.rank = static_cast<int>(r);
    }
    c.sort_by = lib::read_string(y, "sort_by");
    if (y.has("default"))
        c.fallback = y.at("default").as_double();
    c.valid = lib::read_string(y, "valid");
    return c;
}

std::vector<std::string> Leading::inputs() const {
    std::vector<std::string> names;
    for (const auto& f : config_.fields)
        names.push_back(lib::join(config_.collection, f));
    if (!config_.sort_by.empty()) {
        const std::string s = lib::join(config_.collection, config_.sort_by);
        if (std::find(names.begin(), names.end(), s) == names.end())
            names.push_back(s);
    }
    return names;
}

std::vector<ProductInfo> Leading::declare(const Schema& schema) {
    field_ids_.clear();
    for (const auto& f : config_.fields)
        field_ids_.push_back(
            lib::need(schema, place(), lib::join(config_.collection, f), lib::Shape::jagged));
    sort_id_.reset();
    if (!config_.sort_by.empty())
        sort_id_ =
            lib::need(schema, place(), lib::join(config_.collection, config_.sort_by), lib::Shape::jagged);
    std::vector<ProductInfo> out;
    for (std::size_t i = 0; i < field_ids_.size(); ++i) {
        const ProductInfo& in = schema.info(field_ids_[i]);
        const bool ok = lib::visit_type(in.type, [&]<class T>(std::type_identity<T>) {
            return in.type == io::ColumnType::Bool ? (config_.fallback == 0 || config_.fallback == 1)
                                                   : representable<T>(config_.fallback);
        });
        if (!ok) {
            std::string m = "the default ";
            m.append(std::to_string(config_.fallback))
                .append(" is not a value of '")
                .append(in.name)
                .append("', which is ")
                .append(describe(in))
                .append("; choose one in its range");
            lib::fail(place(), "default", m);
        }
        out.push_back(
            lib::make_output(schema, place(), lib::join(config_.output, config_.fields[i]), in.type, false));
    }
    if (!config_.valid.empty())
        out.push_back(lib::make_output(schema, place(), config_.valid, io::ColumnType::Bool, false));
    return out;
}

void Leading::outputs_declared(std::span<const ProductId> ids) {
    out_ids_.assign(ids.begin(), ids.end());
}

void Leading::produce(Batch& batch) const {
    const ProductId ref_id = sort_id_ ? *sort_id_ : field_ids_.front();
    const io::Column& ref = batch.get(ref_id);
    lib::check_all_counts(batch, place(), ref_id, field_ids_);
    const auto rows = batch.rows();
    const int k = config_.rank;
    // The chosen object per selected row (−1: the event has fewer than k+1 objects).
    std::vector<std::int32_t> chosen(rows.size());
    if (sort_id_) {
        lib::visit_type(ref.type, [&]<class T>(std::type_identity<T>) {
            const T* v = ref.as<T>().data();
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const std::uint32_t r = rows[i];
                chosen[i] = kth_largest(v + ref.offsets[r], ref.offsets[r + 1] - ref.offsets[r], k);
            }
        });
    } else {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::uint32_t r = rows[i];
            chosen[i] = ref.offsets[r + 1] - ref.offsets[r] > k ? k : -1;
        }
    }
    for (std::size_t f = 0; f < field_ids_.size(); ++f) {
        const io::Column& in = batch.get(field_ids_[f]);
        io::Column out = lib::new_column(batch, out_ids_[f]);
        lib::visit_type(in.type, [&]<class T>(std::type_identity<T>) {
            const T* v = in.as<T>().data();
            std::vector<T>& dst = out.mut<T>();
            dst.assign(batch.size(), T{});
            const T fallback = static_cast<T>(config_.fallback);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const std::uint32_t r = rows[i];
                dst[r] = chosen[i] >= 0 ? v[in.offsets[r] + chosen[i]] : fallback;
            }
        });
        batch.put(out_ids_[f], std::move(out));
    }
    if (!config_.valid.empty()) {
        io::Column out = lib::new_column(batch, out_ids_.back());
        auto& dst = out.mut<std::uint8_t>();
        dst.assign(batch.size(), 0);
        for (std::size_t i = 0; i < rows.size(); ++i)
            dst[rows[i]] = chosen[i] >= 0;
        batch.put(out_ids_.back(), std::move(out));
    }
}

} // namespace hepkit::events
