# rtl/tests/icarus: the RTL replayed from port logs of lockstep runs, under Icarus Verilog and
# under Verilator's --binary flow (rtl/tests/icarus/README.md; docs/verification.md).
#
# Targets
#   pmmu_portlog        runs a scenario or a cosim seed in lockstep and writes the RTL's port
#                       log: every input and output of pmmu_top in every cycle; packs it for
#                       the testbench (one binary word per cycle)
#   pmmu_tb_file_ivl    tb_pmmu_file.sv with the RTL under Icarus (iverilog -g2012; vvp), in ALL
#   pmmu_tb_file_vl     the same testbench, verilator --binary --timing (default flags; not in
#                       ALL: built by the test icarus.build, and by rtl/tests/icarus/bench.sh)
#   pmmu_tb_file_xinit  the same with --x-initial unique --x-assign unique (not in ALL: built by
#                       the test xinit.build), run with +verilator+rand+reset+2 +verilator+seed+N
# Tests
#   icarus.scenarios    every scenario of testbench/scenarios (good, golden, timed, mutants) that
#                       the default geometry runs, on Icarus: outputs equal to the Verilated RTL's in
#                       every cycle, and no X/Z on a valid or on a payload while its valid is high
#   icarus.cosim        cosim seeds (32-bit and PAE worlds, bus errors with back-pressure), the same
#   icarus.selftest     the testbench's checks fail on a changed output, on an X and on a packed
#                       log cut short
#   icarus.verilator_tb the testbench itself under Verilator: the outputs it writes equal the
#                       port log byte for byte
#   xinit.build, xinit.seed.<N>  random initial state of every flip-flop (seeds N), over the
#                       scenarios and cosim seeds: reset initialises everything that matters
# Labels: icarus, xinit (and rtl).

find_program(PMMU_IVERILOG iverilog)  # ivl-compile runs it from PATH
find_program(PMMU_VVP vvp)
if(NOT PMMU_IVERILOG OR NOT PMMU_VVP)
  message(FATAL_ERROR "Icarus Verilog (iverilog, vvp) not found: run scripts/install-deps")
endif()

set(_ivl_dir ${PROJECT_SOURCE_DIR}/rtl/tests/icarus)
set(_ivl_bin ${CMAKE_CURRENT_BINARY_DIR}/icarus)
pmmu_rtl_files(_ivl_rtl)

add_executable(pmmu_portlog ${_ivl_dir}/pmmu_portlog.c)
target_link_libraries(pmmu_portlog PRIVATE pmmu_testbench)
target_compile_options(pmmu_portlog PRIVATE ${PMMU_C_WARNINGS})

# Icarus: a few seconds to compile, so in ALL (ivl-compile says why it reads always_comb as
# always @*: a bug of Icarus 11.0's runtime)
add_custom_command(
  OUTPUT ${_ivl_bin}/tb_pmmu_file.vvp
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_ivl_bin}
  COMMAND ${_ivl_dir}/ivl-compile ${_ivl_bin}/tb_pmmu_file.vvp ${PROJECT_SOURCE_DIR}/rtl
          ${_ivl_dir}/tb_pmmu_file.sv
  DEPENDS ${_ivl_rtl} ${_ivl_dir}/tb_pmmu_file.sv ${_ivl_dir}/ivl-compile
          ${PROJECT_SOURCE_DIR}/rtl/pmmu_assert.svh ${PROJECT_SOURCE_DIR}/rtl/pmmu.f
  COMMENT "Compiling tb_pmmu_file.sv and the RTL with Icarus Verilog")
add_custom_target(pmmu_tb_file_ivl ALL DEPENDS ${_ivl_bin}/tb_pmmu_file.vvp)

# Verilator --binary: a C++ model each, built only for the tests that use them
function(pmmu_tb_file_verilator target dir)
  add_custom_command(
    OUTPUT ${_ivl_bin}/${dir}/${target}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_ivl_bin}/${dir}
    COMMAND ${VERILATOR_BIN} --binary --timing --assert -Wall --timescale 1ns/1ns
            -I${PROJECT_SOURCE_DIR}/rtl --top-module tb_pmmu_file ${ARGN}
            --Mdir ${_ivl_bin}/${dir} -o ${target} -j 2 ${_ivl_rtl} ${_ivl_dir}/tb_pmmu_file.sv
    DEPENDS ${_ivl_rtl} ${_ivl_dir}/tb_pmmu_file.sv ${PROJECT_SOURCE_DIR}/rtl/pmmu_assert.svh
    COMMENT "Verilating tb_pmmu_file.sv (${target})")
  add_custom_target(${target} DEPENDS ${_ivl_bin}/${dir}/${target})
endfunction()
pmmu_tb_file_verilator(pmmu_tb_file_vl vl)
pmmu_tb_file_verilator(pmmu_tb_file_xinit xinit --x-initial unique --x-assign unique)
set(PMMU_TB_FILE_VL ${_ivl_bin}/vl/pmmu_tb_file_vl)
set(PMMU_TB_FILE_XINIT ${_ivl_bin}/xinit/pmmu_tb_file_xinit)

# the scenario suite: the directed files, the golden ones, the timed ones (their timed commands
# are in the port log like any other input) and the mutants' shrunk reproducers (they pass on
# the real RTL); those of another TLB geometry are skipped (pmmu_portlog exits 77: the
# recording needs a Verilated variant and the testbenches are pmmu_top's default geometry)
file(GLOB _ivl_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/testbench/scenarios/*.pmmu
     ${PROJECT_SOURCE_DIR}/testbench/scenarios/golden/*.pmmu
     ${PROJECT_SOURCE_DIR}/testbench/scenarios/timed/*.pmmu
     ${PROJECT_SOURCE_DIR}/testbench/scenarios/mutants/*.pmmu)
# latency-max-*: millions of cycles of waiting on memory (the lockstep's give-up limit at the
# documented extremes, testbench/bounded): a port log of 10 M rows adds nothing here
list(FILTER _ivl_scenarios EXCLUDE REGEX "/latency-max-[^/]*\\.pmmu$")
# cosim items: SEED:ACCESSES[:BUS_ERRORS:WAIT:LAT_MIN:LAT_MAX] (odd seeds 32-bit, even ones PAE)
set(_ivl_cosim cosim:1:3000 cosim:2:3000 cosim:3:3000 cosim:4:3000 cosim:5:2000:30:8:1:12
    cosim:6:2000:30:8:1:12)
set(_ivl_replay ${_ivl_dir}/replay)

add_test(NAME icarus.scenarios
  COMMAND ${_ivl_replay} $<TARGET_FILE:pmmu_portlog> ${_ivl_bin}/work-scenarios
          ${PMMU_VVP} -n ${_ivl_bin}/tb_pmmu_file.vvp -- ${_ivl_scenarios}
  CONFIGURATIONS full)
add_test(NAME icarus.cosim
  COMMAND ${_ivl_replay} $<TARGET_FILE:pmmu_portlog> ${_ivl_bin}/work-cosim
          ${PMMU_VVP} -n ${_ivl_bin}/tb_pmmu_file.vvp -- ${_ivl_cosim}
  CONFIGURATIONS full)
set_tests_properties(icarus.scenarios icarus.cosim PROPERTIES
  LABELS "icarus;rtl" TIMEOUT 1200 PASS_REGULAR_EXPRESSION "replay: [0-9]+ passed, 0 failed")

# the checks can fail: a changed output in the log, an X from a memory response
add_test(NAME icarus.selftest
  COMMAND ${_ivl_dir}/selftest $<TARGET_FILE:pmmu_portlog> ${_ivl_bin}/work-selftest
          ${PROJECT_SOURCE_DIR}/testbench/scenarios/demo.pmmu ${PMMU_VVP} ${_ivl_bin}/tb_pmmu_file.vvp
  CONFIGURATIONS full)
set_tests_properties(icarus.selftest PROPERTIES LABELS "icarus;rtl"
  PASS_REGULAR_EXPRESSION "selftest: passed")

# the testbench itself: under Verilator its output file is the port log, byte for byte
add_test(NAME icarus.build
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target pmmu_tb_file_vl
  CONFIGURATIONS full)
set_tests_properties(icarus.build PROPERTIES LABELS "icarus;rtl" FIXTURES_SETUP pmmu_tb_file_vl
  TIMEOUT 900 RUN_SERIAL ON)
add_test(NAME icarus.verilator_tb
  COMMAND env PMMU_REPLAY_CMP=1 ${_ivl_replay} $<TARGET_FILE:pmmu_portlog>
          ${_ivl_bin}/work-vl ${PMMU_TB_FILE_VL} -- ${_ivl_scenarios} ${_ivl_cosim}
  CONFIGURATIONS full)
set_tests_properties(icarus.verilator_tb PROPERTIES LABELS "icarus;rtl"
  FIXTURES_REQUIRED pmmu_tb_file_vl TIMEOUT 900
  PASS_REGULAR_EXPRESSION "replay: [0-9]+ passed, 0 failed")

# random initial state of every flip-flop: a seed per test, each over the whole suite and
# cosim seeds of its own
add_test(NAME xinit.build
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target pmmu_tb_file_xinit
  CONFIGURATIONS full)
set_tests_properties(xinit.build PROPERTIES LABELS "xinit;rtl" FIXTURES_SETUP pmmu_tb_file_xinit
  TIMEOUT 900 RUN_SERIAL ON)
# the random initial state is there: the testbench's never-assigned probe differs between
# two seeds and is not 0
add_test(NAME xinit.random_state
  COMMAND sh -c "\"$0\" scenario \"$1\" \"$3/probe.ports\" >/dev/null &&
    \"$0\" pack \"$3/probe.ports\" \"$3/probe.bin\" &&
    a=$(\"$2\" +verilator+rand+reset+2 +verilator+seed+1 +stim=\"$3/probe.bin\" | grep probe) &&
    b=$(\"$2\" +verilator+rand+reset+2 +verilator+seed+2 +stim=\"$3/probe.bin\" | grep probe) &&
    echo \"$a\" && echo \"$b\" && [ \"$a\" != \"$b\" ] &&
    ! echo \"$a$b\" | grep -q 'probe 0000000000000000' && echo random state differs"
    $<TARGET_FILE:pmmu_portlog> ${PROJECT_SOURCE_DIR}/testbench/scenarios/demo.pmmu
    ${PMMU_TB_FILE_XINIT} ${_ivl_bin}
  CONFIGURATIONS full)
set_tests_properties(xinit.random_state PROPERTIES LABELS "xinit;rtl"
  FIXTURES_REQUIRED pmmu_tb_file_xinit PASS_REGULAR_EXPRESSION "random state differs")
set(PMMU_XINIT_SEEDS 1 2 3 4 CACHE STRING
  "+verilator+seed values of the xinit tests (random initial flip-flop state)")
foreach(seed IN LISTS PMMU_XINIT_SEEDS)
  math(EXPR c1 "1000 + ${seed} * 2 + 1")
  math(EXPR c2 "1000 + ${seed} * 2")
  add_test(NAME xinit.seed.${seed}
    COMMAND ${_ivl_replay} $<TARGET_FILE:pmmu_portlog> ${_ivl_bin}/work-xinit-${seed}
            ${PMMU_TB_FILE_XINIT} +verilator+rand+reset+2 +verilator+seed+${seed}
            -- ${_ivl_scenarios} cosim:${c1}:5000 cosim:${c2}:5000 cosim:${seed}:3000:30:8:1:12
    CONFIGURATIONS full)
  set_tests_properties(xinit.seed.${seed} PROPERTIES LABELS "xinit;rtl"
    FIXTURES_REQUIRED pmmu_tb_file_xinit TIMEOUT 900
    PASS_REGULAR_EXPRESSION "replay: [0-9]+ passed, 0 failed")
endforeach()
