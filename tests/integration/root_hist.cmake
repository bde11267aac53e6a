# `hepkit root hist`: the reference histograms against jsroot's values, the help text, and bad
# input (exit code 2, a message naming the file and the object, no output left behind).
set(REF_HISTS root-files/expected/uproot-hepdata-example.hists.json)
add_test(NAME root.hist_help COMMAND ${HK} root hist --help)
set_tests_properties(root.hist_help PROPERTIES PASS_REGULAR_EXPRESSION "Example:.*hepkit root hist")
add_test(NAME root.hist_reference COMMAND ${WITH_REF} ${REF_HISTS}
  /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_root_hist.py ${HK} @REF@ ${OUT})
set_tests_properties(root.hist_reference PROPERTIES PASS_REGULAR_EXPRESSION "root hist outputs ok" SKIP_RETURN_CODE 77)
add_test(NAME root.hist_table COMMAND ${WITH_REF} ${REF_HISTS}
  ${HK} root hist @REF@/root-files/uproot-histograms.root one)
set_tests_properties(root.hist_table PROPERTIES SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "TH1F one .*numero uno.*10 uniform bins in .-3, 3.*\n +5 +-0.6 +0 +2296 +47.9166")
add_test(NAME root.hist_not_a_histogram COMMAND ${WITH_REF} ${REF_HISTS}
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2 "uproot-hepdata-example.root: ntuple: is a TNtuple, not a histogram"
  ${OUT}/root-hist-bad.json -- ${HK} root hist @REF@/root-files/uproot-hepdata-example.root ntuple --json ${OUT}/root-hist-bad.json)
set_tests_properties(root.hist_not_a_histogram PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME root.hist_missing_object COMMAND ${WITH_REF} ${REF_HISTS}
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2 "uproot-hepdata-example.root.*nope"
  ${OUT}/root-hist-bad.json -- ${HK} root hist @REF@/root-files/uproot-hepdata-example.root nope --json ${OUT}/root-hist-bad.json)
set_tests_properties(root.hist_missing_object PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME root.hist_not_a_root_file COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "one_job.csv: not a ROOT file" ${OUT}/root-hist-bad.json --
  ${HK} root hist ${CMAKE_CURRENT_SOURCE_DIR}/one_job.csv hpx --json ${OUT}/root-hist-bad.json)
