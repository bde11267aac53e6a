# hepkit root ls / stats / dump on the reference ROOT files (skipped without them), and bad input.
set(RF root-files)
add_test(NAME root.ls_sample COMMAND ${WITH_REF} ${RF}/uproot-sample-6.16.00-zlib.root
  ${HK} root ls @REF@/${RF}/uproot-sample-6.16.00-zlib.root)
set_tests_properties(root.ls_sample PROPERTIES SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "sample;1  TTree.*\n  30 entries, 35 branches.*Ai8 +int64\\[n\\] +Long64_t")
add_test(NAME root.ls_ntuple COMMAND ${WITH_REF} ${RF}/uproot-hepdata-example.root
  ${HK} root ls @REF@/${RF}/uproot-hepdata-example.root ntuple)
set_tests_properties(root.ls_ntuple PROPERTIES SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "ntuple;1  TNtuple.*75000 entries, 5 branches")
# an RNTuple is listed like a tree: entries, fields with C++ type, column types and sizes
add_test(NAME root.ls_rntuple COMMAND ${WITH_REF} ${RF}/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root
  ${HK} root ls @REF@/${RF}/Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root)
set_tests_properties(root.ls_rntuple PROPERTIES SKIP_RETURN_CODE 77
  PASS_REGULAR_EXPRESSION "Events;1  ROOT::RNTuple.*\n  1000 entries, 7 fields, 1 clusters, [0-9.]+ kB compressed / [0-9.]+ kB uncompressed \\(RNTuple 1\\.0\\.0\\.0, ROOT v6\\.35\\.001\\)\n    _collection0 +SplitIndex64,SplitReal32,SplitReal32,SplitReal32,SplitReal32,SplitInt32 .*\n    Muon_pt +ROOT::VecOps::RVec<float> +SplitIndex64,SplitReal32 +[0-9.]+ k?B / +[0-9.]+ k?B \\(projected\\).*\n    nMuon +ROOT::RNTupleCardinality<std::uint32_t> +SplitIndex64 ")
foreach(case "uproot-HZZ.root;events;uproot-HZZ.tree-stats.json"
              "nanoAOD_2015_CMS_Open_Data_ttbar.root;Events;nanoAOD_2015_CMS_Open_Data_ttbar.tree-stats.json"
              "uproot-sample-6.16.00-zlib.root;sample;uproot-sample-6.16.00-zlib.tree-stats.json"
              "uproot-hepdata-example.root;ntuple;uproot-hepdata-example.ntuple-stats.json")
  list(GET case 0 file)
  list(GET case 1 tree)
  list(GET case 2 json)
  add_test(NAME root.stats_${tree} COMMAND ${WITH_REF} ${RF}/${file} ${CMAKE_CURRENT_SOURCE_DIR}/check_root_stats.py
    ${HK} @REF@/${RF}/${file} ${tree} @REF@/${RF}/expected/${json} ${OUT}/root-stats-${tree}.json --threads 2)
  set_tests_properties(root.stats_${tree} PROPERTIES SKIP_RETURN_CODE 77 PASS_REGULAR_EXPRESSION "stats ok")
endforeach()
add_test(NAME root.dump COMMAND ${WITH_REF} ${RF}/uproot-HZZ.root ${CMAKE_CURRENT_SOURCE_DIR}/check_root_dump.sh
  ${HK} @REF@/${RF}/uproot-HZZ.root ${OUT})
set_tests_properties(root.dump PROPERTIES SKIP_RETURN_CODE 77 PASS_REGULAR_EXPRESSION "dump ok")
# bad input: not a ROOT file (exit 2, the file named), a missing tree, a bad range (exit 64)
add_test(NAME badinput.root_not_a_root_file COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2
  "one_job.csv: not a ROOT file" ${OUT}/bad-root.json -- ${HK} root stats ${CMAKE_CURRENT_SOURCE_DIR}/one_job.csv
  --tree events --json ${OUT}/bad-root.json)
add_test(NAME badinput.root_missing_tree COMMAND ${WITH_REF} ${RF}/uproot-HZZ.root
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 2 "uproot-HZZ.root: .*nope" ${OUT}/bad-tree.csv --
  ${HK} root dump @REF@/${RF}/uproot-HZZ.root --tree nope -o ${OUT}/bad-tree.csv)
set_tests_properties(badinput.root_missing_tree PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME badinput.root_entry_range COMMAND ${WITH_REF} ${RF}/uproot-HZZ.root
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64 "--entries: range 0:99999 is outside the tree's 0:2421"
  ${OUT}/bad-range.csv -- ${HK} root dump @REF@/${RF}/uproot-HZZ.root --tree events --entries 0:99999 -o ${OUT}/bad-range.csv)
set_tests_properties(badinput.root_entry_range PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME badinput.root_unreadable_branch COMMAND ${WITH_REF} ${RF}/uproot-HZZ.root
  ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh 64 "--branches: 'Muon_Q\\*' matches no branch of tree 'events'"
  ${OUT}/bad-branch.json -- ${HK} root stats @REF@/${RF}/uproot-HZZ.root --tree events --branches Muon_Q*
  --json ${OUT}/bad-branch.json)
set_tests_properties(badinput.root_unreadable_branch PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME cli.root_help COMMAND ${HK} root stats --help)
set_tests_properties(cli.root_help PROPERTIES PASS_REGULAR_EXPRESSION "Example: hepkit root stats nano.root")
