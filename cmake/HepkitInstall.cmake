# install(): the module libraries (hepkit::core, hepkit::sim, hepkit::fit, ... as the modules
# registered them through hepkit_add_module), the public headers, the generated Version.hpp, the
# `hepkit` executable and its plot script, and a CMake package so that a user's project finds it
# with find_package(hepkit) (docs/install.md; tests/install/ builds such a program).
include(CMakePackageConfigHelpers)

get_property(_hepkit_modules GLOBAL PROPERTY HEPKIT_MODULE_TARGETS)
install(TARGETS ${_hepkit_modules} EXPORT hepkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/hepkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/hepkit/core/Version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hepkit/core)

install(TARGETS hepkit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(HEPKIT_WITH_CUDA)
  # `hepkit gpu-bench` runs its kernel from the program's directory
  install(PROGRAMS ${PROJECT_BINARY_DIR}/apps/hepkit/hepkit-gpu-kernel DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/plot/hepkit_fit_plot.py DESTINATION ${CMAKE_INSTALL_DATADIR}/hepkit)
# `hepkit infer --plots` looks for its script in ../share/hepkit too (apps/hepkit/ProgramDir.hpp)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/plot/hepkit_infer_plot.py DESTINATION ${CMAKE_INSTALL_DATADIR}/hepkit)
if(HEPKIT_WITH_TORCH)
  # `hepkit nn train` and `hepkit nn taylor` look for their plot scripts in ../share/hepkit too
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/tools/plot/hepkit_nn_plot.py ${PROJECT_SOURCE_DIR}/tools/plot/hepkit_taylor_plot.py
          DESTINATION ${CMAKE_INSTALL_DATADIR}/hepkit)
endif()

set(HEPKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hepkit)
install(EXPORT hepkitTargets NAMESPACE hepkit:: DESTINATION ${HEPKIT_INSTALL_CMAKEDIR})
# What hepkitConfig.cmake must find: the dependencies of the public headers (fmt, nlohmann-json,
# Eigen, Threads) always; with static libraries (the default) also the private ones, whose link
# lines the exported targets carry ($<LINK_ONLY:yaml-cpp>, pugixml, hepkit::io's ZLIB::ZLIB and
# PkgConfig::HEPKIT_CODECS, found again by pkg-config under the same name).
# (The same pkg-config modules as src/io/CMakeLists.txt's pkg_check_modules(HEPKIT_CODECS ...).)
set(HEPKIT_CODEC_MODULES "libdeflate liblz4 libxxhash libzstd liblzma")
get_target_property(_core_type hepkit_core TYPE)
if(_core_type STREQUAL "STATIC_LIBRARY")
  set(HEPKIT_STATIC_LIBRARIES ON)
else()
  set(HEPKIT_STATIC_LIBRARIES OFF)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hepkitConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/hepkitConfig.cmake
                              INSTALL_DESTINATION ${HEPKIT_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hepkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hepkitConfig.cmake ${PROJECT_BINARY_DIR}/hepkitConfigVersion.cmake
        DESTINATION ${HEPKIT_INSTALL_CMAKEDIR})
