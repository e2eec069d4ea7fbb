# Tests of `pmmu regress` (docs/regress.md): regress-test runs the command in a temporary
# folder and checks its outputs (label regress). The model's tests and two scenario files keep
# them to seconds; the mutant case needs the RTL and its mutants.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(_regress_test ${CMAKE_CURRENT_LIST_DIR}/regress-test)
set(_regress_cases list shards merge timeout usage)
if(TARGET pmmu_rtl AND PMMU_BUILD_MUTANTS)
  list(APPEND _regress_cases mutant)
endif()
foreach(c IN LISTS _regress_cases)
  add_test(NAME regress.${c} COMMAND ${Python3_EXECUTABLE} ${_regress_test} $<TARGET_FILE:pmmu> ${c}
           CONFIGURATIONS full)  # each runs pmmu regress: the full tier
  set_tests_properties(regress.${c} PROPERTIES LABELS "regress;cli" TIMEOUT 300)
endforeach()
