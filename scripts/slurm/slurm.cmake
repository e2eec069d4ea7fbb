# The Slurm test (label `slurm`; scripts/slurm/, docs/regress.md "On a Slurm cluster"): a
# one-node Slurm cluster started on localhost for the test and stopped after it, a 4-task job
# array of `pmmu regress --shard I/4`, the merge job after it, and the merged counts checked
# against the same regression run unsharded. Skipped (exit 77) only when slurm-wlm or munge is
# not installed (scripts/install-deps installs them); any other problem fails. scripts/build's
# secondary builds (--sanitize, --no-trace) turn it off: it tests the distribution of the runs,
# which does not depend on how pmmu was built.
option(PMMU_SLURM_TEST "Run the Slurm job-array test (label slurm; needs slurm-wlm and munge, skipped without)" ON)
set(PMMU_SLURM_SEEDS 16 CACHE STRING "random runs of the regression that the Slurm test shards 4 ways")
if(PMMU_SLURM_TEST)
  # The random cosim tests (3000 accesses a run) and the directed programs (seedless: they run
  # once, and must land in exactly one shard too), not the scenario suite (74 files, each a
  # run: it would only make the test longer, not the sharding any more tested).
  add_test(NAME slurm.regress
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/slurm/test-regress $<TARGET_FILE:pmmu>
            --test cosim.* --test directed.* --seeds ${PMMU_SLURM_SEEDS} --timeout 120
    CONFIGURATIONS full)
  # TIMEOUT: above the test's own bounds (30 s for the cluster to start, 300 s for the jobs),
  # so that the test, not ctest, reports a hang and stops its daemons.
  set_tests_properties(slurm.regress PROPERTIES LABELS slurm SKIP_RETURN_CODE 77 TIMEOUT 420
                                                PROCESSORS 2)
endif()
