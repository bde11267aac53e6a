#include "Hdf5Api.hpp"

#include "hepkit/core/Error.hpp"

#include <dlfcn.h>
#include <mutex>
#include <string>

namespace hepkit::io::detail {

namespace {

void* open_library(std::string& tried) {
    // The file CMake linked against when it configured hepkit first, then Debian 12's sonames.
    const char* candidates[] = {HEPKIT_HDF5_LIBRARY, "libhdf5_serial.so.103", "libhdf5.so.103",
                                "libhdf5_serial.so", "libhdf5.so"};
    for (const char* name : candidates) {
        if (name[0] == '\0')
            continue;
        if (void* h = ::dlopen(name, RTLD_NOW | RTLD_LOCAL))
            return h;
        tried.append(tried.empty() ? "" : ", ").append(name);
    }
    return nullptr;
}

struct Loaded {
    Hdf5Api api;
    std::string error; // empty when loaded
};

Loaded load() {
    Loaded out;
    std::string tried;
    void* lib = open_library(tried);
    if (lib == nullptr) {
        out.error = "HDF5 files need libhdf5 (Debian package libhdf5-103-1, installed by "
                    "scripts/install-deps); none of these could be loaded: " +
                    tried;
        return out;
    }
    Hdf5Api& a = out.api;
    const auto symbol = [&](const char* name) -> void* {
        void* p = ::dlsym(lib, name);
        if (p == nullptr && out.error.empty())
            out.error = std::string("libhdf5 lacks the symbol ") + name;
        return p;
    };
#define HEPKIT_HDF5_FN(name) a.name = reinterpret_cast<decltype(&::name)>(symbol(#name));
#include "Hdf5Functions.def"
#undef HEPKIT_HDF5_FN
    if (!out.error.empty())
        return out;
    if (a.H5open() < 0) {
        out.error = "libhdf5 failed to initialise (H5open)";
        return out;
    }
    const auto id = [&](const char* name) -> hid_t {
        const auto* p = static_cast<const hid_t*>(symbol(name));
        return p != nullptr ? *p : -1;
    };
    a.native_int8 = id("H5T_NATIVE_INT8_g");
    a.native_uint8 = id("H5T_NATIVE_UINT8_g");
    a.native_int16 = id("H5T_NATIVE_INT16_g");
    a.native_uint16 = id("H5T_NATIVE_UINT16_g");
    a.native_int32 = id("H5T_NATIVE_INT32_g");
    a.native_uint32 = id("H5T_NATIVE_UINT32_g");
    a.native_int64 = id("H5T_NATIVE_INT64_g");
    a.native_uint64 = id("H5T_NATIVE_UINT64_g");
    a.native_float = id("H5T_NATIVE_FLOAT_g");
    a.native_double = id("H5T_NATIVE_DOUBLE_g");
    a.c_s1 = id("H5T_C_S1_g");
    return out;
}

} // namespace

const Hdf5Api& hdf5_api(const std::string& path) {
    // Loaded once per process; the library stays loaded (HDF5 keeps global state until exit).
    static const Loaded loaded = load();
    if (!loaded.error.empty())
        throw OutputError(path, 0, "", loaded.error);
    return loaded.api;
}

} // namespace hepkit::io::detail
