#pragma once
// libhdf5, loaded when the first HDF5 file is written (dlopen), not linked: Debian's libhdf5
// pulls 37 more shared libraries (libcurl, gnutls, krb5, ...) whose loading added ~14 ms to
// every start of the hepkit CLI — most commands never write HDF5 (issue 13's speed invariant,
// measured with scripts/ab-speed). hdf5.h gives the declarations; only their types are used here,
// so nothing refers to the library at link time. The library file is the one CMake found at
// configure time (HEPKIT_HDF5_LIBRARY), then the Debian sonames.

#include <hdf5.h>
#include <string>

namespace hepkit::io::detail {

struct Hdf5Api {
#define HEPKIT_HDF5_FN(name) decltype(&::name) name = nullptr;
#include "Hdf5Functions.def"
#undef HEPKIT_HDF5_FN
    // HDF5's predefined types are global ids, valid after H5open().
    hid_t native_int8 = -1, native_uint8 = -1, native_int16 = -1, native_uint16 = -1, native_int32 = -1,
          native_uint32 = -1, native_int64 = -1, native_uint64 = -1, native_float = -1, native_double = -1,
          c_s1 = -1;
};

/// The loaded library; throws OutputError naming `path` (the output being written) when libhdf5
/// cannot be loaded or lacks a symbol.
const Hdf5Api& hdf5_api(const std::string& path);

} // namespace hepkit::io::detail
