// Opening an RNTuple (anchor, header, footer, page lists, checked) and resolving its fields
// into read plans; the page reading itself is in RNTupleRead.cpp.
#include "RNTupleImpl.hpp"

#include "RNTupleDecode.hpp"

#include "hepkit/io/RootFile.hpp"

#include <algorithm>
#include <map>

namespace hepkit::io {

using namespace rntuple;

namespace {

std::optional<ColumnType> basic_type(const std::string& t) {
    static const std::map<std::string, ColumnType, std::less<>> types{{"bool", ColumnType::Bool},
                                                                      {"char", ColumnType::Int8},
                                                                      {"std::byte", ColumnType::UInt8},
                                                                      {"std::int8_t", ColumnType::Int8},
                                                                      {"std::uint8_t", ColumnType::UInt8},
                                                                      {"std::int16_t", ColumnType::Int16},
                                                                      {"std::uint16_t", ColumnType::UInt16},
                                                                      {"std::int32_t", ColumnType::Int32},
                                                                      {"std::uint32_t", ColumnType::UInt32},
                                                                      {"std::int64_t", ColumnType::Int64},
                                                                      {"std::uint64_t", ColumnType::UInt64},
                                                                      {"float", ColumnType::Float32},
                                                                      {"double", ColumnType::Float64}};
    const auto it = types.find(t);
    if (it == types.end())
        return std::nullopt;
    return it->second;
}

bool suits(ColumnType type, Family family) {
    switch (type) {
    case ColumnType::Float32:
    case ColumnType::Float64:
        return family == Family::Real;
    case ColumnType::String:
        return false;
    default: // booleans and integers read from integer, bit and byte columns alike
        return family == Family::Integer || family == Family::Bool || family == Family::Byte;
    }
}

std::string cluster_word(std::size_t n) {
    return n == 1 ? "cluster" : "clusters";
}

} // namespace

RNTuple::RNTuple(const RootFile& file, std::string_view name) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.file = &file;
    const Key key = file.key(name);
    m.name = key.name;
    m.where = Where{file.path(), key.name};
    if (key.class_name == "ROOT::Experimental::RNTuple")
        fail_at(
            m.where, "key", static_cast<std::uint64_t>(key.seek_key),
            "is a pre-release RNTuple (ROOT::Experimental::RNTuple, ROOT < 6.34); hepkit reads format 1.0 "
            "(ROOT::RNTuple)");
    if (key.class_name != "ROOT::RNTuple")
        fail_at(m.where, "key", static_cast<std::uint64_t>(key.seek_key),
                "is a " + key.class_name + ", not an RNTuple (ROOT::RNTuple)");
    m.anchor = read_anchor(file, key, m.where);
    const Anchor& a = m.anchor;

    std::uint64_t header_checksum = 0, ignored = 0;
    const auto header_bytes =
        read_envelope(file, m.where, "header envelope", 1, {a.seek_header, a.nbytes_header}, a.len_header,
                      a.max_key_size, header_checksum);
    {
        LeReader in(header_bytes, m.where, "header envelope", a.seek_header);
        in.seek(8);
        in.set_end(header_bytes.size() - 8);
        m.header = parse_header(in, m.schema);
    }
    const auto footer_bytes =
        read_envelope(file, m.where, "footer envelope", 2, {a.seek_footer, a.nbytes_footer}, a.len_footer,
                      a.max_key_size, ignored);
    std::vector<ClusterGroup> groups;
    {
        LeReader in(footer_bytes, m.where, "footer envelope", a.seek_footer);
        in.seek(8);
        in.set_end(footer_bytes.size() - 8);
        groups = parse_footer(in, m.schema, header_checksum);
    }
    link_schema(m.schema, m.where);

    for (std::size_t g = 0; g < groups.size(); ++g) {
        const std::string what = "page list " + std::to_string(g);
        const auto bytes = read_envelope(file, m.where, what, 3, groups[g].page_list.where,
                                         groups[g].page_list.length, a.max_key_size, ignored);
        LeReader in(bytes, m.where, what, groups[g].page_list.where.offset);
        in.seek(8);
        in.set_end(bytes.size() - 8);
        auto clusters = parse_page_list(in, groups[g], header_checksum, m.schema.columns.size());
        for (auto& c : clusters)
            m.clusters.push_back(std::move(c));
    }
    // Clusters must tile [0, entries) without gaps or overlaps.
    std::sort(m.clusters.begin(), m.clusters.end(),
              [](const ClusterDesc& x, const ClusterDesc& y) { return x.first_entry < y.first_entry; });
    for (std::size_t k = 0; k < m.clusters.size(); ++k) {
        const ClusterDesc& c = m.clusters[k];
        if (c.first_entry != m.entries)
            fail_at(m.where, "footer envelope", a.seek_footer,
                    "cluster " + std::to_string(k) + " starts at entry " + std::to_string(c.first_entry) +
                        ", the clusters before it end at " + std::to_string(m.entries) + " (gap or overlap)");
        if (c.entries > (std::uint64_t{1} << 56) - m.entries)
            fail_at(m.where, "footer envelope", a.seek_footer, "entry count overflows");
        m.entries += c.entries;
    }
}

RNTuple::~RNTuple() = default;
RNTuple::RNTuple(RNTuple&&) noexcept = default;
RNTuple& RNTuple::operator=(RNTuple&&) noexcept = default;

const std::string& RNTuple::name() const {
    return impl_->name;
}

std::string RNTuple::format_version() const {
    const Anchor& a = impl_->anchor;
    return std::to_string(a.epoch) + "." + std::to_string(a.major) + "." + std::to_string(a.minor) + "." +
           std::to_string(a.patch);
}

const std::string& RNTuple::writer() const {
    return impl_->header.writer;
}

std::uint64_t RNTuple::entries() const {
    return impl_->entries;
}

std::size_t RNTuple::clusters() const {
    return impl_->clusters.size();
}

std::pair<std::uint64_t, std::uint64_t> RNTuple::cluster_range(std::size_t i) const {
    const auto& c = impl_->clusters.at(i);
    return {c.first_entry, c.entries};
}

std::uint32_t RNTuple::Impl::find(std::string_view path) const {
    const auto& fields = schema.fields;
    std::optional<std::uint32_t> at;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        const std::string_view part =
            path.substr(start, dot == std::string_view::npos ? path.npos : dot - start);
        std::optional<std::uint32_t> next;
        if (!at) {
            for (std::uint32_t i = 0; i < fields.size() && !next; ++i)
                if (fields[i].parent == i && fields[i].name == part)
                    next = i;
        } else {
            for (const std::uint32_t c : fields[*at].children)
                if (fields[c].name == part) {
                    next = c;
                    break;
                }
        }
        if (!next) {
            std::string known;
            for (std::uint32_t i = 0, shown = 0; i < fields.size(); ++i)
                if (fields[i].parent == i && shown++ < 20)
                    known.append(known.empty() ? "" : ", ").append(fields[i].name);
            throw InputError(where.file, 0, "ntuple " + name,
                             "no field '" + std::string(path) + "' (top-level fields: " + known +
                                 (fields.size() > 20 ? ", ...)" : ")"));
        }
        at = next;
        if (dot == std::string_view::npos)
            return *at;
        start = dot + 1;
    }
}

std::string RNTuple::Impl::path_of(std::uint32_t field) const {
    std::string path = schema.fields[field].name;
    while (schema.fields[field].parent != field) {
        field = schema.fields[field].parent;
        path = schema.fields[field].name + "." + path;
    }
    return path;
}

const std::vector<std::uint32_t>& RNTuple::Impl::columns_in(std::uint32_t field, std::size_t k) const {
    const auto& reps = schema.fields[field].representations;
    static const std::vector<std::uint32_t> none;
    if (reps.empty())
        return none;
    // The primary representation of this cluster is the one whose columns are not suppressed.
    for (const auto& rep : reps) {
        if (rep.empty())
            continue;
        const auto& cp = clusters[k].column(rep.front());
        if (cp.present && !cp.suppressed)
            return rep;
    }
    return reps.front();
}

Resolution RNTuple::Impl::resolve(std::uint32_t id) const {
    const auto& fields = schema.fields;
    Resolution r;
    auto principal = [&](std::uint32_t f) -> const ColumnDesc* {
        const auto& reps = fields[f].representations;
        return reps.empty() || reps.front().empty() ? nullptr : &schema.columns[reps.front().front()];
    };
    auto column_count = [&](std::uint32_t f) -> std::size_t {
        const auto& reps = fields[f].representations;
        return reps.empty() ? 0 : reps.front().size();
    };
    // A leaf of a basic type with its one column, seen through std::atomic / enum wrappers.
    auto leaf = [&](std::uint32_t f,
                    std::string& why) -> std::optional<std::pair<std::uint32_t, ColumnType>> {
        for (int depth = 0; depth < 8; ++depth) {
            const FieldDesc& fd = fields[f];
            if (fd.role == kLeaf && !(fd.flags & kFieldRepetitive) && column_count(f) == 0 &&
                fd.children.size() == 1) {
                f = fd.children.front(); // std::atomic<T>, an enum: the value is in the subfield _0
                continue;
            }
            const auto type = basic_type(fd.type);
            if (fd.role != kLeaf || !type || (fd.flags & kFieldRepetitive)) {
                why = "type '" + fd.type + "' is not a basic type";
                return std::nullopt;
            }
            if (column_count(f) != 1) {
                why = "a " + fd.type + " field with " + std::to_string(column_count(f)) + " columns";
                return std::nullopt;
            }
            const ColumnDesc* c = principal(f);
            if (!suits(*type, column_family(c->kind))) {
                why = "column type " + column_kind_name(c->kind) + " cannot hold a " + fd.type;
                return std::nullopt;
            }
            return std::make_pair(f, *type);
        }
        why = "nested wrappers";
        return std::nullopt;
    };
    auto is_index = [&](std::uint32_t f) {
        const ColumnDesc* c = principal(f);
        return c && column_family(c->kind) == Family::Index;
    };

    const FieldDesc& fd = fields[id];
    Plan plan;
    std::string why;
    if (fd.type.rfind("ROOT::RNTupleCardinality<", 0) == 0) {
        if (!is_index(id) || column_count(id) != 1) {
            r.why_not = "a cardinality field without its collection's index column";
            return r;
        }
        plan.kind = Plan::Kind::Cardinality;
        plan.type = fd.type.find("uint64") != std::string::npos ? ColumnType::UInt64 : ColumnType::UInt32;
        plan.index_field = id;
    } else if (fd.type == "std::string") {
        if (column_count(id) != 2 || !is_index(id) || principal(id) == nullptr ||
            schema.columns[fields[id].representations.front()[1]].kind != kChar) {
            r.why_not = "a std::string field without its index and character columns";
            return r;
        }
        plan.kind = Plan::Kind::String;
        plan.type = ColumnType::String;
        plan.index_field = plan.value_field = id;
    } else if (fd.role == kCollection) {
        if (!is_index(id)) {
            r.why_not = "a collection without an index column";
            return r;
        }
        if (fd.children.size() != 1) {
            r.why_not = "a collection of " + std::to_string(fd.children.size()) + " subfields";
            return r;
        }
        const auto value = leaf(fd.children.front(), why);
        if (!value) {
            const FieldDesc& item = fields[fd.children.front()];
            r.why_not = item.role == kRecord
                            ? "a collection of records: read its members by their dotted paths (" + fd.name +
                                  "." + item.name + ".NAME)"
                            : "a collection whose items are not of a basic type (" + why + ")";
            return r;
        }
        plan.kind = Plan::Kind::Jagged;
        plan.index_field = id;
        plan.value_field = value->first;
        plan.type = value->second;
    } else if (fd.flags & kFieldRepetitive) {
        if (fd.children.size() != 1 || fd.array_size == 0 || fd.array_size > (1u << 20)) {
            r.why_not = "a fixed-size array of " + std::to_string(fd.array_size) + " items";
            return r;
        }
        const auto value = leaf(fd.children.front(), why);
        if (!value) {
            r.why_not = "an array whose items are not of a basic type (" + why + ")";
            return r;
        }
        plan.kind = Plan::Kind::Fixed;
        plan.width = static_cast<std::size_t>(fd.array_size);
        plan.value_field = value->first;
        plan.type = value->second;
    } else {
        const auto value = leaf(id, why);
        if (!value) {
            r.why_not = fd.role == kRecord     ? "a record (read its members by their dotted paths)"
                        : fd.role == kVariant  ? "a variant"
                        : fd.role == kStreamer ? "an object stored with ROOT's streamer"
                                               : why;
            return r;
        }
        plan.kind = Plan::Kind::Flat;
        plan.value_field = value->first;
        plan.type = value->second;
    }
    // Every representation of a column set must have the columns of the first, type families
    // alike (the cluster picks one; the plan was checked on the first).
    auto consistent = [&](std::uint32_t f) {
        const auto& reps = fields[f].representations;
        for (const auto& rep : reps) {
            if (rep.size() != reps.front().size())
                return false;
            for (std::size_t i = 0; i < rep.size(); ++i)
                if (column_family(schema.columns[rep[i]].kind) !=
                    column_family(schema.columns[reps.front()[i]].kind))
                    return false;
        }
        return true;
    };
    if ((plan.kind != Plan::Kind::Cardinality && !consistent(plan.value_field)) ||
        (plan.has_index() && !consistent(plan.index_field))) {
        r.why_not = "its alternative column representations differ in their columns";
        return r;
    }
    // Ancestors: records are transparent; one collection above a flat value makes it jagged.
    for (std::uint32_t f = id; fields[f].parent != f;) {
        f = fields[f].parent;
        const FieldDesc& up = fields[f];
        if (up.role == kRecord)
            continue;
        if (up.role == kCollection && plan.kind == Plan::Kind::Flat && is_index(f)) {
            plan.kind = Plan::Kind::Jagged;
            plan.index_field = f;
            continue;
        }
        r.why_not = up.role == kCollection
                        ? "inside a collection: a collection of collections (nested jagged)"
                        : "inside a field of type '" + up.type + "'";
        return r;
    }
    r.plan = plan;
    return r;
}

std::vector<std::uint32_t> RNTuple::Impl::columns_below(std::uint32_t id) const {
    // Depth first, in schema order: the field's columns, then its subfields'.
    std::vector<std::uint32_t> stack{id}, columns;
    while (!stack.empty()) {
        const std::uint32_t f = stack.back();
        stack.pop_back();
        for (const auto& rep : schema.fields[f].representations)
            for (const std::uint32_t c : rep)
                columns.push_back(c);
        for (auto it = schema.fields[f].children.rbegin(); it != schema.fields[f].children.rend(); ++it)
            stack.push_back(*it);
    }
    return columns;
}

RNTupleFieldInfo RNTuple::Impl::info(std::uint32_t id) const {
    RNTupleFieldInfo out;
    const FieldDesc& fd = schema.fields[id];
    out.name = path_of(id);
    out.type_name = fd.type;
    out.projected = (fd.flags & kFieldProjected) != 0;
    const std::vector<std::uint32_t> columns = columns_below(id);
    for (const std::uint32_t c : columns) {
        out.column_types.push_back(column_kind_name(schema.columns[c].kind));
        for (const ClusterDesc& cl : clusters) {
            const ColumnPages& cp = cl.column(c);
            for (const PageDesc& p : cp.pages) {
                out.compressed_bytes += p.where.size;
                out.uncompressed_bytes += page_bytes(schema.columns[c], p.elements);
            }
        }
    }
    const Resolution r = resolve(id);
    if (r.plan) {
        out.readable = true;
        out.column_type = r.plan->type;
        out.jagged = r.plan->kind == Plan::Kind::Jagged;
        out.width = r.plan->width;
    } else {
        out.why_not = r.why_not;
    }
    return out;
}

std::vector<RNTupleFieldInfo> RNTuple::fields() const {
    std::vector<RNTupleFieldInfo> out;
    const auto& fields = impl_->schema.fields;
    for (std::uint32_t i = 0; i < fields.size(); ++i)
        if (fields[i].parent == i)
            out.push_back(impl_->info(i));
    return out;
}

RNTupleFieldInfo RNTuple::field(std::string_view path) const {
    return impl_->info(impl_->find(path));
}

std::vector<RNTuplePageInfo> RNTuple::pages(std::string_view path) const {
    const Impl& m = *impl_;
    const std::vector<std::uint32_t> columns = m.columns_below(m.find(path));
    std::vector<RNTuplePageInfo> out;
    for (std::size_t k = 0; k < m.clusters.size(); ++k)
        for (const std::uint32_t c : columns) {
            const ColumnPages& cp = m.clusters[k].column(c);
            for (const PageDesc& p : cp.pages) {
                RNTuplePageInfo info;
                info.cluster = k;
                info.column = c;
                info.column_type = column_kind_name(m.schema.columns[c].kind);
                info.elements = p.elements;
                info.offset = p.where.offset;
                info.size = p.where.size;
                info.checksum = p.checksum;
                info.compression = cp.compression;
                out.push_back(info);
            }
        }
    return out;
}

Column RNTuple::read(std::string_view path, std::uint64_t entry_begin, std::uint64_t entry_end,
                     ThreadPool* pool) const {
    const std::uint32_t id = impl_->find(path);
    const Resolution r = impl_->resolve(id);
    if (!r.plan)
        throw InputError(impl_->where.file, 0, "ntuple " + impl_->name + " field " + std::string(path),
                         "cannot be read into a column: " + r.why_not);
    if (entry_begin > entry_end || entry_end > impl_->entries)
        throw InputError(impl_->where.file, 0, "ntuple " + impl_->name + " field " + std::string(path),
                         "entry range [" + std::to_string(entry_begin) + ", " + std::to_string(entry_end) +
                             ") is outside [0, " + std::to_string(impl_->entries) + ") (" +
                             std::to_string(impl_->clusters.size()) + " " +
                             cluster_word(impl_->clusters.size()) + ")");
    return impl_->read(*r.plan, std::string(path), entry_begin, entry_end, pool);
}

Column RNTuple::read(std::string_view path, ThreadPool* pool) const {
    return read(path, 0, impl_->entries, pool);
}

} // namespace hepkit::io
