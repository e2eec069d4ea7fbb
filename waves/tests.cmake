# Tests of waves/ (docs/waves.md). Included from waves/CMakeLists.txt. The ones that dump
# whole runs, start GTKWave under Xvfb or need a mutant are in the full tier (CONTRIBUTING.md).
set(_waves_bin ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
add_test(NAME waves.decode COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_decode.sh ${_waves_bin})
set_tests_properties(waves.decode PROPERTIES LABELS waves)
# the report watcher reads the failure's cycles in hex or decimal, at any column widths
add_executable(waves_test_watch ${CMAKE_CURRENT_SOURCE_DIR}/test_watch.c)
target_link_libraries(waves_test_watch PRIVATE pmmu_waves)
target_compile_options(waves_test_watch PRIVATE ${PMMU_C_WARNINGS})
add_test(NAME waves.watch COMMAND waves_test_watch)
set_tests_properties(waves.watch PROPERTIES LABELS waves)
if(TARGET pmmu_rtl AND PMMU_RTL_TRACE)
  set(_waves_mutant "")
  if(PMMU_BUILD_MUTANTS AND WALK_EXTRA_CYCLE IN_LIST PMMU_RTL_MUTANTS)
    set(_waves_mutant WALK_EXTRA_CYCLE)
  endif()
  if(PMMU_WITH_GTKWAVE)
    find_program(PMMU_GTKWAVE gtkwave)
    find_program(PMMU_XVFB_RUN xvfb-run)
    if(NOT PMMU_GTKWAVE OR NOT PMMU_XVFB_RUN)
      message(FATAL_ERROR "gtkwave or xvfb-run not found (ctest waves.gtkw): run scripts/install-deps, "
                          "or configure with -DPMMU_WITH_GTKWAVE=OFF")
    endif()
    add_test(NAME waves.gtkw
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_gtkw.sh ${_waves_bin} ${PROJECT_SOURCE_DIR} ${_waves_mutant}
      CONFIGURATIONS full)
    set_tests_properties(waves.gtkw PROPERTIES LABELS waves TIMEOUT 600)
    # the failure's save file as a user sees it: markers, every group, the model group,
    # decoded values, a screenshot at the default size (docs/waves-failure.png is made so)
    if(_waves_mutant)
      add_test(NAME waves.failure_view
        COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_failure_view.sh ${_waves_bin} ${_waves_mutant}
                ${CMAKE_CURRENT_BINARY_DIR}/waves-failure.png
        CONFIGURATIONS full)
      set_tests_properties(waves.failure_view PROPERTIES LABELS waves TIMEOUT 300)
    endif()
  endif()
  add_test(NAME waves.signals COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_signals.sh ${_waves_bin} ${_waves_mutant}
    CONFIGURATIONS full)
  set_tests_properties(waves.signals PROPERTIES LABELS "waves;robust" TIMEOUT 600)
  # the --waves FILE checked before the run, named only when complete (else FILE.partial)
  add_test(NAME waves.files COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_files.sh ${_waves_bin} ${PROJECT_SOURCE_DIR}
    CONFIGURATIONS full)
  set_tests_properties(waves.files PROPERTIES LABELS "waves;robust" TIMEOUT 300)
  # abort() inside pmmu (a helper preloaded by the test, never linked into pmmu; a sanitizer
  # runtime must come first in the process, so not with PMMU_SANITIZE)
  if(NOT PMMU_SANITIZE)
    add_library(pmmu_test_abort_preload MODULE ${CMAKE_CURRENT_SOURCE_DIR}/test_abort_preload.c)
    target_compile_options(pmmu_test_abort_preload PRIVATE ${PMMU_C_WARNINGS})
    add_test(NAME waves.abort COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_abort.sh ${_waves_bin}
                                      $<TARGET_FILE:pmmu_test_abort_preload>
      CONFIGURATIONS full)
    set_tests_properties(waves.abort PROPERTIES LABELS "waves;robust" TIMEOUT 300)
  endif()
  # the timing diagrams of docs/waves-timing.md must match the RTL: regenerate and diff
  add_test(NAME waves.diagrams
    COMMAND sh -c "sh \"$0/diagrams.sh\" \"$1\" \"$2\" \"$3/waves-timing.md\" && diff -u \"$4/docs/waves-timing.md\" \"$3/waves-timing.md\""
            ${CMAKE_CURRENT_SOURCE_DIR} ${_waves_bin} ${PMMU_WAVE_FILTER_DIR} ${CMAKE_CURRENT_BINARY_DIR}
            ${PROJECT_SOURCE_DIR})
  set_tests_properties(waves.diagrams PROPERTIES LABELS waves)
elseif(TARGET pmmu_rtl)
  # PMMU_RTL_TRACE=OFF: nothing can be dumped, so the dump tests above cannot run; instead
  # every command's waves options must fail at once, saying why, and write nothing.
  message(STATUS "PMMU_RTL_TRACE=OFF: waves.gtkw, waves.signals, waves.diagrams replaced by waves.no_trace")
  add_test(NAME waves.no_trace
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/test_no_trace.sh ${_waves_bin} ${PROJECT_SOURCE_DIR})
  set_tests_properties(waves.no_trace PROPERTIES LABELS waves)
endif()
