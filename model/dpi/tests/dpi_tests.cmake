# The DPI scoreboard's tests (label dpi; docs/dpi.md, "How it is tested"). Every test runs
# the RTL inside tests/tb_pmmu_dpi.sv with pmmu_scoreboard bound into it and compares with
# the C lockstep (tests/check-dpi).
#   dpi.api                    the C glue against hand-computed values (tests/pmmu_dpi_test.c)
#   dpi.scoreboard_lint        the scoreboard and package alone, and the port-mapping example
#                              (examples/), lint clean under verilator -Wall
#   dpi.scenario.<kind>.<name> every good and golden scenario, on the testbench of its geometry
#                              (skipped when that variant is not in PMMU_RTL_VARIANTS)
#   dpi.cosim.*                random streams: seeds of the default, PAE, bus-error runs and
#                              every policy on the 1x4x2 and 16x4x8 variants
#   dpi.mutant.<NAME>          every RTL mutant caught, with the lockstep's first table
#   dpi.mutant_scenarios.<NAME>  every scenario on the mutant: the DPI scoreboard catches it
#                              exactly when `pmmu run --engine both --mutant NAME` does
# All but dpi.api and dpi.scoreboard_lint run the DPI testbenches of every variant and mutant:
# the full tier (CONFIGURATIONS full: `ctest -C full`, scripts/test; CONTRIBUTING.md).

set(_dpi_check ${PMMU_DPI_DIR}/tests/check-dpi)

# The testbenches are not in ALL (../CMakeLists.txt): the first test of the full tier builds
# them (a no-op after scripts/build), alone, and every test that runs one requires it.
cmake_host_system_information(RESULT _dpi_jobs QUERY NUMBER_OF_LOGICAL_CORES)
add_test(NAME dpi.build
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target pmmu_dpi_testbenches
          --parallel ${_dpi_jobs}
  CONFIGURATIONS full)
set_tests_properties(dpi.build PROPERTIES FIXTURES_SETUP pmmu_dpi_testbenches TIMEOUT 3600
  RUN_SERIAL ON)

add_executable(pmmu_dpi_test ${PMMU_DPI_DIR}/tests/pmmu_dpi_test.c)
target_link_libraries(pmmu_dpi_test PRIVATE pmmu_dpi)
target_compile_options(pmmu_dpi_test PRIVATE ${PMMU_C_WARNINGS})
add_test(NAME dpi.api COMMAND pmmu_dpi_test)
set_tests_properties(dpi.api PROPERTIES PASS_REGULAR_EXPRESSION "all checks passed")

add_test(NAME dpi.scoreboard_lint COMMAND sh -c
  "\"$0\" --lint-only -Wall --timescale 1ns/1ns --top-module pmmu_scoreboard \"$1\" \"$2\" && \
   \"$0\" --lint-only -Wall --timescale 1ns/1ns --top-module my_mmu_pmmu_sb \"$1\" \"$2\" \"$3\""
  ${VERILATOR_BIN} ${PMMU_DPI_DIR}/pmmu_dpi_pkg.sv ${PMMU_DPI_DIR}/pmmu_scoreboard.sv
  ${PMMU_DPI_DIR}/examples/my_mmu_pmmu_sb.sv)

file(GLOB _dpi_good CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/testbench/scenarios/*.pmmu)
file(GLOB _dpi_golden CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/testbench/scenarios/golden/*.pmmu)
# the mutants' sweeps leave out latency-max-* (millions of cycles waiting on memory, once per
# mutant: the scenario runs in dpi.scenario.good on the real RTL)
set(_dpi_sweep ${_dpi_good})
list(FILTER _dpi_sweep EXCLUDE REGEX "/latency-max-[^/]*\\.pmmu$")
set(_dpi_tb_files "")
foreach(tb IN LISTS PMMU_DPI_TBS)
  list(APPEND _dpi_tb_files $<TARGET_FILE:${tb}>)
endforeach()
foreach(kind good golden)
  foreach(file IN LISTS _dpi_${kind})
    get_filename_component(name ${file} NAME_WE)
    add_test(NAME dpi.scenario.${kind}.${name}
      COMMAND ${_dpi_check} scenario $<TARGET_FILE:pmmu> ${file} ${_dpi_tb_files}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} CONFIGURATIONS full)
    set_tests_properties(dpi.scenario.${kind}.${name} PROPERTIES SKIP_RETURN_CODE 77)
  endforeach()
endforeach()

# Seeds as the lockstep's cosim tests (testbench/CMakeLists.txt), with shorter streams.
set(n ${PMMU_COSIM_SEEDS})
math(EXPR n_small "(${n} + 3) / 4")
if(TARGET pmmu_dpi_tb_16x4x8_plru)
  set(_tb $<TARGET_FILE:pmmu_dpi_tb_16x4x8_plru>)
  add_test(NAME dpi.cosim.seeds COMMAND ${_dpi_check} cosim $<TARGET_FILE:pmmu> ${_tb} 1 ${n} 10000
    CONFIGURATIONS full)
  add_test(NAME dpi.cosim.pae COMMAND ${_dpi_check} cosim $<TARGET_FILE:pmmu> ${_tb} 1000 ${n} 10000
    CONFIGURATIONS full)
  add_test(NAME dpi.cosim.bus_errors COMMAND ${_dpi_check} cosim $<TARGET_FILE:pmmu> ${_tb} 1 ${n_small} 5000
    --bus-errors 30 --wait 8 --latency 1..12 CONFIGURATIONS full)
endif()
foreach(policy plru lru fifo random)
  if(TARGET pmmu_dpi_tb_1x4x2_${policy})
    add_test(NAME dpi.cosim.${policy} COMMAND ${_dpi_check} cosim $<TARGET_FILE:pmmu>
      $<TARGET_FILE:pmmu_dpi_tb_1x4x2_${policy}> 1 ${n_small} 5000
      --sets 1 --ways 4 --large 2 --policy ${policy} CONFIGURATIONS full)
  endif()
  # every policy on the multi-set, multi-large-entry 16x4x8 too (plru: dpi.cosim.seeds), on
  # the seeds of the lockstep's cosim.both.16x4x8.* (testbench/CMakeLists.txt)
  if(NOT policy STREQUAL "plru" AND TARGET pmmu_dpi_tb_16x4x8_${policy})
    add_test(NAME dpi.cosim.16x4x8.${policy} COMMAND ${_dpi_check} cosim $<TARGET_FILE:pmmu>
      $<TARGET_FILE:pmmu_dpi_tb_16x4x8_${policy}> 2000 4 4000
      --sets 16 --ways 4 --large 8 --policy ${policy} CONFIGURATIONS full)
  endif()
endforeach()

if(PMMU_BUILD_MUTANTS)
  foreach(m IN LISTS PMMU_RTL_MUTANTS)
    string(TOLOWER ${m} ml)
    add_test(NAME dpi.mutant.${m}
      COMMAND ${_dpi_check} mutant $<TARGET_FILE:pmmu> $<TARGET_FILE:pmmu_dpi_tb_mut_${ml}> ${m}
      CONFIGURATIONS full)
    add_test(NAME dpi.mutant_scenarios.${m}
      COMMAND ${_dpi_check} scenarios $<TARGET_FILE:pmmu> $<TARGET_FILE:pmmu_dpi_tb_mut_${ml}> ${m}
              ${_dpi_sweep} ${_dpi_golden}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} CONFIGURATIONS full)
  endforeach()
endif()

get_property(_dpi_tests DIRECTORY PROPERTY TESTS)
set_property(TEST ${_dpi_tests} APPEND PROPERTY LABELS dpi)
set(_dpi_tb_tests ${_dpi_tests})
list(REMOVE_ITEM _dpi_tb_tests dpi.build dpi.api dpi.scoreboard_lint)
set_property(TEST ${_dpi_tb_tests} APPEND PROPERTY FIXTURES_REQUIRED pmmu_dpi_testbenches)
