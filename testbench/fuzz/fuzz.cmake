# Fuzzing in-tree (option PMMU_FUZZ; docs/verification.md "Fuzzing"), driven from the
# top-level build as the web page is: libFuzzer needs clang, and the project builds with the
# default compiler (gcc), so the harnesses are a second configuration of this same tree,
# compiled by clang with libFuzzer, ASan and UBSan, in ${CMAKE_BINARY_DIR}/fuzz.
#
# Target
#   pmmu_fuzz    the inner build: ${CMAKE_BINARY_DIR}/fuzz/bin/fuzz_{scenario,txtrace,
#                os_trace,cli_options} (testbench/fuzz/CMakeLists.txt)
# Tests (ctest -L fuzz)
#   fuzz.HARNESS  a fixed number of executions with a fixed seed over the seed corpus (the
#                 suites' inputs) and the regression inputs (testbench/fuzz/corpus/HARNESS/
#                 regressions: every crash ever found), which are always replayed first.
# scripts/fuzz runs the harnesses for as long as asked.
include(ExternalProject)

find_program(PMMU_CLANG NAMES clang clang-14)
find_program(PMMU_CLANGXX NAMES clang++ clang++-14)
if(PMMU_CLANG)
  execute_process(COMMAND ${PMMU_CLANG} -print-file-name=libclang_rt.fuzzer-${CMAKE_SYSTEM_PROCESSOR}.a
                  OUTPUT_VARIABLE _fuzz_rt OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT PMMU_CLANG OR NOT PMMU_CLANGXX OR NOT IS_ABSOLUTE "${_fuzz_rt}" OR NOT EXISTS "${_fuzz_rt}")
  message(FATAL_ERROR "PMMU_FUZZ needs clang with libFuzzer (Debian: clang, libclang-rt-14-dev): "
                      "run scripts/install-deps, or configure with -DPMMU_FUZZ=OFF")
endif()

set(PMMU_FUZZ_DIR ${CMAKE_BINARY_DIR}/fuzz)
if(CMAKE_GENERATOR MATCHES "Make")
  set(_fuzz_build $(MAKE) pmmu_fuzz_harnesses) # shares the outer -jN (web/web.cmake says why)
else()
  set(_fuzz_build ${CMAKE_COMMAND} --build <BINARY_DIR> --target pmmu_fuzz_harnesses)
endif()
ExternalProject_Add(pmmu_fuzz
  SOURCE_DIR ${PROJECT_SOURCE_DIR}
  BINARY_DIR ${PMMU_FUZZ_DIR}
  CONFIGURE_COMMAND ${CMAKE_COMMAND} -S <SOURCE_DIR> -B <BINARY_DIR> -G ${CMAKE_GENERATOR}
                    -DCMAKE_C_COMPILER=${PMMU_CLANG}
                    -DCMAKE_CXX_COMPILER=${PMMU_CLANGXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
                    -DPMMU_FUZZ_BUILD=ON -DPMMU_FUZZ=OFF -DPMMU_WITH_RTL=OFF
                    -DPMMU_WITH_SYSTEMC=OFF -DPMMU_WITH_GTKWAVE=OFF -DPMMU_WITH_WEB=OFF
  BUILD_COMMAND ${_fuzz_build}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON) # the inner build knows its own dependencies

set(PMMU_FUZZ_RUN ${CMAKE_CURRENT_LIST_DIR}/fuzz-run)
# Executions per harness, with seed 1: the same inputs every time. Chosen for about 10 s each
# on an idle core (the trace harnesses run what they read: the checker replays a trace on the
# model, the OS runs one); scripts/fuzz runs them for longer.
set(PMMU_FUZZ_RUNS scenario=20000 txtrace=5000 os_trace=3000 cli_options=50000)
foreach(hr IN LISTS PMMU_FUZZ_RUNS)
  string(REPLACE "=" ";" hr ${hr})
  list(GET hr 0 h)
  list(GET hr 1 runs)
  add_test(NAME fuzz.${h}
    COMMAND ${PMMU_FUZZ_RUN} --bin ${PMMU_FUZZ_DIR}/bin --work ${CMAKE_BINARY_DIR}/fuzz-test
            --runs ${runs} ${h}
    CONFIGURATIONS full)
  set_tests_properties(fuzz.${h} PROPERTIES LABELS fuzz
    PASS_REGULAR_EXPRESSION "Done ${runs} runs" FAIL_REGULAR_EXPRESSION "==[0-9]+== ?ERROR: |: runtime error: ")
endforeach()
