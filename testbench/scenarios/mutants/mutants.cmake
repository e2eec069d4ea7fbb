# The RTL mutants' shrunk reproducers (docs/verification.md, "Shrinking"): each mutant of
# rtl/mutants/ has NAME.pmmu here, written by `pmmu shrink` (scripts/shrink-mutants), of at
# most 40 commands, that fails on the mutant with the kind of its `# kind:` line and passes on
# the real RTL: ctest shrink.mutant.NAME (labels shrink, mutant). shrink.end-to-end runs the
# shrinker itself on one mutant. Built with the mutants only (PMMU_BUILD_MUTANTS).

# Mutants no scenario can catch yet, with the reason: every other mutant must have its file
# (a mutant without one and not listed here gets a shrink.mutant.NAME test that fails, saying
# so).
set(PMMU_SHRINK_NO_SCENARIO) # none: every mutant has its file (the timed commands reach acks,
                             # flushes during a walk and requests during a PDPTE load)

set(_pmmu_check ${CMAKE_CURRENT_LIST_DIR}/check-mutant.cmake)
if(TARGET pmmu_rtl AND PMMU_BUILD_MUTANTS)
  foreach(m IN LISTS PMMU_RTL_MUTANTS PMMU_RTL_MUTANTS_IRQ PMMU_RTL_MUTANTS_BUSY)
    string(TOLOWER ${m} ml)
    set(f ${CMAKE_CURRENT_LIST_DIR}/${m}.pmmu)
    if(NOT EXISTS ${f})
      if(NOT m IN_LIST PMMU_SHRINK_NO_SCENARIO) # a new mutant: its test fails until it has one
        add_test(NAME shrink.mutant.${ml}
          COMMAND sh -c "echo 'mutant ${m}: no shrunk reproducer ${f}: run scripts/shrink-mutants ${m}, or list it in PMMU_SHRINK_NO_SCENARIO with the reason'; exit 1"
          CONFIGURATIONS full)
        set_tests_properties(shrink.mutant.${ml} PROPERTIES LABELS "shrink;mutant")
      endif()
      continue()
    endif()
    add_test(NAME shrink.mutant.${ml}
      COMMAND ${CMAKE_COMMAND} -DPMMU=$<TARGET_FILE:pmmu> -DMUTANT=${m} -DFILE=${f} -P ${_pmmu_check}
      CONFIGURATIONS full)
    set_tests_properties(shrink.mutant.${ml} PROPERTIES LABELS "shrink;mutant")
  endforeach()
  # the shrinker end to end: the 129 commands of ec-protection.pmmu, which WP_IGNORED fails
  add_test(NAME shrink.end-to-end
    COMMAND ${CMAKE_COMMAND} -DPMMU=$<TARGET_FILE:pmmu> -DMUTANT=WP_IGNORED
            -DSHRINK_FROM=${PROJECT_SOURCE_DIR}/testbench/scenarios/ec-protection.pmmu
            -DFILE=${CMAKE_CURRENT_BINARY_DIR}/shrink-end-to-end.pmmu -P ${_pmmu_check}
    CONFIGURATIONS full)
  set_tests_properties(shrink.end-to-end PROPERTIES LABELS "shrink;mutant")
  file(GLOB _pmmu_mutant_files CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.pmmu) # new files: reconfigure
endif()
