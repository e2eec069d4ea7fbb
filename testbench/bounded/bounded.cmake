# Bounded runs (issue 17 item 4, docs/verification.md "Bounded runs"); ctest -L robust.
#   robust.budget.*   --max-cycles and --timeout on run, cosim and sim: exit 124 with the
#                     partial report; bad values are usage errors (budgets.sh)
#   robust.extreme.*  the RTL engine's give-up limit follows the memory timing: the largest
#                     latency (1000000) and back-pressure (1000) of `pmmu cosim`, in 32-bit and
#                     PAE paging, give no false hang or mismatch (the scenario language's largest
#                     latency with the longest walk: scenario.both.good.latency-max-pae-cas-restart)
set(_bounded ${CMAKE_CURRENT_LIST_DIR}/budgets.sh)
# the --timeout cases wait a second of wall time each: the full tier (CONTRIBUTING.md)
foreach(case run.max_cycles cosim.max_cycles cosim.timeout sim.max_cycles sim.timeout bad_values)
  set(tier "")
  if(case MATCHES "timeout$")
    set(tier CONFIGURATIONS full)
  endif()
  add_test(NAME robust.budget.${case} COMMAND sh ${_bounded} $<TARGET_FILE:pmmu> ${PROJECT_SOURCE_DIR} ${case}
           ${tier})
  set_tests_properties(robust.budget.${case} PROPERTIES LABELS robust TIMEOUT 120)
endforeach()
if(TARGET pmmu_rtl)
  # on the RTL: a scenario of long walks (run.timeout), and the lockstep
  add_test(NAME robust.budget.run.timeout
    COMMAND sh ${_bounded} $<TARGET_FILE:pmmu> ${PROJECT_SOURCE_DIR} run.timeout rtl
    CONFIGURATIONS full)
  foreach(case run.max_cycles cosim.max_cycles sim.max_cycles)
    add_test(NAME robust.budget.both.${case}
      COMMAND sh ${_bounded} $<TARGET_FILE:pmmu> ${PROJECT_SOURCE_DIR} ${case} both)
    set_tests_properties(robust.budget.both.${case} PROPERTIES LABELS robust TIMEOUT 120)
  endforeach()
  set_tests_properties(robust.budget.run.timeout PROPERTIES LABELS robust TIMEOUT 120)
  # seed 1 starts in 32-bit paging, seed 2 in PAE (PDPTE loads, 8-byte entries)
  foreach(seed 1 2)
    add_test(NAME robust.extreme.cosim.seed${seed}
      COMMAND pmmu cosim --engine both --seed ${seed} --accesses 2 --latency 1000000 --wait 1000
      CONFIGURATIONS full)
    set_tests_properties(robust.extreme.cosim.seed${seed} PROPERTIES LABELS robust TIMEOUT 900
      PASS_REGULAR_EXPRESSION "lockstep mismatches 0; RTL assertion failures 0"
      FAIL_REGULAR_EXPRESSION "mismatch at|hang|gave no")
  endforeach()
endif()
