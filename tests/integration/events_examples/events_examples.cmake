# The examples of `hepkit events` (examples/events/dimuon, examples/events/ttbar; issue 15,
# "Examples (each runs as a test)"), each run as a user runs it and checked against an independent
# computation: the input branches read by jsroot (dump.mjs), the selection applied in Python
# (check_examples.py), histograms and cut flows compared for the nominal and every shift; the peak
# fit redone with scipy; small batches with -j 1 and -j 2 giving identical outputs.
# Skipped (exit 77, saying what is missing) without the reference data, node or jsroot.
# Included at the end of tests/integration/CMakeLists.txt (HK, EX, OUT, WITH_REF defined there).
set(_evex ${CMAKE_CURRENT_SOURCE_DIR}/events_examples/run_example.sh ${HK} ${CMAKE_BINARY_DIR}/jsroot)
set(_evex_nano root-files/nanoAOD_2015_CMS_Open_Data_ttbar.root)
set(_evex_hzz root-files/uproot-HZZ.root)
add_test(NAME example.events_dimuon_hzz COMMAND ${WITH_REF} ${_evex_hzz} ${_evex} ${EX}/events/dimuon hzz.yaml
         dimuon-hzz events @REF@/${_evex_hzz} ${OUT}/events-example-dimuon-hzz --fit)
add_test(NAME example.events_dimuon_nanoaod COMMAND ${WITH_REF} ${_evex_nano} ${_evex} ${EX}/events/dimuon
         nanoaod.yaml dimuon-nanoaod Events @REF@/${_evex_nano} ${OUT}/events-example-dimuon-nanoaod)
add_test(NAME example.events_ttbar COMMAND ${WITH_REF} ${_evex_nano} ${_evex} ${EX}/events/ttbar ttbar.yaml
         ttbar Events @REF@/${_evex_nano} ${OUT}/events-example-ttbar)
set_tests_properties(example.events_dimuon_hzz example.events_dimuon_nanoaod example.events_ttbar PROPERTIES
  SKIP_RETURN_CODE 77 LABELS events TIMEOUT 300 PASS_REGULAR_EXPRESSION "all checks of events example [a-z-]+ passed")
