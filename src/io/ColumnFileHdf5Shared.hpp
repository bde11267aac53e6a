#pragma once
// What the HDF5 writer (ColumnFileHdf5.cpp) and reader (ColumnFileHdf5Read.cpp) of columns share,
// internal to hepkit::io: one lock around every use of the library, its error stack silenced for
// the duration, identifiers closed by their owner. Layout: include/hepkit/io/ColumnFile.hpp.

#include "Hdf5Api.hpp"
#include "hepkit/io/Column.hpp"

#include <mutex>
#include <string>

namespace hepkit::io::detail {

/// Debian's libhdf5 is built without its thread-safety option: its state (the error stack above
/// all) is global, so one HDF5 read or write at a time in the process.
std::mutex& hdf5_mutex();

/// One read or write: holds hdf5_mutex, loads the library (throws OutputError naming `path` when
/// it cannot be loaded: Hdf5Api.hpp) and silences HDF5's printing of error stacks on stderr until
/// destroyed; failures become hepkit errors with description() as the detail.
class Hdf5Session {
  public:
    explicit Hdf5Session(const std::string& path);
    ~Hdf5Session();
    Hdf5Session(const Hdf5Session&) = delete;
    Hdf5Session& operator=(const Hdf5Session&) = delete;

    const Hdf5Api& api() const { return *api_; }
    /// The innermost message of the library's error stack (its "description"), or "".
    std::string description() const;

  private:
    std::unique_lock<std::mutex> lock_;
    const Hdf5Api* api_ = nullptr;
    H5E_auto2_t old_func_ = nullptr;
    void* old_data_ = nullptr;
};

/// The session under way (the one holding hdf5_mutex): the reader's and writer's helpers reach
/// the library through it. Only valid while a session lives (std::logic_error otherwise).
const Hdf5Session& hdf5_session();
/// The library of the session under way: H5().H5Fopen(...).
inline const Hdf5Api& H5() {
    return hdf5_session().api();
}

/// An HDF5 identifier closed by the function that matches its kind (a negative id is "none").
class Hdf5Handle {
  public:
    Hdf5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~Hdf5Handle() {
        if (id_ >= 0)
            close_(id_);
    }
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;
    Hdf5Handle(Hdf5Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
    Hdf5Handle& operator=(Hdf5Handle&&) = delete;
    hid_t get() const { return id_; }
    /// Closes now, reporting failure (closing a file flushes it: its errors matter).
    herr_t close() {
        const herr_t s = id_ >= 0 ? close_(id_) : 0;
        id_ = -1;
        return s;
    }

  private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

// H5F_ACC_RDONLY and H5F_ACC_TRUNC's values: the macros call H5check_version and H5open, which
// would link libhdf5.
constexpr unsigned kHdf5AccRdonly = 0x0000u;
constexpr unsigned kHdf5AccTrunc = 0x0002u;

/// The native HDF5 memory type of a numeric column type (Bool and String: -1, they need types
/// built for them), shared by the writer and the reader so that both map types alike.
inline hid_t native_numeric_type(const Hdf5Api& api, ColumnType type) {
    switch (type) {
    case ColumnType::Int8:
        return api.native_int8;
    case ColumnType::UInt8:
        return api.native_uint8;
    case ColumnType::Int16:
        return api.native_int16;
    case ColumnType::UInt16:
        return api.native_uint16;
    case ColumnType::Int32:
        return api.native_int32;
    case ColumnType::UInt32:
        return api.native_uint32;
    case ColumnType::Int64:
        return api.native_int64;
    case ColumnType::UInt64:
        return api.native_uint64;
    case ColumnType::Float32:
        return api.native_float;
    case ColumnType::Float64:
        return api.native_double;
    default:
        return -1;
    }
}

} // namespace hepkit::io::detail
