# hepkit_add_module(NAME SOURCES file.cpp ...)
#
# One library per module (DESIGN.md's map: core, expr, io, sim, fit, ...): the target hepkit_NAME
# with the alias hepkit::NAME, which is the name everything links, in this tree and in a user's
# project through find_package(hepkit) (docs/install.md). Every module is installed and exported
# (cmake/HepkitInstall.cmake).
#
# The module is the node NAME of src/dependencies.txt (an underscore stands for a slash:
# sim_engine is the layer sim/engine). It compiles against its include view (HepkitViews.cmake):
# the headers of the nodes its arrows reach, nothing else, so that a wrong include fails the
# build. Its consumers (other modules, the CLI, tests) get the view of the whole module: the node
# and every layer under it (hepkit::sim: sim/grid, sim/data, ...). A module whose sources lie in
# several layers (src/sim/grid/, src/sim/data/, ...) compiles each source against the view of
# its own layer, so the arrows between layers hold too — in a plain build; a unity build
# (HEPKIT_UNITY, which CI's builds are) compiles them against the module's view, and there only
# tools/check-includes.py (ctest arch.includes) checks the arrows between the layers.
#
# The caller adds the module's dependencies with target_link_libraries; at the end of the
# directory every hepkit module it links must be a node its arrows reach (a configure error
# otherwise: a link would hand it the headers its view leaves out).
include(${CMAKE_CURRENT_LIST_DIR}/HepkitViews.cmake)

function(hepkit_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "hepkit_add_module(${name}): no SOURCES")
  endif()
  string(REPLACE "_" "/" node ${name})
  get_property(all GLOBAL PROPERTY HEPKIT_NODES)
  if(NOT node IN_LIST all)
    message(FATAL_ERROR "hepkit_add_module(${name}): '${node}' is no node of src/dependencies.txt; "
                        "add its line there (the modules it may include) first")
  endif()
  # the module's nodes: itself and every layer under it
  set(nodes ${node})
  foreach(other IN LISTS all)
    if(other MATCHES "^${node}/")
      list(APPEND nodes ${other})
    endif()
  endforeach()
  hepkit_reach(reach ${nodes})
  hepkit_make_view(view ${name} ${reach})

  set(target hepkit_${name})
  add_library(${target} ${arg_SOURCES})
  add_library(hepkit::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(${target} INTERFACE
    $<BUILD_INTERFACE:${view}>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_include_directories(${target} PRIVATE ${PROJECT_BINARY_DIR}/generated)
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:hepkit_warnings>)
  set_property(TARGET ${target} PROPERTY HEPKIT_VIEW ${view})
  set_property(TARGET ${target} PROPERTY HEPKIT_NODES ${nodes})
  set_property(TARGET ${target} PROPERTY HEPKIT_REACH ${reach})
  set_property(GLOBAL APPEND PROPERTY HEPKIT_MODULE_TARGETS ${target})
  # Deferred to the end of the module's CMakeLists.txt, so that sources added there with
  # target_sources and the links of target_link_libraries are seen. (EVAL: the arguments of a
  # deferred call are evaluated when it runs, so the target's name is written in now.)
  cmake_language(EVAL CODE "cmake_language(DEFER CALL _hepkit_module_views [[${target}]])")
endfunction()

# out = the include view a source of `node` compiles against: the module's view for a module of
# one node (fit, io, sim_engine), else the view of the layer (layers/sim.grid for sim/grid).
function(hepkit_node_view out node)
  string(REPLACE "/" "_" name ${node})
  if(TARGET hepkit_${name})
    get_target_property(nodes hepkit_${name} HEPKIT_NODES)
    list(LENGTH nodes count)
    if(count EQUAL 1)
      get_target_property(view hepkit_${name} HEPKIT_VIEW)
      set(${out} ${view} PARENT_SCOPE)
      return()
    endif()
  endif()
  hepkit_reach(reach ${node})
  string(REPLACE "/" "." layer ${node})
  hepkit_make_view(view layers/${layer} ${reach})
  set(${out} ${view} PARENT_SCOPE)
endfunction()

# out = the module target that compiles the sources of `node` (hepkit_sim for sim/data).
function(hepkit_module_of out node)
  string(REPLACE "/" "_" name ${node})
  if(TARGET hepkit_${name})
    set(${out} hepkit_${name} PARENT_SCOPE)
    return()
  endif()
  get_property(targets GLOBAL PROPERTY HEPKIT_MODULE_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(nodes ${target} HEPKIT_NODES)
    if(node IN_LIST nodes)
      set(${out} ${target} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "no module target compiles node '${node}'")
endfunction()

# out = the include view for compiling `source` (a path relative to the current source
# directory, or absolute) of a module whose first node is `default_node`: the view of the layer
# the file lies in; the module's for a file outside src/ (a generated source).
function(hepkit_source_view out source default_node)
  get_filename_component(path ${source} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/src ${path})
  set(node "")
  if(NOT rel MATCHES "^\\.\\./")
    hepkit_node_of(node ${rel})
  endif()
  if(node STREQUAL "")
    set(node ${default_node})
  endif()
  hepkit_node_view(view ${node})
  set(${out} ${view} PARENT_SCOPE)
endfunction()

function(_hepkit_module_views target)
  get_target_property(nodes ${target} HEPKIT_NODES)
  get_target_property(reach ${target} HEPKIT_REACH)
  list(GET nodes 0 node)
  # every linked hepkit module within the arrows
  get_target_property(links ${target} LINK_LIBRARIES)
  foreach(link IN LISTS links)
    if(link MATCHES "^hepkit(::|_)(.+)$" AND NOT link STREQUAL "hepkit_warnings")
      string(REPLACE "_" "/" linked ${CMAKE_MATCH_2})
      if(NOT linked IN_LIST reach)
        string(JOIN ", " allowed ${reach})
        message(FATAL_ERROR "${target} links ${link}, but src/dependencies.txt does not let '${node}' "
                            "include '${linked}' (it may include: ${allowed})")
      endif()
    endif()
  endforeach()
  # One node: the module's view is also what its sources compile against. Several layers: each
  # source gets the view of its own layer — except in a unity build (HEPKIT_UNITY), where CMake
  # leaves every source with include directories of its own out of the unity files (hepkit_sim's
  # ~40 sources compiled one by one): there the module's view, the union of its layers', serves
  # them all. The layers' arrows between real sources are then checked by arch.includes alone (the
  # script reads every include); the arch.views probes still test the layer views themselves.
  list(LENGTH nodes count)
  if(count EQUAL 1 OR HEPKIT_UNITY)
    get_target_property(view ${target} HEPKIT_VIEW)
    target_include_directories(${target} PRIVATE ${view})
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    if(NOT source MATCHES "\\.(cpp|cc|cxx)$")
      continue()
    endif()
    hepkit_source_view(layer_view ${source} ${node})
    set_property(SOURCE ${source} APPEND PROPERTY INCLUDE_DIRECTORIES ${layer_view})
  endforeach()
endfunction()
