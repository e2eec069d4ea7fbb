# rtl/mutants/row_tests.cmake: each RTL mutant against the directed test of its rule
# (docs/verification.md, "A test for every rule"). The mutant.* tests of testbench/ show that a
# random cosim run catches every mutant; these show that the rule's own directed scenario does,
# run in lockstep with the mutated RTL (`pmmu run --engine both --mutant M FILE`): the run must
# end in a disagreement (exit 3) or a failed expectation (exit 1), never pass or be refused.
# The timed scenarios reach the flush inside a walk, the ack and a request presented during a
# PDPTE load (timed/); CR2_NOT_OVERWRITTEN has inject.kills.*. A mutant is built in the default geometry only, so each file here is of that
# geometry (a file of another is refused, exit 2: never a kill).

if(TARGET pmmu_rtl AND PMMU_BUILD_MUTANTS)
  set(_rows
    US_OR rights-and-combine
    WP_IGNORED wp1-readonly-faults
    A_ON_FAULT fault-writes-nothing
    INVLPG_NO_LARGE invlpg-inside-4m
    REPL_NO_LAST_WAY mutants/REPL_NO_LAST_WAY
    FLUSH_DURING_WALK_FILLS timed/flush-during-walk
    ACK_LATE timed/ack-during-walk
    READY_DURING_LOAD timed/request-during-load
    CR2_NOT_LATCHED ec-protection
    WALK_EXTRA_CYCLE walk-4k-basic
    NO_RSVD_CHECK reserved-4m-bit17
    XD_IGNORED pae-xd-fetch
    PDPTE_FROM_MEMORY pae-pdpte-stale
    BIT63_NOT_RESERVED pae-bit63-without-nxe)
  list(LENGTH _rows _n)
  math(EXPR _last "${_n} - 1")
  foreach(i RANGE 0 ${_last} 2)
    math(EXPR j "${i} + 1")
    list(GET _rows ${i} mutant)
    list(GET _rows ${j} file)
    if(NOT mutant IN_LIST PMMU_RTL_MUTANTS AND NOT mutant IN_LIST PMMU_RTL_MUTANTS_IRQ
       AND NOT mutant IN_LIST PMMU_RTL_MUTANTS_BUSY)
      continue() # not built in this configuration
    endif()
    add_test(NAME rtl_row.${mutant}
      COMMAND sh -c "\"$0\" run --engine both --mutant ${mutant} \"$1\" >/dev/null 2>&1; s=$?; test $s -eq 1 -o $s -eq 3"
              $<TARGET_FILE:pmmu> ${PROJECT_SOURCE_DIR}/testbench/scenarios/${file}.pmmu
      CONFIGURATIONS full)
    set_tests_properties(rtl_row.${mutant} PROPERTIES LABELS "mutant;both")
  endforeach()
endif()
