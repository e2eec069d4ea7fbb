# scripts/bench (docs/performance.md) is not a test and asserts no time; this test checks that
# it can still measure every row from what the tools print (label bench).
if(TARGET pmmu_rtl AND PMMU_RTL_TRACE)
  add_test(NAME bench.smoke
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/tests/bench-smoke ${CMAKE_BINARY_DIR}
    CONFIGURATIONS full)
  set_tests_properties(bench.smoke PROPERTIES LABELS "bench" TIMEOUT 600)
endif()
