# Functional coverage (testbench/coverage, docs/coverage.md): directed scenarios hit exactly the
# bins worked out by hand, in every engine mode built; merging is associative and commutative;
# the hole report; bad files.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(_pmmu_cov_engines model)
if(TARGET pmmu_rtl)
  list(APPEND _pmmu_cov_engines rtl both)
endif()
string(REPLACE ";" " " _pmmu_cov_engines "${_pmmu_cov_engines}")
add_test(NAME coverage.functional
  COMMAND sh -c "d=$(mktemp -d) && \"$0\" \"$@\" \"$d\" ${_pmmu_cov_engines}; st=$?; rm -rf \"$d\"; exit $st"
          ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/tests/check_coverage.py
          $<TARGET_FILE:pmmu> ${CMAKE_CURRENT_LIST_DIR}/tests
  CONFIGURATIONS full)
set_tests_properties(coverage.functional PROPERTIES LABELS "coverage;cli")

# scripts/coverage on a small configuration (--quick: its own instrumented build of one RTL
# variant and the model, a few scenarios and cosim seeds): the reports exist and name every RTL
# and model source with lines hit. About a minute of CPU; label coverage-script to pick it out.
# Once per CI run: not in the sanitizer and untraced builds (.ci/run builds all three), whose
# instrumented tree would be the same.
if(TARGET pmmu_rtl AND PMMU_RTL_TRACE AND NOT PMMU_SANITIZE)
  add_test(NAME coverage.script
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/tests/coverage-reports ${CMAKE_BINARY_DIR}/coverage-script
    CONFIGURATIONS full)
  set_tests_properties(coverage.script PROPERTIES LABELS "coverage;coverage-script" TIMEOUT 1800
                                                  PROCESSORS 2)
endif()
