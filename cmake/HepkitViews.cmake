# Include views: the compiler's half of hepkit's architecture check (docs/architecture.md,
# "Include views").
#
# src/dependencies.txt is the one table of allowed include arrows. This file reads it at
# configure time and builds, for each node of the table (a module such as `fit`, or a layer such
# as `sim/grid`), a folder
#
#     ${PROJECT_BINARY_DIR}/include-views/<view>/hepkit/<node>  ->  include/hepkit/<node>
#
# of symbolic links to the public headers of the nodes that its arrows reach (transitively,
# itself included) and to nothing else. hepkit_add_module (HepkitModule.cmake) gives each module
# target its view as the include directory instead of include/, so that
#
#     #include "hepkit/sim/Simulation.hpp"     // in src/fit/Fit.cpp
#
# fails with "hepkit/sim/Simulation.hpp: No such file or directory": fit's view has no hepkit/sim.
# tools/check-includes.py (ctest arch.includes) still reads the same table for what a compiler
# cannot see (relative includes such as "../sim/X.hpp", files in no node).
#
# The table is re-read (and the views rebuilt) whenever it changes or a header appears or
# disappears directly in a folder whose entries are linked one by one (CONFIGURE_DEPENDS).

set(HEPKIT_ARROWS_TABLE ${PROJECT_SOURCE_DIR}/src/dependencies.txt)
set(HEPKIT_VIEWS_DIR ${PROJECT_BINARY_DIR}/include-views)
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HEPKIT_ARROWS_TABLE})

# Reads the table into global properties: HEPKIT_NODES (every node) and HEPKIT_ARROWS:<node> (the
# nodes it names directly). Malformed lines are configure errors; tools/check-includes.py reports
# the same lines with the same words.
function(_hepkit_read_arrows)
  file(STRINGS ${HEPKIT_ARROWS_TABLE} lines)
  set(nodes "")
  set(number 0)
  foreach(raw IN LISTS lines)
    math(EXPR number "${number} + 1")
    string(REGEX REPLACE "#.*$" "" line "${raw}")
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(line MATCHES "^except[ \t]")
      message(FATAL_ERROR "${HEPKIT_ARROWS_TABLE}:${number}: 'except' lines are gone: the include "
                          "views let the compiler see only what the arrows allow, so an include "
                          "that breaks them cannot be tolerated; fix it or draw the arrow")
    endif()
    if(NOT line MATCHES "^([^ \t]+)[ \t]*->(.*)$")
      message(FATAL_ERROR "${HEPKIT_ARROWS_TABLE}:${number}: expected 'NODE -> NODE ...', got '${line}'")
    endif()
    set(node "${CMAKE_MATCH_1}")
    string(STRIP "${CMAKE_MATCH_2}" targets)
    if(node IN_LIST nodes)
      message(FATAL_ERROR "${HEPKIT_ARROWS_TABLE}:${number}: node '${node}' has a second line; give all its arrows on one")
    endif()
    separate_arguments(targets UNIX_COMMAND "${targets}")
    list(APPEND nodes "${node}")
    set_property(GLOBAL PROPERTY "HEPKIT_ARROWS:${node}" "${targets}")
  endforeach()
  foreach(node IN LISTS nodes)
    get_property(targets GLOBAL PROPERTY "HEPKIT_ARROWS:${node}")
    foreach(t IN LISTS targets)
      if(NOT t IN_LIST nodes)
        message(FATAL_ERROR "${HEPKIT_ARROWS_TABLE}: '${node} -> ${t}': '${t}' is not a node of the table")
      endif()
    endforeach()
  endforeach()
  set_property(GLOBAL PROPERTY HEPKIT_NODES "${nodes}")
endfunction()

# out = the nodes that `nodes` may include: their arrows followed transitively, themselves included.
function(hepkit_reach out)
  set(seen "")
  set(todo ${ARGN})
  while(todo)
    list(POP_FRONT todo node)
    if(node IN_LIST seen)
      continue()
    endif()
    list(APPEND seen "${node}")
    get_property(targets GLOBAL PROPERTY "HEPKIT_ARROWS:${node}")
    list(APPEND todo ${targets})
  endwhile()
  list(SORT seen)
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# out = the node a file belongs to: the longest node its path (relative to src/ or
# include/hepkit/) starts with, as whole path components; empty for none.
function(hepkit_node_of out path)
  get_property(nodes GLOBAL PROPERTY HEPKIT_NODES)
  set(best "")
  string(LENGTH "${best}" best_length)
  foreach(node IN LISTS nodes)
    if(path STREQUAL node OR path MATCHES "^${node}/")
      string(LENGTH "${node}" length)
      if(length GREATER best_length)
        set(best "${node}")
        set(best_length ${length})
      endif()
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

# Builds (once per configure) the view `name` holding the headers of `nodes`, and sets `out` to
# its include directory. A node whose folder holds the folders of other nodes (sim: sim/grid,
# sim/data, ...) is linked entry by entry, so that the view of sim/data has hepkit/sim/Simulation.hpp
# but not hepkit/sim/grid; any other node is one link to its folder (new headers appear at once).
function(hepkit_make_view out name)
  set(view ${HEPKIT_VIEWS_DIR}/${name})
  set(${out} ${view} PARENT_SCOPE)
  get_property(made GLOBAL PROPERTY "HEPKIT_VIEW_MADE:${name}")
  if(made)
    return()
  endif()
  set_property(GLOBAL PROPERTY "HEPKIT_VIEW_MADE:${name}" ON)
  get_property(all GLOBAL PROPERTY HEPKIT_NODES)
  # REMOVE_RECURSE removes the links, never what they point to.
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view}/hepkit)
  foreach(node IN LISTS ARGN)
    set(folder ${PROJECT_SOURCE_DIR}/include/hepkit/${node})
    if(NOT IS_DIRECTORY ${folder})
      continue() # a program (apps/hepkit) or a module without public headers yet
    endif()
    set(children "")
    foreach(other IN LISTS all)
      if(other MATCHES "^${node}/([^/]+)")
        list(APPEND children ${CMAKE_MATCH_1})
      endif()
    endforeach()
    get_filename_component(parent ${view}/hepkit/${node} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    if(NOT children)
      file(CREATE_LINK ${folder} ${view}/hepkit/${node} SYMBOLIC)
      continue()
    endif()
    file(MAKE_DIRECTORY ${view}/hepkit/${node})
    file(GLOB entries LIST_DIRECTORIES true RELATIVE ${folder} CONFIGURE_DEPENDS ${folder}/*)
    foreach(entry IN LISTS entries)
      if(NOT entry IN_LIST children)
        file(CREATE_LINK ${folder}/${entry} ${view}/hepkit/${node}/${entry} SYMBOLIC)
      endif()
    endforeach()
  endforeach()
endfunction()

_hepkit_read_arrows()
# Generated headers (Version.hpp) are core's; every node reaches core, so every view adds the
# one folder of generated headers. A generated header of another module would need its own view.
file(GLOB _hepkit_generated LIST_DIRECTORIES true RELATIVE ${PROJECT_BINARY_DIR}/generated/hepkit
     ${PROJECT_BINARY_DIR}/generated/hepkit/*)
if(_hepkit_generated AND NOT _hepkit_generated STREQUAL "core")
  message(FATAL_ERROR "generated/hepkit holds '${_hepkit_generated}': only core's generated headers "
                      "may go there (cmake/HepkitViews.cmake)")
endif()
