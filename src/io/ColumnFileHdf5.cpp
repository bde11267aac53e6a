// The HDF5 writer of columns, on HDF5's C API (Debian's libhdf5, private to hepkit::io). Layout:
// include/hepkit/io/ColumnFile.hpp and docs/root-io.md.

#include "ColumnFileChecks.hpp"
#include "ColumnFileHdf5Shared.hpp"
#include "hepkit/core/AtomicFile.hpp"
#include "hepkit/core/Error.hpp"
#include "hepkit/io/ColumnFile.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace hepkit::io {

namespace detail {

std::mutex& hdf5_mutex() {
    static std::mutex m;
    return m;
}

namespace {
// Set and cleared under hdf5_mutex, by the session that holds it.
const Hdf5Session* current_session = nullptr;
} // namespace

Hdf5Session::Hdf5Session(const std::string& path) : lock_(hdf5_mutex()), api_(&hdf5_api(path)) {
    api_->H5Eget_auto2(H5E_DEFAULT, &old_func_, &old_data_);
    api_->H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    current_session = this;
}

Hdf5Session::~Hdf5Session() {
    current_session = nullptr;
    api_->H5Eset_auto2(H5E_DEFAULT, old_func_, old_data_);
}

const Hdf5Session& hdf5_session() {
    if (current_session == nullptr)
        throw std::logic_error("hepkit::io: HDF5 used outside a read or write");
    return *current_session;
}

namespace {
herr_t keep_description(unsigned n, const H5E_error2_t* err, void* data) {
    if (n == 0 && err != nullptr && err->desc != nullptr)
        *static_cast<std::string*>(data) = err->desc;
    return 0;
}
} // namespace

std::string Hdf5Session::description() const {
    std::string detail;
    api_->H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_description, &detail);
    return detail;
}

} // namespace detail

namespace {

using Handle = detail::Hdf5Handle;

using detail::H5;

class Writer {
  public:
    Writer(std::string path, std::string tmp) : path_(std::move(path)), tmp_(std::move(tmp)) {}

    [[noreturn]] void fail(const std::string& column, const std::string& what) const {
        const std::string why = detail::hdf5_session().description();
        std::string m = what;
        if (!why.empty())
            m.append(" (HDF5: ").append(why).append(")");
        throw OutputError(path_, 0, column.empty() ? std::string() : "column " + column, m);
    }
    hid_t check(hid_t id, const std::string& column, const char* what) const {
        if (id < 0)
            fail(column, what);
        return id;
    }
    void check(herr_t status, const std::string& column, const char* what, int) const {
        if (status < 0)
            fail(column, what);
    }

    const std::string& path() const { return path_; }
    const std::string& tmp() const { return tmp_; }

  private:
    std::string path_;
    std::string tmp_;
};

// The memory (and file) type of a column's elements. Bool is the enum h5py writes for numpy's
// bool (int8, FALSE = 0, TRUE = 1), so that h5py and pandas read it back as bool.
Handle element_type(const Writer& w, const Column& c) {
    switch (c.type) {
    case ColumnType::Bool: {
        Handle t(w.check(H5().H5Tenum_create(H5().native_int8), c.name, "cannot create the bool type"),
                 H5().H5Tclose);
        const std::int8_t no = 0, yes = 1;
        w.check(H5().H5Tenum_insert(t.get(), "FALSE", &no), c.name, "cannot create the bool type", 0);
        w.check(H5().H5Tenum_insert(t.get(), "TRUE", &yes), c.name, "cannot create the bool type", 0);
        return t;
    }
    case ColumnType::String: {
        Handle t(w.check(H5().H5Tcopy(H5().c_s1), c.name, "cannot create the string type"), H5().H5Tclose);
        w.check(H5().H5Tset_size(t.get(), H5T_VARIABLE), c.name, "cannot create the string type", 0);
        w.check(H5().H5Tset_cset(t.get(), H5T_CSET_UTF8), c.name, "cannot create the string type", 0);
        return t;
    }
    default:
        break;
    }
    // the numeric types (Bool and String returned above)
    return Handle(
        w.check(H5().H5Tcopy(detail::native_numeric_type(H5(), c.type)), c.name, "cannot copy an HDF5 type"),
        H5().H5Tclose);
}

void string_attribute(const Writer& w, hid_t owner, const char* name, std::string_view value,
                      const std::string& column) {
    Handle type(w.check(H5().H5Tcopy(H5().c_s1), column, "cannot create an attribute type"), H5().H5Tclose);
    w.check(H5().H5Tset_size(type.get(), H5T_VARIABLE), column, "cannot create an attribute type", 0);
    w.check(H5().H5Tset_cset(type.get(), H5T_CSET_UTF8), column, "cannot create an attribute type", 0);
    Handle space(w.check(H5().H5Screate(H5S_SCALAR), column, "cannot create an attribute space"),
                 H5().H5Sclose);
    Handle attr(w.check(H5().H5Acreate2(owner, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                        column, "cannot create an attribute"),
                H5().H5Aclose);
    const std::string text(value);
    const char* p = text.c_str();
    w.check(H5().H5Awrite(attr.get(), type.get(), &p), column, "cannot write an attribute", 0);
}

void int_attribute(const Writer& w, hid_t owner, const char* name, std::int64_t value) {
    Handle space(w.check(H5().H5Screate(H5S_SCALAR), "", "cannot create an attribute space"), H5().H5Sclose);
    Handle attr(
        w.check(H5().H5Acreate2(owner, name, H5().native_int64, space.get(), H5P_DEFAULT, H5P_DEFAULT), "",
                "cannot create an attribute"),
        H5().H5Aclose);
    w.check(H5().H5Awrite(attr.get(), H5().native_int64, &value), "", "cannot write an attribute", 0);
}

// One dataset `name` under `parent` of rank 1 (n) or 2 (n × width) holding `data`.
Handle dataset(const Writer& w, hid_t parent, const char* name, hid_t type, std::size_t n, std::size_t width,
               const void* data, const std::string& column) {
    const hsize_t dims[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(width)};
    Handle space(
        w.check(H5().H5Screate_simple(width > 1 ? 2 : 1, dims, nullptr), column, "cannot create a dataspace"),
        H5().H5Sclose);
    Handle set(
        w.check(H5().H5Dcreate2(parent, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                column, "cannot create the dataset"),
        H5().H5Dclose);
    if (n * width > 0)
        w.check(H5().H5Dwrite(set.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), column,
                "cannot write the dataset", 0);
    return set;
}

void write_column(const Writer& w, hid_t file, const Column& c) {
    Handle type = element_type(w, c);
    // Variable-length strings are written from an array of C string pointers.
    std::vector<const char*> strings;
    const void* data = std::visit(
        [&](const auto& v) -> const void* {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
                strings.reserve(v.size());
                for (const auto& s : v) {
                    if (s.find('\0') != std::string::npos)
                        throw OutputError(w.path(), 0, "column " + c.name,
                                          "a string holds a NUL character, which HDF5 strings cannot store");
                    strings.push_back(s.c_str());
                }
                return strings.data();
            } else {
                return v.data();
            }
        },
        c.values);
    const std::string_view root_type = root_type_name(c.type);
    if (c.jagged()) {
        Handle group(w.check(H5().H5Gcreate2(file, c.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             c.name, "cannot create the group"),
                     H5().H5Gclose);
        dataset(w, group.get(), "values", type.get(), c.size(), 1, data, c.name);
        dataset(w, group.get(), "offsets", H5().native_int64, c.offsets.size(), 1, c.offsets.data(), c.name);
        string_attribute(w, group.get(), "root_type", root_type, c.name);
        string_attribute(w, group.get(), "layout", "jagged", c.name);
        return;
    }
    Handle set = dataset(w, file, c.name.c_str(), type.get(), c.entries(), c.width, data, c.name);
    string_attribute(w, set.get(), "root_type", root_type, c.name);
    string_attribute(w, set.get(), "layout", c.width > 1 ? "fixed" : "flat", c.name);
}

// The temporary file of an HDF5 output: registered for removal by a termination signal (as
// AtomicFile's are), removed when the write fails, renamed onto the output when it succeeds.
class TempFile {
  public:
    explicit TempFile(std::string tmp)
        : tmp_(std::move(tmp)), slot_(hepkit::detail::register_temp_file(tmp_)) {}
    ~TempFile() {
        if (!kept_) {
            std::error_code ec;
            std::filesystem::remove(tmp_, ec);
        }
        hepkit::detail::unregister_temp_file(slot_);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    void keep() { kept_ = true; }

  private:
    std::string tmp_;
    int slot_;
    bool kept_ = false;
};

} // namespace

void write_hdf5(const std::string& path, std::span<const Column> columns) {
    const std::size_t entries = detail::check_columns(path, columns, true);
    const detail::Hdf5Session hdf5(path);
    const Writer w(path, fmt::format("{}.tmp.{}", path, static_cast<long>(::getpid())));
    TempFile temp(w.tmp());
    // Links in creation order (tracked and indexed, as h5py's track_order=True does), so that
    // read_hdf5, and h5py, list the columns in the order they were given, not sorted by name.
    Handle fcpl(w.check(H5().H5Pcreate(*H5().H5P_CLS_FILE_CREATE_ID_g), "", "cannot create a property list"),
                H5().H5Pclose);
    w.check(H5().H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "",
            "cannot set the link creation order", 0);
    Handle file(H5().H5Fcreate(w.tmp().c_str(), detail::kHdf5AccTrunc, fcpl.get(), H5P_DEFAULT),
                H5().H5Fclose);
    if (file.get() < 0)
        w.fail("", "cannot create output file (does the directory exist and is it writable?)");
    string_attribute(w, file.get(), "creator", "hepkit", "");
    int_attribute(w, file.get(), "entries", static_cast<std::int64_t>(entries));
    for (const Column& c : columns)
        write_column(w, file.get(), c);
    if (file.close() < 0)
        w.fail("", "cannot write the file (disk full?)");
    std::error_code ec;
    std::filesystem::rename(w.tmp(), path, ec);
    if (ec)
        throw OutputError(path, 0, "", "cannot rename the finished file into place: " + ec.message());
    temp.keep();
}

} // namespace hepkit::io
