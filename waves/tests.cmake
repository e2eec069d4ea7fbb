# Tests of waves/ (docs/waves.md). Included from waves/CMakeLists.txt.
set(_waves_bin ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
add_test(NAME waves.decode COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_decode.sh ${_waves_bin})
set_tests_properties(waves.decode PROPERTIES LABELS waves)
if(TARGET pmmu_rtl)
  set(_waves_mutant "")
  if(PMMU_BUILD_MUTANTS)
    set(_waves_mutant WALK_EXTRA_CYCLE)
  endif()
  find_program(PMMU_GTKWAVE gtkwave)
  find_program(PMMU_XVFB_RUN xvfb-run)
  if(PMMU_GTKWAVE AND PMMU_XVFB_RUN)
    add_test(NAME waves.gtkw
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_gtkw.sh ${_waves_bin} ${PROJECT_SOURCE_DIR} ${_waves_mutant})
    set_tests_properties(waves.gtkw PROPERTIES LABELS waves TIMEOUT 600)
  endif()
  add_test(NAME waves.signals COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_signals.sh ${_waves_bin} ${_waves_mutant})
  set_tests_properties(waves.signals PROPERTIES LABELS waves TIMEOUT 300)
  # the timing diagrams of docs/waves-timing.md must match the RTL: regenerate and diff
  add_test(NAME waves.diagrams
    COMMAND sh -c "sh \"$0/diagrams.sh\" \"$1\" \"$2\" \"$3/waves-timing.md\" && diff -u \"$4/docs/waves-timing.md\" \"$3/waves-timing.md\""
            ${CMAKE_CURRENT_SOURCE_DIR} ${_waves_bin} ${PMMU_WAVE_FILTER_DIR} ${CMAKE_CURRENT_BINARY_DIR}
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(waves.diagrams PROPERTIES LABELS waves)
endif()
