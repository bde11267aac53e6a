// The RNTuple schema: the header envelope (fields, columns, alias columns) and the footer
// (its schema extension and the cluster groups), then the links between fields and columns.
#include "RNTupleFormat.hpp"

namespace hepkit::io::rntuple {

namespace {

// Smallest serialized sizes, to check list counts against their frames before reserving.
constexpr std::size_t kMinField = 8 + 3 * 4 + 2 * 2 + 4 * 4;
constexpr std::size_t kMinColumn = 8 + 2 + 2 + 4 + 2 + 2;
constexpr std::size_t kMinAlias = 8 + 4 + 4;
constexpr std::size_t kMinTypeInfo = 8 + 4 + 4 + 4;
constexpr std::size_t kMinClusterGroup = 8 + 8 + 8 + 4 + 8 + 12;

FieldDesc read_field(LeReader& in) {
    const auto rec = in.record("field record");
    FieldDesc f;
    f.version = in.u32();
    f.type_version = in.u32();
    f.parent = in.u32();
    f.role = in.u16();
    f.flags = in.u16();
    f.name = in.string("field name");
    f.type = in.string("field type");
    f.alias = in.string("field type alias");
    f.description = in.string("field description");
    if (f.flags & kFieldRepetitive)
        f.array_size = in.u64();
    if (f.flags & kFieldProjected)
        f.source = in.u32();
    if (f.flags & kFieldChecksum)
        (void)in.u32();
    in.leave(rec, "field record");
    return f;
}

ColumnDesc read_column(LeReader& in) {
    const auto rec = in.record("column record");
    ColumnDesc c;
    c.kind = in.u16();
    c.bits = in.u16();
    c.field = in.u32();
    c.flags = in.u16();
    c.representation = in.u16();
    if (c.flags & kColumnDeferred)
        c.first_element = in.i64();
    if (c.flags & kColumnRange) {
        c.min = in.f64();
        c.max = in.f64();
    }
    in.leave(rec, "column record");
    return c;
}

// The four list frames of a schema description (header, or the footer's extension).
void read_schema_description(LeReader& in, Schema& schema, std::size_t end) {
    if (in.pos() >= end)
        return;
    const auto fields = in.list("field list", kMinField);
    schema.fields.reserve(schema.fields.size() + fields.items);
    for (std::uint32_t i = 0; i < fields.items; ++i)
        schema.fields.push_back(read_field(in));
    in.leave(fields, "field list");
    if (in.pos() >= end)
        return;
    const auto columns = in.list("column list", kMinColumn);
    schema.columns.reserve(schema.columns.size() + columns.items);
    for (std::uint32_t i = 0; i < columns.items; ++i)
        schema.columns.push_back(read_column(in));
    in.leave(columns, "column list");
    if (in.pos() >= end)
        return;
    const auto aliases = in.list("alias column list", kMinAlias);
    for (std::uint32_t i = 0; i < aliases.items; ++i) {
        const auto rec = in.record("alias column record");
        Schema::Alias a;
        a.physical = in.u32();
        a.field = in.u32();
        schema.aliases.push_back(a);
        in.leave(rec, "alias column record");
    }
    in.leave(aliases, "alias column list");
    if (in.pos() >= end)
        return;
    // Extra type information (streamer infos of streamed fields): not needed for the types read.
    const auto infos = in.list("extra type information list", kMinTypeInfo);
    in.leave(infos, "extra type information list");
}

} // namespace

Header parse_header(LeReader& in, Schema& schema) {
    Header h;
    in.feature_flags();
    h.name = in.string("ntuple name");
    h.description = in.string("ntuple description");
    h.writer = in.string("writer identifier");
    read_schema_description(in, schema, in.end());
    return h;
}

std::vector<ClusterGroup> parse_footer(LeReader& in, Schema& schema, std::uint64_t header_checksum) {
    in.feature_flags();
    const std::uint64_t recorded = in.u64();
    if (recorded != header_checksum)
        in.fail("the footer belongs to a header with xxhash3 " + std::to_string(recorded) +
                ", the header read has " + std::to_string(header_checksum));
    const auto extension = in.record("schema extension");
    read_schema_description(in, schema, extension.end);
    in.leave(extension, "schema extension");

    const auto groups = in.list("cluster group list", kMinClusterGroup);
    std::vector<ClusterGroup> out;
    out.reserve(groups.items);
    for (std::uint32_t i = 0; i < groups.items; ++i) {
        const auto rec = in.record("cluster group record");
        ClusterGroup g;
        g.min_entry = in.u64();
        g.entry_span = in.u64();
        g.clusters = in.u32();
        g.page_list = in.envelope_link("page list link");
        in.leave(rec, "cluster group record");
        out.push_back(g);
    }
    in.leave(groups, "cluster group list");
    return out;
}

void link_schema(Schema& schema, const Where& where) {
    auto fail = [&](const std::string& m) { fail_at(where, "schema", 0, m); };
    const std::size_t nf = schema.fields.size(), nc = schema.columns.size();
    for (std::size_t i = 0; i < nf; ++i) {
        FieldDesc& f = schema.fields[i];
        if (f.parent >= nf)
            fail("field " + std::to_string(i) + " (" + f.name + ") has parent " + std::to_string(f.parent) +
                 " of " + std::to_string(nf) + " fields");
        if ((f.flags & kFieldProjected) && f.source >= nf)
            fail("field " + std::to_string(i) + " (" + f.name + ") projects field " +
                 std::to_string(f.source) + " of " + std::to_string(nf));
        if (f.parent != i)
            schema.fields[f.parent].children.push_back(static_cast<std::uint32_t>(i));
    }
    // A parent chain must reach a top-level field (its own parent) within nf steps.
    for (std::size_t i = 0; i < nf; ++i) {
        std::size_t at = i, steps = 0;
        while (schema.fields[at].parent != at) {
            at = schema.fields[at].parent;
            if (++steps > nf)
                fail("field " + std::to_string(i) + " (" + schema.fields[i].name +
                     ") has a cyclic parent chain");
        }
    }
    auto attach = [&](std::uint32_t field, std::uint32_t column, std::uint16_t representation) {
        auto& reps = schema.fields[field].representations;
        if (representation >= nc)
            fail("column " + std::to_string(column) + " has representation index " +
                 std::to_string(representation) + " (" + std::to_string(nc) + " columns)");
        if (reps.size() <= representation)
            reps.resize(representation + 1u);
        reps[representation].push_back(column);
    };
    for (std::size_t c = 0; c < nc; ++c) {
        const ColumnDesc& col = schema.columns[c];
        if (col.field >= nf)
            fail("column " + std::to_string(c) + " belongs to field " + std::to_string(col.field) + " of " +
                 std::to_string(nf));
        if (col.kind <= kMaxColumnKind && !valid_bits(col.kind, col.bits))
            fail("column " + std::to_string(c) + " of type " + column_kind_name(col.kind) + " has " +
                 std::to_string(col.bits) + " bits on storage");
        if ((col.flags & kColumnDeferred) && col.first_element < 0 && col.first_element == INT64_MIN)
            fail("column " + std::to_string(c) + " has first element index " +
                 std::to_string(col.first_element));
        attach(col.field, static_cast<std::uint32_t>(c), col.representation);
    }
    for (const Schema::Alias& a : schema.aliases) {
        if (a.physical >= nc || a.field >= nf)
            fail("alias column of field " + std::to_string(a.field) + " points at column " +
                 std::to_string(a.physical) + " (" + std::to_string(nc) + " columns, " + std::to_string(nf) +
                 " fields)");
        attach(a.field, a.physical, schema.columns[a.physical].representation);
    }
}

} // namespace hepkit::io::rntuple
