# The command line's contract (issue 12 §4 "Messages, exit codes, outputs", §5): the exit-code
# table, readable option checks with units, options that override a scenario, killed runs that
# leave no temporary file, batch arrays that merge every point, the summary table, progress.
# Included from CMakeLists.txt (same HK, EX, BAD, OUT variables).
set(IT ${CMAKE_CURRENT_SOURCE_DIR})

# exit codes: a sample of each class (README.md "Exit codes")
function(exit_test name code pattern)
  add_test(NAME exitcode.${name} COMMAND ${IT}/expect_exit.sh ${code} "${pattern}" -- ${ARGN})
endfunction()
exit_test(ok_help 0 "Exit codes .the same for every subcommand" ${HK} sim --help)
exit_test(ok_fit_help 0 "64 +command-line usage error" ${HK} fit --help)
exit_test(usage_unknown_option 64 "--bogus" ${HK} sim --bogus)
exit_test(usage_missing_file 64 "File does not exist" ${HK} fit /nonexistent/file.yml)
exit_test(usage_conflict 64 "-p/--platform: needs --activities" ${HK} sim -p ${BAD}/ok_platform.yaml)
exit_test(usage_gpu_policy 64 "--gpu-policy: 'fair' is not a GPU sharing policy" ${HK} sim ${EX}/gpu/scenario.yaml --gpu-policy fair)
exit_test(usage_gpu_model 64 "--gpu: 'Z80' is not a known GPU model" ${HK} gpu-plan ${EX}/gpu/ml-mix.json --gpu Z80)
exit_test(usage_generate_hours 64 "--hours: 1 must be between 5 and 744" ${HK} generate wlcg -o ${OUT}/gen-bad --hours 1)
exit_test(input_bad_file 2 "malformed.xml:5: XML syntax error" ${HK} sim -p ${BAD}/malformed.xml --activities ${EX}/transfers/activities.csv)
exit_test(input_bad_scan 2 "bad_scan.yaml:3: parameters.cores_per_site" ${HK} sim --scan ${BAD}/bad_scan.yaml)
exit_test(not_converged 3 "did not converge" ${HK} fit ${BAD}/fit_not_converged.yml)
exit_test(output_unwritable 4 "/nonexistent-dir/t.csv: cannot create output file" ${HK} sim -o /nonexistent-dir/t.csv)
exit_test(output_fit_report 4 "/nonexistent-dir/r.json: cannot create" ${HK} fit ${EX}/fit/line.yml --report-json /nonexistent-dir/r.json)

# readable range checks (no 309-digit DBL_MAX) and units on the command line
exit_test(range_hitrate 64 "--hitrate: 2 must be between 0 and 1" ${HK} sim -H 2)
exit_test(range_blocksize 64 "--xrd-blocksize: 0: the size must be > 0" ${HK} sim -x 0)
exit_test(range_seed 64 "--seed: -1 must be an integer between 0 and" ${HK} sim -s -1)
exit_test(range_flops 64 "--xrd-flops-per-time: .*unknown speed unit 'GB'" ${HK} sim --xrd-flops-per-time 1GB)
exit_test(range_interval 64 "--timeseries-interval: .*time must be finite" ${HK} sim --timeseries-interval -5)
set_tests_properties(exitcode.range_hitrate exitcode.range_blocksize exitcode.range_seed exitcode.range_flops
  exitcode.range_interval PROPERTIES FAIL_REGULAR_EXPRESSION "[0-9]{20}")
exit_test(units_blocksize 0 "builtin-grid" ${HK} sim -x 1GB --xrd-flops-per-time 2e10 --timeseries-interval 5min)

# §5: every grid option overrides a scenario's value, or is refused; never ignored
add_test(NAME cli.sim_overrides COMMAND /usr/bin/python3 ${IT}/sim_overrides.py ${HK} ${OUT}/overrides ${EX})
set_tests_properties(cli.sim_overrides PROPERTIES PASS_REGULAR_EXPRESSION "all overrides ok" TIMEOUT 600)

# killed runs leave no OUT.tmp.<pid>
add_test(NAME cli.kill_cleanup COMMAND ${IT}/kill_cleanup.sh ${HK} ${OUT})
set_tests_properties(cli.kill_cleanup PROPERTIES PASS_REGULAR_EXPRESSION "kill cleanup ok")

# --emit condor|slurm: the emitted scripts run by a local loop give one row per point
add_test(NAME cli.scan_emit_arrays COMMAND ${IT}/scan_emit.sh ${HK} ${OUT} ${IT}/scan_small.yaml)
set_tests_properties(cli.scan_emit_arrays PROPERTIES PASS_REGULAR_EXPRESSION "scan emit ok")

# outputs named in a scenario are written relative to the working directory
add_test(NAME cli.scenario_outputs_in_cwd COMMAND sh -c
  "rm -rf '${OUT}/cwd' && mkdir -p '${OUT}/cwd' && cd '${OUT}/cwd' && '${HK}' -q sim '${EX}/campaign/scenario.yaml' && test -s '${OUT}/cwd/campaign-trace.csv' && echo written-in-cwd")
set_tests_properties(cli.scenario_outputs_in_cwd PROPERTIES PASS_REGULAR_EXPRESSION "written-in-cwd")

# the showcased scan shows its effects: makespan falls with cache size, hit rate and WAN bandwidth
add_test(NAME example.scan_effect COMMAND /usr/bin/python3 ${IT}/scan_effect.py ${HK} ${EX}/scan/scan.yaml ${OUT}/scan-effect.csv)
set_tests_properties(example.scan_effect PROPERTIES PASS_REGULAR_EXPRESSION "scan shows its effects")

# the summary table: top 10 sites and totals, --all-sites, singular forms, trace columns
add_test(NAME cli.summary_table COMMAND ${IT}/check_summary.sh ${HK} ${OUT})
set_tests_properties(cli.summary_table PROPERTIES PASS_REGULAR_EXPRESSION "summary ok" FAIL_REGULAR_EXPRESSION " 1 jobs| 1 sites| 1 workers")
# gpu-plan: ratios said as ratios, "the same" within rounding, never "x1.00 better"
add_test(NAME cli.gpu_plan_wording COMMAND ${HK} gpu-plan ${EX}/gpu/ml-mix.json --gpus-per-node 4)
set_tests_properties(cli.gpu_plan_wording PROPERTIES
  PASS_REGULAR_EXPRESSION "Recommended: mps:[0-9]+[^(]*[(][0-9]+ jobs per GPU: [0-9.]+x the throughput of exclusive use, [0-9.]+x the energy per job of exclusive use"
  FAIL_REGULAR_EXPRESSION "better than exclusive")
exit_test(usage_gpu_fraction 64 "thread_percentage = 0 must be in \\(0, 100\\]" ${HK} sim -p ${BAD}/gpu_platform.yaml --jobs ${BAD}/gpu_ok.csv --gpu-policy mps:2,thread_percentage=0)

# progress lines: a streaming run of one job (20 000 blocks) shows progress before the job ends
# (the engine heartbeat); none with -q, none when stderr is not a terminal; gpu-plan and scans too
set(PROG -p ${BAD}/grid_platform.xml --workload-configurations ${IT}/progress/workload.json
  --dataset-configurations ${IT}/progress/dataset.json -x 1MB --xrd-flops-per-time 0)
add_test(NAME cli.progress_streaming COMMAND env HEPKIT_PROGRESS=1 ${HK} sim ${PROG})
set_tests_properties(cli.progress_streaming PROPERTIES PASS_REGULAR_EXPRESSION "0 / 1 jobs done.*1 / 1 jobs done")
add_test(NAME cli.progress_quiet COMMAND env HEPKIT_PROGRESS=1 ${HK} -q sim ${PROG})
add_test(NAME cli.progress_not_a_terminal COMMAND ${HK} sim ${PROG})
set_tests_properties(cli.progress_quiet cli.progress_not_a_terminal PROPERTIES FAIL_REGULAR_EXPRESSION "jobs done")
add_test(NAME cli.progress_gpu_plan COMMAND env HEPKIT_PROGRESS=1 ${HK} gpu-plan ${EX}/gpu/ml-mix.json)
set_tests_properties(cli.progress_gpu_plan PROPERTIES PASS_REGULAR_EXPRESSION "candidate policies simulated, now")
add_test(NAME cli.progress_scan COMMAND env HEPKIT_PROGRESS=1 ${HK} sim --scan ${EX}/scan/scan.yaml -j 2)
set_tests_properties(cli.progress_scan PROPERTIES PASS_REGULAR_EXPRESSION "8 / 8 scan points done")
exit_test(output_generate_dir 4 "cannot create the output directory" ${HK} generate wlcg -o /proc/hepkit-cannot --scale tiny)
exit_test(usage_scan_point 64 "--point: 8 is not below the 8 points" ${HK} sim --scan ${EX}/scan/scan.yaml --point 8)
