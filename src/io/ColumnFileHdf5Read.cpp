// The HDF5 reader of columns (read_hdf5), for the files write_hdf5 produces and files written in the
// same layout by other tools (h5py): include/hepkit/io/ColumnFile.hpp and docs/root-io.md. The
// element type comes from the dataset's own HDF5 type, so values come back bit for bit; what the
// layout does not allow (a scalar, rank 3, a compound type, offsets that do not cover the values,
// columns of different lengths) is an InputError naming the file and the dataset.

#include "ColumnFileHdf5Shared.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/ColumnFile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>

namespace hepkit::io {

namespace {

using Handle = detail::Hdf5Handle;

using detail::H5;

// Deflate, the strongest filter of common HDF5 files, expands at most ~1032 : 1; a dataset that
// claims more values than that ratio allows for the whole file is refused before any allocation
// (a hostile header must give an error, not std::bad_alloc). The 1 MiB covers fill values.
constexpr std::uintmax_t kMaxExpansion = 1100;
constexpr std::uintmax_t kSlack = 1u << 20;

class Reader {
  public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    /// InputError naming the file and `key` (the dataset, `NAME/offsets`, an attribute).
    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        const std::string why = detail::hdf5_session().description();
        std::string m = what;
        if (!why.empty())
            m.append(" (HDF5: ").append(why).append(")");
        throw InputError(path_, 0, key, m);
    }
    hid_t check(hid_t id, const std::string& key, const char* what) const {
        if (id < 0)
            fail(key, what);
        return id;
    }
    void check(herr_t status, const std::string& key, const char* what, int) const {
        if (status < 0)
            fail(key, what);
    }
    const std::string& path() const { return path_; }
    std::uintmax_t file_size = 0;

  private:
    std::string path_;
};

std::string key_of(const std::string& column, const char* member) {
    std::string k = column;
    if (member != nullptr)
        k.append("/").append(member);
    return k;
}

std::string_view class_name(H5T_class_t c) {
    switch (c) {
    case H5T_INTEGER:
        return "integer";
    case H5T_FLOAT:
        return "float";
    case H5T_TIME:
        return "time";
    case H5T_STRING:
        return "string";
    case H5T_BITFIELD:
        return "bitfield";
    case H5T_OPAQUE:
        return "opaque";
    case H5T_COMPOUND:
        return "compound";
    case H5T_REFERENCE:
        return "reference";
    case H5T_ENUM:
        return "enum";
    case H5T_VLEN:
        return "variable-length sequence";
    case H5T_ARRAY:
        return "array";
    default:
        return "unknown";
    }
}

constexpr const char* kAllowedTypes = "allowed: integers of 1, 2, 4 or 8 bytes, floats of 4 or 8 bytes, "
                                      "h5py's bool enum (FALSE = 0, TRUE = 1), strings";

// h5py's bool: an enum of two members FALSE = 0 and TRUE = 1 on a 1-byte integer.
bool is_bool_enum(const Reader& r, hid_t type, const std::string& key) {
    Handle super(r.check(H5().H5Tget_super(type), key, "cannot read the enum's base type"), H5().H5Tclose);
    if (H5().H5Tget_class(super.get()) != H5T_INTEGER || H5().H5Tget_size(super.get()) != 1 ||
        H5().H5Tget_nmembers(type) != 2)
        return false;
    for (unsigned m = 0; m < 2; ++m) {
        char* name = H5().H5Tget_member_name(type, m);
        if (name == nullptr)
            return false;
        const std::string n = name;
        H5().H5free_memory(name);
        std::int8_t v = -1;
        if (H5().H5Tget_member_value(type, m, &v) < 0)
            return false;
        if (!((n == "FALSE" && v == 0) || (n == "TRUE" && v == 1)))
            return false;
    }
    return true;
}

// The column type of a dataset's element type; InputError naming `key` for any other type.
ColumnType column_type(const Reader& r, hid_t type, const std::string& key) {
    const H5T_class_t cls = H5().H5Tget_class(type);
    const std::size_t size = H5().H5Tget_size(type);
    switch (cls) {
    case H5T_INTEGER: {
        const bool sign = H5().H5Tget_sign(type) == H5T_SGN_2;
        switch (size) {
        case 1:
            return sign ? ColumnType::Int8 : ColumnType::UInt8;
        case 2:
            return sign ? ColumnType::Int16 : ColumnType::UInt16;
        case 4:
            return sign ? ColumnType::Int32 : ColumnType::UInt32;
        case 8:
            return sign ? ColumnType::Int64 : ColumnType::UInt64;
        default:
            break;
        }
        break;
    }
    case H5T_FLOAT:
        if (size == 4)
            return ColumnType::Float32;
        if (size == 8)
            return ColumnType::Float64;
        break;
    case H5T_ENUM:
        if (is_bool_enum(r, type, key))
            return ColumnType::Bool;
        r.fail(key, fmt::format("an enum type other than h5py's bool ({})", kAllowedTypes));
    case H5T_STRING:
        return ColumnType::String;
    default:
        break;
    }
    r.fail(key, fmt::format("element type {} of {} bytes is not a column type ({})", class_name(cls), size,
                            kAllowedTypes));
}

// The memory type values of `type` are read as.
Handle memory_type(const Reader& r, ColumnType type, hid_t file_type, const std::string& key) {
    hid_t native = -1;
    switch (type) {
    case ColumnType::Bool: {
        // HDF5 converts enums by member name: the file's FALSE/TRUE become 0/1 here.
        Handle t(r.check(H5().H5Tenum_create(H5().native_int8), key, "cannot create the bool type"),
                 H5().H5Tclose);
        const std::int8_t no = 0, yes = 1;
        r.check(H5().H5Tenum_insert(t.get(), "FALSE", &no), key, "cannot create the bool type", 0);
        r.check(H5().H5Tenum_insert(t.get(), "TRUE", &yes), key, "cannot create the bool type", 0);
        return t;
    }
    case ColumnType::String:
        // strings are read in the file's own form (variable or fixed length, its character set)
        native = file_type;
        break;
    default:
        native = detail::native_numeric_type(H5(), type);
        break;
    }
    return Handle(r.check(H5().H5Tcopy(native), key, "cannot copy an HDF5 type"), H5().H5Tclose);
}

// A dataset's shape: rank 1 or 2 (rank 2 only when `allow_2d`).
struct Shape {
    hsize_t rows = 0;
    hsize_t width = 1;
    int rank = 1;
};

Shape shape_of(const Reader& r, hid_t set, const std::string& key, bool allow_2d) {
    Handle space(r.check(H5().H5Dget_space(set), key, "cannot read the dataspace"), H5().H5Sclose);
    const H5S_class_t cls = H5().H5Sget_simple_extent_type(space.get());
    if (cls == H5S_SCALAR)
        r.fail(key, "a scalar, not a column (a 1-D dataset, or 2-D for a fixed-size column)");
    if (cls != H5S_SIMPLE)
        r.fail(key, "an empty (null) dataspace, not a column");
    const int rank = H5().H5Sget_simple_extent_ndims(space.get());
    if (rank < 1 || rank > (allow_2d ? 2 : 1))
        r.fail(key, allow_2d ? fmt::format("rank {}: a column is 1-D (flat) or 2-D (fixed size)", rank)
                             : fmt::format("rank {}: must be 1-D", rank));
    hsize_t dims[2] = {0, 1};
    r.check(H5().H5Sget_simple_extent_dims(space.get(), dims, nullptr), key, "cannot read the dimensions", 0);
    Shape s;
    s.rank = rank;
    s.rows = dims[0];
    s.width = rank == 2 ? dims[1] : 1;
    if (rank == 2 && s.width == 0)
        r.fail(key,
               fmt::format("a 2-D dataset of width 0 ({} × 0): a fixed-size column has width >= 1", s.rows));
    return s;
}

// All values of `set` (rows × width) of element type `type`, into `out`'s values.
void read_values(const Reader& r, hid_t set, ColumnType type, std::size_t count, Column& out,
                 const std::string& key) {
    Handle file_type(r.check(H5().H5Dget_type(set), key, "cannot read the element type"), H5().H5Tclose);
    Handle mem = memory_type(r, type, file_type.get(), key);
    const std::size_t elem =
        type == ColumnType::String ? H5().H5Tget_size(mem.get()) : column_type_size(type);
    if (count != 0 && count * std::max<std::size_t>(elem, 1) / count != std::max<std::size_t>(elem, 1))
        r.fail(key, fmt::format("{} values overflow the address space", count));
    if (static_cast<std::uintmax_t>(count) * elem > r.file_size * kMaxExpansion + kSlack)
        r.fail(key, fmt::format("declares {} values of {} bytes, more than a file of {} bytes can hold",
                                count, elem, r.file_size));
    out = Column::make(out.name, type);
    if (count == 0)
        return;
    std::visit(
        [&](auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                v.reserve(count);
                if (H5().H5Tis_variable_str(mem.get()) > 0) {
                    std::vector<char*> p(count, nullptr);
                    // the library allocates each string; they are freed whatever happens next
                    struct Free {
                        std::vector<char*>& p;
                        ~Free() {
                            for (char* s : p)
                                if (s != nullptr)
                                    H5().H5free_memory(s);
                        }
                    } free_all{p};
                    r.check(H5().H5Dread(set, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.data()), key,
                            "cannot read the dataset", 0);
                    for (const char* s : p)
                        v.emplace_back(s != nullptr ? s : "");
                } else {
                    // fixed length: `elem` bytes each, ended by the first NUL when shorter
                    std::vector<char> buf(count * elem);
                    r.check(H5().H5Dread(set, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), key,
                            "cannot read the dataset", 0);
                    for (std::size_t k = 0; k < count; ++k) {
                        const char* s = buf.data() + k * elem;
                        v.emplace_back(s, ::strnlen(s, elem));
                    }
                }
            } else {
                v.resize(count);
                r.check(H5().H5Dread(set, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), key,
                        "cannot read the dataset", 0);
            }
        },
        out.values);
}

// A string attribute of `owner`, or nullopt when it has none.
std::optional<std::string> string_attribute(const Reader& r, hid_t owner, const char* name,
                                            const std::string& key) {
    const htri_t exists = H5().H5Aexists(owner, name);
    r.check(static_cast<herr_t>(exists < 0 ? -1 : 0), key, "cannot read the attributes", 0);
    if (exists == 0)
        return std::nullopt;
    const std::string akey = key.empty() ? std::string(name) : key + " attribute " + name;
    Handle attr(r.check(H5().H5Aopen(owner, name, H5P_DEFAULT), akey, "cannot open the attribute"),
                H5().H5Aclose);
    Handle type(r.check(H5().H5Aget_type(attr.get()), akey, "cannot read the attribute's type"),
                H5().H5Tclose);
    if (H5().H5Tget_class(type.get()) != H5T_STRING)
        r.fail(akey, fmt::format("of type {}, must be a string", class_name(H5().H5Tget_class(type.get()))));
    Handle space(r.check(H5().H5Aget_space(attr.get()), akey, "cannot read the attribute's space"),
                 H5().H5Sclose);
    if (H5().H5Sget_simple_extent_type(space.get()) != H5S_SCALAR)
        r.fail(akey, "must be a single string (a scalar attribute)");
    if (H5().H5Tis_variable_str(type.get()) > 0) {
        char* p = nullptr;
        r.check(H5().H5Aread(attr.get(), type.get(), &p), akey, "cannot read the attribute", 0);
        std::string s = p != nullptr ? p : "";
        if (p != nullptr)
            H5().H5free_memory(p);
        return s;
    }
    const std::size_t size = H5().H5Tget_size(type.get());
    std::vector<char> buf(size + 1, '\0');
    r.check(H5().H5Aread(attr.get(), type.get(), buf.data()), akey, "cannot read the attribute", 0);
    return std::string(buf.data(), ::strnlen(buf.data(), size));
}

// The attributes write_hdf5 puts on a column, checked when present (h5py users may omit them).
void check_attributes(const Reader& r, hid_t owner, const Column& c, const char* layout) {
    if (const auto rt = string_attribute(r, owner, "root_type", c.name); rt && *rt != root_type_name(c.type))
        r.fail(c.name + " attribute root_type",
               fmt::format("'{}' does not match the element type {} of the data (expected '{}')", *rt,
                           column_type_name(c.type), root_type_name(c.type)));
    if (const auto l = string_attribute(r, owner, "layout", c.name); l && *l != layout)
        r.fail(c.name + " attribute layout",
               fmt::format("'{}' does not match the data, which is {} (flat: 1-D dataset; fixed: 2-D "
                           "dataset; jagged: group of values and offsets)",
                           *l, layout));
}

Column read_dataset(const Reader& r, hid_t set, const std::string& name) {
    Column c;
    c.name = name;
    const Shape s = shape_of(r, set, name, true);
    Handle type(r.check(H5().H5Dget_type(set), name, "cannot read the element type"), H5().H5Tclose);
    const ColumnType t = column_type(r, type.get(), name);
    if (s.width != 0 && s.rows > std::numeric_limits<std::size_t>::max() / s.width)
        r.fail(name, "too many values");
    read_values(r, set, t, static_cast<std::size_t>(s.rows * s.width), c, name);
    c.width = static_cast<std::size_t>(s.width);
    check_attributes(r, set, c, s.rank == 2 ? "fixed" : "flat");
    return c;
}

// A member dataset (`values`, `offsets`) of a jagged column's group.
Handle member(const Reader& r, hid_t group, const std::string& column, const char* name) {
    const std::string key = key_of(column, name);
    const htri_t has = H5().H5Lexists(group, name, H5P_DEFAULT);
    if (has <= 0)
        r.fail(column,
               fmt::format("a group without the dataset '{}': a jagged column is a group of the datasets "
                           "'values' and 'offsets'",
                           name));
    return Handle(r.check(H5().H5Dopen2(group, name, H5P_DEFAULT), key, "cannot open it as a dataset"),
                  H5().H5Dclose);
}

Column read_jagged(const Reader& r, hid_t group, const std::string& name) {
    Handle values = member(r, group, name, "values");
    Handle offsets = member(r, group, name, "offsets");
    const std::string vkey = key_of(name, "values"), okey = key_of(name, "offsets");

    // offsets: any integer type on file, read as int64 (the layout writes int64)
    const Shape os = shape_of(r, offsets.get(), okey, false);
    {
        Handle type(r.check(H5().H5Dget_type(offsets.get()), okey, "cannot read the element type"),
                    H5().H5Tclose);
        if (H5().H5Tget_class(type.get()) != H5T_INTEGER)
            r.fail(okey, fmt::format("element type {}: offsets must be integers (int64)",
                                     class_name(H5().H5Tget_class(type.get()))));
    }
    if (os.rows == 0)
        r.fail(okey, "empty: a jagged column of N entries has N+1 offsets (a single 0 for no entries)");
    Column off;
    read_values(r, offsets.get(), ColumnType::Int64, static_cast<std::size_t>(os.rows), off, okey);

    const Shape vs = shape_of(r, values.get(), vkey, false);
    Handle type(r.check(H5().H5Dget_type(values.get()), vkey, "cannot read the element type"), H5().H5Tclose);
    Column c;
    c.name = name;
    read_values(r, values.get(), column_type(r, type.get(), vkey), static_cast<std::size_t>(vs.rows), c,
                vkey);

    const auto& o = off.as<std::int64_t>();
    if (o.front() != 0)
        r.fail(okey, fmt::format("starts at {}, must start at 0", o.front()));
    for (std::size_t k = 1; k < o.size(); ++k)
        if (o[k] < o[k - 1])
            r.fail(okey, fmt::format("decreases at entry {} ({} after {}): offsets must not decrease", k - 1,
                                     o[k], o[k - 1]));
    if (static_cast<std::uint64_t>(o.back()) != vs.rows)
        r.fail(okey,
               fmt::format("ends at {}, but '{}' has {} values: the last offset is the number of values",
                           o.back(), vkey, vs.rows));
    c.offsets.assign(o.begin(), o.end());
    check_attributes(r, group, c, "jagged");
    return c;
}

// The names of the root group's links: in creation order when the file tracks it (hepkit's files,
// h5py's with track_order=True), else in HDF5's name order (sorted by bytes).
std::vector<std::string> column_names(const Reader& r, hid_t root) {
    H5_index_t index = H5_INDEX_NAME;
    {
        Handle gcpl(r.check(H5().H5Gget_create_plist(root), "", "cannot read the root group's properties"),
                    H5().H5Pclose);
        unsigned flags = 0;
        if (H5().H5Pget_link_creation_order(gcpl.get(), &flags) >= 0 && (flags & H5P_CRT_ORDER_TRACKED) &&
            (flags & H5P_CRT_ORDER_INDEXED))
            index = H5_INDEX_CRT_ORDER;
    }
    H5G_info_t info{};
    r.check(H5().H5Gget_info(root, &info), "", "cannot read the root group", 0);
    std::vector<std::string> names;
    for (hsize_t k = 0; k < info.nlinks; ++k) {
        const ssize_t n = H5().H5Lget_name_by_idx(root, ".", index, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
        if (n < 0)
            r.fail("", "cannot list the root group");
        std::string name(static_cast<std::size_t>(n) + 1, '\0');
        if (H5().H5Lget_name_by_idx(root, ".", index, H5_ITER_INC, k, name.data(), name.size(), H5P_DEFAULT) <
            0)
            r.fail("", "cannot list the root group");
        name.resize(static_cast<std::size_t>(n));
        names.push_back(std::move(name));
    }
    return names;
}

} // namespace

std::vector<Column> read_hdf5(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw InputError(path, 0, "",
                         std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
    Reader r(path);
    r.file_size = std::filesystem::file_size(path, ec);
    std::optional<detail::Hdf5Session> hdf5;
    try {
        hdf5.emplace(path);
    } catch (const OutputError& e) {
        // the library could not be loaded: a problem of this machine, reported as the input's
        throw InputError(path, 0, "", e.message());
    }

    Handle file(H5().H5Fopen(path.c_str(), detail::kHdf5AccRdonly, H5P_DEFAULT), H5().H5Fclose);
    if (file.get() < 0)
        r.fail("", "cannot be opened as HDF5 (not an HDF5 file, or a damaged one)");
    Handle root(r.check(H5().H5Gopen2(file.get(), "/", H5P_DEFAULT), "", "cannot open the root group"),
                H5().H5Gclose);
    const std::vector<std::string> names = column_names(r, root.get());
    if (names.empty())
        r.fail("", "holds no dataset: not a file of columns");

    std::vector<Column> columns;
    for (const auto& name : names) {
        Handle object(r.check(H5().H5Oopen(root.get(), name.c_str(), H5P_DEFAULT), name,
                              "cannot open the object (a dangling or external link?)"),
                      H5().H5Oclose);
        const H5I_type_t kind = H5().H5Iget_type(object.get());
        if (kind == H5I_DATASET)
            columns.push_back(read_dataset(r, object.get(), name));
        else if (kind == H5I_GROUP)
            columns.push_back(read_jagged(r, object.get(), name));
        else
            r.fail(name, "neither a dataset nor a group (a named type?): not a column");
        const std::size_t n = columns.back().entries();
        if (n != columns.front().entries())
            r.fail(name, fmt::format("{} entries, but '{}' has {}: all columns must have the same number", n,
                                     columns.front().name, columns.front().entries()));
    }
    // the file's `entries` attribute, when present, must agree with the columns
    const htri_t has_entries = H5().H5Aexists(file.get(), "entries");
    if (has_entries > 0) {
        Handle attr(
            r.check(H5().H5Aopen(file.get(), "entries", H5P_DEFAULT), "entries", "cannot open the attribute"),
            H5().H5Aclose);
        Handle type(r.check(H5().H5Aget_type(attr.get()), "entries", "cannot read the attribute's type"),
                    H5().H5Tclose);
        if (H5().H5Tget_class(type.get()) != H5T_INTEGER)
            r.fail("entries", "the file attribute 'entries' must be an integer");
        Handle space(r.check(H5().H5Aget_space(attr.get()), "entries", "cannot read the attribute's space"),
                     H5().H5Sclose);
        if (H5().H5Sget_simple_extent_type(space.get()) != H5S_SCALAR)
            r.fail("entries", "the file attribute 'entries' must be a single integer (a scalar attribute)");
        std::int64_t entries = -1;
        r.check(H5().H5Aread(attr.get(), H5().native_int64, &entries), "entries", "cannot read the attribute",
                0);
        if (entries < 0 || static_cast<std::uint64_t>(entries) != columns.front().entries())
            r.fail("entries", fmt::format("the file attribute says {} entries, the columns have {}", entries,
                                          columns.front().entries()));
    }
    return columns;
}

} // namespace hepkit::io
