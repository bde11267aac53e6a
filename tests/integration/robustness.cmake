# Inputs that crashed or hung `hepkit sim` (issue 12, sections 4 and 5; the reproducers in
# ../shared/reference/robustness rewritten as hepkit's own files). Each must end at once with
# exit code 2 and a message naming file, line or key. Included from CMakeLists.txt, which
# defines bad_input(), BAD, HK and OUT.
set(RGP ${BAD}/grid_platform.xml)

bad_input(empty_dataset_location "ds_empty_location.json: ds.location: empty list: give at least one storage host"
  -p ${RGP} --workload-configurations ${BAD}/wl_ok.json --dataset-configurations ${BAD}/ds_empty_location.json)
bad_input(huge_submission_time "wl_huge_submission.json: w.submission_time: 1e\\+308 must be a time in seconds between 0 and 1e\\+12"
  -p ${RGP} --workload-configurations ${BAD}/wl_huge_submission.json --dataset-configurations ${BAD}/ds_ok.json)
bad_input(nan_yaml_memory "nan_memory.yaml:4: w.memory.average: 'NaN' is not a finite number" ${BAD}/nan_memory.yaml)
bad_input(nan_yaml_gpu_time "nan_gpu_time.yaml:4: w.gpu_time: 'nan' is not a finite number" ${BAD}/nan_gpu_time.yaml)
bad_input(nan_json_string "wl_nan_string.json: w.memory.average: 'nan' is not a finite number"
  -p ${RGP} --workload-configurations ${BAD}/wl_nan_string.json)
bad_input(json_number_overflow "wl_overflow.json:2: '1e309' is beyond the range of numbers"
  -p ${RGP} --workload-configurations ${BAD}/wl_overflow.json)
bad_input(yaml_given_as_json "nan_memory.yaml:[0-9]+: not a JSON file"
  -p ${RGP} --workload-configurations ${BAD}/nan_memory.yaml)
bad_input(csv_huge_submit "jobs_huge_submit.csv:2: submit: '9.2e18': a time beyond 1e\\+12 s"
  -p ${RGP} --jobs ${BAD}/jobs_huge_submit.csv)
bad_input(huge_link_latency "huge_latency.xml:8: <link id=\"l\">: latency: '1e308': a time beyond 1e\\+12 s"
  -p ${BAD}/huge_latency.xml --jobs ${BAD}/ok_jobs.csv)
bad_input(tiny_bandwidth_factor "tiny_bandwidth_factor.xml:3: .*network/bandwidth-factor: 1e-300 is out of range: allowed 1e-06 to 1e\\+06"
  -p ${BAD}/tiny_bandwidth_factor.xml --jobs ${BAD}/ok_jobs.csv)
bad_input(zero_loopback "zero_loopback.xml:3: .*the loopback bandwidth must be > 0"
  -p ${BAD}/zero_loopback.xml --jobs ${BAD}/ok_jobs.csv)
bad_input(huge_cluster_radical "huge_radical.xml:4: .*of at most 1000000 hosts"
  -p ${BAD}/huge_radical.xml --jobs ${BAD}/ok_jobs.csv)
bad_input(xrd_dcsim_runaway "max_sim_time: .*beyond the horizon of 1e\\+12 s.*dcsim XRootD overhead model"
  ${BAD}/xrd_runaway_dcsim.yaml)

# A 10 000-character path is echoed shortened (the whole message stays under 600 characters).
add_test(NAME badinput.long_path COMMAND sh -c
  "err=$('${HK}' sim '${BAD}/long_path.yaml' 2>&1 >/dev/null); code=$?; echo \"$err\"; test $code -eq 2 && test \${#err} -lt 600 && echo \"$err\" | grep -q '(10010 characters): cannot open file'")

# hepkit's default XRootD overhead model: DCSim's runaway case finishes at once, with the
# makespan of the closed form 1 + 10 x (1 + 2e10/1e9) = 211 s and a warning that it dominates.
add_test(NAME robustness.xrd_overhead_read_time COMMAND sh -c
  "'${HK}' sim '${BAD}/xrd_runaway.yaml' -o '${OUT}/xrd-runaway.csv' 2>&1 | tee '${OUT}/xrd-runaway.log' && grep -q 'warning: the XRootD overhead' '${OUT}/xrd-runaway.log' && awk -F', *' 'NR==1{for(i=1;i<=NF;i++)if($i==\"job.end\")c=i} NR==2{e=$c; exit (e>210.9 && e<211.1)?0:1}' '${OUT}/xrd-runaway.csv'")
set_tests_properties(robustness.xrd_overhead_read_time PROPERTIES TIMEOUT 30)
