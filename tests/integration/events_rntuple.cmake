# hepkit events run and hist on RNTuple inputs (h-evrnt; docs/events-config.md, "RNTuple inputs"):
# events_rntuple.yaml on the DoubleMu RNTuple, the NanoAOD TTree and the NanoAOD importer's RNTuple,
# checked against jsroot's and uproot's statistics by events_rntuple.py; chains of two kinds refused.
# Included from CMakeLists.txt (HK, OUT, WITH_REF defined there); skipped without the reference data.
set(RNT_REF root-files/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root)
add_test(NAME events.run_rntuple COMMAND ${WITH_REF} ${RNT_REF}
  /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/events_rntuple.py ${HK} @REF@ ${PROJECT_SOURCE_DIR} ${OUT}/events-rntuple)
set_tests_properties(events.run_rntuple PROPERTIES LABELS events SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "events run on RNTuples ok")
# hepkit events hist on an RNTuple: every Muon_pt value fills once (jsroot: 2372 values)
add_test(NAME events.hist_rntuple COMMAND ${WITH_REF} ${RNT_REF}
  ${HK} events hist @REF@/${RNT_REF} --expr Muon_pt --bins 1,0,10000 --json ${OUT}/events-hist-rntuple.json)
set_tests_properties(events.hist_rntuple PROPERTIES LABELS events SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "2372 entries from 1000 events of 1 file")
# a chain of an RNTuple and a TTree: exit 2, naming the TTree file
add_test(NAME badinput.events_hist_rntuple_mixed COMMAND ${WITH_REF} ${RNT_REF}
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2 "uproot-HZZ.root: --tree: 'Events' is missing here and an RNTuple in"
  ${OUT}/events-hist-rntuple-mixed.json --
  ${HK} events hist @REF@/${RNT_REF} @REF@/root-files/uproot-HZZ.root --expr nMuon --bins 4,0,4
  --json ${OUT}/events-hist-rntuple-mixed.json)
set_tests_properties(badinput.events_hist_rntuple_mixed PROPERTIES LABELS events SKIP_RETURN_CODE 77)
