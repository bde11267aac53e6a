# ctest install.find_package (tests/CMakeLists.txt): what a user does with hepkit, in a corner of
# the build tree. Installs the build into PREFIX (cmake --install), checks that the installed
# headers include neither yaml-cpp nor pugixml (hepkit links them privately), then configures,
# builds and runs the program of this folder against PREFIX with find_package(hepkit).
#
# Then builds the events plugin example (EXAMPLES/events/plugin) the same way and has the
# installed hepkit load it.
#
# cmake -DBUILD_DIR= -DPREFIX= -DWORK= -DSOURCE_DIR= -DEXAMPLES= -DCXX= [-DLAUNCHER=] [-DFLAGS=]
#       [-DLINK_FLAGS=] -P run.cmake
foreach(var BUILD_DIR PREFIX WORK SOURCE_DIR EXAMPLES CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}= is missing")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "${what}: ok")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${PREFIX} ${WORK})
file(MAKE_DIRECTORY ${WORK})
run("cmake --install ${BUILD_DIR} --prefix ${PREFIX}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})

# what a user gets: the executable, its plot script, the package files, the generated header
foreach(f bin/hepkit share/hepkit/hepkit_fit_plot.py include/hepkit/core/Version.hpp
          include/hepkit/core/ConfigReader.hpp)
  if(NOT EXISTS ${PREFIX}/${f})
    message(FATAL_ERROR "not installed: ${PREFIX}/${f}")
  endif()
endforeach()
file(GLOB_RECURSE config ${PREFIX}/*/hepkitConfig.cmake)
if(NOT config)
  message(FATAL_ERROR "no hepkitConfig.cmake under ${PREFIX}")
endif()

# The public headers must compile without the private dependencies: no include of them.
file(GLOB_RECURSE headers ${PREFIX}/include/hepkit/*)
set(leaks "")
foreach(h ${headers})
  file(STRINGS ${h} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](yaml-cpp|pugixml)")
  foreach(l ${lines})
    string(APPEND leaks "\n  ${h}: ${l}")
  endforeach()
endforeach()
if(leaks)
  message(FATAL_ERROR "installed headers include a private dependency of hepkit:${leaks}")
endif()
list(LENGTH headers nheaders)
message(STATUS "${nheaders} installed headers, none includes yaml-cpp or pugixml")

run("installed hepkit --version" ${PREFIX}/bin/hepkit --version)
if(NOT run_output MATCHES "hepkit [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "installed hepkit --version printed: ${run_output}")
endif()

set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK}/build -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_CXX_COMPILER=${CXX})
if(LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
if(FLAGS)
  list(APPEND configure "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
endif()
run("configure the consumer (find_package(hepkit))" ${configure})
run("build the consumer" ${CMAKE_COMMAND} --build ${WORK}/build)
run("run the consumer" ${WORK}/build/consumer ${EXAMPLES} ${WORK})
message("${run_output}")

# hepkit events: a user's plugin (examples/events/plugin/) built against the installed hepkit
# with find_package(hepkit), linking no hepkit library, then loaded by the installed `hepkit`,
# which must export the symbols the plugin takes from it (docs/events-config.md, "Plugins").
set(PLUGIN_SOURCE_DIR ${EXAMPLES}/events/plugin)
if(EXISTS ${PLUGIN_SOURCE_DIR}/CMakeLists.txt)
  set(plugin_configure ${CMAKE_COMMAND} -S ${PLUGIN_SOURCE_DIR} -B ${WORK}/plugin -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_CXX_COMPILER=${CXX})
  if(LAUNCHER)
    list(APPEND plugin_configure -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
  endif()
  if(FLAGS)
    list(APPEND plugin_configure "-DCMAKE_CXX_FLAGS=${FLAGS}" "-DCMAKE_MODULE_LINKER_FLAGS=${LINK_FLAGS}")
  endif()
  run("configure the events plugin (find_package(hepkit))" ${plugin_configure})
  run("build the events plugin" ${CMAKE_COMMAND} --build ${WORK}/plugin)
  file(GLOB plugin ${WORK}/plugin/libmy_steps.so)
  if(NOT plugin)
    message(FATAL_ERROR "the events plugin build made no ${WORK}/plugin/libmy_steps.so")
  endif()
  run("installed hepkit loads the plugin" ${PREFIX}/bin/hepkit events types --plugin ${plugin})
  if(NOT run_output MATCHES "transverse_mass +mT")
    message(FATAL_ERROR "hepkit events types --plugin does not list the plugin's transverse_mass:\n${run_output}")
  endif()
  message(STATUS "the plugin's transverse_mass is listed by the installed hepkit")
  # ... and runs in a configuration, on the tree the consumer wrote (x = 0 ... 999): a lepton of
  # pT x at phi 0 against MET x at phi pi has mT = sqrt(2 x x (1 - cos pi)) = 2x, so the histogram
  # of mT weighted by mT holds 1000 entries of sum of weights sum(2x) = 999000 and sum of squared
  # weights sum((2x)^2) = 4 * 332833500 = 1331334000.
  file(WRITE ${WORK}/plugin-run.yaml "plugins: [plugin/libmy_steps.so]
inputs: {files: [consumer.root], tree: t}
global:
  - producer: {type: expr, name: phi_l, expr: \"x * 0\"}
  - producer: {type: expr, name: phi_met, expr: \"x * 0 + 3.141592653589793\"}
  - {type: transverse_mass, name: mt, pt: x, phi: phi_l, met_pt: x, met_phi: phi_met}
pipelines:
  p:
    steps:
      - {type: histogram, name: mt, x: mt, bins: \"1, -1, 3000\", weight: mt}
")
  run("installed hepkit runs the plugin's step" ${PREFIX}/bin/hepkit -q events run ${WORK}/plugin-run.yaml
      -o ${WORK}/plugin-out)
  file(READ ${WORK}/plugin-out/p/mt.json mt_json)
  string(JSON entries GET "${mt_json}" entries)
  string(JSON sumw GET "${mt_json}" counts 0)
  string(JSON sumw2 GET "${mt_json}" sumw2 0)
  if(NOT entries MATCHES "^1000(\\.0*)?$" OR NOT sumw MATCHES "^999000(\\.0*)?$"
     OR NOT sumw2 MATCHES "^1331334000(\\.0*)?$")
    message(FATAL_ERROR "the plugin's mT histogram: ${entries} entries, sum of weights ${sumw}, of squares "
                        "${sumw2}; expected 1000, 999000 and 1331334000 (sums of 2x, (2x)^2 for x = 0 ... 999)")
  endif()
  message(STATUS "the plugin's mT over the consumer's tree: ${entries} entries, sums of mT ${sumw} and mT^2 "
                 "${sumw2} (closed forms)")
endif()
