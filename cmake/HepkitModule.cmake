# hepkit_add_module(NAME SOURCES file.cpp ...)
#
# One library per module (docs/architecture of DESIGN.md: core, expr, sim, fit, ...): the target
# hepkit_NAME with the alias hepkit::NAME, which is the name everything links, in this tree and in
# a user's project through find_package(hepkit) (docs/install.md). The caller adds the module's
# dependencies with target_link_libraries, only those the arrows of src/dependencies.txt allow;
# tools/check-includes.py checks the includes against the same table. Every module is installed
# and exported (cmake/HepkitInstall.cmake).
function(hepkit_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "hepkit_add_module(${name}): no SOURCES")
  endif()
  set(target hepkit_${name})
  add_library(${target} ${arg_SOURCES})
  add_library(hepkit::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:hepkit_warnings>)
  set_property(GLOBAL APPEND PROPERTY HEPKIT_MODULE_TARGETS ${target})
endfunction()
