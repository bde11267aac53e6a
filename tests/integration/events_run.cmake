# hepkit events run and types (issue 15; docs/events-config.md): bad configurations end in exit
# code 2 with a message naming file, line and key, before any event is read; the plugin example
# and the job arrays run on uproot's HZZ sample (skipped without the reference data).
# Included from CMakeLists.txt (HK, EX, OUT, WITH_REF defined there).

# The bad configurations are written here, next to an input file that exists (load_plan checks
# that input files exist; none of these runs gets as far as reading one).
set(EVBAD ${OUT}/events-bad)
file(WRITE ${EVBAD}/data.root "not read\n")
file(WRITE ${EVBAD}/unknown_key.yaml "inputs:\n  files: [data.root]\n  treee: Events\npipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\n")
file(WRITE ${EVBAD}/unknown_type.yaml "inputs: {files: [data.root]}\nglobal:\n  - producer: {type: expr, name: x, expr: \"1\"}\n  - {type: invariant_mas, name: m}\npipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\n")
file(WRITE ${EVBAD}/cycle_a.yaml "include: [cycle_b.yaml]\ninputs: {files: [data.root]}\n")
file(WRITE ${EVBAD}/cycle_b.yaml "pipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\ninclude:\n  - cycle_a.yaml\n")
file(WRITE ${EVBAD}/missing_input.yaml "inputs:\n  files: [data.root, nothere.root]\npipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\n")
file(WRITE ${EVBAD}/missing_plugin.yaml "plugins: [lib/libnothere.so]\ninputs: {files: [data.root]}\npipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\n")
file(WRITE ${EVBAD}/entries.yaml "inputs: {files: [data.root], entries: 10}\npipelines: {p: {steps: [{type: histogram, name: h, x: x, bins: \"1, 0, 1\"}]}}\n")
file(WRITE ${EVBAD}/step_key.yaml "inputs: {files: [data.root]}\npipelines:\n  p:\n    steps:\n      - {type: histogram, name: h, x: x, bins: \"1, 0, 1\", wieght: w}\n")

function(events_bad name pattern)
  add_test(NAME badinput.events_${name} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2 "${pattern}"
           ${OUT}/events-bad-${name}/report.json -- ${HK} events run ${ARGN} -o ${OUT}/events-bad-${name})
  set_tests_properties(badinput.events_${name} PROPERTIES LABELS events)
endfunction()
events_bad(unknown_key "unknown_key.yaml:3: inputs.treee: unknown key" ${EVBAD}/unknown_key.yaml)
events_bad(unknown_type "unknown_type.yaml:4: global.1..type: unknown step type 'invariant_mas' .closest: invariant_mass."
           ${EVBAD}/unknown_type.yaml)
events_bad(include_cycle "cycle_b.yaml:3: include.0.: include cycle: .*cycle_a.yaml -> .*cycle_b.yaml -> .*cycle_a.yaml"
           ${EVBAD}/cycle_a.yaml)
events_bad(missing_config "nothing.yaml: cannot read the configuration: no such file" ${EVBAD}/nothing.yaml)
events_bad(missing_input "missing_input.yaml:2: inputs.files.1.: input file '.*nothere.root' does not exist"
           ${EVBAD}/missing_input.yaml)
events_bad(missing_plugin "missing_plugin.yaml:1: plugins.0.: plugin '.*libnothere.so': cannot load the plugin library: no such file"
           ${EVBAD}/missing_plugin.yaml)
events_bad(step_key "step_key.yaml:5: pipelines.p.steps.0..wieght: unknown key" ${EVBAD}/step_key.yaml)
events_bad(files_from "nolist.txt: cannot read the file list: no such file" ${EVBAD}/unknown_key.yaml
           --files-from ${EVBAD}/nolist.txt)
# a command line that cannot be run: exit 64
add_test(NAME cli.events_files_per_job_needs_emit COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh 64
         "--files-per-job: needs --emit" -- ${HK} events run ${EVBAD}/unknown_key.yaml --files-per-job 2)
add_test(NAME cli.events_emit_entries COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh 64
         "--entries: cannot be split over a job array" -- ${HK} events run ${EVBAD}/entries.yaml --emit slurm --entries 5
         -o ${OUT}/events-bad-emit)
events_bad(emit_range "entries.yaml: inputs: first_entry / entries select a range of the whole chain" ${EVBAD}/entries.yaml
           --emit condor)
add_test(NAME cli.events_graph_value COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_exit.sh 64
         "--graph" -- ${HK} events run ${EVBAD}/unknown_key.yaml --graph=svg)

# hepkit events types: the built-in types, and a plugin's (the test build of the example plugin,
# loaded by the hepkit executable: it must export the symbols the plugin takes from it)
add_test(NAME cli.events_types COMMAND ${HK} events types)
set_tests_properties(cli.events_types PROPERTIES LABELS events
  PASS_REGULAR_EXPRESSION "producers:.*expr .*invariant_mass .*filters:.*expr .*consumers:.*histogram .*ntuple ")
add_test(NAME cli.events_types_plugin COMMAND ${HK} events types --plugin $<TARGET_FILE:test_events_config_plugin>)
set_tests_properties(cli.events_types_plugin PROPERTIES LABELS events PASS_REGULAR_EXPRESSION "transverse_mass +mT")

# The plugin example on HZZ, checked against jsroot's statistics and python's mT (the script).
add_test(NAME example.events_plugin COMMAND ${WITH_REF} root-files/uproot-HZZ.root
  ${CMAKE_CURRENT_SOURCE_DIR}/events_run_example.sh ${HK} $<TARGET_FILE:test_events_config_plugin>
  @REF@/root-files/uproot-HZZ.root @REF@/root-files/expected/uproot-HZZ.tree-stats.json ${OUT}/events-plugin
  ${EX}/events/plugin/transverse_mass.yaml)
set_tests_properties(example.events_plugin PROPERTIES SKIP_RETURN_CODE 77 LABELS events
  PASS_REGULAR_EXPRESSION "events plugin example ok")

# --emit condor|slurm: job arrays over the 5 HZZ files (one sample, 5 compressions), run by a
# local loop, merged, equal to one run over all files.
file(WRITE ${OUT}/events-emit.yaml "# tests/integration/events_run.cmake: the files come from --files-from
inputs: {files: [given-by-files-from.root], tree: events}
pipelines:
  two_muons:
    steps:
      - filter: {type: expr, name: two, expr: \"NMuon >= 2\"}
      - {type: histogram, name: pt0, x: \"hypot(Muon_Px[0], Muon_Py[0])\", bins: \"40, 0, 200\"}
      - {type: ntuple, name: met, products: [NMuon, MET_px], format: csv}
")
set(_hzz "")
foreach(v "" -lz4 -lzma -zstd -uncompressed)
  list(APPEND _hzz @REF@/root-files/uproot-HZZ${v}.root)
endforeach()
add_test(NAME cli.events_emit_arrays COMMAND ${WITH_REF} root-files/uproot-HZZ-zstd.root
  ${CMAKE_CURRENT_SOURCE_DIR}/events_run_emit.sh ${HK} ${OUT}/events-emit ${OUT}/events-emit.yaml ${_hzz})
set_tests_properties(cli.events_emit_arrays PROPERTIES SKIP_RETURN_CODE 77 LABELS events
  PASS_REGULAR_EXPRESSION "events emit ok")

# What a run prints: the progress line (forced on: no terminal here) with events/s and ETA, the
# time per step, the cut flow; --graph and --graph=dot instead of running.
set(_list ${OUT}/events-hzz-files.txt)
add_test(NAME cli.events_run_report COMMAND ${WITH_REF} root-files/uproot-HZZ.root sh -c
  "echo @REF@/root-files/uproot-HZZ.root > ${_list} && HEPKIT_PROGRESS=1 ${HK} events run ${OUT}/events-emit.yaml --files-from ${_list} -j 2 -o ${OUT}/events-report 2>&1")
set_tests_properties(cli.events_run_report PROPERTIES SKIP_RETURN_CODE 77 LABELS events PASS_REGULAR_EXPRESSION
  "2421 / 2421 events .100.0 %., [0-9.e+]+ events/s, ETA .*2421 events of 1 file in .*time per step.*two_muons: consumer pt0 .events-emit.yaml:7. +1 .*cut flow of pipeline two_muons.*all +2421 +2421 .*two +")
add_test(NAME cli.events_graph COMMAND ${WITH_REF} root-files/uproot-HZZ.root sh -c
  "echo @REF@/root-files/uproot-HZZ.root > ${_list}.g && ${HK} events run ${OUT}/events-emit.yaml --files-from ${_list}.g --graph && ${HK} events run ${OUT}/events-emit.yaml --files-from ${_list}.g --graph=dot")
set_tests_properties(cli.events_graph PROPERTIES SKIP_RETURN_CODE 77 LABELS events PASS_REGULAR_EXPRESSION
  "NMuon +.int32. +from branch of the input.*read by: filter two .[^)]*events-emit.yaml:6.*digraph")
