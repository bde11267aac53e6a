# `hepkit events hist` and `hepkit events merge` (issue 15, docs/events-outputs.md): sums against the
# reference folder's uproot statistics, jagged cuts, thread-count independence, merging, the
# histogram as a hepkit fit dataset (check_events_hist.py); bad input ends with the exit code of
# its kind, a message naming the value, and no output left behind.
set(HZZ_REF root-files/uproot-HZZ.root)
add_test(NAME events.hist_help COMMAND ${HK} events hist --help)
set_tests_properties(events.hist_help PROPERTIES PASS_REGULAR_EXPRESSION "Example:.*hepkit events hist")
add_test(NAME events.merge_help COMMAND ${HK} events merge --help)
set_tests_properties(events.merge_help PROPERTIES PASS_REGULAR_EXPRESSION "Example:.*hepkit events merge")
add_test(NAME events.hist_reference COMMAND ${WITH_REF} root-files/expected/uproot-HZZ.tree-stats.json
  /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_events_hist.py ${HK} @REF@ ${OUT})
set_tests_properties(events.hist_reference PROPERTIES PASS_REGULAR_EXPRESSION "events hist outputs ok"
  SKIP_RETURN_CODE 77 TIMEOUT 300)
set(EVH ${OUT}/events-hist-bad.json)
# Bad input on a small tree kept in the repository (uproot's "simple" sample, also a fuzz seed):
# these run in every clone. Those needing jagged branches use the reference HZZ file.
set(SIMPLE ${PROJECT_SOURCE_DIR}/fuzz/corpus/root_tree/uproot-simple.root)
add_test(NAME events.hist_bad_bins COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64
  "--bins: '40,0': 2 value.s. .expected N,LO,HI" ${EVH} --
  ${HK} events hist ${SIMPLE} --tree tree --expr one --bins 40,0 --json ${EVH})
add_test(NAME events.hist_unknown_branch COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "needs product 'onee'.*closest: one" ${EVH} --
  ${HK} events hist ${SIMPLE} --tree tree --expr onee --bins 4,0,1 --json ${EVH})
add_test(NAME events.hist_element_cut_on_events COMMAND ${WITH_REF} ${HZZ_REF} ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "'Muon_Px > 0' selects elements but x 'NMuon' is one value per event" ${EVH} --
  ${HK} events hist @REF@/${HZZ_REF} --tree events --expr NMuon --cut "Muon_Px > 0" --bins 4,0,1 --json ${EVH})
add_test(NAME events.hist_lengths_differ COMMAND ${WITH_REF} ${HZZ_REF} ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "cut: entry 0: 'Jet_Px > 0' has 0 values, x 'Muon_Px' has 2" ${EVH} --
  ${HK} events hist @REF@/${HZZ_REF} --tree events --expr Muon_Px --cut "Jet_Px > 0" --bins 4,0,1 --json ${EVH})
add_test(NAME events.hist_missing_tree COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "uproot-simple.root: nope: no such object" ${EVH} --
  ${HK} events hist ${SIMPLE} --tree nope --expr one --bins 4,0,1 --json ${EVH})
add_test(NAME events.hist_y_bins_without_y COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64
  "--y-bins: y binning without --y" ${EVH} --
  ${HK} events hist ${SIMPLE} --tree tree --expr one --bins 4,0,4 --y-bins 2,0,1 --json ${EVH})
set_tests_properties(events.hist_element_cut_on_events events.hist_lengths_differ PROPERTIES SKIP_RETURN_CODE 77)
# merge: an existing output is refused (usage), a folder that is not one too
add_test(NAME events.merge_output_exists COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64
  "-o: '.*' exists: the merged folder must be new" ${OUT}/events-merge-none.json --
  ${HK} events merge ${CMAKE_CURRENT_SOURCE_DIR} -o ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME events.merge_not_a_folder COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64
  "OUTDIR: '.*one_job.csv' is not a folder" ${OUT}/events-merge-out --
  ${HK} events merge ${CMAKE_CURRENT_SOURCE_DIR}/one_job.csv -o ${OUT}/events-merge-out)
